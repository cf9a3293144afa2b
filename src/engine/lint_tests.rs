//! One test per lint check.

use crate::engine::condition_def::{Condition, DomainTest, ListRef, Test};
use crate::engine::definition::{FormDefinition, Handoff, LeadField, QuestionKind, ScoringRule};
use crate::engine::test_support::{answer_is, choice, form, goto, mapped, outcome, question, tiny_form};
use crate::engine::{Finding, Severity, lint};

fn findings_at(def: &FormDefinition, location: &str) -> Vec<Finding> {
    lint(def).into_iter().filter(|f| f.location == location).collect()
}

/// Asserts exactly one finding of this severity whose message contains `words`.
fn assert_finding(def: &FormDefinition, severity: Severity, location: &str, words: &str) {
    let all = lint(def);
    let hits: Vec<_> =
        all.iter().filter(|f| f.severity == severity && f.location == location && f.message.contains(words)).collect();
    assert_eq!(hits.len(), 1, "expected {severity:?} at {location} containing {words:?}; got {all:#?}");
}

fn rule(when: Condition) -> ScoringRule {
    ScoringRule { when, fit: 5, intent: 0, reason: "Because".into() }
}

#[test]
fn a_clean_form_has_no_findings() {
    assert_eq!(lint(&tiny_form()), vec![]);
}

#[test]
fn no_questions() {
    assert_finding(&form(vec![]), Severity::Error, "form", "no questions");
}

#[test]
fn bad_slug_and_missing_title() {
    let mut def = tiny_form();
    def.slug = "Talk To Sales".into();
    def.title = " ".into();
    assert_finding(&def, Severity::Error, "form", "slug");
    assert_finding(&def, Severity::Error, "form", "title");
}

#[test]
fn bad_and_duplicate_question_ids() {
    let def = form(vec![
        question("Email", QuestionKind::Email),
        question("finish", QuestionKind::ShortText),
        question("a", QuestionKind::ShortText),
        question("a", QuestionKind::ShortText),
    ]);
    assert_finding(&def, Severity::Error, "question Email", "lowercase letters");
    assert_finding(&def, Severity::Error, "question finish", "must not be \"finish\"");
    assert_finding(&def, Severity::Error, "question a", "more than one question");
}

#[test]
fn option_problems() {
    let mut dupes = choice("size", &[("small", 0, 0), ("Small ", 0, 0), ("", 0, 0)]);
    dupes.kind = QuestionKind::Dropdown;
    let empty = choice("empty", &[]);
    let mut text = question("text", QuestionKind::ShortText);
    text.options = choice("x", &[("a", 0, 0)]).options;
    let def = form(vec![dupes, empty, text]);
    assert_finding(&def, Severity::Error, "question size, option 2", "used more than once");
    assert_finding(&def, Severity::Error, "question size, option 3", "needs a value");
    assert_finding(&def, Severity::Error, "question empty", "at least one option");
    assert_finding(&def, Severity::Warning, "question text", "Options are ignored on a short text question");
}

#[test]
fn unknown_goto_target() {
    let mut a = question("a", QuestionKind::ShortText);
    a.next = vec![goto(None, "nowhere")];
    assert_finding(&form(vec![a]), Severity::Error, "question a, branch 1", "\"nowhere\"");
}

#[test]
fn branches_after_an_always_branch_are_never_used() {
    let mut a = question("a", QuestionKind::ShortText);
    a.next = vec![goto(Some(Condition::Always), "b"), goto(None, "finish")];
    let def = form(vec![a, question("b", QuestionKind::ShortText)]);
    assert_finding(&def, Severity::Warning, "question a, branch 2", "never used because branch 1");
}

