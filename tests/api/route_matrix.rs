//! Who may use which route: every route of the signed-in areas, tried by
//! an anonymous visitor, a rep, a manager, a marketer and an admin, must be
//! allowed or refused as [`ROUTES`] says. Every state-changing route must
//! also refuse a missing or wrong CSRF token and a cross-site request.
//!
//! To cover a new route, add a row to [`ROUTES`] (`{lead}` and `{notice}`
//! in the path are filled with a fresh lead of the rep and a dead notice).

use crate::helpers::{BRANCHING_FORM, Person, Team, TestApp, location, spawn_app};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Rep,
    Manager,
    Marketer,
    Admin,
}

const EVERYONE: [Who; 5] = [Who::Anonymous, Who::Rep, Who::Manager, Who::Marketer, Who::Admin];
const INBOX: &[Who] = &[Who::Rep, Who::Manager, Who::Admin];
const MANAGERS: &[Who] = &[Who::Manager, Who::Admin];
const ADMINS: &[Who] = &[Who::Admin];
const SIGNED_IN: &[Who] = &[Who::Rep, Who::Manager, Who::Marketer, Who::Admin];

/// One route: method, path, who may use it, and the form it posts.
struct Route {
    method: &'static str,
    path: &'static str,
    allowed: &'static [Who],
    form: &'static [(&'static str, &'static str)],
}

const fn get(path: &'static str, allowed: &'static [Who]) -> Route {
    Route { method: "GET", path, allowed, form: &[] }
}

const fn post(path: &'static str, allowed: &'static [Who], form: &'static [(&'static str, &'static str)]) -> Route {
    Route { method: "POST", path, allowed, form }
}

/// Every route of the inbox, administration and account areas.
const ROUTES: &[Route] = &[
    get("/inbox", INBOX),
    get("/inbox/events", INBOX),
    get("/inbox/leads/{lead}", INBOX),
    post("/inbox/leads/{lead}/accept", INBOX, &[]),
    post("/inbox/leads/{lead}/disqualify", INBOX, &[("reason", "no_budget"), ("note", "matrix")]),
    post("/inbox/leads/{lead}/hand-back", INBOX, &[]),
    post("/inbox/leads/{lead}/reassign", MANAGERS, &[("rep", "{manager}")]),
    get("/admin/notices", ADMINS),
    post("/admin/notices/{notice}/retry", ADMINS, &[]),
    get("/admin/webhooks", ADMINS),
    // A closed local port: no request ever leaves the machine.
    post("/admin/webhooks", ADMINS, &[("url", "http://127.0.0.1:9/hook"), ("allow_private", "yes")]),
    post("/logout", SIGNED_IN, &[]),
];

/// The app, its team and a signed-in browser per role.
struct World {
    app: TestApp,
    team: Team,
}

impl World {
    async fn new() -> World {
        let app = spawn_app().await;
        app.publish_form(BRANCHING_FORM).await;
        let team = app.seed_team().await;
        World { app, team }
    }

    /// A fresh browser for `who` and its CSRF token. Rows about a lead use
    /// the rep it was routed to.
    async fn browser(&self, who: Who, lead_owner: Option<&Person>) -> (TestApp, Option<String>) {
        let person = match who {
            Who::Anonymous => return (self.app.new_browser(), None),
            Who::Rep => lead_owner.unwrap_or(&self.team.rita),
            Who::Manager => &self.team.manager,
            Who::Marketer => &self.team.marketer,
            Who::Admin => &self.team.admin,
        };
        // One live session per person, so its token can be read back.
        let mut tx = self.app.db.begin().await.unwrap();
        leadgate::store::users::delete_sessions_of(tx.conn(), &person.email).await.unwrap();
        tx.commit().await.unwrap();
        let browser = self.app.login_as(person).await;
        let mut conn = self.app.db.read().await.unwrap();
        let token: String = leadgate::on_conn!(conn.conn(), c => sqlx::query_scalar(
            "SELECT csrf_token FROM sessions WHERE user_id = $1").bind(person.id).fetch_one(&mut *c).await)
        .unwrap();
        (browser, Some(token))
    }

    /// The path with a new lead (and its rep) and a dead notice filled in.
    async fn fill(&self, path: &str) -> (String, Option<Person>) {
        let mut owner = None;
        let mut filled = path.to_string();
        if filled.contains("{lead}") {
            let email = format!("{}@m.example", uuid::Uuid::new_v4().simple());
            let lead = self.app.lead_of(&self.app.finish_tier1(&email).await).await;
            let assignee = lead.assigned_user_id.expect("routed to a rep");
            owner = [&self.team.rita, &self.team.sam].into_iter().find(|p| p.id == assignee).cloned();
            filled = filled.replace("{lead}", &lead.id.to_string());
        }
        if filled.contains("{notice}") {
            filled = filled.replace("{notice}", &self.dead_notice().await.to_string());
        }
        (filled, owner)
    }

