//! The form editor: creating forms, questions of every sort, options with
//! points, branching built with the condition builder, scoring rules,
//! lists, outcomes and stale saves.

use leadgate::engine::{Condition, DomainTest, LeadField, QuestionKind, Test};

use crate::editor_support::{EditedForm, attrs, build_branching_form, set, set_all, texts};
use crate::helpers::{Team, TestApp, input_value, spawn_app, text_of};

pub async fn marketer_app() -> (TestApp, TestApp, Team) {
    let app = spawn_app().await;
    let team = app.seed_team().await;
    let marketer = app.login_as(&team.marketer).await;
    (app, marketer, team)
}

fn question<'a>(def: &'a leadgate::engine::FormDefinition, id: &str) -> &'a leadgate::engine::Question {
    def.questions.iter().find(|q| q.id == id).unwrap_or_else(|| panic!("question {id} in the draft"))
}

#[tokio::test]
async fn a_new_form_starts_as_a_valid_draft_and_is_listed_with_its_counts() {
    let (_app, marketer, _) = marketer_app().await;
    let form = marketer.create_form("Pricing questions", "pricing").await;
    let (_, list) = marketer.page("/admin/forms").await;
    assert_eq!(texts(&list, "tr[data-form=pricing] .status"), ["Draft only"]);
    for counter in ["started", "finished", "leads"] {
        assert_eq!(texts(&list, &format!("tr[data-form=pricing] .{counter}")), ["0"], "{counter}");
    }
    let (status, page) = marketer.page(&form.path("")).await;
    assert_eq!(status, 200);
    assert_eq!(attrs(&page, ".question-list li", "data-question"), ["email"]);
    assert!(texts(&page, ".finding").is_empty(), "the starter draft lints clean");
    let draft = marketer.draft(&form).await;
    assert_eq!((draft.slug.as_str(), draft.title.as_str()), ("pricing", "Pricing questions"));
    assert!(draft.outcomes[0].is_catch_all());
}

#[tokio::test]
async fn a_bad_or_taken_address_is_refused_with_what_was_typed_kept() {
    let (_app, marketer, _) = marketer_app().await;
    marketer.create_form("First", "taken").await;
    let csrf = marketer.csrf("/admin/forms").await;
    for (slug, message) in [("Not OK!", "lowercase letters"), ("taken", "already uses the address /f/taken")] {
        let pairs = [("csrf", csrf.as_str()), ("title", "Second"), ("slug", slug)];
        let response = marketer.post_form("/admin/forms", &pairs).await;
        assert_eq!(response.status(), 422, "{slug}");
        let page = scraper::Html::parse_document(&response.text().await.unwrap());
        assert!(text_of(&page, "#create-form .field-error").unwrap().contains(message), "{slug}");
        assert_eq!(attrs(&page, "#create-form input[name=slug]", "value"), [slug]);
        assert_eq!(attrs(&page, "#create-form input[name=title]", "value"), ["Second"]);
    }
}