#[test]
fn unknown_question_and_list_in_conditions() {
    let mut def = tiny_form();
    def.scoring = vec![
        rule(answer_is("ghost", Test::Answered)),
        rule(Condition::JobTitleHasWord(ListRef::Named("seniors".into()))),
        rule(answer_is("size", Test::InList("sizes".into()))),
        rule(Condition::EmailDomain(DomainTest::List("rivals".into()))),
        rule(Condition::CountryIn(ListRef::Named("eu_countries".into()))),
    ];
    assert_finding(&def, Severity::Error, "scoring rule 1", "\"ghost\", which does not exist");
    assert_finding(&def, Severity::Error, "scoring rule 2", "\"seniors\"");
    assert_finding(&def, Severity::Error, "scoring rule 3", "\"sizes\"");
    assert_finding(&def, Severity::Error, "scoring rule 4", "\"rivals\"");
    assert!(findings_at(&def, "scoring rule 5").is_empty(), "eu_countries is built in");
}

#[test]
fn invalid_pattern_and_min_above_max() {
    let mut text = question("text", QuestionKind::ShortText);
    text.validation.pattern = Some("([a-z]".into());
    text.validation.min_length = Some(10);
    text.validation.max_length = Some(5);
    let mut number = question("number", QuestionKind::Number);
    number.validation.min = Some(100.0);
    number.validation.max = Some(1.0);
    let def = form(vec![text, number]);
    assert_finding(&def, Severity::Error, "question text", "not a valid regular expression");
    assert_finding(&def, Severity::Error, "question text", "minimum length (10)");
    assert_finding(&def, Severity::Error, "question number", "minimum (100)");
}

#[test]
fn number_limits_must_be_ordinary_numbers() {
    let mut number = question("number", QuestionKind::Number);
    number.validation.min = Some(f64::NAN);
    number.validation.max = Some(f64::INFINITY);
    let def = form(vec![number]);
    assert_finding(&def, Severity::Error, "question number", "minimum must be an ordinary number");
    assert_finding(&def, Severity::Error, "question number", "maximum must be an ordinary number");
}

#[test]
fn scoring_rule_reading_scores() {
    let mut def = tiny_form();
    def.scoring = vec![rule(Condition::Not(Box::new(Condition::Fit(Test::Gt(5.0)))))];
    assert_finding(&def, Severity::Error, "scoring rule 1", "cannot use the fit or intent");
}

#[test]
fn cycles_are_errors() {
    let mut a = question("a", QuestionKind::ShortText);
    a.next = vec![goto(Some(answer_is("a", Test::Equals("x".into()))), "c")];
    let mut c = question("c", QuestionKind::ShortText);
    c.next = vec![goto(Some(answer_is("c", Test::Equals("again".into()))), "a")];
    let def = form(vec![a, question("b", QuestionKind::ShortText), c]);
    assert_finding(&def, Severity::Error, "question c, branch 1", "lead back to question \"a\"");
    let mut looping = question("self", QuestionKind::ShortText);
    looping.next = vec![goto(Some(answer_is("self", Test::Answered)), "self")];
    let def = form(vec![looping]);
    assert_finding(&def, Severity::Error, "question self, branch 1", "lead back to question \"self\"");
}

#[test]
fn unreachable_questions_are_warnings() {
    let mut a = question("a", QuestionKind::ShortText);
    a.next = vec![goto(None, "c")];
    let def = form(vec![a, question("b", QuestionKind::ShortText), question("c", QuestionKind::ShortText)]);
    assert_finding(&def, Severity::Warning, "question b", "No path through the form reaches");
    assert!(findings_at(&def, "question c").is_empty());
}

#[test]
fn questions_that_cannot_reach_finish_are_errors() {
    let mut a = question("a", QuestionKind::ShortText);
    a.next = vec![goto(None, "b")];
    let mut b = question("b", QuestionKind::ShortText);
    b.next = vec![goto(None, "a")];
    let def = form(vec![a, b, question("c", QuestionKind::ShortText)]);
    assert_finding(&def, Severity::Error, "question a", "reaches the end");
    assert_finding(&def, Severity::Error, "question b", "reaches the end");
}

