use super::*;
use crate::engine::{CompiledForm, Condition, Test, parse_definition_yaml};

const V1: &str = r#"
slug: t
title: T
questions:
  - { id: email, kind: email, label: Email, required: true, maps_to: email }
  - id: size
    kind: single_choice
    label: Size
    required: true
    options: [{ value: small, label: S }, { value: mid, label: M, fit: 20 }, { value: large, label: L, fit: 40 }]
  - id: timeline
    kind: single_choice
    label: When
    required: true
    options: [{ value: now, label: Now, intent: 50 }, { value: later, label: Later }]
outcomes:
  - { id: tier1, tier: Tier 1, when: { all: [{ fit: { gte: 40 } }, { intent: { gte: 50 } }] }, ending: { title: T, message: M }, handoff: { route: senior-ae } }
  - { id: tier2, tier: Tier 2, when: { fit: { gte: 20 } }, ending: { title: T, message: M }, handoff: { route: sdr } }
  - { id: nurture, tier: Nurture, ending: { title: T, message: M }, handoff: nurture }
"#;

fn form(yaml: &str) -> CompiledForm<'static> {
    CompiledForm::new(parse_definition_yaml(yaml).expect("test form parses"))
}

fn answers(size: &str, timeline: &str) -> Answers {
    [("email", "a@acme.example"), ("size", size), ("timeline", timeline)]
        .into_iter()
        .map(|(q, v)| (q.to_owned(), AnswerValue::Text(v.to_owned())))
        .collect()
}

fn before(form: &CompiledForm, rules: &[RoutingRule], given: &Answers) -> Placement {
    let outcome = form.evaluate(given, &Hidden::new()).outcome.unwrap();
    placement_of(form, rules, &outcome, given, &Hidden::new()).unwrap()
}

fn verdict(v1: &CompiledForm, draft: &CompiledForm, rules: &[RoutingRule], given: &Answers) -> ReplayVerdict {
    compare_placements(&before(v1, rules, given), replay_response(draft, rules, given, &Hidden::new()))
}

#[test]
fn an_unchanged_draft_changes_nothing() {
    let (v1, draft) = (form(V1), form(V1));
    for (size, timeline) in [("small", "now"), ("mid", "later"), ("large", "now")] {
        assert_eq!(verdict(&v1, &draft, &[], &answers(size, timeline)), ReplayVerdict::Same);
    }
}

#[test]
fn more_points_for_an_option_move_a_lead_up_a_tier_and_into_another_pool() {
    let v1 = form(V1);
    let draft = form(&V1.replace("{ value: mid, label: M, fit: 20 }", "{ value: mid, label: M, fit: 40 }"));
    let after = Placement { outcome_id: "tier1".into(), tier: "Tier 1".into(), pool: Some("senior-ae".into()) };
    let expected = ReplayVerdict::Changed { after, tier_changed: true, pool_changed: true };
    assert_eq!(verdict(&v1, &draft, &[], &answers("mid", "now")), expected);
    assert_eq!(verdict(&v1, &draft, &[], &answers("mid", "later")), ReplayVerdict::Same, "still Tier 2");
}

#[test]
fn a_routing_rule_changes_the_pool_but_not_the_tier() {
    let (v1, draft) = (form(V1), form(V1));
    let rule = RoutingRule {
        name: "Large later".into(),
        handoff: Some("sdr".into()),
        when: Some(Condition::Answer { question: "size".into(), is: Test::Equals("large".into()) }),
        pool: "enterprise-sdr".into(),
    };
    let given = answers("large", "later");
    let before = before(&v1, &[], &given);
    assert_eq!(before.pool.as_deref(), Some("sdr"));
    let after = replay_response(&draft, std::slice::from_ref(&rule), &given, &Hidden::new());
    let ReplayVerdict::Changed { after, tier_changed, pool_changed } = compare_placements(&before, after) else {
        panic!("the rule moves the lead");
    };
    assert!(!tier_changed && pool_changed);
    assert_eq!(after.pool.as_deref(), Some("enterprise-sdr"));
}

#[test]
fn an_answer_the_draft_no_longer_accepts_is_a_changed_path() {
    let v1 = form(V1);
    let draft = form(&V1.replace(", { value: later, label: Later }", ""));
    let expected =
        PathChange::InvalidAnswer { question: "timeline".into(), message: "Choose one of the options".into() };
    match verdict(&v1, &draft, &[], &answers("small", "later")) {
        ReplayVerdict::PathChanged(PathChange::InvalidAnswer { question, .. }) => assert_eq!(question, "timeline"),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

#[test]
fn a_new_question_on_the_path_is_a_changed_path_and_a_removed_one_is_ignored() {
    let v1 = form(V1);
    let added = V1.replace(
        "  - id: timeline",
        "  - { id: role, kind: short_text, label: Role, required: true }\n  - id: timeline",
    );
    let change = verdict(&v1, &form(&added), &[], &answers("large", "now"));
    assert_eq!(change, ReplayVerdict::PathChanged(PathChange::NewQuestion { question: "role".into() }));
    let removed = V1.replace("  - { id: email, kind: email, label: Email, required: true, maps_to: email }\n", "");
    assert_eq!(verdict(&v1, &form(&removed), &[], &answers("large", "now")), ReplayVerdict::Same);
}

#[test]
fn the_summary_counts_each_kind_of_change() {
    let mut summary = ReplaySummary::default();
    let tier1 = Placement { outcome_id: "tier1".into(), tier: "Tier 1".into(), pool: Some("a".into()) };
    summary.add(&ReplayVerdict::Same);
    summary.add(&ReplayVerdict::Changed { after: tier1.clone(), tier_changed: true, pool_changed: true });
    summary.add(&ReplayVerdict::Changed { after: tier1, tier_changed: false, pool_changed: true });
    summary.add(&ReplayVerdict::PathChanged(PathChange::NoOutcome));
    let expected = ReplaySummary { evaluated: 4, unchanged: 1, tier_changed: 1, pool_changed: 2, path_changed: 1 };
    assert_eq!(summary, expected);
}

#[test]
fn stored_answers_read_back_as_the_browser_sent_them() {
    assert_eq!(as_input(&AnswerValue::Number(5.0)), vec!["5"]);
    assert_eq!(as_input(&AnswerValue::Consent { given: true, text: "x".into() }), vec!["yes"]);
    assert!(as_input(&AnswerValue::Blank).is_empty());
    assert_eq!(as_input(&AnswerValue::Choices(vec!["a".into(), "b".into()])), vec!["a", "b"]);
}
