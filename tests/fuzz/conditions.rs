//! The one condition evaluator: random conditions of every kind, nested,
//! over random answers of every shape (also the wrong shape for a
//! question). It never panics and obeys the laws of logic; conditions
//! nested far deeper than lint allows are still evaluated or refused
//! cleanly.

use leadgate::engine::{
    AnswerValue, Answers, CompiledForm, Condition, DomainTest, Hidden, LeadField, ListRef, Severity, Test, lint,
    parse_definition_json, parse_definition_yaml,
};
use proptest::collection::vec;
use proptest::prelude::*;

const FORM: &str = r#"
slug: fuzz
title: Fuzz
questions:
  - { id: email, kind: email, label: Email, maps_to: email }
  - { id: title, kind: short_text, label: Title, maps_to: job_title }
  - { id: country, kind: dropdown, label: Country, maps_to: country, options: [{ value: US, label: US }, { value: DE, label: DE }] }
  - { id: size, kind: single_choice, label: Size, options: [{ value: small, label: S, fit: 5 }, { value: "1000+", label: L, fit: 50 }] }
  - { id: tools, kind: multiple_choice, label: Tools, options: [{ value: a, label: A, intent: 3 }, { value: b, label: B }] }
  - { id: seats, kind: number, label: Seats }
  - { id: agree, kind: consent, label: I agree }
  - { id: notes, kind: long_text, label: Notes }
scoring:
  - { when: { email_domain: free }, fit: -30, reason: Free mail }
  - { when: { job_title_has_word: senior }, fit: 2147483647, reason: Huge }
  - { when: { answer: { question: seats, is: { gte: 100 } } }, intent: -2147483648, reason: Huge negative }
lists:
  competitors: [rival.example]
  senior: [vp, chief, "directeur général"]
  markets: [US, DE]
outcomes:
  - { id: all, tier: All, ending: { title: T, message: M }, handoff: nurture }
"#;

const QUESTIONS: [&str; 9] = ["email", "title", "country", "size", "tools", "seats", "agree", "notes", "unknown"];
const WORDS: [&str; 14] = [
    "",
    " ",
    "US",
    "de",
    "vp",
    "VP of Sales",
    "a",
    "b",
    "1000+",
    "bob@gmail.com",
    "x@rival.example",
    "é",
    "\u{0}",
    "directeur général",
];
const NUMBERS: [f64; 9] = [0.0, -0.0, 1.0, 100.0, -1e308, 1e308, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS.to_vec()).prop_map(str::to_string)
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![prop::sample::select(NUMBERS.to_vec()), any::<f64>()]
}

fn test() -> impl Strategy<Value = Test> {
    prop_oneof![
        word().prop_map(Test::Equals),
        word().prop_map(Test::NotEquals),
        vec(word(), 0..3).prop_map(Test::In),
        vec(word(), 0..3).prop_map(Test::NotIn),
        prop::sample::select(vec!["senior", "markets", "missing"]).prop_map(|l| Test::InList(l.into())),
        word().prop_map(Test::Contains),
        vec(word(), 0..3).prop_map(Test::ContainsAny),
        vec(word(), 0..3).prop_map(Test::ContainsAll),
        word().prop_map(Test::StartsWith),
        word().prop_map(Test::EndsWith),
        number().prop_map(Test::Gt),
        number().prop_map(Test::Gte),
        number().prop_map(Test::Lt),
        number().prop_map(Test::Lte),
        (number(), number()).prop_map(|(a, b)| Test::Between(a, b)),
        Just(Test::Answered),
        Just(Test::NotAnswered),
    ]
}

fn list_ref() -> impl Strategy<Value = ListRef> {
    prop_oneof![
        prop::sample::select(vec!["senior", "markets", "eu_countries", "missing"])
            .prop_map(|l| ListRef::Named(l.into())),
        vec(word(), 0..3).prop_map(ListRef::Inline),
    ]
}

