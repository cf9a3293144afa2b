//! Notices on every channel: signed webhooks, email, retries and the dead
//! letters an admin can retry.

use axum::http::StatusCode;
use chrono::Duration;

use crate::helpers::{BRANCHING_FORM, Team, TestApp, spawn_app_with};
use crate::receivers::{SmtpServer, WebhookReceiver};

/// The answers of `finish_tier1` after the email, in the order of the path.
const TIER1_ANSWERS: [(&str, &str); 4] = [
    ("How many people work at your company?", "Over 1000"),
    ("Does a purchase go through procurement?", "Yes"),
    ("When do you want a solution in place?", "This month"),
    ("I agree that Qualify Inc. may contact me about my request.", "Yes"),
];

/// Checks that a notice's `lead` (a webhook's `data`, an outbox payload's
/// `lead`) carries what a rep needs for a `finish_tier1` lead from `email`:
/// the answers in path order, the fit and intent breakdown with reasons,
/// the outcome and a link to the lead.
pub fn assert_carries_the_tier1_lead(lead: &serde_json::Value, lead_id: uuid::Uuid, email: &str) {
    assert_eq!(lead["lead_id"], lead_id.to_string(), "{lead}");
    let pairs = |key: &str, a: &str, b: &str| -> Vec<(String, String)> {
        let items = lead[key].as_array().unwrap_or_else(|| panic!("{key} in {lead}"));
        items.iter().map(|i| (i[a].to_string().trim_matches('"').to_owned(), i[b].to_string())).collect()
    };
    let mut answers = vec![("Work email".to_owned(), format!("\"{email}\""))];
    answers.extend(TIER1_ANSWERS.iter().map(|(q, a)| (q.to_string(), format!("\"{a}\""))));
    assert_eq!(pairs("answers", "question", "answer"), answers, "the answers in path order");
    let fit = pairs("fit_reasons", "reason", "points");
    assert_eq!(
        fit,
        [
            reason("How many people work at your company? Over 1000", 40),
            reason("Does a purchase go through procurement? Yes", 10)
        ]
    );
    let intent = pairs("intent_reasons", "reason", "points");
    assert_eq!(intent, [reason("When do you want a solution in place? This month", 50)]);
    assert_eq!((lead["fit"].as_i64(), lead["intent"].as_i64()), (Some(50), Some(50)));
    assert_eq!((lead["outcome"].as_str(), lead["tier"].as_str()), (Some("tier1"), Some("Tier 1")));
    let link = lead["link"].as_str().unwrap_or_default();
    assert!(link.starts_with("http") && link.ends_with(&format!("/inbox/leads/{lead_id}")), "{link}");
}

fn reason(text: &str, points: i32) -> (String, String) {
    (text.to_owned(), points.to_string())
}

/// Adds a webhook endpoint as the admin (every event unless `extra` names
/// some); returns its secret.
pub async fn add_endpoint(app: &TestApp, team: &Team, url: &str, extra: &[(&str, &str)]) -> String {
    let admin = app.login_as(&team.admin).await;
    let mut pairs = vec![("url", url), ("allow_private", "yes")];
    pairs.extend_from_slice(extra);
    let response = admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &pairs).await;
    assert_eq!(response.status(), 200);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    crate::helpers::text_of(&page, "code.secret").expect("the secret is shown once")
}

#[tokio::test]
async fn a_finished_lead_reaches_a_webhook_signed_as_standard_webhooks_says() {
    let app = spawn_app_with(|_| {}).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let receiver = WebhookReceiver::start().await;
    let secret = add_endpoint(&app, &team, &receiver.url, &[("events", "lead.assigned")]).await;
    let path = app.finish_tier1_from("cto@acme.example", "?utm_source=ads&utm_campaign=spring").await;
    let lead = app.lead_of(&path).await;
    app.wait_until("the webhook", || async { !receiver.all().is_empty() }).await;
    let got = receiver.all().remove(0);
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    verifier.verify(got.body.as_bytes(), &got.headers).expect("a valid Standard Webhooks signature");
    let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(body["type"], "lead.assigned");
    assert_eq!(body["data"]["assigned_to"], "Rita Rep");
    assert_eq!(body["data"]["reason"], "round robin: first in pool");
    assert_carries_the_tier1_lead(&body["data"], lead.id, "cto@acme.example");
    assert_eq!(body["data"]["utm"], serde_json::json!({ "utm_source": "ads", "utm_campaign": "spring" }));
    // The stable id lets receivers drop duplicates: it is the notice's id.
    let id = got.headers["webhook-id"].to_str().unwrap();
    assert_eq!(app.notices("webhook", &app_endpoint_id(&app).await).await[0].id.to_string(), id);
}

async fn app_endpoint_id(app: &TestApp) -> String {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::webhooks::list_endpoints(conn.conn()).await.unwrap()[0].id.to_string()
}

