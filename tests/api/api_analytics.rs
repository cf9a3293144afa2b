//! Analytics against a seeded set of responses whose figures are known,
//! and the CSV exports.

use chrono::Duration;
use scraper::{Html, Selector};

use crate::api_support::{Api, token};
use crate::helpers::{BRANCHING_FORM, Team, TestApp, spawn_app};

fn figure(page: &Html, css: &str) -> String {
    let selector = Selector::parse(css).unwrap();
    let found = page.select(&selector).next().unwrap_or_else(|| panic!("no {css}"));
    found.text().collect::<String>().trim().to_string()
}

fn seconds(page: &Html, css: &str) -> String {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector)
        .next()
        .unwrap_or_else(|| panic!("no {css}"))
        .value()
        .attr("data-seconds")
        .unwrap()
        .to_string()
}

async fn step(app: &TestApp, browser: &TestApp, at: &str, question: &str, value: &str, secs: i64) {
    app.clock.advance(Duration::seconds(secs));
    browser.answer_ok(at, question, &[value]).await;
}

/// One response along `answers` (question, value), `secs` apart; the first answer starts it.
async fn respond(app: &TestApp, query: &str, email: &str, answers: &[(&str, &str)], secs: i64) -> String {
    let browser = app.new_browser();
    let at = browser.start_form("qualify", query, &[email]).await;
    for (question, value) in answers {
        step(app, &browser, &at, question, value, secs).await;
    }
    at
}

async fn accept_as(app: &TestApp, team: &Team, lead: uuid::Uuid) {
    let rep = app.lead(lead).await.assigned_user_id.unwrap();
    let person = if rep == team.rita.id { &team.rita } else { &team.sam };
    let browser = app.login_as(person).await;
    let page = format!("/inbox/leads/{lead}");
    assert_eq!(browser.post_with_csrf(&page, &format!("{page}/accept"), &[]).await.status(), 303);
}

const TIER1: [(&str, &str); 4] =
    [("company_size", "large"), ("procurement", "yes"), ("timeline", "now"), ("consent", "yes")];

