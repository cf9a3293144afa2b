//! Applying one [`Test`] to one value (an answer, a hidden field, a lead
//! field or a score). Part of the single condition evaluator in
//! [`crate::engine::condition`].
//!
//! Text comparisons ignore case and surrounding spaces. Any test on a missing
//! value is false, except `not_answered`.

use std::borrow::Cow;

use super::answer::{AnswerValue, consent_word};
use super::condition_def::Test;
use super::serde_helpers::format_number;

/// Trims and lowercases, borrowing when nothing changes.
pub(crate) fn normalize(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    if trimmed.chars().any(char::is_uppercase) { Cow::Owned(trimmed.to_lowercase()) } else { Cow::Borrowed(trimmed) }
}

/// A [`Test`] with its texts normalised once, when the form is compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledTest(Test);

impl CompiledTest {
    /// Normalises the test's texts; `in_list` is resolved by `resolve_list`.
    pub(crate) fn new(test: &Test, resolve_list: impl Fn(&str) -> Vec<String>) -> Self {
        let one = |text: &String| normalize(text).into_owned();
        let many = |texts: &Vec<String>| texts.iter().map(one).collect();
        Self(match test {
            Test::Equals(v) => Test::Equals(one(v)),
            Test::NotEquals(v) => Test::NotEquals(one(v)),
            Test::In(vs) => Test::In(many(vs)),
            Test::NotIn(vs) => Test::NotIn(many(vs)),
            Test::InList(name) => Test::In(many(&resolve_list(name))),
            Test::Contains(v) => Test::Contains(one(v)),
            Test::ContainsAny(vs) => Test::ContainsAny(many(vs)),
            Test::ContainsAll(vs) => Test::ContainsAll(many(vs)),
            Test::StartsWith(v) => Test::StartsWith(one(v)),
            Test::EndsWith(v) => Test::EndsWith(one(v)),
            other => other.clone(),
        })
    }

    /// Applies the test; `None` is a missing value.
    pub(crate) fn holds(&self, subject: Option<Subject<'_>>) -> bool {
        let Some(subject) = subject else {
            return matches!(self.0, Test::NotAnswered);
        };
        match &self.0 {
            Test::Answered => true,
            Test::NotAnswered => false,
            Test::Equals(v) => subject.equals(v),
            Test::NotEquals(v) => !subject.equals(v),
            Test::In(vs) => subject.is_any_of(vs),
            Test::NotIn(vs) => !subject.is_any_of(vs),
            Test::Contains(v) => subject.contains(v),
            Test::ContainsAny(vs) => vs.iter().any(|v| subject.contains(v)),
            Test::ContainsAll(vs) => vs.iter().all(|v| subject.contains(v)),
            Test::StartsWith(v) => subject.texts.iter().any(|t| t.starts_with(v.as_str())),
            Test::EndsWith(v) => subject.texts.iter().any(|t| t.ends_with(v.as_str())),
            numeric => subject.number.is_some_and(|n| compare(numeric, n)),
        }
    }
}

fn compare(test: &Test, n: f64) -> bool {
    match *test {
        Test::Gt(limit) => n > limit,
        Test::Gte(limit) => n >= limit,
        Test::Lt(limit) => n < limit,
        Test::Lte(limit) => n <= limit,
        Test::Between(low, high) => low <= n && n <= high,
        _ => false,
    }
}

/// A value prepared for testing: normalised texts plus a numeric reading.
#[derive(Debug, Clone)]
pub(crate) struct Subject<'a> {
    texts: Vec<Cow<'a, str>>,
    number: Option<f64>,
    from_number: bool,
    from_choices: bool,
}

impl<'a> Subject<'a> {
    /// A text value; `None` when it is empty.
    pub(crate) fn text(text: &'a str) -> Option<Self> {
        let normalized = normalize(text);
        if normalized.is_empty() {
            return None;
        }
        let number = parse_number(&normalized);
        Some(Self { texts: vec![normalized], number, from_number: false, from_choices: false })
    }

