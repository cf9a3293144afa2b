//! The one entry point: given a form and the answers so far, the path, the
//! current question, the answers that still count, both scores with their
//! breakdown, the running outcome and the progress.

use serde::{Deserialize, Serialize};

use super::answer::{AnswerValue, Answers, Hidden};
use super::branching::walk;
use super::compiled::{CompiledForm, compile};
use super::condition::FactSource;
use super::definition::{FormDefinition, LeadField};
use super::facts::DomainCategories;
use super::outcome::first_matching_outcome;
use super::scoring::score;

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
    let walked = walk(form, &mut visible);
    visible.scores = None;
    let (fit, intent) = score(form, &visible, &walked.path);
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
        progress: Progress {
            answered,
            estimated_total: answered + walked.steps_ahead,
        },
    }
}

/// The answers visible to conditions: only those of questions on the path
/// so far, plus the hidden fields and (outside scoring) the running scores.
pub(crate) struct Visible<'a> {
    form: &'a CompiledForm,
    /// The given answer of each question, by position.
    pub values: Vec<Option<&'a AnswerValue>>,
    pub on_path: Vec<bool>,
    hidden: &'a Hidden,
    pub scores: Option<(i32, i32)>,
}

impl<'a> Visible<'a> {
    fn new(form: &'a CompiledForm, answers: &'a Answers, hidden: &'a Hidden) -> Self {
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
        }
    }
}

impl FactSource for Visible<'_> {
    fn answer(&self, question: usize) -> Option<&AnswerValue> {
        self.values[question].filter(|_| self.on_path[question])
    }

    fn hidden(&self, field: &str) -> Option<&str> {
        self.hidden.get(field).map(String::as_str)
    }

    fn lead_field(&self, field: LeadField) -> Option<String> {
        self.form.lead_questions[field.index()].iter().find_map(|&q| {
            let text = self.answer(q)?.display_text()?;
            (!text.trim().is_empty()).then_some(text)
        })
    }

    fn scores(&self) -> Option<(i32, i32)> {
        self.scores
    }

    fn domains(&self) -> &DomainCategories {
        &self.form.domains
    }
}
