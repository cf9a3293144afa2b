//! The inbox as people read it: the live list announces what changed to
//! screen readers, statuses are words, and a refused verdict keeps what
//! was typed beside the message.

use scraper::Html;

use crate::draft_support::{attrs, texts};
use crate::helpers::{BRANCHING_FORM, Team, TestApp, spawn_app, text_of};

async fn app_with_lead() -> (TestApp, Team, uuid::Uuid) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    (app, team, lead.id)
}

#[tokio::test]
async fn the_live_list_carries_a_summary_for_the_page_wide_announcement_region() {
    let (app, team, _) = app_with_lead().await;
    let rita = app.login_as(&team.rita).await;
    let page = rita.get_html("/inbox").await;
    assert_eq!(attrs(&page, "#announce", "aria-live"), ["polite"], "a region outside the swapped list");
    assert_eq!(attrs(&page, "#leads", "hx-trigger"), ["sse:notice"]);
    let fragment = rita.client.get(rita.url("/inbox")).header("HX-Request", "true").send().await.unwrap();
    let fragment = Html::parse_fragment(&fragment.text().await.unwrap());
    assert_eq!(
        texts(&fragment, "[data-live-summary]"),
        [
            "Leads updated: 1 lead, 1 waiting to be accepted. At the top: cto@acme.example, Tier 1, waiting for acceptance."
        ]
    );
    assert!(texts(&fragment, "header").is_empty(), "only the list is sent");
}

#[tokio::test]
async fn statuses_are_shown_in_words_with_the_code_kept_for_styles() {
    let (app, team, lead) = app_with_lead().await;
    let rita = app.login_as(&team.rita).await;
    let list = rita.get_html("/inbox").await;
    assert_eq!(texts(&list, "tr[data-lead] .status-label"), ["Waiting for acceptance"]);
    let page = rita.get_html(&format!("/inbox/leads/{lead}")).await;
    assert_eq!(text_of(&page, ".lead .status").as_deref(), Some("Waiting for acceptance"));
    assert_eq!(attrs(&page, ".lead .status", "data-status"), ["assigned"]);
}

#[tokio::test]
async fn a_refused_disqualification_keeps_the_reason_and_note_beside_the_message() {
    let (app, team, lead) = app_with_lead().await;
    let rita = app.login_as(&team.rita).await;
    let page = format!("/inbox/leads/{lead}");
    let long = "x".repeat(1001);
    let refused =
        rita.post_with_csrf(&page, &format!("{page}/disqualify"), &[("reason", "no_budget"), ("note", &long)]).await;
    assert_eq!(refused.status(), 422);
    let shown = Html::parse_document(&refused.text().await.unwrap());
    assert!(text_of(&shown, "#note-error").is_some_and(|e| e.contains("1,000")));
    assert_eq!(attrs(&shown, "#note", "aria-describedby"), ["note-error"]);
    assert_eq!(attrs(&shown, "#note", "value"), [long]);
    assert_eq!(attrs(&shown, "#reason option[selected]", "value"), ["no_budget"]);
}