#[tokio::test]
async fn the_analytics_page_shows_the_figures_of_a_known_set_of_responses() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    for _ in 0..3 {
        app.get("/f/qualify").await;
    }
    // R1, Tier 1 in 20 s (5 s a step); accepted 30 s after finishing.
    let r1 = respond(&app, "?utm_source=ads&utm_campaign=spring", "r1@big1.example", &TIER1, 5).await;
    let l1 = app.lead_of(&r1).await.id;
    app.clock.advance(Duration::seconds(30));
    accept_as(&app, &team, l1).await;
    // R2, Tier 1 in 40 s; accepted 90 s after finishing.
    let r2 = respond(&app, "?utm_source=ads&utm_campaign=spring", "r2@big2.example", &TIER1, 10).await;
    let l2 = app.lead_of(&r2).await.id;
    app.clock.advance(Duration::seconds(90));
    accept_as(&app, &team, l2).await;
    // R3, Tier 2 in 60 s, never accepted: the fallback fires.
    let tier2 = [("company_size", "mid"), ("current_tool", "sheets"), ("timeline", "later"), ("consent", "yes")];
    let r3 = respond(&app, "?utm_source=news", "r3@mid.example", &tier2, 15).await;
    let l3 = app.lead_of(&r3).await.id;
    // R4, nurture in 80 s.
    let nurture = [("company_size", "small"), ("budget", "100"), ("timeline", "later"), ("consent", "yes")];
    respond(&app, "", "r4@small.example", &nurture, 20).await;
    // R5 stops at company_size, R6 at procurement; a bot is counted apart.
    respond(&app, "", "r5@x.example", &[], 0).await;
    respond(&app, "", "r6@y.example", &[("company_size", "large")], 5).await;
    let bot = app.new_browser().start_form_raw("qualify", "", &["bot@z.example"], &[("lg_trap", "x")]).await;
    assert_eq!(bot.status(), 303);
    app.clock.advance(Duration::minutes(3));
    app.wait_until("the fallback of R3", || async { app.history(l3).await.iter().any(|h| h.kind == "fallback") }).await;
    let api = Api { token: token(&app, &team, &["write"]).await, app: app.clone() };
    let won = api
        .patch(
            &format!("/api/v1/leads/{l1}/disposition"),
            serde_json::json!({"status": "won", "value": 900, "currency": "EUR"}),
        )
        .await;
    assert_eq!(won.status, 200);
    let manager = app.login_as(&team.manager).await;
    let page = format!("/inbox/leads/{l3}");
    let dq =
        manager.post_with_csrf(&page, &format!("{page}/disqualify"), &[("reason", "no_budget"), ("note", "")]).await;
    assert_eq!(dq.status(), 303);

    let marketer = app.login_as(&team.marketer).await;
    let page = marketer.get_html("/admin/analytics?form=qualify").await;
    // Views: 3 plain visits and the 7 first pages the starts opened.
    assert_eq!(figure(&page, "[data-figure=views]"), "10");
    assert_eq!(figure(&page, "[data-figure=starts]"), "6");
    assert_eq!(figure(&page, "[data-figure=finishes]"), "4");
    assert_eq!(figure(&page, "[data-figure=bots]"), "1");
    // Median of 20, 40, 60 and 80 seconds.
    assert_eq!(seconds(&page, "[data-figure=median-finish]"), "50");
    let funnel = |q: &str, what: &str| figure(&page, &format!("tr[data-question={q}] [data-figure={what}]"));
    for (question, reached, stopped) in [
        ("email", "6", "0"),
        ("company_size", "6", "1"),
        ("procurement", "3", "1"),
        ("current_tool", "1", "0"),
        ("budget", "1", "0"),
        ("timeline", "4", "0"),
        ("consent", "4", "0"),
    ] {
        assert_eq!(funnel(question, "reached"), reached, "{question} reached");
        assert_eq!(funnel(question, "stopped"), stopped, "{question} stopped");
    }
    let outcome = |o: &str| figure(&page, &format!("tr[data-outcome={o}] [data-figure=percent]"));
    assert_eq!(outcome("tier1"), "50");
    assert_eq!(outcome("tier2"), "25");
    assert_eq!(outcome("nurture"), "25");
    assert_eq!(outcome("disqualified"), "0");
    assert_eq!(figure(&page, "tr[data-group=top] [data-figure=percent]"), "50");
    assert_eq!(figure(&page, "tr[data-group=low] [data-figure=count]"), "1");
    assert_eq!(Selector::parse("tr[data-group=top].out-of-band").map(|s| page.select(&s).count()).unwrap(), 1);
    // Speed to lead: assigned in the finishing transaction; accepted after 30 s and 90 s.
    let overall = "tr[data-speed='All routed leads']";
    assert_eq!(seconds(&page, &format!("{overall} [data-figure=assigned-p50]")), "0");
    assert_eq!(seconds(&page, &format!("{overall} [data-figure=accepted-p50]")), "30");
    assert_eq!(seconds(&page, &format!("{overall} [data-figure=accepted-p95]")), "90");
    assert_eq!(seconds(&page, "tr[data-speed=senior-ae] [data-figure=accepted-p95]"), "90");
    assert_eq!(figure(&page, "[data-figure=fallbacks]"), "1");
    // Verdicts by source and campaign.
    let ads = "tr[data-source=ads][data-campaign=spring]";
    assert_eq!(figure(&page, &format!("{ads} [data-figure=leads]")), "2");
    assert_eq!(figure(&page, &format!("{ads} [data-figure=accepted]")), "2");
    assert_eq!(figure(&page, &format!("{ads} [data-figure=won]")), "1");
    assert!(figure(&page, "tr[data-source=news] [data-figure=disqualified]").starts_with('1'));
    assert_eq!(figure(&page, "tr[data-source=news] [data-reason='No budget']"), "No budget: 1");
    // The charts are SVG drawn by the server, labels escaped.
    let bars = Selector::parse("#funnel svg rect.bar").unwrap();
    assert_eq!(page.select(&bars).count(), 7);
    let bands = Selector::parse("#outcomes svg rect.band").unwrap();
    assert_eq!(page.select(&bands).count(), 3);
}

