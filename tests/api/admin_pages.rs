//! The admin's own pages keep what was typed when a form is refused, with
//! the message beside the field it is about.

use scraper::Html;

use crate::draft_support::attrs;
use crate::helpers::{TestApp, spawn_app, text_of};

async fn admin() -> TestApp {
    let app = spawn_app().await;
    let team = app.seed_team().await;
    app.login_as(&team.admin).await
}

#[tokio::test]
async fn a_token_without_scopes_is_refused_beside_the_scopes_with_the_name_kept() {
    let admin = admin().await;
    let refused = admin.post_with_csrf("/admin/tokens", "/admin/tokens", &[("name", "CRM sync")]).await;
    assert_eq!(refused.status(), 422);
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert_eq!(text_of(&page, "#scopes-error").as_deref(), Some("Tick read, write or both."));
    assert!(text_of(&page, "#name-error").is_none(), "the name was fine");
    assert_eq!(attrs(&page, "#name", "value"), ["CRM sync"]);
    assert!(attrs(&page, "input[name=scopes][checked]", "value").is_empty(), "nothing ticked stays unticked");
    let refused = admin.post_with_csrf("/admin/tokens", "/admin/tokens", &[("name", ""), ("scopes", "write")]).await;
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert!(text_of(&page, "#name-error").is_some());
    assert_eq!(attrs(&page, "input[name=scopes][checked]", "value"), ["write"], "the ticked scope is kept");
}

#[tokio::test]
async fn a_refused_webhook_keeps_its_events_body_and_private_choice() {
    let admin = admin().await;
    let pairs = [
        ("url", "ftp://example.com/hook"),
        ("events", "lead.assigned"),
        ("events", "booking.created"),
        ("format", "chat"),
        ("allow_private", "yes"),
    ];
    let refused = admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &pairs).await;
    assert_eq!(refused.status(), 422);
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert!(text_of(&page, "#url-error").is_some());
    assert_eq!(attrs(&page, "#url", "value"), ["ftp://example.com/hook"]);
    assert_eq!(attrs(&page, "input[name=events][checked]", "value"), ["lead.assigned", "booking.created"]);
    assert_eq!(attrs(&page, "#format option[selected]", "value"), ["chat"]);
    assert_eq!(attrs(&page, "input[name=allow_private][checked]", "value"), ["yes"]);
}