#[tokio::test]
async fn a_webhook_to_a_private_address_is_refused_unless_allowed() {
    let app = spawn_app_with(|_| {}).await;
    let team = app.seed_team().await;
    let admin = app.login_as(&team.admin).await;
    let refused =
        admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &[("url", "http://127.0.0.1:9/hook")]).await;
    assert_eq!(refused.status(), 422);
    let page = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(crate::helpers::text_of(&page, ".field-error").is_some());
    assert_eq!(crate::helpers::input_value(&page, "url").as_deref(), Some("http://127.0.0.1:9/hook"));
}

#[tokio::test]
async fn the_chat_format_sends_a_text_line() {
    let app = spawn_app_with(|_| {}).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let receiver = WebhookReceiver::start().await;
    add_endpoint(&app, &team, &receiver.url, &[("format", "chat")]).await;
    app.finish_tier1("cto@acme.example").await;
    app.wait_until("the chat webhook", || async { !receiver.all().is_empty() }).await;
    let body: serde_json::Value = serde_json::from_str(&receiver.all()[0].body).unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(text.contains("New lead for you") && text.contains("Tier 1"), "{text}");
}

#[tokio::test]
async fn a_failing_webhook_is_retried_then_dead_lettered_and_an_admin_can_retry_it() {
    let app = spawn_app_with(|s| s.notices.max_attempts = 2).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let receiver = WebhookReceiver::start().await;
    receiver.answer_with(StatusCode::INTERNAL_SERVER_ERROR);
    add_endpoint(&app, &team, &receiver.url, &[("events", "lead.assigned")]).await;
    app.finish_tier1("cto@acme.example").await;
    let endpoint = app_endpoint_id(&app).await;
    app.wait_until("the first attempt", || async { receiver.all().len() == 1 }).await;
    // The retry time is set from the clock when the failure is recorded: move it only after that.
    app.wait_until("the failure recorded", || async { app.notices("webhook", &endpoint).await[0].attempts == 1 }).await;
    app.clock.advance(Duration::seconds(2));
    app.wait_until("the dead letter", || async { app.notices("webhook", &endpoint).await[0].status == "dead" }).await;
    assert_eq!(receiver.all().len(), 2, "two attempts, then it stops");
    let admin = app.login_as(&team.admin).await;
    let page = admin.get_html("/admin/notices").await;
    let row = scraper::Selector::parse("table.dead tr[data-notice]").unwrap();
    let notice_id =
        page.select(&row).next().expect("the dead notice is listed").value().attr("data-notice").unwrap().to_string();
    receiver.answer_with(StatusCode::OK);
    let retried = admin.post_with_csrf("/admin/notices", &format!("/admin/notices/{notice_id}/retry"), &[]).await;
    assert_eq!(retried.status(), 303);
    app.wait_until("delivery after the retry", || async {
        app.notices("webhook", &endpoint).await[0].status == "delivered"
    })
    .await;
    let admin_page = admin.get_html("/admin/webhooks").await;
    let log = crate::helpers::text_of(&admin_page, "table.deliveries").unwrap();
    assert!(log.contains("500") && log.contains("200"), "the delivery log shows both: {log}");
}

#[tokio::test]
async fn the_assigned_rep_gets_an_email_with_the_breakdown_and_a_link() {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let app = spawn_app_with(move |s| {
        s.smtp = Some(leadgate::notify::email::SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            security: leadgate::notify::email::SmtpSecurity::None,
            username: None,
            password: None,
            from: "leadgate <leads@team.example>".into(),
        })
    })
    .await;
    app.publish_form(BRANCHING_FORM).await;
    let _team = app.seed_team().await;
    let path = app.finish_tier1_from("cto@acme.example", "?utm_source=ads&utm_campaign=spring").await;
    let lead = app.lead_of(&path).await;
    app.wait_until("the email", || async { !smtp.all().is_empty() }).await;
    // Undo quoted-printable soft line breaks so long lines can be searched.
    let message = smtp.all().remove(0).replace("=\n", "");
    assert!(message.contains("To: rita@team.example"), "{message}");
    assert!(message.contains("New lead for you"), "{message}");
    assert!(message.contains("multipart/alternative"), "plain text and HTML: {message}");
    assert!(message.contains(&format!("/inbox/leads/{}", lead.id)), "{message}");
    let (text, html) = message.split_once("Content-Type: text/html").expect("a plain text part, then HTML");
    for (question, answer) in TIER1_ANSWERS {
        assert!(text.contains(&format!("  {question}: {answer}\n")), "{question} in {text}");
        assert!(html.contains(&format!("<dt>{question}</dt><dd>{answer}</dd>")), "{question} in {html}");
    }
    for (points, why) in [
        (40, "How many people work at your company? Over 1000"),
        (50, "When do you want a solution in place? This month"),
    ] {
        assert!(text.contains(&format!("  {points}  {why}\n")), "{why} in {text}");
        assert!(html.contains(&format!("<li>{points} {why}</li>")), "{why} in {html}");
    }
    assert!(text.contains("utm_campaign: spring\nutm_source: ads\n"), "{text}");
    assert!(html.contains("<li>utm_source: ads</li>"), "{html}");
}
