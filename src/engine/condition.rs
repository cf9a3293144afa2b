//! The one condition evaluator, used by branching, scoring and outcomes.
//!
//! A [`Condition`] is compiled once per form (question ids resolved to
//! indexes, lists looked up and normalised) and then evaluated against a
//! [`FactSource`]: whatever answers, hidden fields and scores are visible at
//! that moment.

use std::collections::{HashMap, HashSet};

use super::answer::AnswerValue;
use super::condition_def::{Condition, DomainTest, ListRef};
use super::definition::{FormDefinition, LeadField};
use super::facts::{DomainCategories, domain_listed, domain_set, email_domain, has_phrase, named_list, title_words};
use super::value_test::{CompiledTest, Subject, normalize};

/// What a condition can see while it is evaluated.
pub(crate) trait FactSource {
    /// The answer to the question at this index, if visible.
    fn answer(&self, question: usize) -> Option<&AnswerValue>;
    /// A hidden field's value.
    fn hidden(&self, field: &str) -> Option<&str>;
    /// A lead field filled by a visible answer.
    fn lead_field(&self, field: LeadField) -> Option<String>;
    /// Running (fit, intent); `None` inside scoring, where scores are unknown.
    fn scores(&self) -> Option<(i32, i32)>;
    /// The form's email domain categories.
    fn domains(&self) -> &DomainCategories;
}

/// What compiling needs: the definition (for lists) and the question index.
pub(crate) struct CompileEnv<'a> {
    pub def: &'a FormDefinition,
    pub question_index: &'a HashMap<String, usize>,
}

impl CompileEnv<'_> {
    fn list(&self, name: &str) -> Vec<String> {
        named_list(self.def, name).unwrap_or_default()
    }

    fn list_ref(&self, list: &ListRef) -> Vec<String> {
        match list {
            ListRef::Named(name) => self.list(name),
            ListRef::Inline(items) => items.clone(),
        }
    }
}

/// A condition ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) enum CompiledCondition {
    All(Vec<CompiledCondition>),
    Any(Vec<CompiledCondition>),
    Not(Box<CompiledCondition>),
    Always,
    /// `None`: the question does not exist, so it is never answered.
    Answer(Option<usize>, CompiledTest),
    Hidden(String, CompiledTest),
    Field(LeadField, CompiledTest),
    EmailDomain(DomainCheck),
    /// Each phrase as its words.
    JobTitleHasWord(Vec<Vec<String>>),
    CountryIn(HashSet<String>),
    Fit(CompiledTest),
    Intent(CompiledTest),
}

/// A compiled [`DomainTest`].
#[derive(Debug, Clone)]
pub(crate) enum DomainCheck {
    Free,
    Disposable,
    Academic,
    List(HashSet<String>),
}

impl CompiledCondition {
    /// Compiles a condition; unknown questions and lists never match.
    pub(crate) fn compile(condition: &Condition, env: &CompileEnv<'_>) -> Self {
        let test = |test| CompiledTest::new(test, |name| env.list(name));
        let many = |items: &[Condition]| items.iter().map(|c| Self::compile(c, env)).collect();
        match condition {
            Condition::All(items) => Self::All(many(items)),
            Condition::Any(items) => Self::Any(many(items)),
            Condition::Not(inner) => Self::Not(Box::new(Self::compile(inner, env))),
            Condition::Always => Self::Always,
            Condition::Answer { question, is } => {
                Self::Answer(env.question_index.get(question).copied(), test(is))
            }
            Condition::Hidden { field, is } => Self::Hidden(field.trim().to_owned(), test(is)),
            Condition::Field { name, is } => Self::Field(*name, test(is)),
            Condition::EmailDomain(domain_test) => Self::EmailDomain(match domain_test {
                DomainTest::Free => DomainCheck::Free,
                DomainTest::Disposable => DomainCheck::Disposable,
                DomainTest::Academic => DomainCheck::Academic,
                DomainTest::List(name) => DomainCheck::List(domain_set(&env.list(name))),
            }),
            Condition::JobTitleHasWord(list) => Self::JobTitleHasWord(
                env.list_ref(list).iter().map(|phrase| title_words(phrase)).collect(),
            ),
            Condition::CountryIn(list) => Self::CountryIn(
                env.list_ref(list).iter().map(|c| normalize(c).into_owned()).collect(),
            ),
            Condition::Fit(is) => Self::Fit(test(is)),
            Condition::Intent(is) => Self::Intent(test(is)),
        }
    }

    /// Evaluates the condition against what is visible now.
    pub(crate) fn holds(&self, facts: &impl FactSource) -> bool {
        match self {
            Self::All(items) => items.iter().all(|item| item.holds(facts)),
            Self::Any(items) => items.iter().any(|item| item.holds(facts)),
            Self::Not(inner) => !inner.holds(facts),
            Self::Always => true,
            Self::Answer(question, test) => {
                let answer = question.and_then(|index| facts.answer(index));
                test.holds(answer.and_then(Subject::answer))
            }
            Self::Hidden(field, test) => test.holds(facts.hidden(field).and_then(Subject::text)),
            Self::Field(field, test) => {
                let value = facts.lead_field(*field);
                test.holds(value.as_deref().and_then(Subject::text))
            }
            Self::EmailDomain(check) => email_domain_matches(check, facts),
            Self::JobTitleHasWord(phrases) => facts.lead_field(LeadField::JobTitle).is_some_and(|title| {
                let words = title_words(&title);
                phrases.iter().any(|phrase| has_phrase(&words, phrase))
            }),
            Self::CountryIn(countries) => facts
                .lead_field(LeadField::Country)
                .is_some_and(|country| countries.contains(normalize(&country).as_ref())),
            Self::Fit(test) => score_holds(test, facts.scores().map(|(fit, _)| fit)),
            Self::Intent(test) => score_holds(test, facts.scores().map(|(_, intent)| intent)),
        }
    }
}

fn email_domain_matches(check: &DomainCheck, facts: &impl FactSource) -> bool {
    let Some(email) = facts.lead_field(LeadField::Email) else {
        return false;
    };
    let Some(domain) = email_domain(&email).map(|d| normalize(d).into_owned()) else {
        return false;
    };
    let domains = facts.domains();
    match check {
        DomainCheck::Free => domains.is_free(&domain),
        DomainCheck::Disposable => domains.is_disposable(&domain),
        DomainCheck::Academic => domains.is_academic(&domain),
        DomainCheck::List(set) => domain_listed(&domain, set),
    }
}

/// Scores are unknown inside scoring rules, where any score test is false.
fn score_holds(test: &CompiledTest, score: Option<i32>) -> bool {
    score.is_some_and(|score| test.holds(Some(Subject::number(f64::from(score)))))
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