#[test]
fn reading_answers_not_asked_on_every_path_warns() {
    let mut size = choice("size", &[("small", 0, 0), ("large", 0, 0)]);
    size.next = vec![goto(Some(answer_is("size", Test::Equals("large".into()))), "seats")];
    let mut budget = question("budget", QuestionKind::Number);
    budget.next = vec![
        goto(Some(answer_is("seats", Test::Gt(10.0))), "finish"),
        goto(Some(answer_is("seats", Test::NotAnswered)), "finish"),
    ];
    let seats = question("seats", QuestionKind::Number);
    let mut def = form(vec![size, budget, seats]);
    def.scoring = vec![rule(answer_is("budget", Test::Gt(1000.0))), rule(answer_is("size", Test::Answered))];
    def.outcomes.insert(0, outcome("big", Some(answer_is("seats", Test::Gt(100.0)))));
    assert_finding(
        &def,
        Severity::Warning,
        "question budget, branch 1",
        "\"seats\", which is not asked on every path before",
    );
    assert!(findings_at(&def, "question budget, branch 2").is_empty(), "presence checks are fine");
    assert_finding(&def, Severity::Warning, "scoring rule 1", "\"budget\", which is not asked on every path through");
    assert!(findings_at(&def, "scoring rule 2").is_empty());
    assert_finding(&def, Severity::Warning, "outcome big", "\"seats\"");
}

#[test]
fn two_questions_filling_one_lead_field() {
    let mut def = tiny_form();
    def.questions.push(mapped("work_email", QuestionKind::Email, LeadField::Email));
    assert_finding(&def, Severity::Warning, "question work_email", "\"email\" also fills the email lead field");
}

#[test]
fn email_domain_without_an_email_question() {
    let mut def = form(vec![question("name", QuestionKind::ShortText)]);
    def.scoring = vec![rule(Condition::EmailDomain(DomainTest::Free))];
    assert_finding(&def, Severity::Warning, "scoring rule 1", "maps_to: email");
}

#[test]
fn required_statement() {
    let mut statement = question("hello", QuestionKind::Statement);
    statement.required = true;
    assert_finding(&form(vec![statement]), Severity::Warning, "question hello", "no effect");
}

#[test]
fn outcome_problems() {
    let mut def = tiny_form();
    def.outcomes = vec![];
    assert_finding(&def, Severity::Error, "form", "no outcomes");

    let fit = || Some(Condition::Fit(Test::Gte(50.0)));
    def.outcomes = vec![outcome("a", fit()), outcome("b", fit()), outcome("a", None), outcome("late", None)];
    assert_finding(&def, Severity::Warning, "outcome b", "outcome \"a\" has the same condition");
    assert_finding(&def, Severity::Error, "outcome a", "used more than once");
    assert_finding(&def, Severity::Warning, "outcome late", "catch-all outcome \"a\"");

    def.outcomes = vec![outcome("only", fit())];
    assert_finding(&def, Severity::Error, "outcome only", "must be a catch-all");

    let mut routed = outcome("routed", None);
    routed.handoff = Handoff::Route(" ".into());
    def.outcomes = vec![routed];
    assert_finding(&def, Severity::Error, "outcome routed", "pool");
}

#[test]
fn deep_nesting() {
    let mut condition = Condition::Always;
    for _ in 0..33 {
        condition = Condition::Not(Box::new(condition));
    }
    let mut def = tiny_form();
    def.outcomes.insert(0, outcome("deep", Some(condition)));
    assert_finding(&def, Severity::Error, "outcome deep", "34 levels deep");
}

#[test]
fn lead_field_conditions_without_a_filler_warn() {
    let mut def = tiny_form();
    def.scoring = vec![rule(Condition::Field { name: LeadField::Industry, is: Test::Answered })];
    assert_finding(&def, Severity::Warning, "scoring rule 1", "maps_to: industry");
}

#[test]
fn resource_links_must_be_web_addresses() {
    let mut def = tiny_form();
    let last = def.outcomes.last_mut().unwrap();
    last.ending.resources = vec![crate::engine::Resource { title: "Guide".into(), url: "javascript:alert(1)".into() }];
    let location = format!("outcome {}", last.id);
    assert_finding(&def, Severity::Error, &location, "https://");
    def.outcomes.last_mut().unwrap().ending.resources[0].url = "https://example.com/guide".into();
    assert!(lint(&def).iter().all(|f| !f.message.contains("web address")));
}
