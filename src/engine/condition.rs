//! The one condition evaluator, used by branching, scoring and outcomes.
//!
//! A [`Condition`] is compiled once per form (question ids resolved to
//! indexes, lists looked up and normalised) and then evaluated against a
//! [`FactSource`]: whatever answers, hidden fields and scores are visible at
//! that moment.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::answer::AnswerValue;
use super::condition_def::{Condition, DomainTest, ListRef};
use super::definition::{FormDefinition, LeadField};
use super::facts::{DerivedFacts, domain_listed, domain_set, has_phrase, named_list, title_words};
use super::value_test::{CompiledTest, Subject, normalize};

/// What a condition can see while it is evaluated.
pub(crate) trait FactSource {
    /// The answer to the question at this index, if visible.
    fn answer(&self, question: usize) -> Option<&AnswerValue>;
    /// A hidden field's value.
    fn hidden(&self, field: &str) -> Option<&str>;
    /// A lead field filled by a visible answer.
    fn lead_field(&self, field: LeadField) -> Option<&str>;
    /// Email domain category, title words and country of the lead.
    fn derived(&self) -> &DerivedFacts;
    /// Running (fit, intent); `None` inside scoring, where scores are unknown.
    fn scores(&self) -> Option<(i32, i32)>;
}

/// What compiling needs: the definition (for lists) and the question
/// index. Named lists are prepared once per use and shared.
pub(crate) struct CompileEnv<'a> {
    def: &'a FormDefinition,
    question_index: &'a HashMap<String, usize>,
    domain_lists: RefCell<HashMap<String, Arc<HashSet<String>>>>,
    country_lists: RefCell<HashMap<String, Arc<HashSet<String>>>>,
    phrase_lists: RefCell<HashMap<String, Arc<Vec<Vec<String>>>>>,
}

impl<'a> CompileEnv<'a> {
    pub(crate) fn new(def: &'a FormDefinition, question_index: &'a HashMap<String, usize>) -> Self {
        Self {
            def,
            question_index,
            domain_lists: RefCell::default(),
            country_lists: RefCell::default(),
            phrase_lists: RefCell::default(),
        }
    }

    fn list(&self, name: &str) -> Vec<String> {
        named_list(self.def, name).unwrap_or_default()
    }

    /// A list prepared by `prepare`, cached by name; inline lists are not cached.
    fn prepared<T>(
        &self,
        list: &ListRef,
        cache: &RefCell<HashMap<String, Arc<T>>>,
        prepare: impl Fn(&[String]) -> T,
    ) -> Arc<T> {
        let name = match list {
            ListRef::Inline(items) => return Arc::new(prepare(items)),
            ListRef::Named(name) => name,
        };
        if let Some(ready) = cache.borrow().get(name) {
            return Arc::clone(ready);
        }
        let ready = Arc::new(prepare(&self.list(name)));
        cache.borrow_mut().insert(name.clone(), Arc::clone(&ready));
        ready
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
    JobTitleHasWord(Arc<Vec<Vec<String>>>),
    CountryIn(Arc<HashSet<String>>),
    Fit(CompiledTest),
    Intent(CompiledTest),
}

/// A compiled [`DomainTest`].
#[derive(Debug, Clone)]
pub(crate) enum DomainCheck {
    Free,
    Disposable,
    Academic,
    List(Arc<HashSet<String>>),
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
            Condition::Answer { question, is } => Self::Answer(env.question_index.get(question).copied(), test(is)),
            Condition::Hidden { field, is } => Self::Hidden(field.trim().to_owned(), test(is)),
            Condition::Field { name, is } => Self::Field(*name, test(is)),
            Condition::EmailDomain(domain_test) => Self::EmailDomain(match domain_test {
                DomainTest::Free => DomainCheck::Free,
                DomainTest::Disposable => DomainCheck::Disposable,
                DomainTest::Academic => DomainCheck::Academic,
                DomainTest::List(name) => {
                    DomainCheck::List(
                        env.prepared(&ListRef::Named(name.clone()), &env.domain_lists, |items| domain_set(items)),
                    )
                }
            }),
            Condition::JobTitleHasWord(list) => {
                Self::JobTitleHasWord(env.prepared(list, &env.phrase_lists, |items| {
                    items.iter().map(|phrase| title_words(phrase)).collect()
                }))
            }
            Condition::CountryIn(list) => {
                Self::CountryIn(env.prepared(list, &env.country_lists, |items| {
                    items.iter().map(|c| normalize(c).into_owned()).collect()
                }))
            }
            Condition::Fit(is) => Self::Fit(test(is)),
            Condition::Intent(is) => Self::Intent(test(is)),
        }
    }

    /// Adds the positions of the questions this condition reads, directly or
    /// through lead fields (`fillers` lists each field's questions).
    pub(crate) fn read_questions(&self, fillers: &[Vec<usize>], out: &mut Vec<usize>) {
        let field = |field: LeadField| fillers[field.index()].iter().copied();
        match self {
            Self::All(items) | Self::Any(items) => {
                items.iter().for_each(|item| item.read_questions(fillers, out));
            }
            Self::Not(inner) => inner.read_questions(fillers, out),
            Self::Answer(Some(question), _) => out.push(*question),
            Self::Field(name, _) => out.extend(field(*name)),
            Self::EmailDomain(_) => out.extend(field(LeadField::Email)),
            Self::JobTitleHasWord(_) => out.extend(field(LeadField::JobTitle)),
            Self::CountryIn(_) => out.extend(field(LeadField::Country)),
            _ => {}
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
            Self::Field(field, test) => test.holds(facts.lead_field(*field).and_then(Subject::text)),
            Self::EmailDomain(check) => email_domain_matches(check, facts.derived()),
            Self::JobTitleHasWord(phrases) => {
                let words = &facts.derived().title_words;
                phrases.iter().any(|phrase| has_phrase(words, phrase))
            }
            Self::CountryIn(countries) => facts.derived().country.as_ref().is_some_and(|c| countries.contains(c)),
            Self::Fit(test) => score_holds(test, facts.scores().map(|(fit, _)| fit)),
            Self::Intent(test) => score_holds(test, facts.scores().map(|(_, intent)| intent)),
        }
    }
}

fn email_domain_matches(check: &DomainCheck, derived: &DerivedFacts) -> bool {
    match check {
        DomainCheck::Free => derived.free_mail,
        DomainCheck::Disposable => derived.disposable,
        DomainCheck::Academic => derived.academic,
        DomainCheck::List(set) => derived.email_domain.as_deref().is_some_and(|d| domain_listed(d, set)),
    }
}

/// Scores are unknown inside scoring rules, where any score test is false.
fn score_holds(test: &CompiledTest, score: Option<i32>) -> bool {
    score.is_some_and(|score| test.holds(Some(Subject::number(f64::from(score)))))
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
