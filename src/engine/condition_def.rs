//! The condition language shared by branching, scoring and outcomes: its
//! types and serde shape. Evaluation lives in [`crate::engine::condition`].

use serde::{Deserialize, Serialize};

use super::definition::LeadField;
use super::serde_helpers::{lenient_string, lenient_strings};

/// A yes/no question about the lead, written in YAML like
/// `{ answer: { question: company_size, is: { in: ["201-1000", "1000+"] } } }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Every inner condition holds.
    All(Vec<Condition>),
    /// At least one inner condition holds.
    Any(Vec<Condition>),
    /// The inner condition does not hold.
    Not(Box<Condition>),
    /// Always holds.
    Always,
    /// Tests the answer to a question.
    Answer {
        /// Question id.
        question: String,
        /// The test applied to the answer.
        is: Test,
    },
    /// Tests a hidden field sent with the form (utm_source...).
    Hidden {
        /// Hidden field name.
        field: String,
        /// The test applied to its value.
        is: Test,
    },
    /// Tests a lead field filled by a question's `maps_to`.
    Field {
        /// The lead field.
        name: LeadField,
        /// The test applied to its value.
        is: Test,
    },
    /// Classifies the domain of the lead's email address.
    EmailDomain(DomainTest),
    /// The job title contains one of the words (or phrases).
    JobTitleHasWord(ListRef),
    /// The country is in the list (ISO codes or names).
    CountryIn(ListRef),
    /// Tests the running fit score.
    Fit(Test),
    /// Tests the running intent score.
    Intent(Test),
}

impl Condition {
    /// Nesting depth: a leaf is 1, `all: [leaf]` is 2.
    pub fn depth(&self) -> usize {
        match self {
            Self::All(items) | Self::Any(items) => 1 + items.iter().map(Condition::depth).max().unwrap_or(0),
            Self::Not(inner) => 1 + inner.depth(),
            _ => 1,
        }
    }

    /// Calls `visit` on this condition and every condition inside it.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Condition)) {
        visit(self);
        match self {
            Self::All(items) | Self::Any(items) => {
                items.iter().for_each(|item| item.walk(visit));
            }
            Self::Not(inner) => inner.walk(visit),
            _ => {}
        }
    }

    /// True when the condition (or anything inside it) reads fit or intent.
    pub fn reads_scores(&self) -> bool {
        let mut found = false;
        self.walk(&mut |node| {
            found |= matches!(node, Condition::Fit(_) | Condition::Intent(_));
        });
        found
    }
}

/// A category of email domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DomainTest {
    /// Free webmail (gmail.com, outlook.com...).
    Free,
    /// Throwaway inboxes (mailinator.com...).
    Disposable,
    /// Universities and schools (.edu, .ac.uk...).
    Academic,
    /// The domain (or a parent domain) is in the named list.
    List(String),
}

/// A list given by name (from the definition's `lists`) or written inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ListRef {
    /// The name of a list.
    Named(String),
    /// The entries themselves.
    Inline(Vec<String>),
}

impl<'de> Deserialize<'de> for ListRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Hand-written so the error reads "a list name or a list of words"
        // instead of serde's "did not match any variant".
        deserializer.deserialize_any(super::serde_helpers::ListRefVisitor)
    }
}

/// A test applied to one value. Text comparisons ignore case and
/// surrounding spaces; `between` is inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Test {
    /// Is exactly this value (for multiple choice: only this option).
    Equals(#[serde(deserialize_with = "lenient_string")] String),
    /// Is answered and is not this value.
    NotEquals(#[serde(deserialize_with = "lenient_string")] String),
    /// Is one of these values (multiple choice: any chosen one is).
    In(#[serde(deserialize_with = "lenient_strings")] Vec<String>),
    /// Is answered and none of these values.
    NotIn(#[serde(deserialize_with = "lenient_strings")] Vec<String>),
    /// Is one of the values of the named list.
    InList(String),
    /// Text: has this substring; multiple choice: this option is chosen.
    Contains(#[serde(deserialize_with = "lenient_string")] String),
    /// Contains at least one of these.
    ContainsAny(#[serde(deserialize_with = "lenient_strings")] Vec<String>),
    /// Contains every one of these.
    ContainsAll(#[serde(deserialize_with = "lenient_strings")] Vec<String>),
    /// Starts with this text.
    StartsWith(#[serde(deserialize_with = "lenient_string")] String),
    /// Ends with this text.
    EndsWith(#[serde(deserialize_with = "lenient_string")] String),
    /// Number greater than.
    Gt(f64),
    /// Number greater than or equal to.
    Gte(f64),
    /// Number less than.
    Lt(f64),
    /// Number less than or equal to.
    Lte(f64),
    /// Number from the first to the second, both included.
    Between(f64, f64),
    /// Has any answer.
    Answered,
    /// Has no answer (skipped or left blank).
    NotAnswered,
}

impl Test {
    /// True for tests that only ask whether there is an answer.
    pub fn is_presence_check(&self) -> bool {
        matches!(self, Self::Answered | Self::NotAnswered)
    }
}
