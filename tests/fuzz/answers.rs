//! Answer parsers: `parse_answer` for every question kind on random raw
//! input (random text, numbers that are not quite numbers, long and odd
//! Unicode, the corpus lines), with random limits. It never panics, and
//! what it accepts is within the question's rules.

use leadgate::engine::{AnswerValue, ChoiceOption, Question, QuestionKind, Validation, parse_answer};
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
        4 => any::<String>(),
        2 => prop::sample::select(corpus::answer_lines().to_vec()),
        1 => "[0-9eE+\\-.]{1,30}",
        1 => (1usize..20_000).prop_map(|n| "a".repeat(n)),
        1 => "[ \\t\\n\\u{a0}\\u{200b}\\u{feff}]{0,5}[a-z@.]{0,20}",
    ]
}

fn validation() -> impl Strategy<Value = Validation> {
    (
        prop::option::of(0u32..300),
        prop::option::of(0u32..6000),
        prop::option::of(any::<f64>()),
        prop::option::of(-1e6f64..1e6),
        prop::option::of(prop::sample::select(PATTERNS.to_vec())),
    )
        .prop_map(|(min_length, max_length, min, max, pattern)| Validation {
            min_length,
            max_length,
            min,
            max,
            pattern: pattern.map(str::to_string),
            pattern_message: None,
        })
}

fn question() -> impl Strategy<Value = Question> {
    (prop::sample::select(KINDS.to_vec()), any::<bool>(), validation()).prop_map(|(kind, required, validation)| {
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
    })
}

proptest! {
    #![proptest_config(crate::cases(1_000_000))]

    #[test]
    fn parse_answer_never_panics_and_accepts_only_what_the_question_allows(
        question in question(),
        raw in vec(raw_value(), 0..4),
    ) {
        match parse_answer(&question, &raw) {
            Err(error) => {
                prop_assert_eq!(error.question.as_str(), "q");
                prop_assert!(!error.message.trim().is_empty());
            }
            Ok(value) => check_accepted(&question, &value)?,
        }
    }
}

fn check_accepted(question: &Question, value: &AnswerValue) -> Result<(), TestCaseError> {
    let options: Vec<&str> = question.options.iter().map(|o| o.value.as_str()).collect();
    let v = &question.validation;
    match value {
        AnswerValue::Number(n) => {
            prop_assert!(n.is_finite());
            prop_assert!(v.min.is_none_or(|min| *n >= min) && v.max.is_none_or(|max| *n <= max));
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
