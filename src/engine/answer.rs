//! Answer values and turning raw form input into them, per question kind.
//! The kind-specific checks (email, phone, number, web address, text) live
//! in [`crate::engine::input`].

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::definition::{Question, QuestionKind};
use super::input;
use super::serde_helpers::format_number;

/// A parsed answer. Stored as JSON, e.g. `{"text": "Acme"}` or `"blank"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    /// Free text, an email address, a phone number, a web address, or the
    /// value of the option picked in a single choice or dropdown question.
    Text(String),
    /// A number.
    Number(f64),
    /// The values of the options picked in a multiple choice question.
    Choices(Vec<String>),
    /// A consent tick box and the text that was agreed to (or not).
    Consent {
        /// Whether the box was ticked.
        given: bool,
        /// The wording shown next to the box.
        text: String,
    },
    /// The step was passed with no value (optional question left empty, or a
    /// statement acknowledged).
    Blank,
}

impl AnswerValue {
    /// True when the value says something: not [`AnswerValue::Blank`], and
    /// not empty text or an empty choice list (which conditions treat alike).
    pub fn is_answered(&self) -> bool {
        match self {
            Self::Text(text) => !text.trim().is_empty(),
            Self::Choices(values) => values.iter().any(|value| !value.trim().is_empty()),
            Self::Blank => false,
            Self::Number(_) | Self::Consent { .. } => true,
        }
    }

    /// The value as one line of text (choices joined by ", ", consent as
    /// "yes"/"no"); `None` when blank.
    pub fn display_text(&self) -> Option<String> {
        match self {
            Self::Text(text) => Some(text.clone()),
            Self::Number(number) => Some(format_number(*number)),
            Self::Choices(values) => Some(values.join(", ")),
            Self::Consent { given, .. } => Some(consent_word(*given).to_owned()),
            Self::Blank => None,
        }
    }
}

/// How consent reads in conditions and lead fields.
pub(crate) fn consent_word(given: bool) -> &'static str {
    if given { "yes" } else { "no" }
}

/// Question id -> answer. Serialises as a JSON object.
pub type Answers = BTreeMap<String, AnswerValue>;

/// Hidden fields sent with the form (utm_source...).
pub type Hidden = BTreeMap<String, String>;

/// Why an answer was refused; the message is written for the prospect.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct AnswerError {
    /// The question id.
    pub question: String,
    /// What to fix, e.g. "Enter an email address like name@company.com".
    pub message: String,
}

/// Parses what the browser sent for a question. `raw` holds every value sent
/// for the question's field (multiple choice sends several). An unticked,
/// optional consent box is recorded as `Consent { given: false }`.
pub fn parse_answer(question: &Question, raw: &[String]) -> Result<AnswerValue, AnswerError> {
    // Invalid patterns are reported by lint; here they are simply not applied.
    let pattern = question.validation.pattern.as_deref().and_then(|pattern| full_match_regex(pattern).ok());
    parse_answer_with_pattern(question, raw, pattern.as_ref())
}

/// Builds a regex that must match the whole answer.
pub(crate) fn full_match_regex(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}

/// [`parse_answer`] with the question's pattern already compiled.
pub(crate) fn parse_answer_with_pattern(
    question: &Question,
    raw: &[String],
    pattern: Option<&Regex>,
) -> Result<AnswerValue, AnswerError> {
    let fail = |message: String| AnswerError { question: question.id.clone(), message };
    let values: Vec<&str> = raw.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    match question.kind {
        QuestionKind::Statement => Ok(AnswerValue::Blank),
        QuestionKind::Consent => parse_consent(question, &values).map_err(fail),
        QuestionKind::MultipleChoice if !values.is_empty() => parse_multiple_choice(question, &values).map_err(fail),
        _ if values.is_empty() && question.required => Err(fail(NEEDS_ANSWER.to_owned())),
        _ if values.is_empty() => Ok(AnswerValue::Blank),
        _ if values.len() > 1 => Err(fail(one_answer_message(question.kind))),
        _ => parse_single(question, values[0], pattern).map_err(fail),
    }
}

