//! Who may use which route. Every route of the signed-in areas (the inbox,
//! bookings and calendars, administration, signing out) is tried by an
//! anonymous visitor, the rep it concerns, another rep, a manager, a
//! marketer and an admin, and must be allowed or refused as [`ROUTES`]
//! says; every state-changing one must also refuse a missing or wrong CSRF
//! token and a cross-site request. [`ROUTES`] writes down the product's
//! rules, not what the handlers happen to do:
//!
//! - reps work their own leads and their own calendar; managers and admins
//!   see and work every lead, reassign, and open any rep's calendar;
//!   marketers change forms, not leads;
//! - marketers and admins change forms (the editor, preview, replay, diagram);
//! - managers and admins change routing (reps, pools, rules);
//! - admins, marketers and managers read analytics and its CSV exports;
//! - only admins see notices, webhooks and API tokens.
//!
//! A refusal is a redirect to sign in for an anonymous visitor and a 403
//! for a signed-in person, except that another rep's lead is "not found"
//! (404), so a rep learns nothing about leads that are not theirs. An
//! allowed request must succeed (2xx, or a redirect elsewhere than sign-in):
//! each POST sends what its page's form sends. A POST someone may make gets
//! new fixtures for each such person; reads and refusals share one standing
//! set, which the refusals must leave as it was.
//!
//! Outside the matrix, on purpose: the prospect's pages (`/f/…`, and
//! `/bookings/…` behind signed links) have no accounts to check, and are
//! covered by `prospect.rs` and `booking_links.rs`; the JSON API (`/api/v1`)
//! takes bearer tokens, not sessions, and has its own router (made from its
//! OpenAPI document) and tests (`api_auth.rs`); [`PUBLIC`] names the few
//! routes anyone may open.
//!
//! To add a route, add a row to [`ROUTES`]: a test reads the routers' source
//! (`route_sources.rs`) and fails on a route without a row, or a row without
//! a route. `route_world.rs` sends the rows; in their paths and fields these
//! are filled in: `{lead}` (a Tier 1 lead of `{rep}`), `{rep}`, `{manager}`,
//! `{form}` (the fixture form with an unused list `partners`: version 1,
//! version 2 live, a draft changed since, a test case `{case}`),
//! `{question}`, `{number}` (of a scoring rule or outcome) and `{version}`
//! of that form, `{revision}` (its draft's), `{pool}`, `{rule}`, `{block}`
//! (a busy block of `{rep}`), `{token}`, `{notice}` (a dead one),
//! `{unique}` (a new name) and `{definition}` (a form to import).

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::helpers::{TestApp, location};
use crate::route_sources::{registered_routes, shape};
use crate::route_world::World;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Who {
    Anonymous,
    /// The rep the route's lead or calendar belongs to (any rep elsewhere).
    Rep,
    /// Another rep.
    OtherRep,
    Manager,
    Marketer,
    Admin,
}

use Who::{Admin, Anonymous, Manager, Marketer, OtherRep, Rep};

const EVERYONE: [Who; 6] = [Anonymous, Rep, OtherRep, Manager, Marketer, Admin];
const SIGNED_IN: &[Who] = &[Rep, OtherRep, Manager, Marketer, Admin];
/// People who work leads.
const LEAD_WORKERS: &[Who] = &[Rep, OtherRep, Manager, Admin];
/// The rep a lead or calendar belongs to, and those who see every rep's.
const ITS_REP_AND_MANAGERS: &[Who] = &[Rep, Manager, Admin];
const MANAGERS: &[Who] = &[Manager, Admin];
const EDITORS: &[Who] = &[Marketer, Admin];
const ANALYSTS: &[Who] = &[Manager, Marketer, Admin];
const ADMINS: &[Who] = &[Admin];

/// One route: method, path (with a query when the page needs one), who may
/// use it, and for a POST what it sends.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub allowed: &'static [Who],
    /// The page whose form this POST sends, and that form (CSS); without
    /// one, the body is `set` and the CSRF token.
    pub form: Option<(&'static str, &'static str)>,
    /// Fields set on top of the form's: the button clicked, what is typed.
    pub set: &'static [(&'static str, &'static str)],
}

