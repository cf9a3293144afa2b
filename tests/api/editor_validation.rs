//! The editor's other question kinds (dropdown, long text, phone, web
//! address, statement) and validation settings, saved in the draft and
//! enforced on the prospect's page once published; nurture and
//! disqualify outcomes made in the editor and the handoff their leads keep.

use leadgate::engine::{Handoff, QuestionKind};
use scraper::Html;

use crate::editor::marketer_app;
use crate::editor_support::{EditedForm, set};
use crate::helpers::{TestApp, text_of};

/// Adds an outcome through its page: `plan` answered with `plan`, then `handoff`.
async fn add_outcome(marketer: &TestApp, form: &EditedForm, id: &str, plan: &str, handoff: &[(&str, &str)]) {
    let new = form.path("/outcomes/new");
    let (status, page, _) = marketer.edit_page(&new, "add_leaf:when", |_| {}).await;
    assert_eq!(status, 200);
    let (status, _, _) = marketer
        .edit_rendered(&new, &page, "save", |f| {
            set(f, "id", id);
            set(f, "tier", id);
            set(f, "when.items.0.subject", "answer:plan");
            set(f, "when.items.0.op", "equals");
            set(f, "when.items.0.value", plan);
            set(f, "title", "Thank you");
            set(f, "message", "We will be in touch.");
            for (name, value) in handoff {
                set(f, name, value);
            }
        })
        .await;
    assert_eq!(status, 303, "outcome {id} saved");
}

/// Builds: email, welcome (statement), plan (dropdown), seats (number 1 to
/// 500), notes (long text of 10 to 200 characters), code (a pattern with its
/// message), phone, site (web address); outcomes `student` (disqualified with
/// a reason) and `solo` (nurture) before the starter's catch-all.
async fn build_kinds_form(marketer: &TestApp) -> EditedForm {
    let form = marketer.create_form("Kinds", "kinds").await;
    for (id, kind) in [
        ("welcome", "statement"),
        ("plan", "dropdown"),
        ("seats", "number"),
        ("notes", "long_text"),
        ("code", "short_text"),
        ("phone", "phone"),
        ("site", "url"),
    ] {
        marketer.add_question(&form, id, kind, &format!("About {id}")).await;
    }
    let edits: [(&str, &[(&str, &str)]); 5] = [
        ("plan", &[("required", "yes"), ("o.0.value", "student"), ("o.1.value", "business"), ("o.1.fit", "30")]),
        ("seats", &[("required", "yes"), ("min", "1"), ("max", "500")]),
        ("notes", &[("min_length", "10"), ("max_length", "200")]),
        (
            "code",
            &[("required", "yes"), ("pattern", "[A-Z]{3}-[0-9]{2}"), ("pattern_message", "Use a code like ABC-12")],
        ),
        ("phone", &[("required", "yes")]),
    ];
    for (id, fields) in edits {
        let (status, page, _) = marketer
            .edit_page(&form.path(&format!("/questions/{id}")), "save", |f| {
                for (name, value) in fields {
                    set(f, name, value);
                }
            })
            .await;
        assert_eq!(status, 303, "{id} saved: {}", page.html());
    }
    add_outcome(marketer, &form, "student", "student", &[("handoff", "disqualify"), ("reason", "Students do not buy")])
        .await;
    add_outcome(marketer, &form, "solo", "business", &[("handoff", "nurture")]).await;
    form
}

