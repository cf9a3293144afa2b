//! Lint checks of conditions (in branches, scoring rules and outcomes):
//! unknown questions and lists, nesting depth, scores read inside scoring,
//! lead fields nobody fills, and answers not asked on every path.

use std::collections::{BTreeSet, HashMap};

use super::condition_def::{Condition, DomainTest, ListRef, Test};
use super::definition::{FormDefinition, LeadField};
use super::facts::builtin_list;
use super::lint::Finding;
use super::lint_graph::FlowGraph;
use super::lint_questions::branch_location;

/// Conditions nested deeper than this are refused.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// Where a condition is evaluated, which decides what is surely answered.
#[derive(Clone, Copy)]
enum Site {
    /// In the branches of the question at this position.
    Branch(usize),
    /// In a scoring rule.
    Scoring,
    /// In an outcome (evaluated at finish).
    Outcome,
}

struct Checker<'a> {
    def: &'a FormDefinition,
    index: &'a HashMap<&'a str, usize>,
    graph: &'a FlowGraph,
    /// Questions filling each lead field, by [`LeadField::index`].
    fillers: [Vec<usize>; LeadField::ALL.len()],
}

pub(crate) fn check_conditions(
    def: &FormDefinition,
    index: &HashMap<&str, usize>,
    graph: &FlowGraph,
    findings: &mut Vec<Finding>,
) {
    let mut fillers: [Vec<usize>; LeadField::ALL.len()] = Default::default();
    for (position, question) in def.questions.iter().enumerate() {
        if let Some(field) = question.maps_to {
            fillers[field.index()].push(position);
        }
    }
    let checker = Checker { def, index, graph, fillers };
    for (position, question) in def.questions.iter().enumerate() {
        for (branch, rule) in question.next.iter().enumerate() {
            if let Some(when) = &rule.when {
                let location = branch_location(&question.id, branch);
                checker.check(when, Site::Branch(position), &location, findings);
            }
        }
    }
    for (number, rule) in def.scoring.iter().enumerate() {
        let location = format!("scoring rule {}", number + 1);
        checker.check(&rule.when, Site::Scoring, &location, findings);
    }
    for outcome in &def.outcomes {
        if let Some(when) = &outcome.when {
            checker.check(when, Site::Outcome, &format!("outcome {}", outcome.id), findings);
        }
    }
}

impl Checker<'_> {
    fn check(&self, condition: &Condition, site: Site, location: &str, findings: &mut Vec<Finding>) {
        let depth = condition.depth();
        if depth > MAX_CONDITION_DEPTH {
            findings.push(Finding::error(
                location,
                format!("This condition nests {depth} levels deep; the limit is {MAX_CONDITION_DEPTH}."),
            ));
        }
        let mut messages = BTreeSet::new();
        condition.walk(&mut |node| self.check_node(node, site, &mut messages));
        findings.extend(messages.into_iter().map(|(is_error, message)| {
            if is_error { Finding::error(location, message) } else { Finding::warning(location, message) }
        }));
    }

    /// Collects (is_error, message) pairs; the set drops repeats.
    fn check_node(&self, node: &Condition, site: Site, out: &mut BTreeSet<(bool, String)>) {
        match node {
            Condition::Answer { question, is } => {
                self.check_answer(question, is, site, out);
                self.check_test(is, out);
            }
            Condition::Hidden { is, .. } => self.check_test(is, out),
            Condition::Field { name, is } => {
                self.check_field(*name, site, out);
                self.check_test(is, out);
            }
            Condition::EmailDomain(test) => {
                if let DomainTest::List(name) = test {
                    self.check_list(name, out);
                }
                self.check_field(LeadField::Email, site, out);
            }
            Condition::JobTitleHasWord(list) => self.check_list_ref(list, LeadField::JobTitle, site, out),
            Condition::CountryIn(list) => self.check_list_ref(list, LeadField::Country, site, out),
            Condition::Fit(is) | Condition::Intent(is) => {
                if matches!(site, Site::Scoring) {
                    out.insert((
                        true,
                        "Scoring rules cannot use the fit or intent score, which they are computing.".to_owned(),
                    ));
                }
                self.check_test(is, out);
            }
            Condition::All(_) | Condition::Any(_) | Condition::Not(_) | Condition::Always => {}
        }
    }

    fn check_answer(&self, question: &str, is: &Test, site: Site, out: &mut BTreeSet<(bool, String)>) {
        let Some(&position) = self.index.get(question) else {
            out.insert((true, format!("This condition reads question \"{question}\", which does not exist.")));
            return;
        };
        if !is.is_presence_check() && !self.surely_answered(site, position) {
            out.insert((
                false,
                format!(
                    "This condition reads the answer to \"{question}\", which is not asked on every path {}.",
                    site_words(site)
                ),
            ));
        }
    }

    fn check_field(&self, field: LeadField, site: Site, out: &mut BTreeSet<(bool, String)>) {
        let fillers = &self.fillers[field.index()];
        let label = field.label().to_lowercase();
        if fillers.is_empty() {
            out.insert((
                false,
                format!("No question has maps_to: {}, so this {label} condition is never true.", field.as_str()),
            ));
        } else if !fillers.iter().any(|&q| self.surely_answered(site, q)) {
            out.insert((
                false,
                format!(
                    "This condition reads the {label}, but no question filling it is asked on every path {}.",
                    site_words(site)
                ),
            ));
        }
    }

    fn check_list_ref(&self, list: &ListRef, field: LeadField, site: Site, out: &mut BTreeSet<(bool, String)>) {
        if let ListRef::Named(name) = list {
            self.check_list(name, out);
        }
        self.check_field(field, site, out);
    }

    fn check_test(&self, test: &Test, out: &mut BTreeSet<(bool, String)>) {
        if let Test::InList(name) = test {
            self.check_list(name, out);
        }
    }

    fn check_list(&self, name: &str, out: &mut BTreeSet<(bool, String)>) {
        if !self.def.lists.contains_key(name) && builtin_list(name).is_none() {
            out.insert((true, format!("This condition uses the list \"{name}\", which is not defined under lists.")));
        }
    }

    /// Unreachable branches are reported elsewhere, so they never warn here.
    fn surely_answered(&self, site: Site, question: usize) -> bool {
        match site {
            Site::Branch(at) => !self.graph.is_reachable(at) || self.graph.answered_at_branches(at, question),
            Site::Scoring | Site::Outcome => self.graph.answered_at_finish(question),
        }
    }
}

fn site_words(site: Site) -> &'static str {
    match site {
        Site::Branch(_) => "before this point",
        Site::Scoring | Site::Outcome => "through the form",
    }
}