fn leaf() -> impl Strategy<Value = Condition> {
    let field = prop::sample::select(LeadField::ALL.to_vec());
    prop_oneof![
        Just(Condition::Always),
        (prop::sample::select(QUESTIONS.to_vec()), test())
            .prop_map(|(q, is)| Condition::Answer { question: q.into(), is }),
        (word(), test()).prop_map(|(field, is)| Condition::Hidden { field, is }),
        (field, test()).prop_map(|(name, is)| Condition::Field { name, is }),
        prop_oneof![
            Just(DomainTest::Free),
            Just(DomainTest::Disposable),
            Just(DomainTest::Academic),
            Just(DomainTest::List("competitors".into())),
            Just(DomainTest::List("missing".into())),
        ]
        .prop_map(Condition::EmailDomain),
        list_ref().prop_map(Condition::JobTitleHasWord),
        list_ref().prop_map(Condition::CountryIn),
        test().prop_map(Condition::Fit),
        test().prop_map(Condition::Intent),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    leaf().prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Condition::All),
            vec(inner.clone(), 0..4).prop_map(Condition::Any),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

fn answer_value() -> impl Strategy<Value = AnswerValue> {
    prop_oneof![
        word().prop_map(AnswerValue::Text),
        number().prop_map(AnswerValue::Number),
        vec(word(), 0..3).prop_map(AnswerValue::Choices),
        (any::<bool>(), word()).prop_map(|(given, text)| AnswerValue::Consent { given, text }),
        Just(AnswerValue::Blank),
    ]
}

fn answers() -> impl Strategy<Value = Answers> {
    prop::collection::btree_map(prop::sample::select(QUESTIONS.to_vec()).prop_map(str::to_string), answer_value(), 0..9)
}

fn form() -> &'static CompiledForm<'static> {
    static FORM_CELL: std::sync::OnceLock<CompiledForm<'static>> = std::sync::OnceLock::new();
    FORM_CELL.get_or_init(|| CompiledForm::new(parse_definition_yaml(FORM).expect("the fuzz form parses")))
}

proptest! {
    #![proptest_config(crate::cases(300_000))]
    #[test]
    fn conditions_never_panic_and_obey_not_all_and_any(
        c in condition(),
        d in condition(),
        answers in answers(),
        source in word(),
    ) {
        let form = form();
        let hidden = Hidden::from([("utm_source".to_string(), source)]);
        let evaluation = form.evaluate(&answers, &hidden);
        prop_assert!(evaluation.fit.total == evaluation.fit.breakdown.iter().fold(0i32, |t, i| t.saturating_add(i.points)));
        let check = |x: &Condition| form.check_evaluated(x, &evaluation, &hidden);
        let (a, b) = (check(&c), check(&d));
        prop_assert_eq!(check(&Condition::Not(Box::new(c.clone()))), !a);
        prop_assert_eq!(check(&Condition::All(vec![c.clone(), d.clone()])), a && b);
        prop_assert_eq!(check(&Condition::Any(vec![c.clone(), d.clone()])), a || b);
        prop_assert!(check(&Condition::All(vec![])));
        prop_assert!(!check(&Condition::Any(vec![])));
    }

}

proptest! {
    #![proptest_config(crate::cases(1_000))]
    #[test]
    fn conditions_far_deeper_than_lint_allows_are_evaluated_or_refused_cleanly(
        depth in 1usize..400,
        kinds in vec(0u8..3, 1..400),
        core in leaf(),
    ) {
        let mut nested = core;
        for level in 0..depth {
            nested = match kinds[level % kinds.len()] {
                0 => Condition::Not(Box::new(nested)),
                1 => Condition::All(vec![nested]),
                _ => Condition::Any(vec![nested, Condition::Always]),
            };
        }
        let form = form();
        form.check(&nested, &Answers::new(), &Hidden::new());
        let mut definition = form.definition().clone();
        definition.scoring.push(leadgate::engine::ScoringRule {
            when: nested, fit: 1, intent: 0, reason: "deep".into(),
        });
        let too_deep = lint(&definition).iter().any(|f| f.severity == Severity::Error && f.message.contains("levels deep"));
        prop_assert_eq!(too_deep, depth + 1 > leadgate::engine::MAX_CONDITION_DEPTH);
        // The same definition as text: parsed with a clear refusal, or parsed and refused by lint.
        let json = leadgate::engine::to_json(&definition);
        match parse_definition_json(&json) {
            Ok(parsed) => prop_assert_eq!(parsed.scoring.len(), definition.scoring.len()),
            Err(error) => prop_assert!(!error.message.is_empty()),
        }
        let yaml = leadgate::engine::to_yaml(&definition);
        if let Err(error) = parse_definition_yaml(&yaml) {
            prop_assert!(!error.message.is_empty());
        }
    }
}