const NEEDS_ANSWER: &str = "This question needs an answer";

fn one_answer_message(kind: QuestionKind) -> String {
    if kind.is_choice() { "Choose only one option".to_owned() } else { "Give only one answer".to_owned() }
}

fn parse_single(question: &Question, value: &str, pattern: Option<&Regex>) -> Result<AnswerValue, String> {
    let validation = &question.validation;
    let text = match question.kind {
        QuestionKind::SingleChoice | QuestionKind::Dropdown => {
            return find_option(question, value).map(AnswerValue::Text);
        }
        QuestionKind::Number => return input::number(value, validation).map(AnswerValue::Number),
        QuestionKind::Email => input::email(value)?,
        QuestionKind::Phone => input::phone(value)?,
        QuestionKind::Url => input::url(value)?,
        // A one-line field: a browser cannot send a line break in it, so one is refused.
        QuestionKind::ShortText if value.contains(['\n', '\r']) => return Err("Keep the answer on one line".to_owned()),
        QuestionKind::ShortText => input::text(value, validation, 200)?,
        _ => input::text(value, validation, 5000)?,
    };
    input::check_pattern(&text, pattern, validation)?;
    Ok(AnswerValue::Text(text))
}

fn parse_consent(question: &Question, values: &[&str]) -> Result<AnswerValue, String> {
    let given = values.iter().any(|v| !["false", "no", "off", "0"].contains(&v.to_lowercase().as_str()));
    if question.required && !given {
        return Err("Please tick the box to continue".to_owned());
    }
    Ok(AnswerValue::Consent { given, text: question.label.clone() })
}

fn parse_multiple_choice(question: &Question, values: &[&str]) -> Result<AnswerValue, String> {
    let mut picked = vec![false; question.options.len()];
    for value in values {
        let index = option_index(question, value).ok_or_else(|| not_an_option(value))?;
        picked[index] = true;
    }
    let chosen = question
        .options
        .iter()
        .zip(picked)
        .filter(|(_, picked)| *picked)
        .map(|(option, _)| option.value.clone())
        .collect();
    Ok(AnswerValue::Choices(chosen))
}

fn find_option(question: &Question, value: &str) -> Result<String, String> {
    option_index(question, value).map(|index| question.options[index].value.clone()).ok_or_else(|| not_an_option(value))
}

/// The option with this value: an exact match first, then ignoring case.
fn option_index(question: &Question, value: &str) -> Option<usize> {
    let options = &question.options;
    options.iter().position(|option| option.value.trim() == value).or_else(|| {
        let lowered = value.to_lowercase();
        options.iter().position(|option| option.value.trim().to_lowercase() == lowered)
    })
}