    /// A number (an answer or a score).
    pub(crate) fn number(number: f64) -> Self {
        Self {
            texts: vec![Cow::Owned(format_number(number))],
            number: Some(number),
            from_number: true,
            from_choices: false,
        }
    }

    /// An answer; `None` when blank or empty.
    pub(crate) fn answer(answer: &'a AnswerValue) -> Option<Self> {
        match answer {
            AnswerValue::Text(text) => Self::text(text),
            AnswerValue::Number(number) => Some(Self::number(*number)),
            AnswerValue::Choices(values) => Self::choices(values),
            AnswerValue::Consent { given, .. } => Self::text(consent_word(*given)),
            AnswerValue::Blank => None,
        }
    }

    fn choices(values: &'a [String]) -> Option<Self> {
        let texts: Vec<Cow<'a, str>> =
            values.iter().map(|value| normalize(value)).filter(|value| !value.is_empty()).collect();
        let number = match texts.as_slice() {
            [only] => parse_number(only),
            _ => None,
        };
        (!texts.is_empty()).then_some(Self { texts, number, from_number: false, from_choices: true })
    }

    fn is_value(&self, text: &str, wanted: &str) -> bool {
        text == wanted || (self.from_number && parse_number(wanted) == self.number)
    }

    /// Exactly this value (for choices: only this option is chosen).
    fn equals(&self, wanted: &str) -> bool {
        match self.texts.as_slice() {
            [only] => self.is_value(only, wanted),
            _ => false,
        }
    }

    /// The value (or any chosen option) is one of these.
    fn is_any_of(&self, wanted: &[String]) -> bool {
        self.texts.iter().any(|text| wanted.iter().any(|w| self.is_value(text, w)))
    }

