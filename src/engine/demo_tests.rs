//! The demo "Talk to sales" form: it lints clean and routes typical buyers
//! to the expected outcomes.

use std::collections::BTreeMap;

use crate::engine::{
    Answers, CompiledForm, Evaluation, Hidden, Severity, lint, parse_definition_json, parse_definition_yaml, to_json,
    to_yaml,
};

const DEMO: &str = include_str!("../demo/talk_to_sales.yaml");

fn demo() -> CompiledForm<'static> {
    CompiledForm::new(parse_definition_yaml(DEMO).expect("the demo form parses"))
}

/// Answers every question on the path as the browser would send it, from
/// `raw` (absent ids are left empty), until the form is complete.
fn walk(form: &CompiledForm<'_>, raw: &[(&str, &[&str])]) -> Evaluation {
    let raw: BTreeMap<&str, Vec<String>> =
        raw.iter().map(|(id, values)| (*id, values.iter().map(|v| v.to_string()).collect())).collect();
    let mut answers = Answers::new();
    let hidden = Hidden::new();
    for _ in 0..form.definition().questions.len() + 1 {
        let evaluation = form.evaluate(&answers, &hidden);
        let Some(current) = evaluation.current else {
            return evaluation;
        };
        let sent = raw.get(current.as_str()).cloned().unwrap_or_default();
        let value = form.parse_answer(&current, &sent).unwrap_or_else(|e| panic!("{current}: {e}"));
        answers.insert(current, value);
    }
    panic!("the walk did not finish");
}

const COMMON: &[(&str, &[&str])] = &[
    ("first_name", &["Dana"]),
    ("last_name", &["Ito"]),
    ("company", &["Globex"]),
    ("country", &["US"]),
    ("consent", &["on"]),
];

fn buyer(extra: &[(&'static str, &'static [&'static str])]) -> Vec<(&'static str, &'static [&'static str])> {
    COMMON.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn demo_lints_without_errors_or_warnings() {
    let def = parse_definition_yaml(DEMO).unwrap();
    let findings = lint(&def);
    assert!(findings.iter().all(|f| f.severity != Severity::Error), "{findings:#?}");
    assert_eq!(findings, vec![]);
    assert!(def.questions.len() >= 12);
}

#[test]
fn demo_round_trips_through_yaml_and_json() {
    let def = parse_definition_yaml(DEMO).unwrap();
    assert_eq!(parse_definition_yaml(&to_yaml(&def)).unwrap(), def);
    assert_eq!(parse_definition_json(&to_json(&def)).unwrap(), def);
}

#[test]
fn enterprise_buyer_ready_now_reaches_tier1() {
    let answers = buyer(&[
        ("email", &["dana.ito@globex.example"]),
        ("job_title", &["VP of Operations"]),
        ("company_size", &["1000+"]),
        ("procurement", &["purchase_order"]),
        ("security_review", &["soc2_required"]),
        ("seats", &["250+"]),
        ("buyer_stage", &["ready_to_buy"]),
        ("timeline", &["this_month"]),
    ]);
    let result = walk(&demo(), &answers);
    assert!(result.path.contains(&"procurement".to_string()));
    assert!(!result.path.iter().any(|q| q == "budget" || q == "current_tool"));
    assert!(result.fit.total >= 60 && result.intent.total >= 50, "{result:#?}");
    assert_eq!(result.outcome.as_deref(), Some("tier1"));
    assert_eq!(result.progress.answered, result.progress.estimated_total);
}

#[test]
fn mid_market_buyer_is_asked_about_current_tools() {
    let answers = buyer(&[
        ("email", &["sam@initech.example"]),
        ("job_title", &["Operations manager"]),
        ("company_size", &["201-1000"]),
        ("current_tool", &["spreadsheets"]),
        ("team_size", &["6-25"]),
        ("buyer_stage", &["comparing"]),
        ("timeline", &["this_quarter"]),
    ]);
    let result = walk(&demo(), &answers);
    assert!(result.path.iter().any(|q| q == "current_tool"));
    assert!(!result.path.iter().any(|q| q == "procurement" || q == "budget"));
    assert_eq!(result.outcome.as_deref(), Some("tier2"));
}

#[test]
fn gmail_freelancer_reaches_nurture() {
    let answers = buyer(&[
        ("email", &["alex.doe@gmail.com"]),
        ("job_title", &["Freelance designer"]),
        ("company_size", &["1-10"]),
        ("budget", &["none_yet"]),
        ("use_case", &["marketing_ops"]),
        ("buyer_stage", &["learning"]),
        ("timeline", &["no_timeline"]),
    ]);
    let result = walk(&demo(), &answers);
    assert!(result.path.iter().any(|q| q == "budget"));
    assert!(result.fit.total < 0);
    assert_eq!(result.outcome.as_deref(), Some("nurture"));
}

#[test]
fn competitor_is_disqualified() {
    let answers = buyer(&[
        ("email", &["spy@rival.example"]),
        ("job_title", &["CEO"]),
        ("company_size", &["1000+"]),
        ("procurement", &["card"]),
        ("security_review", &["no_review"]),
        ("seats", &["250+"]),
        ("buyer_stage", &["ready_to_buy"]),
        ("timeline", &["this_month"]),
    ]);
    let result = walk(&demo(), &answers);
    assert_eq!(result.outcome.as_deref(), Some("disqualified"));
    assert!(result.fit.breakdown.iter().any(|item| item.reason == "Works at a competitor"));
}