const fn get(path: &'static str, allowed: &'static [Who]) -> Route {
    Route { method: "GET", path, allowed, form: None, set: &[] }
}

const fn post(path: &'static str, allowed: &'static [Who], set: &'static [(&'static str, &'static str)]) -> Route {
    Route { method: "POST", path, allowed, form: None, set }
}

/// A POST of the form `css` on `page`, as a browser sends it, with `set` on top.
const fn submit(
    path: &'static str,
    allowed: &'static [Who],
    (page, css): (&'static str, &'static str),
    set: &'static [(&'static str, &'static str)],
) -> Route {
    Route { method: "POST", path, allowed, form: Some((page, css)), set }
}

const SAVE: &[(&str, &str)] = &[("action", "save")];
const REVISION: &[(&str, &str)] = &[("revision", "{revision}")];

/// Every route of the inbox, administration and account areas.
const ROUTES: &[Route] = &[
    post("/logout", SIGNED_IN, &[]),
    // The inbox, bookings and calendars.
    get("/inbox", LEAD_WORKERS),
    get("/inbox/events", LEAD_WORKERS),
    get("/inbox/leads/{lead}", ITS_REP_AND_MANAGERS),
    post("/inbox/leads/{lead}/accept", ITS_REP_AND_MANAGERS, &[]),
    post("/inbox/leads/{lead}/disqualify", ITS_REP_AND_MANAGERS, &[("reason", "no_budget"), ("note", "matrix")]),
    post("/inbox/leads/{lead}/hand-back", ITS_REP_AND_MANAGERS, &[]),
    post("/inbox/leads/{lead}/reassign", MANAGERS, &[("rep", "{manager}")]),
    get("/inbox/bookings", LEAD_WORKERS),
    get("/inbox/calendar", LEAD_WORKERS),
    get("/inbox/calendar/{rep}", ITS_REP_AND_MANAGERS),
    submit("/inbox/calendar/{rep}", ITS_REP_AND_MANAGERS, ("/inbox/calendar/{rep}", "form.calendar-settings"), &[]),
    post(
        "/inbox/calendar/{rep}/blocks",
        ITS_REP_AND_MANAGERS,
        &[("date", "2026-11-20"), ("from", "10:00"), ("to", "11:00"), ("note", "matrix")],
    ),
    post("/inbox/calendar/{rep}/blocks/{block}/delete", ITS_REP_AND_MANAGERS, &[]),
    // Notices, webhooks and API tokens.
    get("/admin/notices", ADMINS),
    post("/admin/notices/{notice}/retry", ADMINS, &[]),
    get("/admin/webhooks", ADMINS),
    // A closed local port: no request ever leaves the machine.
    post("/admin/webhooks", ADMINS, &[("url", "http://127.0.0.1:9/hook"), ("allow_private", "yes")]),
    get("/admin/tokens", ADMINS),
    post("/admin/tokens", ADMINS, &[("name", "{unique}"), ("scopes", "read")]),
    post("/admin/tokens/{token}/revoke", ADMINS, &[]),
    // Analytics.
    get("/admin/analytics?form=qualify", ANALYSTS),
    get("/admin/analytics/leads.csv?form=qualify", ANALYSTS),
    get("/admin/analytics/responses.csv?form=qualify", ANALYSTS),
    // The form editor and the draft tools.
    get("/admin/forms", EDITORS),
    post("/admin/forms", EDITORS, &[("title", "Matrix"), ("slug", "{unique}")]),
    post("/admin/forms/import", EDITORS, &[("definition", "{definition}")]),
    get("/admin/forms/{form}", EDITORS),
    post("/admin/forms/{form}/duplicate", EDITORS, &[("title", "Copy"), ("slug", "{unique}")]),
    post("/admin/forms/{form}/archive", EDITORS, &[]),
    post("/admin/forms/{form}/restore", EDITORS, &[]),
    post("/admin/forms/{form}/publish", EDITORS, &[("revision", "{revision}"), ("note", "matrix")]),
    submit(
        "/admin/forms/{form}/questions",
        EDITORS,
        ("/admin/forms/{form}", "#add-question"),
        &[("id", "{unique}"), ("label", "Matrix?")],
    ),
    get("/admin/forms/{form}/questions/{question}", EDITORS),
    submit(
        "/admin/forms/{form}/questions/{question}",
        EDITORS,
        ("/admin/forms/{form}/questions/{question}", "form#editor"),
        SAVE,
    ),
    post("/admin/forms/{form}/questions/{question}/move", EDITORS, &[("revision", "{revision}"), ("direction", "up")]),
    post("/admin/forms/{form}/questions/{question}/delete", EDITORS, REVISION),
    get("/admin/forms/{form}/scoring", EDITORS),
    get("/admin/forms/{form}/scoring/new", EDITORS),
    submit(
        "/admin/forms/{form}/scoring/new",
        EDITORS,
        ("/admin/forms/{form}/scoring/new", "form#editor"),
        &[
            ("reason", "Has a budget"),
            ("intent", "10"),
            ("when.items.0.subject", "answer:budget"),
            ("when.items.0.op", "gte"),
            ("when.items.0.value", "1000"),
            ("action", "save"),
        ],
    ),
    get("/admin/forms/{form}/scoring/{number}", EDITORS),
    submit(
        "/admin/forms/{form}/scoring/{number}",
        EDITORS,
        ("/admin/forms/{form}/scoring/{number}", "form#editor"),
        SAVE,
    ),
    post("/admin/forms/{form}/scoring/{number}/move", EDITORS, &[("revision", "{revision}"), ("direction", "down")]),
    post("/admin/forms/{form}/scoring/{number}/delete", EDITORS, REVISION),
    get("/admin/forms/{form}/lists", EDITORS),
    submit(
        "/admin/forms/{form}/lists",
        EDITORS,
        ("/admin/forms/{form}/lists", "#new-list"),
        &[("name", "{unique}"), ("entries", "partner.example")],
    ),
    post("/admin/forms/{form}/lists/delete", EDITORS, &[("revision", "{revision}"), ("original", "partners")]),
    get("/admin/forms/{form}/outcomes", EDITORS),
    get("/admin/forms/{form}/outcomes/new", EDITORS),
    submit(
        "/admin/forms/{form}/outcomes/new",
        EDITORS,
        ("/admin/forms/{form}/outcomes/new", "form#editor"),
        &[
            ("id", "{unique}"),
            ("tier", "Tier 0"),
            ("when.items.0.subject", "fit"),
            ("when.items.0.op", "gte"),
            ("when.items.0.value", "90"),
            ("title", "Thanks"),
            ("message", "We will call."),
            ("pool", "senior-ae"),
            ("action", "save"),
        ],
    ),
    get("/admin/forms/{form}/outcomes/{number}", EDITORS),
    submit(
        "/admin/forms/{form}/outcomes/{number}",
        EDITORS,
        ("/admin/forms/{form}/outcomes/{number}", "form#editor"),
        SAVE,
    ),
    post("/admin/forms/{form}/outcomes/{number}/move", EDITORS, &[("revision", "{revision}"), ("direction", "down")]),
    post("/admin/forms/{form}/outcomes/{number}/delete", EDITORS, REVISION),
    get("/admin/forms/{form}/settings", EDITORS),
    submit("/admin/forms/{form}/settings", EDITORS, ("/admin/forms/{form}/settings", "form#editor"), SAVE),
    get("/admin/forms/{form}/tests", EDITORS),
    get("/admin/forms/{form}/tests/new", EDITORS),
    submit(
        "/admin/forms/{form}/tests/new",
        EDITORS,
        ("/admin/forms/{form}/tests/new", "form#editor"),
        &[("name", "{unique}"), ("expected_outcome", "nurture"), ("action", "save")],
    ),
    get("/admin/forms/{form}/tests/{case}", EDITORS),
    submit("/admin/forms/{form}/tests/{case}", EDITORS, ("/admin/forms/{form}/tests/{case}", "form#editor"), SAVE),
    post("/admin/forms/{form}/tests/{case}/delete", EDITORS, REVISION),
    get("/admin/forms/{form}/versions", EDITORS),
    post("/admin/forms/{form}/versions/{version}/rollback", EDITORS, &[("revision", "{revision}"), ("note", "matrix")]),
    get("/admin/forms/{form}/export?format=yaml", EDITORS),
    get("/admin/forms/{form}/yaml", EDITORS),
    submit("/admin/forms/{form}/yaml", EDITORS, ("/admin/forms/{form}/yaml", "form#editor"), SAVE),
    get("/admin/forms/{form}/preview", EDITORS),
    submit(
        "/admin/forms/{form}/preview",
        EDITORS,
        ("/admin/forms/{form}/preview", "form.preview-grid"),
        &[("answer", "cio@big.example")],
    ),
    get("/admin/forms/{form}/replay?n=5", EDITORS),
    get("/admin/forms/{form}/diagram", EDITORS),
    get("/admin/forms/{form}/diagram.svg", EDITORS),
    // Routing.
    get("/admin/routing", MANAGERS),
    get("/admin/routing/reps/{rep}", MANAGERS),
    submit("/admin/routing/reps/{rep}", MANAGERS, ("/admin/routing/reps/{rep}", "form.rep-form"), &[]),
    submit("/admin/routing/pools", MANAGERS, ("/admin/routing", "form.new-pool"), &[("name", "{unique}")]),
    get("/admin/routing/pools/{pool}", MANAGERS),
    submit("/admin/routing/pools/{pool}", MANAGERS, ("/admin/routing/pools/{pool}", "form.pool-form"), SAVE),
    post("/admin/routing/pools/{pool}/delete", MANAGERS, &[]),
    // Only Tier 2 leads, which go to `sdr` anyway: the fixtures' routing stays as it was.
    submit(
        "/admin/routing/rules",
        MANAGERS,
        ("/admin/routing/rules/new", "form#editor"),
        &[
            ("name", "{unique}"),
            ("handoff", "sdr"),
            ("when.items.0.subject", "fit"),
            ("when.items.0.op", "gte"),
            ("when.items.0.value", "0"),
            ("pool", "sdr"),
            ("action", "save"),
        ],
    ),
    get("/admin/routing/rules/new", MANAGERS),
    get("/admin/routing/rules/{rule}", MANAGERS),
    submit("/admin/routing/rules/{rule}", MANAGERS, ("/admin/routing/rules/{rule}", "form#editor"), SAVE),
    post("/admin/routing/rules/{rule}/move", MANAGERS, &[("direction", "up")]),
    post("/admin/routing/rules/{rule}/delete", MANAGERS, &[]),
];

