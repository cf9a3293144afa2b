//! The loop back to marketing: the source-quality alert at the threshold
//! (and not below it), and abandoned Tier 1 responses handed to sales once.

use chrono::Duration;
use scraper::{Html, Selector};
use serde_json::json;

use crate::api_support::{Api, Path, finish_from, token};
use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app_with};

async fn alerts_for(app: &TestApp, marketer: uuid::Uuid) -> usize {
    app.notices("live", &marketer.to_string()).await.iter().filter(|n| n.event_type == "source.quality_alert").count()
}

#[tokio::test]
async fn marketers_are_alerted_once_when_a_source_reaches_the_disqualify_threshold_and_not_below_it() {
    let app = spawn_app_with(|s| s.analytics.source_alert_min_leads = 4).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let api = Api { token: token(&app, &team, &["read", "write"]).await, app: app.clone() };
    let endpoint = leadgate::app::webhooks::create_endpoint(
        &leadgate::app::Context::new(app.db.clone(), app.clock.clone(), app.address.clone(), false),
        leadgate::app::webhooks::EndpointInput {
            url: "http://127.0.0.1:9/hook".into(),
            event_types: vec!["source.quality_alert".into()],
            chat_format: false,
            allow_private: true,
        },
    )
    .await
    .unwrap()
    .0;
    let mut leads = Vec::new();
    for i in 0..7 {
        leads.push(finish_from(&app, &format!("p{i}@co{i}.example"), "?utm_source=ads", Path::Tier2).await);
    }
    // Another source's verdicts never count for ads.
    let other = finish_from(&app, "o@other.example", "?utm_source=news", Path::Tier2).await;
    let verdict = |lead: uuid::Uuid, body: serde_json::Value| {
        let api = api.clone();
        async move { assert_eq!(api.patch(&format!("/api/v1/leads/{lead}/disposition"), body).await.status, 200) }
    };
    let dq = || json!({"status": "disqualified", "reason": "no_need"});
    for lead in &leads[..3] {
        verdict(*lead, json!({"status": "accepted"})).await;
    }
    verdict(other, dq()).await;
    verdict(leads[3], dq()).await; // 1 of 4: 25%
    verdict(leads[4], dq()).await; // 2 of 5: 40%, below the threshold
    assert_eq!(alerts_for(&app, team.marketer.id).await, 0, "no alert below 50%");
    verdict(leads[5], dq()).await; // 3 of 6: exactly 50%
    assert_eq!(alerts_for(&app, team.marketer.id).await, 1, "the alert fires at 50%");
    let notice = app.notices("live", &team.marketer.id.to_string()).await.pop().unwrap();
    assert_eq!(notice.payload.0["data"]["source"], "ads");
    assert_eq!(notice.payload.0["data"]["disqualified"], 3);
    assert_eq!(notice.payload.0["data"]["judged"], 6);
    assert!(notice.payload.0["summary"].as_str().unwrap().starts_with("Pause and pivot"));
    assert_eq!(app.notices("webhook", &endpoint.to_string()).await.len(), 1, "subscribed webhooks hear it too");
    assert!(
        app.notices("live", &team.rita.id.to_string()).await.iter().all(|n| n.event_type != "source.quality_alert")
    );
    verdict(leads[6], dq()).await; // 4 of 7: still above, same window
    assert_eq!(alerts_for(&app, team.marketer.id).await, 1, "once per source per window");
    let page = app.login_as(&team.marketer).await.get_html("/admin/analytics?form=qualify").await;
    let alert = Selector::parse("li[data-alert=ads]").unwrap();
    assert_eq!(page.select(&alert).count(), 1);
}

fn abandon_form() -> String {
    format!(
        "{}\nsettings:\n  hand_abandoned_tier1_to_sales: true\n",
        BRANCHING_FORM.replace("slug: qualify", "slug: eager")
    )
}

/// Answers everything but the consent: the running outcome is Tier 1.
async fn stop_before_consent(app: &TestApp, slug: &str, email: &str) -> String {
    let browser = app.new_browser();
    let at = browser.start_form(slug, "?utm_source=ads", &[email]).await;
    browser.answer_ok(&at, "company_size", &["large"]).await;
    browser.answer_ok(&at, "procurement", &["yes"]).await;
    browser.answer_ok(&at, "timeline", &["now"]).await;
    at
}

async fn response(app: &TestApp, at: &str) -> leadgate::store::responses::ResponseRecord {
    let id: uuid::Uuid = at.rsplit('/').next().unwrap().parse().unwrap();
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::responses::find_response(conn.conn(), id).await.unwrap().unwrap()
}

async fn count_leads(app: &TestApp) -> usize {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::lead_queries::list_leads_filtered(conn.conn(), &Default::default(), 100).await.unwrap().len()
}

