//! The form engine: definitions, answers, branching, scoring, outcomes and
//! lint, with no IO. The web server and storage call [`evaluate`] (or
//! [`compile`] once and [`CompiledForm::evaluate`]) on every step.

mod answer;
mod branching;
mod compiled;
mod condition;
mod condition_def;
mod definition;
mod evaluate;
mod facts;
mod format;
mod input;
mod lint;
mod lint_conditions;
mod lint_graph;
mod lint_questions;
mod outcome;
mod scoring;
mod serde_helpers;
mod value_test;

#[cfg(test)]
mod test_support;

pub use answer::{AnswerError, AnswerValue, Answers, Hidden, parse_answer};
pub use compiled::{CompiledForm, compile};
pub use condition_def::{Condition, DomainTest, ListRef, Test};
pub use definition::{
    BranchRule, ChoiceOption, Ending, FINISH, FormDefinition, FormSettings, Handoff, LeadField,
    Outcome, Question, QuestionKind, Resource, ScoringRule, Validation,
};
pub use evaluate::{Evaluation, Progress, Score, ScoreItem, ScoreSource, evaluate};
pub use facts::{
    builtin_list, email_domain, is_academic_domain, is_disposable_domain, is_free_mail_domain,
    lead_fields, title_words,
};
pub use lint::{Finding, Severity, lint};
pub use lint_conditions::MAX_CONDITION_DEPTH;
pub use lint_questions::is_valid_question_id;
pub use format::{
    DefinitionError, is_valid_slug, parse_definition_json, parse_definition_yaml, to_json, to_yaml,
};