/// Routes anyone may use, and why.
const PUBLIC: &[(&str, &str, &str)] = &[
    ("GET", "/", "sends a visitor to sign in, a signed-in person to their start page"),
    ("GET", "/login", "the sign-in page"),
    ("POST", "/login", "signing in (rate-limited: security.rs)"),
    ("GET", "/healthz", "liveness probe"),
    ("GET", "/readyz", "readiness probe"),
    ("GET", "/metrics", "Prometheus, behind its own bearer token (api_metrics.rs)"),
    ("ANY", "/static", "stylesheets, scripts and images"),
];

/// The prospect's pages: no account, signed links where needed.
const PROSPECT_AREAS: [&str; 2] = ["/f/", "/bookings/"];

/// The refusal `who` must get: a redirect to sign in, a 404 for another
/// rep's lead, else a 403.
fn is_refused(who: Who, route: &Route, response: &reqwest::Response) -> bool {
    match who {
        // Signing out without a session has nothing to end: it shows the sign-in page.
        Anonymous if route.path == "/logout" => response.status() == 303 && location(response) == "/login",
        Anonymous => response.status() == 303 && location(response).starts_with("/login?next="),
        OtherRep if route.path.contains("{lead}") && route.allowed.contains(&Rep) => response.status() == 404,
        _ => response.status() == 403,
    }
}

