//! Replaying finished responses against a draft: where each lead ended up
//! (outcome, tier, pool) and where the draft would put it, so a marketer
//! sees what a change does before publishing it.
//!
//! The pool is where the outcome's handoff and the routing rules send the
//! lead; who in the pool gets it is left out (it depends on turns and
//! loads at the moment, not on the form). Stored answers are parsed again
//! under the draft: a question whose kind or options changed may refuse
//! an old answer, and a draft may ask a question the prospect never saw.
//! Both are reported as a changed path rather than guessed at.

use super::answer::{AnswerValue, Answers, Hidden};
use super::compiled::CompiledForm;
use super::definition::Handoff;
use super::evaluate::Evaluation;
use super::routing::{RoutingRule, pool_for_handoff};
use super::serde_helpers::format_number;

/// Where a lead ends up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub outcome_id: String,
    /// The outcome's tier label, e.g. "Tier 1".
    pub tier: String,
    /// The pool routing sends it to; `None` for nurture and disqualified.
    pub pool: Option<String>,
}

/// Why a response cannot be replayed to its end under the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathChange {
    /// The draft asks a question this prospect never answered.
    NewQuestion { question: String },
    /// A stored answer no longer fits the draft's question.
    InvalidAnswer { question: String, message: String },
    /// No outcome matches (the draft's outcomes lack a catch-all).
    NoOutcome,
}

/// What the draft does to one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayVerdict {
    Same,
    Changed { after: Placement, tier_changed: bool, pool_changed: bool },
    PathChanged(PathChange),
}

/// Counts over a replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    pub evaluated: usize,
    pub unchanged: usize,
    /// Complete under the draft with another tier.
    pub tier_changed: usize,
    /// Complete under the draft with another pool.
    pub pool_changed: usize,
    /// Could not be finished under the draft (see [`PathChange`]).
    pub path_changed: usize,
}

impl ReplaySummary {
    pub fn add(&mut self, verdict: &ReplayVerdict) {
        self.evaluated += 1;
        match verdict {
            ReplayVerdict::Same => self.unchanged += 1,
            ReplayVerdict::Changed { tier_changed, pool_changed, .. } => {
                self.tier_changed += usize::from(*tier_changed);
                self.pool_changed += usize::from(*pool_changed);
            }
            ReplayVerdict::PathChanged(_) => self.path_changed += 1,
        }
    }
}

/// The placement of a response that got `outcome_id` on `form` (the
/// version it was answered on); `None` when the form has no such outcome.
pub fn placement_of(
    form: &CompiledForm,
    rules: &[RoutingRule],
    outcome_id: &str,
    answers: &Answers,
    hidden: &Hidden,
) -> Option<Placement> {
    let evaluation = form.evaluate(answers, hidden);
    placement_for(form, rules, outcome_id, &evaluation, hidden)
}

fn placement_for(
    form: &CompiledForm,
    rules: &[RoutingRule],
    outcome_id: &str,
    evaluation: &Evaluation,
    hidden: &Hidden,
) -> Option<Placement> {
    let outcome = form.definition().outcomes.iter().find(|o| o.id == outcome_id)?;
    let pool = match &outcome.handoff {
        Handoff::Route(pool) => {
            let matches = |condition: &_| form.check_evaluated(condition, evaluation, hidden);
            Some(pool_for_handoff(pool, rules, &matches).0.to_owned())
        }
        Handoff::Nurture | Handoff::Disqualify(_) => None,
    };
    Some(Placement { outcome_id: outcome.id.clone(), tier: outcome.tier.clone(), pool })
}

/// Where the draft puts a response with these stored answers.
pub fn replay_response(
    draft: &CompiledForm,
    rules: &[RoutingRule],
    answers: &Answers,
    hidden: &Hidden,
) -> Result<Placement, PathChange> {
    let mut parsed = Answers::new();
    let mut refused = Vec::new();
    for (question, value) in answers.iter().filter(|(q, _)| draft.question(q).is_some()) {
        match draft.parse_answer(question, &as_input(value)) {
            Ok(value) => {
                parsed.insert(question.clone(), value);
            }
            Err(error) => refused.push((question.clone(), error.message)),
        }
    }
    let evaluation = draft.evaluate(&parsed, hidden);
    if let Some(current) = evaluation.current.clone() {
        return Err(match refused.into_iter().find(|(q, _)| *q == current) {
            Some((question, message)) => PathChange::InvalidAnswer { question, message },
            None => PathChange::NewQuestion { question: current },
        });
    }
    let outcome = evaluation.outcome.as_deref().ok_or(PathChange::NoOutcome)?;
    placement_for(draft, rules, outcome, &evaluation, hidden).ok_or(PathChange::NoOutcome)
}

/// Compares where a response went with where the draft sends it.
pub fn compare_placements(before: &Placement, after: Result<Placement, PathChange>) -> ReplayVerdict {
    match after {
        Err(change) => ReplayVerdict::PathChanged(change),
        Ok(after) => {
            let tier_changed = after.tier != before.tier;
            let pool_changed = after.pool != before.pool;
            if tier_changed || pool_changed || after.outcome_id != before.outcome_id {
                ReplayVerdict::Changed { after, tier_changed, pool_changed }
            } else {
                ReplayVerdict::Same
            }
        }
    }
}

/// A stored answer as the browser would send it again.
fn as_input(value: &AnswerValue) -> Vec<String> {
    match value {
        AnswerValue::Text(text) => vec![text.clone()],
        AnswerValue::Number(number) => vec![format_number(*number)],
        AnswerValue::Choices(values) => values.clone(),
        AnswerValue::Consent { given: true, .. } => vec!["yes".to_owned()],
        AnswerValue::Consent { given: false, .. } | AnswerValue::Blank => Vec::new(),
    }
}

#[cfg(test)]
#[path = "replay_tests.rs"]
mod tests;
