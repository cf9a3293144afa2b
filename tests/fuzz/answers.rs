//! Answer parsers: `parse_answer` for every question kind on random raw
//! input (random text, numbers that are not quite numbers, long and odd
//! Unicode, the corpus lines), with random limits. It never panics, and
//! what it accepts is within the question's rules.

use leadgate::engine::{
    AnswerValue, ChoiceOption, CompiledForm, Ending, FormDefinition, FormSettings, Handoff, Outcome, Question,
    QuestionKind, Validation, parse_answer,
};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::corpus;

const KINDS: [QuestionKind; 11] = [
    QuestionKind::SingleChoice,
    QuestionKind::MultipleChoice,
    QuestionKind::Dropdown,
    QuestionKind::ShortText,
    QuestionKind::LongText,
    QuestionKind::Email,
    QuestionKind::Phone,
    QuestionKind::Number,
    QuestionKind::Url,
    QuestionKind::Consent,
    QuestionKind::Statement,
];

const PATTERNS: [&str; 6] = ["[A-Z]{3}", "(", "(a+)+$", ".*", "\\d{2,}", "[^\\x00]*"];

fn raw_value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => any::<String>(),
        4 => prop::sample::select(corpus::answer_lines().to_vec()),
        2 => (any::<i64>(), prop::sample::select(vec!["", "e9", "e999", ".5", "e-400", "%", " ", "_0"]))
            .prop_map(|(n, tail)| format!("{n}{tail}")),
        1 => (1usize..6_000).prop_map(|n| "é".repeat(n)),
        1 => prop::collection::vec(prop::sample::select(vec![" ", "\t", "\n", "\r\n", "\u{a0}", "\u{200b}", "\u{feff}", "a", "@", "."]), 0..12)
            .prop_map(|parts| parts.concat()),
    ]
}

/// The limits questions are tried with: none, tight, odd, and patterns
/// (one invalid, one that backtracking engines choke on).
fn validations() -> Vec<Validation> {
    let v = |min_length, max_length, min, max, pattern: Option<&str>| Validation {
        min_length,
        max_length,
        min,
        max,
        pattern: pattern.map(str::to_string),
        pattern_message: None,
    };
    let mut all = vec![
        Validation::default(),
        v(Some(2), Some(10), Some(1.0), Some(100.0), None),
        v(Some(5000), Some(1), Some(f64::MAX), Some(f64::MIN), None),
        v(None, Some(u32::MAX), Some(f64::NAN), Some(f64::INFINITY), None),
        v(Some(0), Some(0), Some(-0.0), Some(0.0), None),
    ];
    all.extend(PATTERNS.iter().map(|p| v(None, None, None, None, Some(p))));
    all
}

/// Every kind with every set of limits, required or not, compiled once (so
/// patterns are compiled once, as the server does).
fn questions() -> &'static [(Question, CompiledForm<'static>)] {
    static ALL: std::sync::OnceLock<Vec<(Question, CompiledForm<'static>)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Vec::new();
        for kind in KINDS {
            for validation in validations() {
                for required in [false, true] {
                    let question = question(kind, required, validation.clone());
                    let form = form_of(&question);
                    all.push((question, form));
                }
            }
        }
        all
    })
}

fn question(kind: QuestionKind, required: bool, validation: Validation) -> Question {
    let options = if kind.is_choice() {
        ["small", "Large", "1000+", "é"]
            .map(|v| ChoiceOption { value: v.into(), label: v.into(), fit: 0, intent: 0 })
            .to_vec()
    } else {
        Vec::new()
    };
    Question {
        id: "q".into(),
        kind,
        label: "Label".into(),
        help: None,
        required,
        maps_to: None,
        options,
        validation,
        next: Vec::new(),
    }
}

fn form_of(question: &Question) -> CompiledForm<'static> {
    let outcome = Outcome {
        id: "all".into(),
        tier: "All".into(),
        when: None,
        ending: Ending { title: "T".into(), message: "M".into(), resources: Vec::new(), offer_booking: false },
        handoff: Handoff::Nurture,
        accept_within_minutes: None,
    };
    CompiledForm::new(FormDefinition {
        slug: "answers".into(),
        title: "Answers".into(),
        intro: None,
        questions: vec![question.clone()],
        scoring: Vec::new(),
        lists: Default::default(),
        outcomes: vec![outcome],
        settings: FormSettings::default(),
    })
}

proptest! {
    #![proptest_config(crate::cases(2_000_000))]

    #[test]
    fn parse_answer_never_panics_and_accepts_only_what_the_question_allows(
        pick in any::<prop::sample::Index>(),
        raw in vec(raw_value(), 0..4),
    ) {
        let (question, form) = pick.get(questions());
        let parsed = form.parse_answer("q", &raw);
        match &parsed {
            Err(error) => {
                prop_assert_eq!(error.question.as_str(), "q");
                prop_assert!(!error.message.trim().is_empty());
            }
            Ok(value) => check_accepted(question, value)?,
        }
    }
}

#[test]
fn parse_answer_on_its_own_agrees_with_the_compiled_form_on_the_corpus() {
    for (question, form) in questions() {
        for line in corpus::answer_lines() {
            let raw = vec![line.clone()];
            assert_eq!(parse_answer(question, &raw), form.parse_answer("q", &raw), "{:?} {line:?}", question.kind);
        }
    }
}

fn check_accepted(question: &Question, value: &AnswerValue) -> Result<(), TestCaseError> {
    let options: Vec<&str> = question.options.iter().map(|o| o.value.as_str()).collect();
    let v = &question.validation;
    match value {
        AnswerValue::Number(n) => {
            prop_assert!(n.is_finite());
            // Lint refuses NaN limits (they would let anything through); ordinary ones hold.
            let min = v.min.filter(|m| !m.is_nan());
            let max = v.max.filter(|m| !m.is_nan());
            prop_assert!(min.is_none_or(|min| *n >= min) && max.is_none_or(|max| *n <= max), "{n}");
        }
        AnswerValue::Text(text) if question.kind.is_choice() => prop_assert!(options.contains(&text.as_str())),
        AnswerValue::Text(text) => {
            let limit = match question.kind {
                QuestionKind::ShortText => v.max_length.unwrap_or(200),
                QuestionKind::LongText => v.max_length.unwrap_or(5000),
                QuestionKind::Email => 254,
                QuestionKind::Phone => 40,
                _ => 2048,
            };
            prop_assert!(text.chars().count() <= limit as usize, "{} chars", text.chars().count());
            prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{text:?}");
            prop_assert!(text.trim() == text || question.kind == QuestionKind::LongText, "{text:?} is trimmed");
        }
        AnswerValue::Choices(chosen) => {
            prop_assert!(chosen.iter().all(|c| options.contains(&c.as_str())));
            let unique: std::collections::HashSet<_> = chosen.iter().collect();
            prop_assert_eq!(unique.len(), chosen.len());
        }
        AnswerValue::Consent { .. } => prop_assert_eq!(question.kind, QuestionKind::Consent),
        AnswerValue::Blank => {}
    }
    Ok(())
}
