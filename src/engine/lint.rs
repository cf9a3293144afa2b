//! Lint: everything wrong or suspicious in a definition, as findings a
//! marketer can act on. Errors should block publishing; warnings should not.
//!
//! Question checks are in `lint_questions`, the flow graph (cycles,
//! reachability, what is answered where) in `lint_graph`, and condition
//! checks in `lint_conditions`.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::definition::{FormDefinition, Handoff, Outcome};
use super::format::{is_valid_slug, slug_message};
use super::lint_conditions::check_conditions;
use super::lint_graph::FlowGraph;
use super::lint_questions::check_questions;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The form is broken; do not publish.
    Error,
    /// Probably a mistake, but the form works.
    Warning,
}

/// One problem found in a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where, e.g. "question company_size, branch 2", "outcome tier1",
    /// "scoring rule 3" (branches, options and rules count from 1).
    pub location: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Finding {
    pub(crate) fn error(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, location: location.into(), message: message.into() }
    }

    pub(crate) fn warning(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, location: location.into(), message: message.into() }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Checks a definition; an empty result means nothing to report.
pub fn lint(def: &FormDefinition) -> Vec<Finding> {
    let mut findings = Vec::new();
    check_form(def, &mut findings);
    let index = first_positions(def);
    check_questions(def, &index, &mut findings);
    let graph = FlowGraph::build(def, &index);
    graph.check(def, &mut findings);
    check_conditions(def, &index, &graph, &mut findings);
    check_outcomes(def, &mut findings);
    findings
}

/// Question id -> position of the first question with that id.
fn first_positions(def: &FormDefinition) -> HashMap<&str, usize> {
    let mut index = HashMap::with_capacity(def.questions.len());
    for (position, question) in def.questions.iter().enumerate() {
        index.entry(question.id.as_str()).or_insert(position);
    }
    index
}

fn check_form(def: &FormDefinition, findings: &mut Vec<Finding>) {
    if !is_valid_slug(&def.slug) {
        findings.push(Finding::error("form", slug_message(&def.slug)));
    }
    if def.title.trim().is_empty() {
        findings.push(Finding::error("form", "The form needs a title."));
    }
    if def.questions.is_empty() {
        findings.push(Finding::error("form", "The form has no questions."));
    }
    if def.outcomes.is_empty() {
        findings.push(Finding::error("form", "The form has no outcomes, so no lead would know where to go."));
    }
}

fn outcome_location(id: &str) -> String {
    format!("outcome {id}")
}

fn check_outcomes(def: &FormDefinition, findings: &mut Vec<Finding>) {
    let mut ids = HashSet::new();
    let mut conditions: HashMap<String, &str> = HashMap::new();
    let mut catch_all: Option<&str> = None;
    for outcome in &def.outcomes {
        let location = outcome_location(&outcome.id);
        if outcome.id.trim().is_empty() {
            findings.push(Finding::error(&location, "The outcome needs an id."));
        } else if !ids.insert(outcome.id.as_str()) {
            findings
                .push(Finding::error(&location, format!("The outcome id \"{}\" is used more than once.", outcome.id)));
        }
        if let Some(first) = catch_all {
            findings.push(Finding::warning(
                &location,
                format!("This outcome is shadowed: the catch-all outcome \"{first}\" before it always matches first."),
            ));
        } else if let Some(earlier) = earlier_with_same_condition(outcome, &mut conditions) {
            findings.push(Finding::warning(
                &location,
                format!("This outcome is shadowed: outcome \"{earlier}\" has the same condition and comes first."),
            ));
        }
        if outcome.is_catch_all() {
            catch_all.get_or_insert(&outcome.id);
        }
        check_handoff(&outcome.handoff, &location, findings);
        check_resources(outcome, &location, findings);
    }
    if let Some(last) = def.outcomes.last().filter(|last| !last.is_catch_all()) {
        findings.push(Finding::error(
            outcome_location(&last.id),
            "The last outcome must be a catch-all (no `when`) so every lead gets an outcome.",
        ));
    }
}

/// Resource links are shown to prospects: only web addresses, never
/// `javascript:` or other schemes a browser would run.
fn check_resources(outcome: &Outcome, location: &str, findings: &mut Vec<Finding>) {
    for resource in &outcome.ending.resources {
        if !is_web_url(&resource.url) {
            findings.push(Finding::error(
                location,
                format!("The resource \"{}\" needs a web address starting with https:// or http://.", resource.title),
            ));
        }
    }
}

/// An absolute http(s) address with a host.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// Remembers the outcome's condition; returns an earlier outcome with the
/// same one. Conditions are compared by their JSON form to stay linear.
fn earlier_with_same_condition<'a>(outcome: &'a Outcome, seen: &mut HashMap<String, &'a str>) -> Option<&'a str> {
    let key = serde_json::to_string(outcome.when.as_ref()?).ok()?;
    match seen.entry(key) {
        Entry::Occupied(earlier) => Some(earlier.get()),
        Entry::Vacant(slot) => {
            slot.insert(&outcome.id);
            None
        }
    }
}

fn check_handoff(handoff: &Handoff, location: &str, findings: &mut Vec<Finding>) {
    match handoff {
        Handoff::Route(pool) if pool.trim().is_empty() => {
            findings.push(Finding::error(location, "The route handoff needs the name of a pool of reps."))
        }
        Handoff::Disqualify(reason) if reason.trim().is_empty() => {
            findings.push(Finding::warning(location, "Give a reason for disqualifying, for the record."))
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