/// One round of the abandoned check, as a fresh instance would run it.
async fn hand_over_round(app: &TestApp) -> usize {
    let ctx = leadgate::app::Context::new(app.db.clone(), app.clock.clone(), app.address.clone(), false);
    leadgate::app::abandoned::hand_abandoned_to_sales(&ctx).await.expect("the round runs")
}

#[tokio::test]
async fn an_abandoned_tier1_response_is_listed_and_handed_to_sales_once_where_the_form_asks() {
    // No background worker: each round is run here, by fresh instances.
    let app = spawn_app_with(|s| s.run_worker = false).await;
    app.publish_form(&abandon_form()).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let eager = stop_before_consent(&app, "eager", "vp@big.example").await;
    let quiet = stop_before_consent(&app, "qualify", "cfo@huge.example").await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(hand_over_round(&app).await, 0, "not idle long enough yet");
    assert_eq!(count_leads(&app).await, 0);
    app.clock.advance(Duration::minutes(2));
    assert_eq!(hand_over_round(&app).await, 1);
    let lead = app.lead_of(&eager).await;
    assert_eq!(lead.outcome_id, "tier1");
    assert_eq!(lead.email.as_deref(), Some("vp@big.example"));
    let history = app.history(lead.id).await;
    assert_eq!(history[0].kind, "abandoned");
    assert!(history[0].reason.contains("unfinished at question consent"), "{}", history[0].reason);
    assert_eq!(history[1].kind, "routed");
    assert!(history[1].reason.starts_with("left the form unfinished"), "{}", history[1].reason);
    let rep = lead.assigned_user_id.expect("routed to a rep");
    let told = app.notices("live", &rep.to_string()).await;
    assert!(told.iter().any(|n| n.payload.0["lead"]["reason"].as_str().unwrap().contains("unfinished")));
    // Later rounds (another instance, after a restart) hand over nothing more.
    assert_eq!(hand_over_round(&app).await, 0);
    app.clock.advance(Duration::minutes(45));
    assert_eq!(hand_over_round(&app).await, 0);
    assert_eq!(count_leads(&app).await, 1, "handed over once");
    assert_eq!(app.history(lead.id).await.len(), history.len());
    assert!(response(&app, &quiet).await.lead_id.is_none(), "the other form does not ask for it");
    let row = Selector::parse("#abandoned tr[data-response] [data-figure=handed]").unwrap();
    let page = app.login_as(&team.marketer).await.get_html("/admin/analytics?form=eager").await;
    let handed: Vec<String> = page.select(&row).map(|e| e.text().collect()).collect();
    assert_eq!(handed, vec!["yes"]);
    let page: Html = app.login_as(&team.marketer).await.get_html("/admin/analytics?form=qualify").await;
    let handed: Vec<String> = page.select(&row).map(|e| e.text().collect()).collect();
    assert_eq!(handed, vec!["no"], "listed, not handed over, where the form does not ask");
}

#[tokio::test]
async fn only_verdicts_within_the_window_count_and_too_few_judged_leads_never_alert() {
    let app = spawn_app_with(|s| s.analytics.source_alert_min_leads = 4).await;
    assert_eq!(app.clock.now(), crate::helpers::test_start_time());
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let api = Api { token: token(&app, &team, &["read", "write"]).await, app: app.clone() };
    let disqualify = |n: usize| {
        let (app, api) = (app.clone(), api.clone());
        async move {
            let email = format!("p{n}@co{n}.example");
            let lead = finish_from(&app, &email, "?utm_source=ads", Path::Tier2).await;
            let body = json!({"status": "disqualified", "reason": "no_need"});
            assert_eq!(api.patch(&format!("/api/v1/leads/{lead}/disposition"), body).await.status, 200);
        }
    };
    // Day 0: two disqualified; day 1: one more. 100% of 3, under the minimum of 4.
    disqualify(0).await;
    disqualify(1).await;
    app.clock.advance(Duration::days(1) + Duration::hours(1));
    disqualify(2).await;
    assert_eq!(alerts_for(&app, team.marketer.id).await, 0, "3 judged leads are too few, whatever the rate");
    // Day 7 and a half hour: day 0's verdicts are out of the 7 days, day 1's still in.
    app.clock.advance(Duration::days(6) + Duration::minutes(-30));
    disqualify(3).await; // 2 in the window (5 ever)
    disqualify(4).await; // 3 in the window (6 ever)
    assert_eq!(alerts_for(&app, team.marketer.id).await, 0, "verdicts older than 7 days no longer count");
    disqualify(5).await; // 4 in the window: day 1's verdict counts
    assert_eq!(alerts_for(&app, team.marketer.id).await, 1, "4 of 4 within the window");
    let notice = app.notices("live", &team.marketer.id.to_string()).await.pop().unwrap();
    assert_eq!(
        (notice.payload.0["data"]["judged"].as_i64(), notice.payload.0["data"]["disqualified"].as_i64()),
        (Some(4), Some(4))
    );
    assert_eq!(notice.payload.0["data"]["window_days"], 7);
}
