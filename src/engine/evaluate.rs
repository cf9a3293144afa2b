//! The one entry point: given a form and the answers so far, the path, the
//! current question, the answers that still count, both scores with their
//! breakdown, the running outcome and the progress.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::answer::{AnswerValue, Answers, Hidden};
use super::branching::walk;
use super::compiled::{CompiledForm, compile};
use super::condition::FactSource;
use super::definition::{FormDefinition, LeadField};
use super::facts::DerivedFacts;
use super::outcome::first_matching_outcome;
use super::scoring::ScoreKeeper;

/// A score and the items it is made of; `total` is their sum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Sum of the breakdown points (saturating at the i32 limits).
    pub total: i32,
    /// Every contribution, options first (in path order), then rules.
    pub breakdown: Vec<ScoreItem>,
}

impl Score {
    /// Adds an item and its points.
    pub(crate) fn add(&mut self, item: ScoreItem) {
        self.total = self.total.saturating_add(item.points);
        self.breakdown.push(item);
    }
}

/// One contribution to a score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreItem {
    /// Points added (negative to subtract).
    pub points: i32,
    /// Why, e.g. "Company size: 1000+" or a scoring rule's reason.
    pub reason: String,
    /// Where the points came from.
    pub source: ScoreSource,
}

/// The origin of a score item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSource {
    /// A chosen option.
    Option {
        /// Question id.
        question: String,
        /// Option value.
        value: String,
    },
    /// A scoring rule, by 0-based position in `scoring`.
    Rule {
        /// 0-based rule position.
        index: usize,
    },
}

/// How far along the prospect is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Steps answered on the path.
    pub answered: usize,
    /// `answered` plus the steps still ahead if the branches went as they
    /// would now (unanswered questions taking their default route).
    pub estimated_total: usize,
}

/// Everything the server needs after each step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Question ids from the first question up to and including `current`.
    pub path: Vec<String>,
    /// The first question on the path not yet answered; `None` when ready
    /// to finish.
    pub current: Option<String>,
    /// The given answers restricted to the path.
    pub answers: Answers,
    /// Who they are.
    pub fit: Score,
    /// How ready they are to buy.
    pub intent: Score,
    /// The outcome that matches now; `None` only if no outcome matches.
    pub outcome: Option<String>,
    /// Answered and estimated total steps.
    pub progress: Progress,
}

impl Evaluation {
    /// True when every step on the path is answered.
    pub fn is_complete(&self) -> bool {
        self.current.is_none()
    }
}

/// Evaluates a definition (compiling it first; servers evaluating many
/// times should [`compile`] once and call [`CompiledForm::evaluate`]).
pub fn evaluate(def: &FormDefinition, answers: &Answers, hidden: &Hidden) -> Evaluation {
    compile(def).evaluate(answers, hidden)
}

pub(crate) fn evaluate_compiled(form: &CompiledForm, answers: &Answers, hidden: &Hidden) -> Evaluation {
    let mut visible = Visible::new(form, answers, hidden);
    let mut keeper = ScoreKeeper::new(form);
    let walked = walk(form, &mut visible, &mut keeper);
    let (fit, intent) = keeper.finish(form, &visible, &walked.path);
    visible.scores = Some((fit.total, intent.total));
    let outcome = first_matching_outcome(form, &visible);
    let questions = &form.def.questions;
    let answered = walked.path.len() - usize::from(walked.current.is_some());
    Evaluation {
        answers: walked
            .path
            .iter()
            .filter_map(|&q| Some((questions[q].id.clone(), visible.values[q]?.clone())))
            .collect(),
        path: walked.path.iter().map(|&q| questions[q].id.clone()).collect(),
        current: walked.current.map(|q| questions[q].id.clone()),
        fit,
        intent,
        outcome: outcome.map(|o| form.def.outcomes[o].id.clone()),
        progress: Progress { answered, estimated_total: answered + walked.steps_ahead },
    }
}