#[tokio::test]
async fn the_range_and_version_filter_the_figures_and_bad_dates_are_refused_in_place() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    respond(&app, "", "a@a.example", &TIER1, 1).await;
    app.clock.advance(Duration::days(40));
    respond(&app, "", "b@b.example", &TIER1, 1).await;
    let admin = app.login_as(&team.admin).await;
    let now = admin.get_html("/admin/analytics?form=qualify").await;
    assert_eq!(figure(&now, "[data-figure=finishes]"), "1", "the default range is the last 30 days");
    let day = crate::helpers::test_start_time().date_naive();
    let then = admin.get_html(&format!("/admin/analytics?form=qualify&from={day}&to={day}&version=all")).await;
    assert_eq!(figure(&then, "[data-figure=finishes]"), "1");
    assert_eq!(figure(&then, "[data-figure=starts]"), "1");
    let bad = admin.get("/admin/analytics?form=qualify&from=someday").await;
    assert_eq!(bad.status(), 422);
    let page = Html::parse_document(&bad.text().await.unwrap());
    assert!(figure(&page, ".field-error").contains("date"));
    let rep = app.login_as(&team.rita).await;
    assert_eq!(rep.get("/admin/analytics").await.status(), 403);
}

#[tokio::test]
async fn csv_exports_download_with_formula_cells_neutralised() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let tier2 = [
        ("company_size", "mid"),
        ("current_tool", "=HYPERLINK(\"http://evil.example\")"),
        ("timeline", "later"),
        ("consent", "yes"),
    ];
    respond(&app, "?utm_source=ads&utm_campaign=%2Bcmd", "x@acme.example", &tier2, 1).await;
    let marketer = app.login_as(&team.marketer).await;
    let leads = marketer.get("/admin/analytics/leads.csv?form=qualify").await;
    assert_eq!(leads.status(), 200);
    assert_eq!(leads.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        leads.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"qualify-leads-")
    );
    let text = leads.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    let at = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(at("email"), "x@acme.example");
    assert_eq!(at("utm_campaign"), "'+cmd");
    assert_eq!(at("outcome"), "tier2");
    let responses = marketer.get("/admin/analytics/responses.csv?form=qualify").await;
    let text = responses.text().await.unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""), "{text}");
    assert!(!text.contains(",=HYPERLINK"));
    assert_eq!(marketer.get("/admin/analytics/leads.csv").await.status(), 422);
}

#[tokio::test]
async fn views_counted_in_memory_are_written_when_the_flusher_stops() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let form_id = {
        let mut conn = app.db.read().await.unwrap();
        leadgate::store::form_queries::find_form_by_slug(conn.conn(), "qualify").await.unwrap().unwrap().id
    };
    let counter = leadgate::app::views::ViewCounter::default();
    let now = app.clock.now();
    for _ in 0..3 {
        counter.record(form_id, 1, now);
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let flusher = counter.spawn_flusher(app.db.clone(), std::time::Duration::from_secs(3600), stopped);
    let day = now.date_naive();
    let stored = || async {
        let mut conn = app.db.read().await.unwrap();
        leadgate::store::views::sum_views(conn.conn(), form_id, Some(1), day, day).await.unwrap()
    };
    assert_eq!(stored().await, 0, "nothing is written on the page's path");
    stop.send(true).unwrap();
    flusher.await.unwrap();
    assert_eq!(stored().await, 3, "the last views are written at shutdown");
}