/// Success: a page, or a redirect that is not to sign in (signing out
/// goes there, and its session must be over).
async fn succeeded(browser: &TestApp, route: &Route, response: &reqwest::Response) -> bool {
    let status = response.status();
    let to_sign_in = status.is_redirection() && location(response).starts_with("/login");
    if route.path == "/logout" {
        let after = browser.get("/").await;
        return to_sign_in && after.status() == 303 && location(&after) == "/login";
    }
    status.is_success() || (status.is_redirection() && !to_sign_in)
}

#[tokio::test]
async fn every_route_is_allowed_or_refused_for_each_role_as_the_table_says() {
    let world = World::new().await;
    let lead_before = world.app.lead(world.standing.lead.parse().unwrap()).await;
    let standing_form: Uuid = world.standing.form.parse().unwrap();
    let draft_before = leadgate::app::drafts::load_draft(&world.ctx, standing_form).await.unwrap();
    for route in ROUTES {
        for who in EVERYONE {
            let fx = world.fixtures_for(route, who).await;
            let (browser, csrf) = world.browser(who, &fx).await;
            let response = world.send(&browser, route, &fx, csrf.as_deref(), &[]).await;
            let status = response.status();
            let (method, path) = (route.method, route.path);
            if route.allowed.contains(&who) {
                let ok = succeeded(&browser, route, &response).await;
                let body = if ok { String::new() } else { response.text().await.unwrap_or_default() };
                assert!(ok, "{method} {path} as {who:?} must be allowed and succeed: {status}\n{body}");
                if path == "/logout" {
                    world.forget(who, &fx);
                }
            } else {
                assert!(is_refused(who, route, &response), "{method} {path} as {who:?} must be refused: {status}");
            }
        }
    }
    let lead_after = world.app.lead(lead_before.id).await;
    assert_eq!(
        (lead_after.status, lead_after.assigned_user_id),
        (lead_before.status, lead_before.assigned_user_id),
        "refused requests left the standing lead as it was"
    );
    let draft_after = leadgate::app::drafts::load_draft(&world.ctx, standing_form).await.unwrap();
    assert_eq!(draft_after.revision, draft_before.revision, "refused requests left the standing draft as it was");
}

