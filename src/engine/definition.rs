//! The form definition: questions, scoring rules, named lists, outcomes and
//! settings, with their serde shape (YAML and JSON alike).
//!
//! Conditions live in [`crate::engine::condition_def`]; reading and writing
//! whole definitions lives in [`crate::engine::format`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::condition_def::Condition;
pub use super::lead_field::LeadField;
use super::serde_helpers::{is_false, is_zero, lenient_string, unique_lists};

/// A whole form: what it asks, how it scores and where each lead goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// URL name: lowercase a-z, 0-9 and '-', 1 to 64 characters.
    pub slug: String,
    /// Title shown at the top of the form.
    pub title: String,
    /// Optional text shown before the first question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// Questions in document order; the first one starts the form.
    pub questions: Vec<Question>,
    /// Rules that add fit or intent points when their condition holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scoring: Vec<ScoringRule>,
    /// Named lists (competitors, job-title words, countries...). A list named
    /// `free_mail`, `disposable` or `academic` extends the built-in domain list.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "unique_lists")]
    pub lists: BTreeMap<String, Vec<String>>,
    /// Checked in order; the first whose condition holds is the lead's outcome.
    pub outcomes: Vec<Outcome>,
    /// Behaviour switches, all with defaults.
    #[serde(default, skip_serializing_if = "FormSettings::is_default")]
    pub settings: FormSettings,
}

/// Behaviour switches of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FormSettings {
    /// Answers sent sooner than this after the form opened are treated as a bot.
    pub min_seconds_before_first_answer: u32,
    /// Whether a prospect who looks like Tier 1 but leaves early still goes to sales.
    pub hand_abandoned_tier1_to_sales: bool,
}

impl Default for FormSettings {
    fn default() -> Self {
        Self { min_seconds_before_first_answer: 2, hand_abandoned_tier1_to_sales: false }
    }
}

impl FormSettings {
    /// True when every setting has its default value (kept out of exports).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// One step of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Identifier: lowercase a-z, 0-9 and '_', never `finish`.
    pub id: String,
    /// What sort of input the question takes.
    pub kind: QuestionKind,
    /// The question as the prospect reads it.
    pub label: String,
    /// Extra explanation under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Whether the prospect must answer before going on.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The lead field this answer fills in (email, company...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maps_to: Option<LeadField>,
    /// Choices for single choice, multiple choice and dropdown questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Limits on the answer.
    #[serde(default, skip_serializing_if = "Validation::is_empty")]
    pub validation: Validation,
    /// Where to go next; empty means the following question (or finish).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<BranchRule>,
}

impl Question {
    /// True for questions answered by picking options.
    pub fn is_choice(&self) -> bool {
        self.kind.is_choice()
    }
}

/// The input a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Pick exactly one option (radio buttons).
    SingleChoice,
    /// Pick any number of options (checkboxes).
    MultipleChoice,
    /// Pick one option from a drop-down list.
    Dropdown,
    /// One line of text.
    ShortText,
    /// A paragraph of text.
    LongText,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A number.
    Number,
    /// A web address.
    Url,
    /// A tick box agreeing to the label's text.
    Consent,
    /// Text to read, with no answer.
    Statement,
}

impl QuestionKind {
    /// True for kinds answered by picking options.
    pub fn is_choice(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultipleChoice | Self::Dropdown)
    }
}

/// One choice of a choice question, with the points it adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// The value stored and compared in conditions.
    #[serde(deserialize_with = "lenient_string")]
    pub value: String,
    /// The text shown to the prospect.
    pub label: String,
    /// Fit points added when chosen.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fit: i32,
    /// Intent points added when chosen.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub intent: i32,
}

/// Limits on an answer; every limit is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// Fewest characters for text answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Most characters for text answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Smallest allowed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// A regular expression the whole answer must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// What to tell the prospect when the pattern does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<String>,
}

impl Validation {
    /// True when no limit is set (kept out of exports).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Where to go after a question: the first rule whose condition holds wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchRule {
    /// No condition means the rule always matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// A question id, or `finish`.
    pub goto: String,
}

/// The goto target that ends the form.
pub const FINISH: &str = "finish";

/// Points added to fit and/or intent when a condition holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRule {
    /// When the points apply.
    pub when: Condition,
    /// Fit points (who they are).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fit: i32,
    /// Intent points (how ready they are to buy).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub intent: i32,
    /// Why, shown in the score breakdown.
    pub reason: String,
}

/// A possible result of the form: the ending shown and what happens next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Identifier, unique within the form.
    pub id: String,
    /// Label shown to people, e.g. "Tier 1".
    pub tier: String,
    /// No condition means a catch-all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// The screen the prospect sees at the end.
    pub ending: Ending,
    /// What happens to the lead.
    pub handoff: Handoff,
    /// How long a rep has to accept before routing falls back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_within_minutes: Option<u32>,
}

impl Outcome {
    /// True when the outcome matches every lead.
    pub fn is_catch_all(&self) -> bool {
        matches!(self.when, None | Some(Condition::Always))
    }
}

/// The final screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    /// Heading.
    pub title: String,
    /// Body text.
    pub message: String,
    /// Links offered to read next.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// Whether to show a meeting booking step.
    #[serde(default, skip_serializing_if = "is_false")]
    pub offer_booking: bool,
}

/// A link offered on an ending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Link text.
    pub title: String,
    /// Address.
    pub url: String,
}

/// What happens to a lead with this outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handoff {
    /// Route to the named pool of reps.
    Route(String),
    /// Put into marketing nurture.
    Nurture,
    /// Not a lead; the reason is recorded.
    Disqualify(String),
}
