//! The analytics page for what a person can ask of it: a form never
//! published, a version that does not exist, a date that is not one.

use scraper::Html;

use crate::draft_support::{attrs, texts};
use crate::helpers::{BRANCHING_FORM, Team, TestApp, input_value, spawn_app, text_of};

async fn app_with_draft_only_form() -> (TestApp, Team, String) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let marketer = app.login_as(&team.marketer).await;
    let form = marketer.create_form("Pricing questions", "pricing").await;
    (app, team, form.id)
}

async fn analytics(browser: &TestApp, query: &str) -> (u16, Html) {
    let response = browser.get(&format!("/admin/analytics?{query}")).await;
    (response.status().as_u16(), Html::parse_document(&response.text().await.unwrap()))
}

#[tokio::test]
async fn a_form_without_a_published_version_gets_the_page_with_a_plain_explanation() {
    let (app, team, id) = app_with_draft_only_form().await;
    let marketer = app.login_as(&team.marketer).await;
    for query in ["form=pricing", "form=pricing&version=all"] {
        let (status, page) = analytics(&marketer, query).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(text_of(&page, ".unpublished-form h2").as_deref(), Some("Pricing questions is not published yet"));
        assert_eq!(
            attrs(&page, ".unpublished-form a", "href"),
            [format!("/admin/forms/{id}")],
            "marketers can publish"
        );
        assert!(texts(&page, "#volume").is_empty(), "no figures to show");
        assert_eq!(texts(&page, "header nav a[aria-current=page]"), ["Analytics"], "the whole page, not an error page");
    }
    let option = texts(&analytics(&marketer, "form=pricing").await.1, "select#form option[selected]");
    assert_eq!(option, ["Pricing questions (not published yet)"]);
    let manager = app.login_as(&team.manager).await;
    let (status, page) = analytics(&manager, "form=pricing").await;
    assert_eq!(status, 200);
    assert!(attrs(&page, ".unpublished-form a", "href").is_empty(), "managers cannot edit forms: no link to a 403");
    assert!(text_of(&page, ".unpublished-form").unwrap().contains("once a marketer publishes it"));
}

#[tokio::test]
async fn a_version_or_date_that_does_not_exist_is_refused_beside_its_field_with_what_was_typed() {
    let (app, team, _) = app_with_draft_only_form().await;
    let manager = app.login_as(&team.manager).await;
    let (status, page) = analytics(&manager, "form=qualify&version=7").await;
    assert_eq!(status, 422);
    assert_eq!(
        text_of(&page, "#version-error").as_deref(),
        Some("This form has versions 1 to 1: choose one of them, or all.")
    );
    assert_eq!(attrs(&page, "#version", "aria-invalid"), ["true"]);
    assert_eq!(input_value(&page, "version").as_deref(), Some("7"));
    let (status, page) = analytics(&manager, "form=qualify&from=18/11/2026").await;
    assert_eq!(status, 422);
    assert!(text_of(&page, "#from-error").is_some_and(|e| e.contains("2026-11-18")));
    assert_eq!(input_value(&page, "from").as_deref(), Some("18/11/2026"));
    let (status, page) = analytics(&manager, "form=nowhere").await;
    assert_eq!(status, 422);
    assert!(text_of(&page, "#form-error").is_some());
}
