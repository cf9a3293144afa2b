//! Shared builders for the engine's unit tests.

use super::condition_def::Condition;
use super::definition::{
    BranchRule, ChoiceOption, Ending, FormDefinition, FormSettings, Handoff, LeadField, Outcome, Question,
    QuestionKind, Validation,
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
    BranchRule { when, goto: target.into() }
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
    Condition::Answer { question: question.into(), is }
}

/// A form of `questions` choice questions (the first three fill email, job
/// title and country) and `rules` scoring rules of every kind, with a branch
/// reading the fit score every tenth question; plus answers for all of it.
pub(crate) fn large_form(questions: usize, rules: usize) -> (FormDefinition, super::Answers) {
    use super::condition_def::{DomainTest, ListRef, Test};
    let mut list = vec![
        mapped("email", QuestionKind::Email, LeadField::Email),
        mapped("title", QuestionKind::ShortText, LeadField::JobTitle),
        mapped("country", QuestionKind::ShortText, LeadField::Country),
    ];
    for position in list.len()..questions {
        let mut q = choice(&format!("q{position}"), &[("a", 1, 0), ("b", 0, 2)]);
        if position % 10 == 0 && position + 2 < questions {
            q.next = vec![
                goto(Some(answer_is(&q.id, Test::Equals("b".into()))), &format!("q{}", position + 2)),
                goto(Some(Condition::Fit(Test::Gte(1000.0))), "finish"),
            ];
        }
        list.push(q);
    }
    let mut def = form(list);
    let choice_question = |rule: usize| format!("q{}", 3 + rule % (questions - 3));
    def.scoring = (0..rules)
        .map(|rule| super::definition::ScoringRule {
            when: match rule % 4 {
                0 => answer_is(&choice_question(rule), Test::In(vec!["b".into(), "c".into()])),
                1 => Condition::EmailDomain(DomainTest::Disposable),
                2 => Condition::JobTitleHasWord(ListRef::Inline(vec!["intern".into(), "head of".into()])),
                _ => Condition::CountryIn(ListRef::Named("eu_countries".into())),
            },
            fit: 1,
            intent: 1,
            reason: format!("Rule {rule}"),
        })
        .collect();
    let mut answers = super::Answers::new();
    let text = |value: &str| super::AnswerValue::Text(value.into());
    answers.insert("email".into(), text("ann@acme.example"));
    answers.insert("title".into(), text("Head of Sales"));
    answers.insert("country".into(), text("DE"));
    for position in 3..questions {
        answers.insert(format!("q{position}"), text(if position % 3 == 0 { "b" } else { "a" }));
    }
    (def, answers)
}
