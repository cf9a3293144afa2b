//! Shared builders for the engine's unit tests.

use super::condition_def::Condition;
use super::definition::{
    BranchRule, ChoiceOption, Ending, FormDefinition, FormSettings, Handoff, LeadField, Outcome,
    Question, QuestionKind, Validation,
};

/// A question with no options, validation or branches.
pub(crate) fn question(id: &str, kind: QuestionKind) -> Question {
    Question {
        id: id.into(),
        kind,
        label: format!("Label of {id}"),
        help: None,
        required: false,
        maps_to: None,
        options: vec![],
        validation: Validation::default(),
        next: vec![],
    }
}

/// A single-choice question whose options are `(value, fit, intent)`.
pub(crate) fn choice(id: &str, options: &[(&str, i32, i32)]) -> Question {
    let mut q = question(id, QuestionKind::SingleChoice);
    q.options = options
        .iter()
        .map(|(value, fit, intent)| ChoiceOption {
            value: (*value).into(),
            label: value.to_uppercase(),
            fit: *fit,
            intent: *intent,
        })
        .collect();
    q
}

/// A question that fills a lead field.
pub(crate) fn mapped(id: &str, kind: QuestionKind, field: LeadField) -> Question {
    let mut q = question(id, kind);
    q.maps_to = Some(field);
    q
}

/// A branch rule.
pub(crate) fn goto(when: Option<Condition>, target: &str) -> BranchRule {
    BranchRule {
        when,
        goto: target.into(),
    }
}

/// An outcome that nurtures, with an optional condition.
pub(crate) fn outcome(id: &str, when: Option<Condition>) -> Outcome {
    Outcome {
        id: id.into(),
        tier: id.to_uppercase(),
        when,
        ending: Ending {
            title: "Thanks".into(),
            message: "We will be in touch.".into(),
            resources: vec![],
            offer_booking: false,
        },
        handoff: Handoff::Nurture,
        accept_within_minutes: None,
    }
}

/// A form of the given questions with one catch-all outcome.
pub(crate) fn form(questions: Vec<Question>) -> FormDefinition {
    FormDefinition {
        slug: "test-form".into(),
        title: "Test form".into(),
        intro: None,
        questions,
        scoring: vec![],
        lists: Default::default(),
        outcomes: vec![outcome("everyone", None)],
        settings: FormSettings::default(),
    }
}

/// email, job_title, country and size questions in a straight line.
pub(crate) fn tiny_form() -> FormDefinition {
    form(vec![
        mapped("email", QuestionKind::Email, LeadField::Email),
        mapped("job_title", QuestionKind::ShortText, LeadField::JobTitle),
        mapped("country", QuestionKind::ShortText, LeadField::Country),
        choice("size", &[("small", 0, 0), ("large", 20, 0)]),
    ])
}

/// An `answer` condition.
pub(crate) fn answer_is(question: &str, is: super::condition_def::Test) -> Condition {
    Condition::Answer {
        question: question.into(),
        is,
    }
}
