//! Conditions in short words for people reading a diagram or a list of
//! rules, e.g. "company_size in 201-1000, 1000+" or "fit ≥ 60 and intent ≥ 50".

use super::condition_def::{Condition, DomainTest, ListRef, Test};
use super::serde_helpers::format_number;

/// The condition in short words.
pub fn describe_condition(condition: &Condition) -> String {
    describe(condition, false)
}

fn describe(condition: &Condition, nested: bool) -> String {
    match condition {
        Condition::All(items) => join(items, " and ", "always", nested),
        Condition::Any(items) => join(items, " or ", "never", nested),
        Condition::Not(inner) => format!("not {}", describe(inner, true)),
        Condition::Always => "always".to_owned(),
        Condition::Answer { question, is } => subject(question, is),
        Condition::Hidden { field, is } => subject(field, is),
        Condition::Field { name, is } => subject(&name.label().to_lowercase(), is),
        Condition::EmailDomain(test) => domain(test),
        Condition::JobTitleHasWord(list) => format!("job title has {}", list_words(list)),
        Condition::CountryIn(list) => format!("country in {}", list_words(list)),
        Condition::Fit(test) => subject("fit", test),
        Condition::Intent(test) => subject("intent", test),
    }
}

fn join(items: &[Condition], separator: &str, empty: &str, nested: bool) -> String {
    if items.is_empty() {
        return empty.to_owned();
    }
    let text = items.iter().map(|item| describe(item, true)).collect::<Vec<_>>().join(separator);
    if nested && items.len() > 1 { format!("({text})") } else { text }
}

fn subject(name: &str, test: &Test) -> String {
    format!("{name} {}", test_words(test))
}

fn test_words(test: &Test) -> String {
    let list = |values: &[String]| values.join(", ");
    match test {
        Test::Equals(value) => format!("= {value}"),
        Test::NotEquals(value) => format!("≠ {value}"),
        Test::In(values) => format!("in {}", list(values)),
        Test::NotIn(values) => format!("not in {}", list(values)),
        Test::InList(name) => format!("in list {name}"),
        Test::Contains(value) => format!("contains {value}"),
        Test::ContainsAny(values) => format!("contains any of {}", list(values)),
        Test::ContainsAll(values) => format!("contains all of {}", list(values)),
        Test::StartsWith(value) => format!("starts with {value}"),
        Test::EndsWith(value) => format!("ends with {value}"),
        Test::Gt(n) => format!("> {}", format_number(*n)),
        Test::Gte(n) => format!("≥ {}", format_number(*n)),
        Test::Lt(n) => format!("< {}", format_number(*n)),
        Test::Lte(n) => format!("≤ {}", format_number(*n)),
        Test::Between(low, high) => format!("{} to {}", format_number(*low), format_number(*high)),
        Test::Answered => "answered".to_owned(),
        Test::NotAnswered => "not answered".to_owned(),
    }
}

fn domain(test: &DomainTest) -> String {
    match test {
        DomainTest::Free => "free email address".to_owned(),
        DomainTest::Disposable => "disposable email address".to_owned(),
        DomainTest::Academic => "academic email address".to_owned(),
        DomainTest::List(name) => format!("email domain in {name}"),
    }
}

fn list_words(list: &ListRef) -> String {
    match list {
        ListRef::Named(name) => format!("list {name}"),
        ListRef::Inline(words) => words.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LeadField;

    fn answer(question: &str, is: Test) -> Condition {
        Condition::Answer { question: question.into(), is }
    }

    #[test]
    fn answers_read_as_question_and_test() {
        let size = answer("company_size", Test::In(vec!["201-1000".into(), "1000+".into()]));
        assert_eq!(describe_condition(&size), "company_size in 201-1000, 1000+");
        assert_eq!(describe_condition(&answer("budget", Test::Between(1.0, 2.5))), "budget 1 to 2.5");
        assert_eq!(describe_condition(&answer("notes", Test::NotAnswered)), "notes not answered");
    }

    #[test]
    fn nested_groups_get_brackets_and_the_top_level_does_not() {
        let both = Condition::All(vec![Condition::Fit(Test::Gte(60.0)), Condition::Intent(Test::Gte(50.0))]);
        assert_eq!(describe_condition(&both), "fit ≥ 60 and intent ≥ 50");
        let either = Condition::Any(vec![both, Condition::EmailDomain(DomainTest::Free)]);
        assert_eq!(describe_condition(&either), "(fit ≥ 60 and intent ≥ 50) or free email address");
        let not = Condition::Not(Box::new(Condition::CountryIn(ListRef::Named("eu".into()))));
        assert_eq!(describe_condition(&not), "not country in list eu");
    }

    #[test]
    fn lead_fields_and_hidden_fields_are_named_in_words() {
        let field = Condition::Field { name: LeadField::Country, is: Test::Equals("DE".into()) };
        assert_eq!(describe_condition(&field), "country = DE");
        let hidden = Condition::Hidden { field: "utm_source".into(), is: Test::Contains("ads".into()) };
        assert_eq!(describe_condition(&hidden), "utm_source contains ads");
        assert_eq!(describe_condition(&Condition::All(Vec::new())), "always");
    }
}