#[tokio::test]
async fn questions_of_several_kinds_are_added_edited_reordered_and_deleted() {
    let (_app, marketer, _) = marketer_app().await;
    let form = marketer.create_form("Kinds", "kinds").await;
    for (id, kind) in [
        ("plan", "single_choice"),
        ("seats", "number"),
        ("company", "short_text"),
        ("tools", "multiple_choice"),
        ("agree", "consent"),
    ] {
        marketer.add_question(&form, id, kind, &format!("About {id}")).await;
    }
    let (status, _, _) = marketer
        .edit_page(&form.path("/questions/company"), "save", |f| {
            set(f, "label", "Company name");
            set(f, "help", "As on your invoices");
            set(f, "required", "yes");
            set(f, "maps_to", "company");
            set(f, "max_length", "120");
        })
        .await;
    assert_eq!(status, 303);
    let plan = form.path("/questions/plan");
    let (status, page, _) = marketer.edit_page(&plan, "add_option", |_| {}).await;
    assert_eq!(status, 200, "adding an option row re-renders without saving");
    assert_eq!(attrs(&page, "tr[data-option]", "data-option"), ["0", "1", "2"]);
    let (status, page, _) = marketer
        .edit_rendered(&plan, &page, "remove_option:0", |f| {
            for (i, (value, fit, intent)) in
                [("gone", "0", "0"), ("team", "10", "5"), ("enterprise", "+40", "-5")].iter().enumerate()
            {
                set(f, &format!("o.{i}.value"), value);
                set(f, &format!("o.{i}.fit"), fit);
                set(f, &format!("o.{i}.intent"), intent);
            }
        })
        .await;
    assert_eq!(status, 200);
    assert_eq!(input_value(&page, "o.0.value").as_deref(), Some("team"), "the typed rows move up");
    let (status, _, _) = marketer.edit_rendered(&plan, &page, "save", |_| {}).await;
    assert_eq!(status, 303);
    let (status, _, _) = marketer.post_action(&form, "/questions/seats/move", &[("direction", "up")]).await;
    assert_eq!(status, 303);
    let draft = marketer.draft(&form).await;
    let ids: Vec<&str> = draft.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["email", "seats", "plan", "company", "tools", "agree"]);
    let company = question(&draft, "company");
    assert_eq!(
        (company.label.as_str(), company.required, company.maps_to),
        ("Company name", true, Some(LeadField::Company))
    );
    assert_eq!((company.help.as_deref(), company.validation.max_length), (Some("As on your invoices"), Some(120)));
    let options: Vec<(&str, i32, i32)> =
        question(&draft, "plan").options.iter().map(|o| (o.value.as_str(), o.fit, o.intent)).collect();
    assert_eq!(options, [("team", 10, 5), ("enterprise", 40, -5)]);
    assert_eq!(question(&draft, "agree").kind, QuestionKind::Consent);
    assert_eq!(question(&draft, "tools").options.len(), 2, "choice questions start with two options");
    let (status, _, _) = marketer.post_action(&form, "/questions/tools/delete", &[]).await;
    assert_eq!(status, 303);
    assert!(marketer.draft(&form).await.questions.iter().all(|q| q.id != "tools"));
    let (_, page) = marketer.page(&form.path("")).await;
    assert_eq!(attrs(&page, ".question-list li", "data-question"), ["email", "seats", "plan", "company", "agree"]);
}

#[tokio::test]
async fn a_question_other_things_refer_to_is_not_deleted_and_the_places_are_named() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "refs").await;
    let (status, page, _) = marketer.post_action(&form, "/questions/budget/delete", &[]).await;
    assert_eq!(status, 422);
    let message = text_of(&page, "#form-error").unwrap();
    assert!(message.contains("question size, branch 1 goes to it"), "{message}");
    assert!(message.contains("scoring rule 1"), "{message}");
    assert!(marketer.draft(&form).await.questions.iter().any(|q| q.id == "budget"));
}

#[tokio::test]
async fn branching_rules_are_built_from_nested_groups_of_conditions() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "nested").await;
    let size = form.path("/questions/size");
    let (_, page, _) = marketer.edit_page(&size, "add_branch", |_| {}).await;
    let (_, page, _) =
        marketer.edit_rendered(&size, &page, "add_group:b.1.when", |f| set(f, "b.1.when.kind", "any")).await;
    let (status, page, _) = marketer.edit_rendered(&size, &page, "add_leaf:b.1.when.items.1", |_| {}).await;
    assert_eq!(status, 200);
    assert_eq!(
        attrs(&page, "[data-branch='1'] .cond-leaf", "data-path"),
        ["b.1.when.items.0", "b.1.when.items.1.items.0", "b.1.when.items.1.items.1"]
    );
    let (status, _, _) = marketer
        .edit_rendered(&size, &page, "save", |f| {
            set(f, "b.1.when.items.0.subject", "hidden");
            set(f, "b.1.when.items.0.key", "utm_source");
            set(f, "b.1.when.items.0.op", "in");
            set(f, "b.1.when.items.0.value", "ads, partner");
            set(f, "b.1.when.items.1.kind", "none");
            set(f, "b.1.when.items.1.items.0.subject", "email_domain");
            set(f, "b.1.when.items.1.items.0.op", "free");
            set(f, "b.1.when.items.1.items.1.subject", "answer:size");
            set(f, "b.1.when.items.1.items.1.op", "in");
            set_all(f, "b.1.when.items.1.items.1.values", &["small"]);
            set(f, "b.1.goto", "budget");
        })
        .await;
    assert_eq!(status, 303);
    let draft = marketer.draft(&form).await;
    let rule = &question(&draft, "size").next[1];
    let expected = Condition::Any(vec![
        Condition::Hidden { field: "utm_source".into(), is: Test::In(vec!["ads".into(), "partner".into()]) },
        Condition::Not(Box::new(Condition::Any(vec![
            Condition::EmailDomain(DomainTest::Free),
            Condition::Answer { question: "size".into(), is: Test::In(vec!["small".into()]) },
        ]))),
    ]);
    assert_eq!((rule.when.as_ref(), rule.goto.as_str()), (Some(&expected), "budget"));
    let (_, page) = marketer.page(&size).await;
    assert_eq!(
        input_value(&page, "b.1.when.items.0.value").as_deref(),
        Some("ads, partner"),
        "rendered back from the draft"
    );
}