#[tokio::test]
async fn other_kinds_and_validation_settings_are_saved_in_the_draft() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_kinds_form(&marketer).await;
    let draft = marketer.draft(&form).await;
    let kinds: Vec<(&str, QuestionKind)> = draft.questions.iter().map(|q| (q.id.as_str(), q.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("email", QuestionKind::Email),
            ("welcome", QuestionKind::Statement),
            ("plan", QuestionKind::Dropdown),
            ("seats", QuestionKind::Number),
            ("notes", QuestionKind::LongText),
            ("code", QuestionKind::ShortText),
            ("phone", QuestionKind::Phone),
            ("site", QuestionKind::Url),
        ]
    );
    let q = |id: &str| draft.questions.iter().find(|q| q.id == id).unwrap();
    let plan: Vec<(&str, i32)> = q("plan").options.iter().map(|o| (o.value.as_str(), o.fit)).collect();
    assert_eq!(plan, [("student", 0), ("business", 30)]);
    assert_eq!((q("seats").validation.min, q("seats").validation.max), (Some(1.0), Some(500.0)));
    assert_eq!((q("notes").validation.min_length, q("notes").validation.max_length), (Some(10), Some(200)));
    let code = &q("code").validation;
    assert_eq!(code.pattern.as_deref(), Some("[A-Z]{3}-[0-9]{2}"));
    assert_eq!(code.pattern_message.as_deref(), Some("Use a code like ABC-12"));
    assert!(q("phone").required && !q("site").required);
    let outcomes: Vec<(&str, &Handoff)> = draft.outcomes.iter().map(|o| (o.id.as_str(), &o.handoff)).collect();
    assert_eq!(
        outcomes,
        [
            ("student", &Handoff::Disqualify("Students do not buy".into())),
            ("solo", &Handoff::Nurture),
            ("everyone", &Handoff::Nurture),
        ]
    );
}

/// Answers `question` with `value`, expecting a 422 whose message beside the field contains `message`.
async fn refused(prospect: &TestApp, at: &str, question: &str, value: &str, message: &str) {
    let response = prospect.answer(at, question, &[value]).await;
    assert_eq!(response.status(), 422, "{question} = {value:?}");
    let page = Html::parse_document(&response.text().await.unwrap());
    let shown = text_of(&page, ".field-error").unwrap_or_default();
    assert!(shown.contains(message), "{question} = {value:?}: {shown:?}");
}

#[tokio::test]
async fn once_published_the_settings_are_enforced_and_the_leads_keep_their_handoff() {
    let (app, marketer, _) = marketer_app().await;
    let form = build_kinds_form(&marketer).await;
    let (status, page, _) = marketer.publish(&form, "Kinds").await;
    assert_eq!(status, 303, "{}", page.html());
    let prospect = app.new_browser();
    let at = prospect.start_form("kinds", "", &["ann@school.example"]).await;
    assert_eq!(prospect.current_question(&at).await, "welcome");
    prospect.answer_ok(&at, "welcome", &[]).await;
    refused(&prospect, &at, "plan", "teacher", "not one of the options").await;
    prospect.answer_ok(&at, "plan", &["student"]).await;
    refused(&prospect, &at, "seats", "0", "at least 1").await;
    refused(&prospect, &at, "seats", "501", "no bigger than 500").await;
    prospect.answer_ok(&at, "seats", &["12"]).await;
    refused(&prospect, &at, "notes", "Too short", "at least 10 characters").await;
    refused(&prospect, &at, "notes", &"x".repeat(201), "200 characters or fewer").await;
    prospect.answer_ok(&at, "notes", &["A pilot for the spring term"]).await;
    refused(&prospect, &at, "code", "abc-12", "Use a code like ABC-12").await;
    prospect.answer_ok(&at, "code", &["ABC-12"]).await;
    refused(&prospect, &at, "phone", "call me", "phone number").await;
    prospect.answer_ok(&at, "phone", &["+49 30 1234567"]).await;
    refused(&prospect, &at, "site", "ftp://school.example", "web address").await;
    prospect.answer_ok(&at, "site", &["school.example"]).await;
    assert_eq!(prospect.ending_outcome(&at).await, "student");
    let lead = app.lead_of(&at).await;
    assert_eq!(lead.handoff.0, Handoff::Disqualify("Students do not buy".into()));
    assert_eq!(
        (lead.status.as_str(), lead.disqualified_reason.as_deref()),
        ("disqualified", Some("Students do not buy"))
    );
    assert!(app.history(lead.id).await[0].reason.contains("disqualified by the form: Students do not buy"));

    let other = app.new_browser();
    let at = other.start_form("kinds", "", &["bo@solo.example"]).await;
    other.answer_ok(&at, "welcome", &[]).await;
    for (question, value) in
        [("plan", "business"), ("seats", "1"), ("notes", ""), ("code", "XYZ-99"), ("phone", "030 123456"), ("site", "")]
    {
        other.answer_ok(&at, question, &[value]).await;
    }
    assert_eq!(other.ending_outcome(&at).await, "solo");
    let lead = app.lead_of(&at).await;
    assert_eq!((lead.handoff.0, lead.status.as_str(), lead.assigned_user_id), (Handoff::Nurture, "nurture", None));
}