fn not_an_option(value: &str) -> String {
    format!("\"{value}\" is not one of the options; choose from the list")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::definition::{ChoiceOption, Validation};

    fn question(kind: QuestionKind, required: bool) -> Question {
        let options = ["small", "large", "huge"]
            .map(|value| ChoiceOption { value: value.into(), label: value.to_uppercase(), fit: 0, intent: 0 })
            .to_vec();
        Question {
            id: "q".into(),
            kind,
            label: "I agree to be contacted".into(),
            help: None,
            required,
            maps_to: None,
            options: if kind.is_choice() { options } else { vec![] },
            validation: Validation::default(),
            next: vec![],
        }
    }

    fn parse(question: &Question, raw: &[&str]) -> Result<AnswerValue, String> {
        let raw: Vec<String> = raw.iter().map(|v| v.to_string()).collect();
        parse_answer(question, &raw).map_err(|error| error.message)
    }

    #[test]
    fn required_and_empty_is_refused_optional_is_blank() {
        let required = question(QuestionKind::ShortText, true);
        assert_eq!(parse(&required, &["  "]).unwrap_err(), NEEDS_ANSWER);
        let optional = question(QuestionKind::ShortText, false);
        assert_eq!(parse(&optional, &[]), Ok(AnswerValue::Blank));
        let choices = question(QuestionKind::MultipleChoice, true);
        assert_eq!(parse(&choices, &[""]).unwrap_err(), NEEDS_ANSWER);
    }

    #[test]
    fn short_text_is_one_line_long_text_may_have_many() {
        let short = question(QuestionKind::ShortText, true);
        assert_eq!(parse(&short, &["Bob\nBcc: x@evil.example"]).unwrap_err(), "Keep the answer on one line");
        let long = question(QuestionKind::LongText, true);
        assert_eq!(parse(&long, &["line one\r\nline two"]), Ok(AnswerValue::Text("line one\nline two".into())));
    }

    #[test]
    fn statement_is_always_blank() {
        let statement = question(QuestionKind::Statement, true);
        assert_eq!(parse(&statement, &["whatever"]), Ok(AnswerValue::Blank));
    }

    #[test]
    fn consent_must_be_ticked_when_required() {
        let required = question(QuestionKind::Consent, true);
        assert_eq!(parse(&required, &[]).unwrap_err(), "Please tick the box to continue");
        assert_eq!(parse(&required, &["false"]).unwrap_err(), "Please tick the box to continue");
        let given = AnswerValue::Consent { given: true, text: "I agree to be contacted".into() };
        assert_eq!(parse(&required, &["false", "on"]), Ok(given));
        let optional = question(QuestionKind::Consent, false);
        assert!(matches!(parse(&optional, &[]), Ok(AnswerValue::Consent { given: false, .. })));
    }

    #[test]
    fn single_choice_must_be_one_option() {
        for kind in [QuestionKind::SingleChoice, QuestionKind::Dropdown] {
            let q = question(kind, true);
            assert_eq!(parse(&q, &[" Large "]), Ok(AnswerValue::Text("large".into())));
            assert!(parse(&q, &["tiny"]).unwrap_err().contains("\"tiny\""));
            assert_eq!(parse(&q, &["small", "large"]).unwrap_err(), "Choose only one option");
        }
    }

    #[test]
    fn multiple_choice_dedupes_in_option_order() {
        let q = question(QuestionKind::MultipleChoice, false);
        let parsed = parse(&q, &["huge", "small", "huge"]);
        assert_eq!(parsed, Ok(AnswerValue::Choices(vec!["small".into(), "huge".into()])));
        assert!(parse(&q, &["small", "tiny"]).is_err());
        assert_eq!(parse(&q, &[]), Ok(AnswerValue::Blank));
    }

    #[test]
    fn pattern_must_match_the_whole_answer() {
        let mut q = question(QuestionKind::ShortText, true);
        q.validation.pattern = Some("[A-Z]{3}".into());
        assert_eq!(parse(&q, &["ABC"]), Ok(AnswerValue::Text("ABC".into())));
        assert_eq!(parse(&q, &["ABCD"]).unwrap_err(), "The answer is not in the expected format");
        q.validation.pattern_message = Some("Use three capital letters".into());
        assert_eq!(parse(&q, &["ab"]).unwrap_err(), "Use three capital letters");
    }

    #[test]
    fn display_text_and_json_shape() {
        assert_eq!(AnswerValue::Number(10.0).display_text().as_deref(), Some("10"));
        let choices = AnswerValue::Choices(vec!["a".into(), "b".into()]);
        assert_eq!(choices.display_text().as_deref(), Some("a, b"));
        assert_eq!(AnswerValue::Blank.display_text(), None);
        assert_eq!(serde_json::to_string(&AnswerValue::Blank).unwrap(), "\"blank\"");
        let text = serde_json::to_string(&AnswerValue::Text("x".into())).unwrap();
        assert_eq!(text, r#"{"text":"x"}"#);
    }
}