#[tokio::test]
async fn a_bad_value_in_the_builder_is_refused_beside_its_row_with_everything_kept() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "bad-value").await;
    let before = marketer.draft(&form).await;
    let size = form.path("/questions/size");
    let (_, page, _) = marketer.edit_page(&size, "add_branch", |_| {}).await;
    let (status, page, _) = marketer
        .edit_rendered(&size, &page, "save", |f| {
            set(f, "label", "How many people work there?");
            set(f, "b.1.when.items.0.subject", "fit");
            set(f, "b.1.when.items.0.op", "gte");
            set(f, "b.1.when.items.0.value", "abc");
        })
        .await;
    assert_eq!(status, 422);
    let error = text_of(&page, "[data-error-for='b.1.when.items.0']").expect("the error beside the row");
    assert!(error.contains("“abc” is not a number"), "{error}");
    assert_eq!(input_value(&page, "b.1.when.items.0.value").as_deref(), Some("abc"));
    assert_eq!(input_value(&page, "label").as_deref(), Some("How many people work there?"));
    assert_eq!(attrs(&page, "[data-branch]", "data-branch"), ["0", "1"], "the unsaved branch is still shown");
    assert_eq!(marketer.draft(&form).await, before, "nothing was saved");
}

#[tokio::test]
async fn lists_scoring_rules_and_outcomes_are_edited() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "rules").await;
    let csrf = marketer.csrf("/admin/forms").await;
    let revision = marketer.revision(&form).await;
    let list = [
        ("csrf", csrf.as_str()),
        ("revision", revision.as_str()),
        ("name", "rivals"),
        ("entries", "rival.example\nother.example\n"),
    ];
    assert_eq!(marketer.post_form(&form.path("/lists"), &list).await.status(), 303);
    let revision = marketer.revision(&form).await;
    let rename = [
        ("csrf", csrf.as_str()),
        ("revision", revision.as_str()),
        ("original", "rivals"),
        ("name", "competitors"),
        ("entries", "rival.example"),
    ];
    assert_eq!(marketer.post_form(&form.path("/lists"), &rename).await.status(), 303);
    let (status, _, _) = marketer
        .edit_page(&form.path("/scoring/new"), "save", |f| {
            set(f, "reason", "Competitor");
            set(f, "fit", "-100");
            set(f, "when.items.0.subject", "email_domain");
            set(f, "when.items.0.op", "list");
            set(f, "when.items.0.value", "competitors");
        })
        .await;
    assert_eq!(status, 303);
    let (status, page, _) = marketer.post_action(&form, "/lists/delete", &[("original", "competitors")]).await;
    assert_eq!(status, 422, "a list in use is kept");
    assert!(texts(&page, ".flash.error").join(" ").contains("scoring rule 2"));
    let (status, _, _) = marketer.post_action(&form, "/scoring/2/move", &[("direction", "up")]).await;
    assert_eq!(status, 303);
    let (status, _, _) = marketer.edit_page(&form.path("/scoring/2"), "save", |f| set(f, "intent", "30")).await;
    assert_eq!(status, 303);
    let outcome = form.path("/outcomes/1");
    let (status, page, _) = marketer.edit_page(&outcome, "add_resource", |f| set(f, "accept_within", "15")).await;
    assert_eq!(status, 200);
    let (status, page, _) =
        marketer.edit_rendered(&outcome, &page, "save", |f| set(f, "r.0.url", "javascript:alert(1)")).await;
    assert_eq!(status, 422, "a resource must be a web address");
    assert!(texts(&page, "[data-resource='0'] .field-error").join(" ").contains("https://"));
    let (status, _, _) = marketer
        .edit_rendered(&outcome, &page, "save", |f| {
            f.retain(|(k, _)| k != "offer_booking");
            set(f, "r.0.title", "Pricing");
            set(f, "r.0.url", "https://example.com/pricing");
        })
        .await;
    assert_eq!(status, 303);
    let draft = marketer.draft(&form).await;
    assert_eq!(draft.lists.get("competitors"), Some(&vec!["rival.example".to_owned()]));
    assert_eq!(draft.scoring[0].reason, "Competitor");
    assert_eq!(draft.scoring[0].when, Condition::EmailDomain(DomainTest::List("competitors".into())));
    assert_eq!((draft.scoring[1].reason.as_str(), draft.scoring[1].intent), ("Has a budget", 30));
    let hot = &draft.outcomes[0];
    assert_eq!((hot.id.as_str(), hot.accept_within_minutes, hot.ending.offer_booking), ("hot", Some(15), false));
    assert_eq!(hot.ending.resources[0].url, "https://example.com/pricing");
    let (status, _, _) = marketer.post_action(&form, "/scoring/1/delete", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(marketer.draft(&form).await.scoring.len(), 1);
}

