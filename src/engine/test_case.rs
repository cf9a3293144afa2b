//! Test cases: a named set of answers, as a prospect would send them, with
//! the outcome (and optionally the pool) they must lead to. They are run
//! against a definition before it is published, and on demand.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::answer::{Answers, Hidden};
use super::compiled::CompiledForm;
use super::definition::Handoff;
use super::evaluate::{Evaluation, Score};
use super::routing::RoutingRule;

/// A named set of answers and what they must lead to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    /// Shown in results, unique per form.
    pub name: String,
    /// Question id -> the values a prospect would send (several for
    /// multiple choice). Questions left out are skipped when optional.
    pub answers: BTreeMap<String, Vec<String>>,
    /// Hidden fields sent with the form (utm_source...).
    #[serde(default)]
    pub hidden: Hidden,
    /// The outcome id the answers must end in.
    pub expected_outcome: String,
    /// The pool the lead must be routed to, when given.
    #[serde(default)]
    pub expected_pool: Option<String>,
}

/// What running a test case showed.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRun {
    /// True when nothing went wrong.
    pub passed: bool,
    /// Why it failed, one sentence each; empty when it passed.
    pub problems: Vec<String>,
    /// The questions asked, in order.
    pub path: Vec<String>,
    /// The outcome reached (or matching so far, when the answers stop early).
    pub outcome: Option<String>,
    /// The pool the lead would be routed to, when its outcome routes.
    pub pool: Option<String>,
    /// Fit with its reasons.
    pub fit: Score,
    /// Intent with its reasons.
    pub intent: Score,
}

/// Runs one case: parses its answers with the form's own rules, walks the
/// form (optional questions left out are skipped, as a prospect would),
/// then compares the outcome and the pool. `rules` are the routing rules
/// that may send an outcome's pool elsewhere.
pub fn run_test_case(form: &CompiledForm, case: &TestCase, rules: &[RoutingRule]) -> CaseRun {
    let mut problems = Vec::new();
    let mut answers = parse_answers(form, case, &mut problems);
    let evaluation = walk(form, case, &mut answers, &mut problems);
    let outcome = evaluation.outcome.clone();
    let pool = outcome.as_deref().and_then(|id| pool_for(form, id, &evaluation, &case.hidden, rules));
    check_outcome(form, case, outcome.as_deref(), &mut problems);
    if let Some(expected) = case.expected_pool.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        match pool.as_deref() {
            Some(pool) if pool == expected => {}
            Some(pool) => problems.push(format!("Expected the lead to go to pool {expected}, but it goes to {pool}.")),
            None => {
                problems.push(format!("Expected the lead to go to pool {expected}, but its outcome routes to no pool."))
            }
        }
    }
    CaseRun {
        passed: problems.is_empty(),
        problems,
        path: evaluation.path,
        outcome,
        pool,
        fit: evaluation.fit,
        intent: evaluation.intent,
    }
}

fn parse_answers(form: &CompiledForm, case: &TestCase, problems: &mut Vec<String>) -> Answers {
    let mut answers = Answers::new();
    for (question, raw) in &case.answers {
        if form.question(question).is_none() {
            problems.push(format!("It answers question {question}, which is not in the form."));
            continue;
        }
        match form.parse_answer(question, raw) {
            Ok(value) => {
                answers.insert(question.clone(), value);
            }
            Err(error) => problems.push(format!("The answer to {question} is refused: {}.", error.message)),
        }
    }
    answers
}

/// Evaluates until the path is complete, skipping optional questions the
/// case leaves out; stops at a required one it does not answer.
fn walk(form: &CompiledForm, case: &TestCase, answers: &mut Answers, problems: &mut Vec<String>) -> Evaluation {
    for _ in 0..=form.definition().questions.len() {
        let evaluation = form.evaluate(answers, &case.hidden);
        let Some(current) = evaluation.current.clone() else {
            return evaluation;
        };
        if answers.contains_key(&current) {
            return evaluation; // its answer was refused above
        }
        match form.parse_answer(&current, &[]) {
            Ok(skipped) => {
                answers.insert(current, skipped);
            }
            Err(_) => {
                let label = form.question(&current).map(|q| q.label.as_str()).unwrap_or_default();
                problems.push(format!("The answers stop at question {current} (“{label}”), which needs an answer."));
                return evaluation;
            }
        }
    }
    form.evaluate(answers, &case.hidden)
}

fn check_outcome(form: &CompiledForm, case: &TestCase, outcome: Option<&str>, problems: &mut Vec<String>) {
    let expected = case.expected_outcome.as_str();
    if !form.definition().outcomes.iter().any(|o| o.id == expected) {
        problems.push(format!("The expected outcome {expected} is not in the form."));
    } else if outcome != Some(expected) {
        let got = outcome.unwrap_or("no outcome");
        problems.push(format!("Expected outcome {expected}, but the answers lead to {got}."));
    }
}