#[tokio::test]
async fn speed_to_lead_is_shown_per_rep_with_the_time_to_assign_of_a_lead_nobody_could_take() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    // Round robin in senior-ae: Rita, Sam, Rita; each accepted before the 2-minute fallback.
    for (n, accept_after) in [(1, 30), (2, 90), (3, 50)] {
        let at = respond(&app, "", &format!("r{n}@big{n}.example"), &TIER1, 1).await;
        let lead = app.lead_of(&at).await.id;
        app.clock.advance(Duration::seconds(accept_after));
        accept_as(&app, &team, lead).await;
    }
    // The sdr pool loses its members and overflow: the next Tier 2 lead waits
    // for a person, who gives it to Sam 40 s after it finished; Sam accepts at 100 s.
    let sdr = leadgate::engine::Pool {
        name: "sdr".into(),
        strategy: leadgate::engine::Strategy::LeastLoaded,
        members: Vec::new(),
        overflow_rep: None,
        last_assigned: None,
    };
    let pool = crate::draft_support::pool_id(&app, "sdr").await;
    let mut tx = app.db.begin().await.unwrap();
    leadgate::store::routing_admin::update_pool(tx.conn(), pool, &sdr).await.unwrap();
    tx.commit().await.unwrap();
    let tier2 = [("company_size", "mid"), ("current_tool", "sheets"), ("timeline", "later"), ("consent", "yes")];
    let waiting = app.lead_of(&respond(&app, "", "r4@mid.example", &tier2, 1).await).await;
    assert_eq!((waiting.status.as_str(), waiting.assigned_user_id), ("unassigned", None));
    app.clock.advance(Duration::seconds(40));
    let manager = app.login_as(&team.manager).await;
    let page = format!("/inbox/leads/{}", waiting.id);
    let sam = team.sam.id.to_string();
    assert_eq!(manager.post_with_csrf(&page, &format!("{page}/reassign"), &[("rep", &sam)]).await.status(), 303);
    app.clock.advance(Duration::seconds(60));
    accept_as(&app, &team, waiting.id).await;

    let page = app.login_as(&team.marketer).await.get_html("/admin/analytics?form=qualify").await;
    let speed = |row: &str, what: &str| seconds(&page, &format!("tr[data-speed='{row}'] [data-figure={what}]"));
    // Assigned after 0, 0, 0 and 40 s: p50 0 s, p95 (the 4th of 4) 40 s.
    assert_eq!(speed("All routed leads", "assigned-p50"), "0");
    assert_eq!(speed("All routed leads", "assigned-p95"), "40");
    // Accepted after 30, 90, 50 and 100 s: p50 (2nd of 4) 50 s, p95 100 s.
    assert_eq!(speed("All routed leads", "accepted-p50"), "50");
    assert_eq!(speed("All routed leads", "accepted-p95"), "100");
    // Rita: assigned at once, accepted after 30 and 50 s.
    assert_eq!(figure(&page, "tr[data-speed='Rita Rep'] td:nth-child(2)"), "2");
    assert_eq!(speed("Rita Rep", "assigned-p95"), "0");
    assert_eq!(speed("Rita Rep", "accepted-p50"), "30");
    assert_eq!(speed("Rita Rep", "accepted-p95"), "50");
    // Sam: assigned after 0 and 40 s, accepted after 90 and 100 s.
    assert_eq!(figure(&page, "tr[data-speed='Sam Rep'] td:nth-child(2)"), "2");
    assert_eq!(speed("Sam Rep", "assigned-p50"), "0");
    assert_eq!(speed("Sam Rep", "assigned-p95"), "40");
    assert_eq!(speed("Sam Rep", "accepted-p50"), "90");
    assert_eq!(speed("Sam Rep", "accepted-p95"), "100");
    assert_eq!(speed("senior-ae", "accepted-p95"), "90", "the pool row keeps its own leads");
}
