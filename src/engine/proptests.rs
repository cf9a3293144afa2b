//! Property tests: for random definitions and random answers, the walk ends
//! without repeating a question, scores equal the sum of their breakdown,
//! the first matching outcome wins, and definitions round-trip.

use std::collections::HashSet;

use proptest::collection::vec;
use proptest::prelude::*;

use crate::engine::test_support::{form, outcome};
use crate::engine::{
    AnswerValue, Answers, BranchRule, ChoiceOption, Condition, DomainTest, Evaluation, FormDefinition, Hidden,
    LeadField, Question, QuestionKind, ScoringRule, Severity, Test, Validation, evaluate, lint, parse_definition_json,
    parse_definition_yaml, to_json, to_yaml,
};

const VALUES: [&str; 5] = ["a", "b", "c", "10", "x y"];

fn id(position: usize) -> String {
    format!("q{position}")
}

fn value() -> impl Strategy<Value = String> {
    prop::sample::select(VALUES.to_vec()).prop_map(str::to_owned)
}

fn points() -> impl Strategy<Value = i32> {
    -60i32..60
}

fn test_strategy() -> impl Strategy<Value = Test> {
    prop_oneof![
        value().prop_map(Test::Equals),
        value().prop_map(Test::NotEquals),
        vec(value(), 0..3).prop_map(Test::In),
        value().prop_map(Test::Contains),
        (-50i32..50).prop_map(|x| Test::Gt(f64::from(x))),
        (-50i32..50, 0i32..50).prop_map(|(low, width)| Test::Between(f64::from(low), f64::from(low + width))),
        Just(Test::Answered),
        Just(Test::NotAnswered),
    ]
}