/// The answers visible to conditions: only those of questions on the path
/// so far, plus the hidden fields and (outside scoring) the running scores.
pub(crate) struct Visible<'a> {
    form: &'a CompiledForm<'a>,
    /// The given answer of each question, by position.
    pub values: Vec<Option<&'a AnswerValue>>,
    /// Read-only outside; extend the path with [`Visible::add_to_path`].
    pub on_path: Vec<bool>,
    hidden: &'a Hidden,
    pub scores: Option<(i32, i32)>,
    /// Each lead field's value and the position of the question it came
    /// from (the first on the path in document order wins).
    lead: [Option<(usize, Cow<'a, str>)>; LeadField::ALL.len()],
    derived: DerivedFacts,
}

impl<'a> Visible<'a> {
    fn new(form: &'a CompiledForm<'a>, answers: &'a Answers, hidden: &'a Hidden) -> Self {
        let mut values = vec![None; form.questions.len()];
        for (id, value) in answers {
            if let Some(&position) = form.index.get(id) {
                values[position] = Some(value);
            }
        }
        Self {
            form,
            on_path: vec![false; values.len()],
            values,
            hidden,
            scores: None,
            lead: Default::default(),
            derived: DerivedFacts::default(),
        }
    }

    /// Makes the question's answer (and any lead field it fills) visible.
    pub(crate) fn add_to_path(&mut self, question: usize) {
        self.on_path[question] = true;
        let Some(field) = self.form.def.questions[question].maps_to else {
            return;
        };
        let Some(text) = self.values[question].and_then(lead_text) else {
            return;
        };
        let slot = &mut self.lead[field.index()];
        if slot.as_ref().is_none_or(|(from, _)| *from > question) {
            self.derived.update(field, Some(&text), &self.form.domains);
            *slot = Some((question, text));
        }
    }
}

/// An answer as lead-field text; `None` when it says nothing.
fn lead_text(answer: &AnswerValue) -> Option<Cow<'_, str>> {
    let text = match answer {
        AnswerValue::Text(text) => Cow::Borrowed(text.as_str()),
        other => Cow::Owned(other.display_text()?),
    };
    (!text.trim().is_empty()).then_some(text)
}

impl FactSource for Visible<'_> {
    fn answer(&self, question: usize) -> Option<&AnswerValue> {
        self.values[question].filter(|_| self.on_path[question])
    }

    fn hidden(&self, field: &str) -> Option<&str> {
        self.hidden.get(field).map(String::as_str)
    }

    fn lead_field(&self, field: LeadField) -> Option<&str> {
        self.lead[field.index()].as_ref().map(|(_, text)| text.as_ref())
    }

    fn scores(&self) -> Option<(i32, i32)> {
        self.scores
    }

    fn derived(&self) -> &DerivedFacts {
        &self.derived
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::engine::definition::QuestionKind;
    use crate::engine::test_support::{form, large_form, mapped};

    #[test]
    fn a_compiled_form_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<CompiledForm<'static>>();
    }

    #[test]
    fn a_large_form_evaluates_quickly() {
        let (def, answers) = large_form(200, 1000);
        let form = compile(&def);
        let hidden = Hidden::new();
        let started = Instant::now();
        let result = form.evaluate(&answers, &hidden);
        for _ in 0..9 {
            assert_eq!(form.evaluate(&answers, &hidden), result);
        }
        // Release builds take well under a millisecond per call; this bound
        // is loose for unoptimised test builds and only catches blow-ups.
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert!(result.current.is_none() && result.path.len() > 150);
        assert_eq!(result.fit.total, result.fit.breakdown.iter().map(|i| i.points).sum::<i32>());
    }

    #[test]
    fn lead_fields_come_from_the_first_question_on_the_path() {
        let def = form(vec![
            mapped("work_email", QuestionKind::Email, LeadField::Email),
            mapped("other_email", QuestionKind::Email, LeadField::Email),
        ]);
        let form = compile(&def);
        let mut answers = Answers::new();
        answers.insert("other_email".into(), AnswerValue::Text("b@gmail.com".into()));
        answers.insert("work_email".into(), AnswerValue::Blank);
        let mut hidden = Hidden::new();
        hidden.insert("utm_source".into(), "ads".into());
        let result = form.evaluate(&answers, &hidden);
        assert_eq!(result.path, ["work_email", "other_email"]);
        assert!(result.is_complete());
        let fields = form.lead_fields(&result.answers);
        assert_eq!(fields.get(&LeadField::Email).map(String::as_str), Some("b@gmail.com"));
    }

    #[test]
    fn compiled_form_parses_answers_with_its_cached_pattern() {
        let mut code = mapped("code", QuestionKind::ShortText, LeadField::Company);
        code.validation.pattern = Some("[A-Z]{2}-[0-9]+".into());
        let form = CompiledForm::new(crate::engine::test_support::form(vec![code]));
        let parse = |raw: &str| form.parse_answer("code", &[raw.to_owned()]);
        assert_eq!(parse("AB-12"), Ok(AnswerValue::Text("AB-12".into())));
        assert!(parse("ab-12").is_err());
        assert!(parse("AB-12").is_ok(), "the cached pattern is reused");
        let unknown = form.parse_answer("nope", &[]).unwrap_err();
        assert_eq!(unknown.question, "nope");
        assert!(form.question("code").is_some());
    }

    #[test]
    fn evaluation_serialises_for_storage() {
        let (def, answers) = large_form(20, 8);
        let result = evaluate(&def, &answers, &Hidden::new());
        let json = serde_json::to_string(&result).unwrap();
        let back: Evaluation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, result);
        assert!(json.contains(r#""source":{"rule":{"index":"#), "{json}");
    }
}
