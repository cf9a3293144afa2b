//! Replaying finished responses through a changed draft: exact counts
//! against a known set of responses finished through the real form.

use chrono::Duration;
use scraper::Html;

use crate::draft_support::{attrs, form_id, set_draft, texts};
use crate::helpers::{BRANCHING_FORM, TestApp, input_value, spawn_app, text_of};

/// The fixture with three changes: mid-sized companies score like large
/// ones, the budget becomes a choice (old numeric answers no longer fit),
/// and Tier 2 goes to a new pool.
fn changed_draft() -> String {
    let draft = BRANCHING_FORM
        .replace(r#"{ value: mid, label: "51-1000", fit: 20 }"#, r#"{ value: mid, label: "51-1000", fit: 40 }"#)
        .replace(
            "    kind: number\n    label: Monthly budget in euros\n    required: true\n    validation: { min: 0, max: 1000000 }\n",
            "    kind: single_choice\n    label: Monthly budget in euros\n    required: true\n    options:\n      - { value: low, label: \"Under 1000\" }\n      - { value: high, label: \"1000 or more\" }\n",
        )
        .replace("handoff: { route: sdr }", "handoff: { route: mid-market }");
    assert_ne!(draft, BRANCHING_FORM, "the fixture changed as intended");
    assert!(draft.contains("fit: 40 }") && draft.contains("value: low") && draft.contains("mid-market"));
    draft
}

/// Finishes one response per path, a second apart so their order is known.
async fn finish(app: &TestApp, email: &str, answers: &[(&str, &str)]) {
    let browser = app.new_browser();
    let path = browser.start_form("qualify", "", &[email]).await;
    for (question, value) in answers {
        browser.answer_ok(&path, question, &[value]).await;
    }
    browser.answer_ok(&path, "consent", &["yes"]).await;
    app.clock.advance(Duration::seconds(1));
}

async fn seeded() -> (TestApp, crate::helpers::Team, uuid::Uuid) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    // Oldest first: A stays Tier 1; B and D stay Tier 2 but change pool; C
    // becomes Tier 1; E and F answered the budget as a number.
    finish(&app, "a@alpha.example", &[("company_size", "large"), ("procurement", "yes"), ("timeline", "now")]).await;
    finish(&app, "b@beta.example", &[("company_size", "large"), ("procurement", "no"), ("timeline", "later")]).await;
    finish(&app, "c@gamma.example", &[("company_size", "mid"), ("current_tool", "sheets"), ("timeline", "now")]).await;
    finish(&app, "d@delta.example", &[("company_size", "mid"), ("current_tool", ""), ("timeline", "later")]).await;
    finish(&app, "e@gmail.com", &[("company_size", "small"), ("budget", "10"), ("timeline", "now")]).await;
    finish(&app, "f@zeta.example", &[("company_size", "small"), ("budget", "500"), ("timeline", "later")]).await;
    // Unfinished responses are not replayed.
    let unfinished = app.new_browser();
    unfinished.start_form("qualify", "", &["g@eta.example"]).await;
    let id = form_id(&app, "qualify").await;
    set_draft(&app, id, &changed_draft()).await;
    (app, team, id)
}

fn count(page: &Html, which: &str) -> String {
    text_of(page, &format!("[data-count={which}]")).unwrap_or_default()
}

#[tokio::test]
async fn replay_counts_the_leads_that_change_tier_pool_or_path_exactly() {
    let (app, team, id) = seeded().await;
    let admin = app.login_as(&team.admin).await;
    let page = admin.get_html(&format!("/admin/forms/{id}/replay")).await;
    assert_eq!(input_value(&page, "n").as_deref(), Some("500"), "500 by default");
    let counted: Vec<String> = ["evaluated", "tier_changed", "pool_changed", "path_changed", "unchanged"]
        .iter()
        .map(|w| count(&page, w))
        .collect();
    assert_eq!(counted, ["6", "1", "3", "2", "1"]);
    let leads = texts(&page, ".replay-changes tbody tr td:first-child");
    assert_eq!(leads, ["f@zeta.example", "e@gmail.com", "d@delta.example", "c@gamma.example", "b@beta.example"]);
    let kinds = attrs(&page, ".replay-changes tbody tr", "data-change");
    assert_eq!(kinds, ["path", "path", "pool", "tier pool", "pool"]);
    let rows = texts(&page, ".replay-changes tbody tr");
    assert!(
        rows[3].contains("Tier 2 (tier2), pool sdr") && rows[3].contains("Tier 1 (tier1), pool senior-ae"),
        "{}",
        rows[3]
    );
    assert!(rows[0].contains("the answer to \"budget\" no longer fits"), "{}", rows[0]);
    let links = attrs(&page, ".replay-changes a", "href");
    assert_eq!(links.len(), 5, "an admin can open each lead in the inbox");
    assert!(links.iter().all(|l| l.starts_with("/inbox/leads/")));
}

#[tokio::test]
async fn replay_takes_only_the_newest_n_and_refuses_an_n_out_of_bounds() {
    let (app, team, id) = seeded().await;
    let marketer = app.login_as(&team.marketer).await;
    let page = marketer.get_html(&format!("/admin/forms/{id}/replay?n=3")).await;
    assert_eq!(count(&page, "evaluated"), "3");
    assert_eq!(count(&page, "path_changed"), "2");
    assert_eq!(count(&page, "pool_changed"), "1", "D, the third newest");
    assert!(attrs(&page, ".replay-changes a", "href").is_empty(), "marketers do not see the inbox, so no links");
    for bad in ["0", "5001", "lots"] {
        let response = marketer.get(&format!("/admin/forms/{id}/replay?n={bad}")).await;
        assert_eq!(response.status(), 422, "{bad}");
        let page = Html::parse_document(&response.text().await.unwrap());
        assert!(text_of(&page, "#n-error").is_some_and(|m| m.contains("1 to 5000")));
        assert_eq!(input_value(&page, "n").as_deref(), Some(bad), "the typed value is kept");
    }
    assert_eq!(app.login_as(&team.rita).await.get(&format!("/admin/forms/{id}/replay")).await.status(), 403);
}

#[tokio::test]
async fn an_unchanged_draft_changes_nothing() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    finish(&app, "a@alpha.example", &[("company_size", "large"), ("procurement", "yes"), ("timeline", "now")]).await;
    finish(&app, "e@gmail.com", &[("company_size", "small"), ("budget", "10"), ("timeline", "now")]).await;
    let id = form_id(&app, "qualify").await;
    let page = app.login_as(&team.marketer).await.get_html(&format!("/admin/forms/{id}/replay")).await;
    assert_eq!((count(&page, "evaluated"), count(&page, "unchanged")), ("2".into(), "2".into()));
    assert!(text_of(&page, ".notice.success").is_some_and(|t| t.contains("No response would change")));
}