/// Conditions over the questions (and one unknown id), hidden fields,
/// email domains and scores, nested up to three levels.
fn condition(count: usize) -> impl Strategy<Value = Condition> {
    let leaf = prop_oneof![
        (0..=count, test_strategy()).prop_map(|(q, is)| Condition::Answer { question: id(q), is }),
        test_strategy().prop_map(|is| Condition::Hidden { field: "utm_source".into(), is }),
        Just(Condition::EmailDomain(DomainTest::Free)),
        Just(Condition::Always),
        (-100i32..100).prop_map(|x| Condition::Fit(Test::Gte(f64::from(x)))),
        (-100i32..100).prop_map(|x| Condition::Intent(Test::Lt(f64::from(x)))),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Condition::All),
            vec(inner.clone(), 0..3).prop_map(Condition::Any),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

/// Forward-only targets (a later question or finish), or, when `anywhere`,
/// any question including earlier ones and an unknown id.
fn target(position: usize, count: usize, anywhere: bool) -> BoxedStrategy<String> {
    let name = move |t: usize| {
        if t >= count { "finish".to_owned() } else { id(t) }
    };
    if anywhere {
        prop_oneof![(0..=count).prop_map(name), Just("nowhere".to_owned())].boxed()
    } else {
        ((position + 1)..=count).prop_map(name).boxed()
    }
}

fn question(position: usize, count: usize, anywhere: bool) -> impl Strategy<Value = Question> {
    let kinds = prop::sample::select(vec![
        QuestionKind::SingleChoice,
        QuestionKind::MultipleChoice,
        QuestionKind::ShortText,
        QuestionKind::Number,
        QuestionKind::Email,
    ]);
    let options = prop::sample::subsequence(VALUES.to_vec(), 1..=VALUES.len());
    let option_points = vec((points(), points()), VALUES.len());
    let rule = (prop::option::of(condition(count)), target(position, count, anywhere));
    let branches = vec(rule.prop_map(|(when, goto)| BranchRule { when, goto }), 0..3);
    (kinds, options, option_points, branches).prop_map(move |(kind, values, scores, next)| {
        let options = values
            .into_iter()
            .zip(scores)
            .map(|(value, (fit, intent))| ChoiceOption {
                value: value.into(),
                label: value.to_uppercase(),
                fit,
                intent,
            })
            .collect();
        Question {
            id: id(position),
            kind,
            label: format!("Question {position}"),
            help: None,
            required: false,
            maps_to: (kind == QuestionKind::Email).then_some(LeadField::Email),
            options: if kind.is_choice() { options } else { vec![] },
            validation: Validation::default(),
            next,
        }
    })
}

fn scoring_rule(count: usize) -> impl Strategy<Value = ScoringRule> {
    (condition(count), points(), points()).prop_map(|(when, fit, intent)| ScoringRule {
        when,
        fit,
        intent,
        reason: "Rule".into(),
    })
}

/// Outcome conditions simple enough to check from the evaluation alone.
fn outcome_condition(count: usize) -> impl Strategy<Value = Condition> {
    prop_oneof![
        (-100i32..100).prop_map(|x| Condition::Fit(Test::Gte(f64::from(x)))),
        (-100i32..100).prop_map(|x| Condition::Intent(Test::Lt(f64::from(x)))),
        (0..count).prop_map(|q| Condition::Answer { question: id(q), is: Test::Answered }),
    ]
}

fn definition(anywhere: bool) -> impl Strategy<Value = FormDefinition> {
    (1usize..10).prop_flat_map(move |count| {
        let questions: Vec<_> = (0..count).map(|q| question(q, count, anywhere)).collect();
        (questions, vec(scoring_rule(count), 0..6), vec(outcome_condition(count), 0..4)).prop_map(
            |(questions, scoring, conditions)| {
                let mut def = form(questions);
                def.scoring = scoring;
                let conditional =
                    conditions.into_iter().enumerate().map(|(i, when)| outcome(&format!("o{i}"), Some(when)));
                def.outcomes = conditional.chain([outcome("rest", None)]).collect();
                def
            },
        )
    })
}

fn answer_value() -> impl Strategy<Value = AnswerValue> {
    prop_oneof![
        value().prop_map(AnswerValue::Text),
        prop::sample::subsequence(VALUES.to_vec(), 0..3)
            .prop_map(|vs| AnswerValue::Choices(vs.into_iter().map(str::to_owned).collect())),
        (-100i32..100).prop_map(|x| AnswerValue::Number(f64::from(x))),
        Just(AnswerValue::Text("ann@gmail.com".into())),
        Just(AnswerValue::Blank),
    ]
}

fn case(anywhere: bool) -> impl Strategy<Value = (FormDefinition, Answers, Hidden)> {
    definition(anywhere).prop_flat_map(|def| {
        let count = def.questions.len();
        let answers = vec(prop::option::of(answer_value()), count).prop_map(|values| {
            values.into_iter().enumerate().filter_map(|(q, v)| Some((id(q), v?))).collect::<Answers>()
        });
        let hidden = prop::option::of(value())
            .prop_map(|source| source.map(|s| ("utm_source".to_owned(), s)).into_iter().collect::<Hidden>());
        (Just(def), answers, hidden)
    })
}

/// The walk ends on the last path step, never repeats, and counts progress.
fn check_walk(def: &FormDefinition, given: &Answers, result: &Evaluation) -> Result<(), TestCaseError> {
    prop_assert_eq!(result.path.first(), Some(&def.questions[0].id));
    let unique: HashSet<_> = result.path.iter().collect();
    prop_assert_eq!(unique.len(), result.path.len(), "a question repeats: {:?}", result.path);
    let (last, before) = result.path.split_last().expect("non-empty path");
    prop_assert!(before.iter().all(|q| given.contains_key(q)));
    match &result.current {
        Some(current) => prop_assert!(current == last && !given.contains_key(current)),
        None => prop_assert!(given.contains_key(last)),
    }
    prop_assert!(result.answers.keys().all(|q| unique.contains(q) && given.get(q) == result.answers.get(q)));
    let answered = result.path.len() - usize::from(result.current.is_some());
    prop_assert_eq!(result.progress.answered, answered);
    prop_assert!(result.progress.estimated_total >= result.path.len());
    prop_assert!(result.progress.estimated_total <= def.questions.len());
    for score in [&result.fit, &result.intent] {
        prop_assert_eq!(score.total, score.breakdown.iter().map(|item| item.points).sum::<i32>());
    }
    Ok(())
}

fn outcome_holds(condition: &Condition, result: &Evaluation) -> bool {
    match condition {
        Condition::Fit(Test::Gte(x)) => f64::from(result.fit.total) >= *x,
        Condition::Intent(Test::Lt(x)) => f64::from(result.intent.total) < *x,
        Condition::Answer { question, .. } => result.answers.get(question).is_some_and(AnswerValue::is_answered),
        _ => unreachable!("not generated"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn forward_forms_walk_score_and_pick_the_first_matching_outcome((def, given, hidden) in case(false)) {
        let result = evaluate(&def, &given, &hidden);
        check_walk(&def, &given, &result)?;
        let positions: Vec<usize> = result.path.iter().map(|q| q[1..].parse().unwrap()).collect();
        prop_assert!(positions.windows(2).all(|w| w[0] < w[1]), "forward only: {:?}", positions);
        let expected = def.outcomes.iter().find(|o| o.when.as_ref().is_none_or(|c| outcome_holds(c, &result)));
        prop_assert_eq!(result.outcome.as_deref(), expected.map(|o| o.id.as_str()));
        let again = evaluate(&def, &result.answers, &hidden);
        prop_assert_eq!(again, result, "answers off the path must not matter");
    }

    #[test]
    fn any_gotos_still_finish_without_repeats((def, given, hidden) in case(true)) {
        let result = evaluate(&def, &given, &hidden);
        check_walk(&def, &given, &result)?;
        let _ = lint(&def);
        let mut answers = given;
        for _ in 0..=def.questions.len() {
            let step = evaluate(&def, &answers, &hidden);
            check_walk(&def, &answers, &step)?;
            match step.current {
                Some(current) => answers.insert(current, AnswerValue::Text("a".into())),
                None => return Ok(()),
            };
        }
        prop_assert!(false, "answering each current question did not finish the form");
    }

    #[test]
    fn lint_finds_no_loops_or_dead_ends_in_forward_forms(def in definition(false)) {
        let findings = lint(&def);
        let bad = findings.iter().find(|f| f.severity == Severity::Error
            && (f.message.contains("loop") || f.message.contains("end of the form") || f.message.contains("goto")));
        prop_assert!(bad.is_none(), "{:?}", bad);
    }

    #[test]
    fn definitions_round_trip_through_yaml_and_json(def in definition(true)) {
        prop_assert_eq!(&parse_definition_yaml(&to_yaml(&def)).unwrap(), &def);
        prop_assert_eq!(&parse_definition_json(&to_json(&def)).unwrap(), &def);
    }

    #[test]
    fn parsing_never_panics(text in "\\PC{0,200}") {
        let _ = parse_definition_yaml(&text);
        let _ = parse_definition_json(&text);
    }
}
