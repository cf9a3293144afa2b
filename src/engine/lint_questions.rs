//! Lint checks of each question on its own: ids, options, validation,
//! lead-field mappings and goto targets.

use std::collections::{HashMap, HashSet};

use super::answer::full_match_regex;
use super::condition_def::Condition;
use super::definition::{FINISH, FormDefinition, LeadField, Question, QuestionKind};
use super::lint::Finding;
use super::value_test::normalize;

/// "question company_size".
pub(crate) fn question_location(id: &str) -> String {
    format!("question {id}")
}

/// "question company_size, branch 2" (branches count from 1).
pub(crate) fn branch_location(id: &str, branch: usize) -> String {
    format!("question {id}, branch {}", branch + 1)
}

/// True for [a-z0-9_]+ other than `finish`.
pub fn is_valid_question_id(id: &str) -> bool {
    !id.is_empty() && id != FINISH && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

pub(crate) fn check_questions(def: &FormDefinition, index: &HashMap<&str, usize>, findings: &mut Vec<Finding>) {
    let mut field_owner: HashMap<LeadField, &str> = HashMap::new();
    for (position, question) in def.questions.iter().enumerate() {
        let location = question_location(&question.id);
        check_id(question, position, index, &location, findings);
        check_options(question, &location, findings);
        check_validation(question, &location, findings);
        if question.kind == QuestionKind::Statement && question.required {
            findings
                .push(Finding::warning(&location, "A statement has no answer, so marking it required has no effect."));
        }
        if let Some(field) = question.maps_to
            && let Some(first) = field_owner.insert(field, &question.id)
        {
            findings.push(Finding::warning(
                &location,
                format!(
                    "Question \"{first}\" also fills the {} lead field; the first one answered is used.",
                    field.label().to_lowercase()
                ),
            ));
        }
        check_branches(question, index, findings);
    }
}

fn check_id(
    question: &Question,
    position: usize,
    index: &HashMap<&str, usize>,
    location: &str,
    findings: &mut Vec<Finding>,
) {
    if !is_valid_question_id(&question.id) {
        findings.push(Finding::error(location, format!(
            "The question id \"{}\" must use only lowercase letters, digits and underscores, and must not be \"finish\".",
            question.id
        )));
    }
    if index.get(question.id.as_str()) != Some(&position) {
        findings.push(Finding::error(
            location,
            format!("The question id \"{}\" is used by more than one question.", question.id),
        ));
    }
}

fn kind_name(kind: QuestionKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(|name| name.replace('_', " ")))
        .unwrap_or_default()
}

fn check_options(question: &Question, location: &str, findings: &mut Vec<Finding>) {
    let kind = kind_name(question.kind);
    if !question.is_choice() {
        if !question.options.is_empty() {
            findings.push(Finding::warning(location, format!("Options are ignored on a {kind} question.")));
        }
        return;
    }
    if question.options.is_empty() {
        findings.push(Finding::error(location, format!("A {kind} question needs at least one option.")));
    }
    let mut seen = HashSet::new();
    for (number, option) in question.options.iter().enumerate() {
        let option_location = format!("{location}, option {}", number + 1);
        let value = normalize(&option.value);
        if value.is_empty() {
            findings.push(Finding::error(option_location, "The option needs a value."));
        } else if !seen.insert(value) {
            findings.push(Finding::error(
                option_location,
                format!("The option value \"{}\" is used more than once in this question.", option.value),
            ));
        }
    }
}

fn check_validation(question: &Question, location: &str, findings: &mut Vec<Finding>) {
    let validation = &question.validation;
    if let Some(pattern) = &validation.pattern
        && full_match_regex(pattern).is_err()
    {
        findings
            .push(Finding::error(location, format!("The pattern \"{pattern}\" is not a valid regular expression.")));
    }
    if let (Some(min), Some(max)) = (validation.min_length, validation.max_length)
        && min > max
    {
        findings.push(Finding::error(
            location,
            format!("The minimum length ({min}) is larger than the maximum length ({max})."),
        ));
    }
    if let (Some(min), Some(max)) = (validation.min, validation.max)
        && min > max
    {
        findings.push(Finding::error(location, format!("The minimum ({min}) is larger than the maximum ({max}).")));
    }
    // NaN compares false with everything: as a limit it would let any number through.
    for (name, limit) in [("minimum", validation.min), ("maximum", validation.max)] {
        if limit.is_some_and(|l| !l.is_finite()) {
            findings
                .push(Finding::error(location, format!("The {name} must be an ordinary number, not NaN or infinity.")));
        }
    }
}

/// True when a branch rule always matches (no `when`, or `always`).
pub(crate) fn is_unconditional(when: Option<&Condition>) -> bool {
    matches!(when, None | Some(Condition::Always))
}

fn check_branches(question: &Question, index: &HashMap<&str, usize>, findings: &mut Vec<Finding>) {
    let mut always_at: Option<usize> = None;
    for (number, rule) in question.next.iter().enumerate() {
        let location = branch_location(&question.id, number);
        let target = rule.goto.trim();
        if target != FINISH && !index.contains_key(target) {
            findings.push(Finding::error(
                &location,
                format!("The goto target \"{}\" is neither a question id nor \"finish\".", rule.goto),
            ));
        }
        if let Some(earlier) = always_at {
            findings.push(Finding::warning(
                &location,
                format!("This branch is never used because branch {} always matches.", earlier + 1),
            ));
        } else if is_unconditional(rule.when.as_ref()) {
            always_at = Some(number);
        }
    }
}