    /// Text: has the substring; choices: the option is chosen.
    fn contains(&self, wanted: &str) -> bool {
        if self.from_choices {
            self.texts.iter().any(|text| text == wanted)
        } else {
            self.texts.iter().any(|text| text.contains(wanted))
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(test: Test) -> CompiledTest {
        CompiledTest::new(&test, |name| match name {
            "sizes" => vec!["Large".into(), "Huge".into()],
            _ => vec![],
        })
    }

    fn on_text(test: Test, text: &str) -> bool {
        compiled(test).holds(Subject::text(text))
    }

    fn on_answer(test: Test, answer: &AnswerValue) -> bool {
        compiled(test).holds(Subject::answer(answer))
    }

    fn choices(values: &[&str]) -> AnswerValue {
        AnswerValue::Choices(values.iter().map(|v| v.to_string()).collect())
    }

    #[test]
    fn equals_ignores_case_and_spaces() {
        assert!(on_text(Test::Equals(" LinkedIn ".into()), "linkedin "));
        assert!(!on_text(Test::Equals("linked".into()), "linkedin"));
        assert!(on_answer(Test::Equals("1000".into()), &AnswerValue::Number(1000.0)));
        assert!(on_answer(Test::Equals("a".into()), &choices(&["A"])));
        assert!(!on_answer(Test::Equals("a".into()), &choices(&["a", "b"])));
    }

    #[test]
    fn not_equals_needs_an_answer() {
        assert!(on_text(Test::NotEquals("a".into()), "b"));
        assert!(!on_text(Test::NotEquals("a".into()), "A"));
        assert!(!compiled(Test::NotEquals("a".into())).holds(None));
        assert!(on_answer(Test::NotEquals("a".into()), &choices(&["a", "b"])));
    }

    #[test]
    fn in_and_not_in() {
        let sizes = || vec!["201-1000".to_string(), "1000+".to_string()];
        assert!(on_text(Test::In(sizes()), "1000+"));
        assert!(!on_text(Test::In(sizes()), "51-200"));
        assert!(on_answer(Test::In(sizes()), &choices(&["x", "1000+"])));
        assert!(on_text(Test::NotIn(sizes()), "51-200"));
        assert!(!on_text(Test::NotIn(sizes()), "1000+"));
        assert!(!compiled(Test::NotIn(sizes())).holds(None));
    }

    #[test]
    fn in_list_uses_the_resolved_list() {
        assert!(on_text(Test::InList("sizes".into()), "huge"));
        assert!(!on_text(Test::InList("sizes".into()), "small"));
        assert!(!on_text(Test::InList("unknown".into()), "huge"));
    }

    #[test]
    fn contains_is_substring_for_text_and_membership_for_choices() {
        assert!(on_text(Test::Contains("SALES".into()), "Head of Sales"));
        assert!(on_answer(Test::Contains("crm".into()), &choices(&["crm", "erp"])));
        assert!(!on_answer(Test::Contains("cr".into()), &choices(&["crm"])));
        let any = Test::ContainsAny(vec!["vp".into(), "chief".into()]);
        assert!(on_text(any.clone(), "Chief of Staff"));
        assert!(!on_text(any, "Engineer"));
        let all = Test::ContainsAll(vec!["crm".into(), "erp".into()]);
        assert!(on_answer(all.clone(), &choices(&["erp", "crm", "bi"])));
        assert!(!on_answer(all, &choices(&["erp"])));
    }

    #[test]
    fn starts_and_ends_with() {
        assert!(on_text(Test::StartsWith("head".into()), "Head of Sales"));
        assert!(!on_text(Test::StartsWith("sales".into()), "Head of Sales"));
        assert!(on_text(Test::EndsWith(".IO".into()), "https://acme.io"));
        assert!(!on_text(Test::EndsWith("acme".into()), "https://acme.io"));
    }

    #[test]
    fn numeric_comparisons() {
        let n = |number: f64| Some(Subject::number(number));
        assert!(compiled(Test::Gt(10.0)).holds(n(10.5)));
        assert!(!compiled(Test::Gt(10.0)).holds(n(10.0)));
        assert!(compiled(Test::Gte(10.0)).holds(n(10.0)));
        assert!(compiled(Test::Lt(0.0)).holds(n(-1.0)));
        assert!(!compiled(Test::Lt(0.0)).holds(n(0.0)));
        assert!(compiled(Test::Lte(0.0)).holds(n(0.0)));
        assert!(compiled(Test::Between(10.0, 40.0)).holds(n(10.0)));
        assert!(compiled(Test::Between(10.0, 40.0)).holds(n(40.0)));
        assert!(!compiled(Test::Between(10.0, 40.0)).holds(n(40.5)));
        assert!(on_text(Test::Gte(50.0), " 75 "));
        assert!(!on_text(Test::Gte(50.0), "lots"));
    }

    #[test]
    fn answered_and_not_answered() {
        assert!(on_text(Test::Answered, "x"));
        assert!(!on_text(Test::NotAnswered, "x"));
        assert!(!on_answer(Test::Answered, &AnswerValue::Blank));
        assert!(on_answer(Test::NotAnswered, &AnswerValue::Blank));
        assert!(compiled(Test::NotAnswered).holds(Subject::text("   ")));
        let consent = AnswerValue::Consent { given: true, text: "ok".into() };
        assert!(on_answer(Test::Equals("yes".into()), &consent));
    }

    #[test]
    fn every_test_but_not_answered_is_false_when_missing() {
        let all = [
            Test::Equals("a".into()),
            Test::NotEquals("a".into()),
            Test::In(vec!["a".into()]),
            Test::NotIn(vec!["a".into()]),
            Test::InList("sizes".into()),
            Test::Contains("a".into()),
            Test::ContainsAny(vec!["a".into()]),
            Test::ContainsAll(vec![]),
            Test::StartsWith("a".into()),
            Test::EndsWith("a".into()),
            Test::Gt(0.0),
            Test::Gte(0.0),
            Test::Lt(0.0),
            Test::Lte(0.0),
            Test::Between(0.0, 1.0),
            Test::Answered,
        ];
        for test in all {
            assert!(!compiled(test.clone()).holds(None), "{test:?}");
        }
        assert!(compiled(Test::NotAnswered).holds(None));
    }
}