#[tokio::test]
async fn renaming_a_question_follows_its_branches_conditions_and_test_cases() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "rename").await;
    let (status, _, target) =
        marketer.edit_page(&form.path("/questions/budget"), "save", |f| set(f, "id", "yearly_budget")).await;
    assert_eq!(status, 303);
    assert!(target.unwrap().contains("/questions/yearly_budget"));
    let draft = marketer.draft(&form).await;
    assert_eq!(question(&draft, "size").next[0].goto, "yearly_budget");
    let reads = |c: &Condition| format!("{c:?}").contains("yearly_budget");
    assert!(reads(&draft.scoring[0].when));
    let (_, tests) = marketer.page(&form.path("/tests")).await;
    assert_eq!(attrs(&tests, ".case", "data-passed"), ["true"], "the test case follows the new id");
}

#[tokio::test]
async fn a_stale_save_is_refused_naming_who_changed_the_draft_and_keeping_what_was_typed() {
    let (app, marketer, team) = marketer_app().await;
    let admin = app.login_as(&team.admin).await;
    let form = build_branching_form(&marketer, "stale").await;
    let size = form.path("/questions/size");
    let (_, marketer_page) = marketer.page(&size).await;
    let (status, _, _) = admin.edit_page(&size, "save", |f| set(f, "label", "Admin's label")).await;
    assert_eq!(status, 303);
    let (status, page, _) =
        marketer.edit_rendered(&size, &marketer_page, "save", |f| set(f, "label", "Marketer's label")).await;
    assert_eq!(status, 409);
    let conflict = text_of(&page, ".conflict").unwrap();
    assert!(conflict.contains("Ada Admin") && conflict.contains("Changed question size: label"), "{conflict}");
    assert_eq!(input_value(&page, "label").as_deref(), Some("Marketer's label"), "what was typed is kept");
    assert_eq!(question(&marketer.draft(&form).await, "size").label, "Admin's label");
    let (status, _, _) = marketer.edit_rendered(&size, &page, "save", |_| {}).await;
    assert_eq!(status, 409, "saving the same page again is still stale");
    let overwrite = attrs(&page, "button[name=overwrite_revision]", "value");
    let (status, _, _) =
        marketer.edit_rendered(&size, &page, "", |f| set(f, "overwrite_revision", &overwrite[0])).await;
    assert_eq!(status, 303, "the marketer chose to replace the admin's change");
    assert_eq!(question(&marketer.draft(&form).await, "size").label, "Marketer's label");
}

/// The form used by the publishing tests, and a second browser.
pub async fn published(slug: &str) -> (TestApp, TestApp, EditedForm, Team) {
    let (app, marketer, team) = marketer_app().await;
    let form = build_branching_form(&marketer, slug).await;
    let (status, _, target) = marketer.publish(&form, "First version").await;
    assert_eq!(status, 303, "publishing");
    assert_eq!(target.unwrap(), form.path("/versions?published=1"));
    (app, marketer, form, team)
}

#[tokio::test]
async fn with_htmx_a_builder_button_returns_only_the_editor_and_a_save_redirects_the_page() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "htmx").await;
    let size = form.path("/questions/size");
    let (_, page) = marketer.page(&size).await;
    let mut pairs = crate::editor_support::form_fields(&page, "form#editor");
    set(&mut pairs, "action", "add_branch");
    let response =
        marketer.client.post(marketer.url(&size)).header("hx-request", "true").form(&pairs).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let fragment = scraper::Html::parse_fragment(&response.text().await.unwrap());
    assert!(texts(&fragment, "nav.tabs").is_empty(), "only the editor form, not the page");
    assert_eq!(attrs(&fragment, "form#editor [data-branch]", "data-branch"), ["0", "1"]);
    set(&mut pairs, "action", "save");
    let response =
        marketer.client.post(marketer.url(&size)).header("hx-request", "true").form(&pairs).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let target = response.headers().get("hx-redirect").expect("htmx is told where to go").to_str().unwrap();
    assert_eq!(target, form.path("/questions/size?done=saved"));
}