    /// The route's form with `{manager}` filled in.
    fn form(&self, route: &Route) -> Vec<(String, String)> {
        let manager = self.team.manager.id.to_string();
        route.form.iter().map(|(k, v)| (k.to_string(), v.replace("{manager}", &manager))).collect()
    }

    async fn dead_notice(&self) -> uuid::Uuid {
        let mut tx = self.app.db.begin().await.unwrap();
        let id = uuid::Uuid::now_v7();
        let target = uuid::Uuid::nil().to_string();
        let notice = leadgate::store::outbox::NewNotice {
            id,
            event_type: "lead.assigned",
            channel: "webhook",
            target: &target,
            payload: &serde_json::json!({}),
            now: self.app.clock.now(),
        };
        leadgate::store::outbox::insert_notice(tx.conn(), notice).await.unwrap();
        leadgate::store::outbox::mark_failed(tx.conn(), id, "matrix", None).await.unwrap();
        tx.commit().await.unwrap();
        id
    }

    async fn send(&self, browser: &TestApp, route: &Route, path: &str, csrf: Option<&str>) -> reqwest::Response {
        let url = browser.url(path);
        if route.method == "GET" {
            return browser.client.get(url).send().await.unwrap();
        }
        let mut pairs = self.form(route);
        if let Some(token) = csrf {
            pairs.push(("csrf".into(), token.into()));
        }
        browser.client.post(url).form(&pairs).send().await.unwrap()
    }
}

/// A refused attempt: what it is, the CSRF token sent, extra headers.
type Attempt<'a> = (&'a str, Option<&'a str>, &'a [(&'a str, &'a str)]);

fn is_refused(who: Who, response: &reqwest::Response) -> bool {
    match who {
        Who::Anonymous => response.status() == 303 && location(response).starts_with("/login"),
        _ => response.status() == 403,
    }
}

#[tokio::test]
async fn every_route_is_allowed_or_refused_for_each_role_as_the_table_says() {
    let world = World::new().await;
    for route in ROUTES {
        for who in EVERYONE {
            let (path, owner) = world.fill(route.path).await;
            let (browser, csrf) = world.browser(who, owner.as_ref()).await;
            let response = world.send(&browser, route, &path, csrf.as_deref()).await;
            let status = response.status();
            assert!(!status.is_server_error(), "{} {path} as {who:?}: {status}", route.method);
            if route.allowed.contains(&who) {
                assert!(
                    !is_refused(who, &response),
                    "{} {} as {who:?} must be allowed: {status}",
                    route.method,
                    route.path
                );
            } else {
                assert!(
                    is_refused(who, &response),
                    "{} {} as {who:?} must be refused: {status}",
                    route.method,
                    route.path
                );
            }
        }
    }
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_missing_or_wrong_csrf_token_and_cross_site_requests() {
    let world = World::new().await;
    for route in ROUTES.iter().filter(|r| r.method == "POST") {
        let who = route.allowed[0];
        let (path, owner) = world.fill(route.path).await;
        let (browser, token) = world.browser(who, owner.as_ref()).await;
        let token = token.expect("signed in");
        let mut pairs = world.form(route);
        let wrong = "f".repeat(64);
        let attempts: [Attempt; 5] = [
            ("no token", None, &[]),
            ("a wrong token", Some(&wrong), &[]),
            ("a cross-site request", Some(&token), &[("sec-fetch-site", "cross-site")]),
            ("a same-site request from another subdomain", Some(&token), &[("sec-fetch-site", "same-site")]),
            ("another origin", Some(&token), &[("origin", "https://evil.example")]),
        ];
        for (what, csrf, headers) in attempts {
            let mut form = pairs.clone();
            if let Some(csrf) = csrf {
                form.push(("csrf".into(), csrf.into()));
            }
            let mut request = browser.client.post(browser.url(&path)).form(&form);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            assert_eq!(request.send().await.unwrap().status(), 403, "POST {} with {what}", route.path);
        }
        pairs.push(("csrf".into(), token));
        let same_origin =
            browser.client.post(browser.url(&path)).header("sec-fetch-site", "same-origin").form(&pairs).send().await;
        let status = same_origin.unwrap().status();
        assert!(status != 403 && !status.is_server_error(), "POST {} with its token works: {status}", route.path);
    }
}