/// A refused attempt: what it is, the CSRF token sent, extra headers.
type Attempt<'a> = (&'a str, Option<&'a str>, &'a [(&'a str, &'a str)]);

#[tokio::test]
async fn every_state_changing_route_refuses_a_missing_or_wrong_csrf_token_and_cross_site_requests() {
    let world = World::new().await;
    let wrong = "f".repeat(64);
    for route in ROUTES.iter().filter(|r| r.method == "POST") {
        let who = route.allowed[0];
        let fx = world.fixtures_for(route, who).await;
        let (browser, token) = world.browser(who, &fx).await;
        let token = token.expect("signed in");
        let attempts: [Attempt; 5] = [
            ("no token", None, &[]),
            ("a wrong token", Some(&wrong), &[]),
            ("a cross-site request", Some(&token), &[("sec-fetch-site", "cross-site")]),
            ("a same-site request from another subdomain", Some(&token), &[("sec-fetch-site", "same-site")]),
            ("another origin", Some(&token), &[("origin", "https://evil.example")]),
        ];
        for (what, csrf, headers) in attempts {
            let response = world.send(&browser, route, &fx, csrf, headers).await;
            assert_eq!(response.status(), 403, "POST {} with {what}", route.path);
        }
        let response = world.send(&browser, route, &fx, Some(&token), &[("sec-fetch-site", "same-origin")]).await;
        let status = response.status();
        let ok = succeeded(&browser, route, &response).await;
        let body = if ok { String::new() } else { response.text().await.unwrap_or_default() };
        assert!(ok, "POST {} as {who:?} with its token works: {status}\n{body}", route.path);
        if route.path == "/logout" {
            world.forget(who, &fx);
        }
    }
}

#[test]
fn every_route_of_the_routers_has_a_row_and_every_row_a_route() {
    let registered = registered_routes();
    assert!(registered.len() > 90, "the routers were read: {registered:?}");
    let mut rows = BTreeSet::new();
    for route in ROUTES {
        let row = (route.method.to_owned(), shape(route.path));
        assert!(rows.insert(row.clone()), "{row:?} has two rows");
    }
    let public: BTreeSet<(String, String)> = PUBLIC.iter().map(|(m, p, _)| (m.to_string(), shape(p))).collect();
    for (method, path) in &registered {
        let row = (method.clone(), path.clone());
        let prospect = PROSPECT_AREAS.iter().any(|area| path.starts_with(area));
        assert!(
            rows.contains(&row) || public.contains(&row) || prospect,
            "{method} {path} has no row in ROUTES: add one saying who may use it"
        );
    }
    for row in rows.iter().chain(&public) {
        assert!(registered.contains(row), "{row:?} is in the table but no router has it");
    }
}
