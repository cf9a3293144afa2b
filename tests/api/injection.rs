//! Script and HTML injection through every field a prospect fills in: the
//! markup must come out as text on the prospect's pages, in the inbox, in
//! the email and in the webhooks.

use scraper::{Html, Selector};

use crate::helpers::{TestApp, spawn_app_with, text_of};
use crate::receivers::{SmtpServer, WebhookReceiver};

const PAYLOAD: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";

const FORM: &str = r#"
slug: inject
title: Injection
questions:
  - { id: email, kind: email, label: Email, required: true, maps_to: email }
  - { id: first_name, kind: short_text, label: First name, maps_to: first_name }
  - { id: last_name, kind: short_text, label: Last name, maps_to: last_name }
  - { id: company, kind: short_text, label: Company, maps_to: company }
  - { id: job_title, kind: short_text, label: Job title, maps_to: job_title }
  - { id: industry, kind: short_text, label: Industry, maps_to: industry }
  - { id: notes, kind: long_text, label: Notes }
outcomes:
  - { id: tier1, tier: Tier 1, ending: { title: Thanks, message: Bye }, handoff: { route: senior-ae } }
"#;

const TEXT_FIELDS: [&str; 6] = ["first_name", "last_name", "company", "job_title", "industry", "notes"];

/// No element a payload could have made: every script is ours, no image handlers.
fn assert_inert(page: &Html, where_: &str) {
    let scripts = Selector::parse("script").unwrap();
    for script in page.select(&scripts) {
        let src = script.value().attr("src").unwrap_or_default();
        assert!(src.starts_with("/static/"), "{where_}: a script that is not ours: {}", script.html());
    }
    let handlers = Selector::parse("[onerror], img").unwrap();
    assert!(page.select(&handlers).next().is_none(), "{where_}: an element made from the payload");
}

/// The text/html part of a MIME message, decoded.
fn html_part(message: &str) -> String {
    let start = message.find("Content-Type: text/html").expect("an HTML part");
    let part = &message[start..];
    let body_start = part.find("\n\n").unwrap() + 2;
    let body = &part[body_start..part[body_start..].find("\n--").map(|i| i + body_start).unwrap_or(part.len())];
    if part[..body_start].contains("base64") {
        use base64::Engine as _;
        let joined: String = body.lines().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(joined.trim()).unwrap()).unwrap()
    } else {
        body.replace("=\n", "").replace("=3D", "=")
    }
}

/// Answers every text field with the payload and checks, before the last
/// answer finishes the response, that each earlier step shows it back as text.
async fn finish_with_payload(app: &TestApp) -> String {
    let query =
        "?utm_source=%3Cscript%3Ealert(1)%3C%2Fscript%3E&utm_campaign=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E";
    let path = app.start_form("inject", query, &["buyer@acme.example"]).await;
    let (last, earlier) = TEXT_FIELDS.split_last().unwrap();
    for field in earlier {
        app.answer_ok(&path, field, &[PAYLOAD]).await;
    }
    for field in earlier {
        let page = app.get_html(&format!("{path}?step={field}")).await;
        assert_inert(&page, field);
        let shown = crate::helpers::input_value(&page, "answer");
        assert_eq!(shown.as_deref(), Some(PAYLOAD), "{field}: the answer comes back as typed, as text");
    }
    app.answer_ok(&path, last, &[PAYLOAD]).await;
    assert_inert(&app.get_html(&path).await, "ending");
    path
}

#[tokio::test]
async fn markup_typed_by_a_prospect_is_shown_as_text_everywhere_it_goes() {
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
    app.publish_form(FORM).await;
    let team = app.seed_team().await;
    let (standard, chat) = (WebhookReceiver::start().await, WebhookReceiver::start().await);
    let admin = app.login_as(&team.admin).await;
    for (url, format) in [(&standard.url, "standard"), (&chat.url, "chat")] {
        let pairs = [("url", url.as_str()), ("allow_private", "yes"), ("format", format), ("events", "lead.assigned")];
        assert_eq!(admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &pairs).await.status(), 200);
    }
    let path = finish_with_payload(&app).await;

    // The inbox: the rep's list and the lead's page.
    let lead = app.lead_of(&path).await;
    let rep = if lead.assigned_user_id == Some(team.rita.id) { &team.rita } else { &team.sam };
    let rep = app.login_as(rep).await;
    let list = rep.get_html("/inbox").await;
    assert_inert(&list, "inbox list");
    assert!(list.root_element().text().collect::<String>().contains("<script>alert(1)</script>"), "shown as text");
    let detail = rep.get_html(&format!("/inbox/leads/{}", lead.id)).await;
    assert_inert(&detail, "lead page");
    let text: String = detail.root_element().text().collect();
    assert!(text.matches(PAYLOAD).count() >= 6, "every answer and lead field is shown as text");
    assert!(text.contains("<script>alert(1)</script>"), "the UTM source is shown as text");

    // Email: the HTML part escapes it.
    app.wait_until("the email", || async { !smtp.all().is_empty() }).await;
    let html = html_part(&smtp.all()[0].replace("\r\n", "\n"));
    assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"), "{html}");

    // Webhooks: the standard body carries it as data; the chat body escapes it.
    app.wait_until("both webhooks", || async { !standard.all().is_empty() && !chat.all().is_empty() }).await;
    let body: serde_json::Value = serde_json::from_str(&standard.all()[0].body).unwrap();
    let notes = body["data"]["answers"].as_array().unwrap().iter().find(|a| a["question"] == "Notes").unwrap();
    assert_eq!(notes["answer"], PAYLOAD, "the exact text, as a JSON string");
    assert_eq!(body["data"]["company"], PAYLOAD);
    let chat_text = serde_json::from_str::<serde_json::Value>(&chat.all()[0].body).unwrap()["text"].to_string();
    assert!(!chat_text.contains('<') && !chat_text.contains('>'), "{chat_text}");
    assert!(chat_text.contains("&lt;script&gt;"), "{chat_text}");
}

#[tokio::test]
async fn a_line_break_in_a_one_line_field_is_refused_so_it_cannot_reach_an_email_header() {
    let app = spawn_app_with(|_| {}).await;
    app.publish_form(FORM).await;
    let path = app.start_form("inject", "", &["buyer@acme.example"]).await;
    let response = app.answer(&path, "first_name", &["Bob\r\nBcc: victim@example.com"]).await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(text_of(&page, ".field-error").as_deref(), Some("Keep the answer on one line"));
}
