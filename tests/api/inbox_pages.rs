//! The inbox as people read it: the live list announces what changed to
//! screen readers, statuses are words, rows show tier, scores and times
//! newest first, a lead's answers follow its path, and a refused verdict
//! keeps what was typed beside the message.

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

#[tokio::test]
async fn the_list_shows_newest_first_with_tier_scores_time_since_assigned_and_time_left() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    app.update_rep(&team.sam, |r| r.active = false).await;
    let tier1 = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    app.clock.advance(chrono::Duration::seconds(40));
    let tier2 = app.lead_of(&app.finish_tier2("ops@mid.example").await).await;
    assert_eq!((tier1.assigned_user_id, tier2.assigned_user_id), (Some(team.rita.id), Some(team.rita.id)));
    // 90 s after the first lead (2 minutes to accept), 50 s after the second.
    app.clock.advance(chrono::Duration::seconds(50));
    let list = app.login_as(&team.rita).await.get_html("/inbox").await;
    assert_eq!(attrs(&list, "tr[data-lead]", "data-lead"), [tier2.id.to_string(), tier1.id.to_string()]);
    let column = |label: &str| texts(&list, &format!("tr[data-lead] td[data-label='{label}']"));
    assert_eq!(column("Tier"), ["Tier 2", "Tier 1"]);
    assert_eq!(column("Fit"), ["20", "50"]);
    assert_eq!(column("Intent"), ["0", "50"]);
    assert_eq!(column("Assigned"), ["50 s ago", "1 min ago"]);
    assert_eq!(column("Time to accept"), ["1 min left", "30 s left"]);
}

/// A form whose path (email, size, timeline) is neither the order of its
/// definition (email, timeline, size) nor that of its labels.
const BACKWARDS_FORM: &str = r#"
slug: backwards
title: Backwards
questions:
  - id: email
    kind: email
    label: Work email
    required: true
    maps_to: email
    next:
      - goto: size
  - id: timeline
    kind: single_choice
    label: When do you want it?
    required: true
    options:
      - { value: now, label: "This month", intent: 50 }
    next:
      - goto: finish
  - id: size
    kind: single_choice
    label: How many people work there?
    required: true
    options:
      - { value: large, label: "Over 1000", fit: 50 }
    next:
      - goto: timeline
outcomes:
  - id: tier1
    tier: Tier 1
    ending: { title: "Thanks", message: "We will call." }
    handoff: { route: senior-ae }
"#;

#[tokio::test]
async fn the_lead_page_lists_the_answers_in_the_order_of_the_path() {
    let app = spawn_app().await;
    app.publish_form(BACKWARDS_FORM).await;
    let team = app.seed_team().await;
    let prospect = app.new_browser();
    let at = prospect.start_form("backwards", "", &["cto@acme.example"]).await;
    assert_eq!(prospect.current_question(&at).await, "size");
    prospect.answer_ok(&at, "size", &["large"]).await;
    prospect.answer_ok(&at, "timeline", &["now"]).await;
    let lead = app.lead_of(&at).await;
    let page = app.login_as(&team.rita).await.get_html(&format!("/inbox/leads/{}", lead.id)).await;
    assert_eq!(texts(&page, "dl.answers dt"), ["Work email", "How many people work there?", "When do you want it?"]);
    assert_eq!(texts(&page, "dl.answers dd"), ["cto@acme.example", "Over 1000", "This month"]);
}
