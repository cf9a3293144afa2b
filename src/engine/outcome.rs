//! Choosing the outcome: the first outcome, in order, whose condition holds
//! (an outcome without a condition is a catch-all).

use super::compiled::CompiledForm;
use super::condition::FactSource;

/// The position of the first matching outcome, if any matches.
pub(crate) fn first_matching_outcome(form: &CompiledForm, facts: &impl FactSource) -> Option<usize> {
    form.outcomes.iter().position(|when| when.as_ref().is_none_or(|condition| condition.holds(facts)))
}

#[cfg(test)]
mod tests {
    use crate::engine::condition_def::{Condition, Test};
    use crate::engine::test_support::{choice, form, outcome};
    use crate::engine::{AnswerValue, Answers, Hidden, evaluate};

    fn outcome_for(size: Option<&str>, outcomes: Vec<crate::engine::Outcome>) -> Option<String> {
        let mut def = form(vec![choice("size", &[("small", 10, 0), ("large", 70, 0)])]);
        def.outcomes = outcomes;
        let mut answers = Answers::new();
        if let Some(size) = size {
            answers.insert("size".into(), AnswerValue::Text(size.into()));
        }
        evaluate(&def, &answers, &Hidden::new()).outcome
    }

    fn tiers() -> Vec<crate::engine::Outcome> {
        vec![
            outcome("tier1", Some(Condition::Fit(Test::Gte(60.0)))),
            outcome("tier2", Some(Condition::Fit(Test::Gte(5.0)))),
            outcome("rest", None),
        ]
    }

    #[test]
    fn first_matching_outcome_wins() {
        assert_eq!(outcome_for(Some("large"), tiers()).as_deref(), Some("tier1"));
        assert_eq!(outcome_for(Some("small"), tiers()).as_deref(), Some("tier2"));
    }

    #[test]
    fn catch_all_matches_the_rest_and_running_outcome_exists_before_finish() {
        assert_eq!(outcome_for(None, tiers()).as_deref(), Some("rest"));
    }

    #[test]
    fn no_outcome_when_nothing_matches() {
        let only = vec![outcome("tier1", Some(Condition::Fit(Test::Gte(60.0))))];
        assert_eq!(outcome_for(Some("small"), only), None);
    }
}