/// The pool a lead with this outcome goes to: the first routing rule for
/// the outcome's pool whose condition holds, else the outcome's own pool.
fn pool_for(
    form: &CompiledForm,
    outcome_id: &str,
    evaluation: &Evaluation,
    hidden: &Hidden,
    rules: &[RoutingRule],
) -> Option<String> {
    let outcome = form.definition().outcomes.iter().find(|o| o.id == outcome_id)?;
    let Handoff::Route(pool) = &outcome.handoff else {
        return None;
    };
    let applies = |rule: &&RoutingRule| {
        rule.handoff.as_deref().is_none_or(|h| h.trim() == pool.trim())
            && rule.when.as_ref().is_none_or(|when| form.check_evaluated(when, evaluation, hidden))
    };
    Some(rules.iter().find(applies).map(|rule| rule.pool.clone()).unwrap_or_else(|| pool.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::condition_def::{Condition, Test};
    use crate::engine::definition::{Handoff, QuestionKind};
    use crate::engine::test_support::{answer_is, choice, form, goto, outcome, question};
    use crate::engine::{CompiledForm, FormDefinition};

    fn sample() -> FormDefinition {
        let mut size = choice("size", &[("small", 0, 0), ("large", 40, 0)]);
        size.required = true;
        size.next = vec![goto(Some(answer_is("size", Test::Equals("small".into()))), "finish")];
        let mut budget = question("budget", QuestionKind::Number);
        budget.required = true;
        let note = question("note", QuestionKind::ShortText);
        let mut def = form(vec![size, budget, note]);
        let mut big = outcome("big", Some(Condition::Fit(Test::Gte(40.0))));
        big.handoff = Handoff::Route("senior".into());
        def.outcomes.insert(0, big);
        def
    }

    fn case(answers: &[(&str, &str)], expected: &str) -> TestCase {
        TestCase {
            name: "case".into(),
            answers: answers.iter().map(|(q, v)| (q.to_string(), vec![v.to_string()])).collect(),
            hidden: Hidden::new(),
            expected_outcome: expected.into(),
            expected_pool: None,
        }
    }

    #[test]
    fn a_matching_case_passes_and_optional_questions_are_skipped() {
        let form = CompiledForm::new(sample());
        let run = run_test_case(&form, &case(&[("size", "large"), ("budget", "100")], "big"), &[]);
        assert!(run.passed, "{:?}", run.problems);
        assert_eq!(run.path, ["size", "budget", "note"]);
        assert_eq!(run.pool.as_deref(), Some("senior"));
        assert_eq!(run.fit.total, 40);
    }

    #[test]
    fn a_wrong_outcome_says_what_was_expected_and_what_came() {
        let form = CompiledForm::new(sample());
        let run = run_test_case(&form, &case(&[("size", "small")], "big"), &[]);
        assert!(!run.passed);
        assert_eq!(run.problems, ["Expected outcome big, but the answers lead to everyone."]);
        assert_eq!(run.outcome.as_deref(), Some("everyone"));
    }

    #[test]
    fn missing_required_answers_unknown_questions_and_bad_values_fail() {
        let form = CompiledForm::new(sample());
        let run = run_test_case(&form, &case(&[("size", "large")], "big"), &[]);
        assert!(run.problems[0].contains("stop at question budget"), "{:?}", run.problems);
        let run = run_test_case(&form, &case(&[("size", "huge"), ("ghost", "x")], "nope"), &[]);
        assert_eq!(run.problems.len(), 4, "{:?}", run.problems);
        assert!(run.problems.iter().any(|p| p.contains("ghost")));
        assert!(run.problems.iter().any(|p| p.contains("\"huge\"")));
        assert!(run.problems.iter().any(|p| p.contains("nope is not in the form")));
    }

    #[test]
    fn the_pool_follows_routing_rules_and_is_compared() {
        let form = CompiledForm::new(sample());
        let mut routed = case(&[("size", "large"), ("budget", "5")], "big");
        routed.expected_pool = Some("emea".into());
        let run = run_test_case(&form, &routed, &[]);
        assert_eq!(run.problems, ["Expected the lead to go to pool emea, but it goes to senior."]);
        let rule = RoutingRule {
            name: "Big budgets".into(),
            handoff: Some("senior".into()),
            when: Some(answer_is("budget", Test::Lte(10.0))),
            pool: "emea".into(),
        };
        assert!(run_test_case(&form, &routed, &[rule]).passed);
    }
}
