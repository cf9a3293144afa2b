//! Definition importers: every corpus file, and random mutations of them.

use std::time::{Duration, Instant};

use leadgate::engine::{
    AnswerValue, Answers, CompiledForm, Hidden, Severity, lint, parse_definition_json, parse_definition_yaml,
};
use proptest::prelude::*;

use crate::corpus;

/// Longest one input may take through parse, lint, compile and evaluate.
const HANG: Duration = Duration::from_secs(3);

/// What happened to one input.
#[derive(Debug, PartialEq)]
enum Verdict {
    NotText,
    Refused(String),
    LintErrors(Vec<String>),
    Accepted,
}

/// Parses `bytes` as `leadgate check` would (JSON for `.json`, else YAML),
/// then lints, and when clean compiles and evaluates it.
fn exercise(bytes: &[u8], json: bool) -> Verdict {
    let Ok(text) = std::str::from_utf8(bytes) else { return Verdict::NotText };
    let parsed = if json { parse_definition_json(text) } else { parse_definition_yaml(text) };
    let definition = match parsed {
        Ok(definition) => definition,
        Err(error) => {
            assert!(!error.to_string().trim().is_empty(), "a refusal says why");
            return Verdict::Refused(error.to_string());
        }
    };
    let errors: Vec<String> =
        lint(&definition).into_iter().filter(|f| f.severity == Severity::Error).map(|f| f.message).collect();
    if !errors.is_empty() {
        assert!(errors.iter().all(|m| !m.trim().is_empty()));
        return Verdict::LintErrors(errors);
    }
    let form = CompiledForm::new(definition);
    let hidden = Hidden::from([("utm_source".to_string(), "fuzz".to_string())]);
    let mut answers = Answers::new();
    // Answer the whole path with each question's first option (or some text).
    for _ in 0..form.definition().questions.len() {
        let Some(current) = form.evaluate(&answers, &hidden).current else { break };
        let question = form.question(&current).expect("the current question exists");
        let raw = question.options.first().map(|o| o.value.clone()).unwrap_or_else(|| "42".into());
        let value = form.parse_answer(&current, &[raw]).unwrap_or(AnswerValue::Blank);
        answers.insert(current, value);
    }
    form.evaluate(&answers, &hidden);
    Verdict::Accepted
}

fn timed(bytes: &[u8], json: bool) -> Verdict {
    let started = Instant::now();
    let verdict = exercise(bytes, json);
    assert!(started.elapsed() < HANG, "took {:?}", started.elapsed());
    verdict
}

#[test]
fn every_corpus_definition_is_accepted_or_refused_with_a_message_as_its_name_says() {
    for entry in corpus::definitions() {
        let json = entry.name.ends_with(".json");
        let verdict = timed(&entry.bytes, json);
        if entry.name.starts_with("ok-") {
            assert_eq!(verdict, Verdict::Accepted, "{}", entry.name);
        } else {
            assert!(entry.name.starts_with("err-"), "corpus names start with ok- or err-: {}", entry.name);
            assert_ne!(verdict, Verdict::Accepted, "{} must be refused", entry.name);
        }
        // The other parser must not panic on it either.
        timed(&entry.bytes, !json);
    }
}

/// One change to a corpus file.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: &'static str },
    Byte { at: usize, byte: u8 },
    Truncate { at: usize },
    DuplicateLine { line: usize },
}

const TOKENS: [&str; 24] = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "'",
    "- ",
    "\n",
    "  ",
    "&a ",
    "*a",
    "!!binary ",
    "~",
    "null",
    "1e400",
    "-99999999999999999999",
    "\u{0}",
    "\u{feff}",
    "é",
    "not: {not: {not: {not: {}}}}",
    "<<: *a",
    "? ",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), prop::sample::select(TOKENS.to_vec())).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Delete { at, len: n } => {
                let at = at % len;
                bytes.drain(at.min(bytes.len())..(at + n).min(bytes.len()));
            }
            Mutation::Insert { at, token } => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, token.bytes());
            }
            Mutation::Byte { at, byte } => {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b = byte;
                }
            }
            Mutation::Truncate { at } => bytes.truncate(at % len),
            Mutation::DuplicateLine { line } => {
                let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
                let pick = lines[line % lines.len()].to_vec();
                bytes.extend_from_slice(b"\n");
                bytes.extend_from_slice(&pick);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(crate::cases(200_000))]

    #[test]
    fn mutated_definitions_never_panic_or_hang(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let entry = pick.get(corpus::definitions());
        let bytes = apply(entry.bytes.clone(), &mutations);
        timed(&bytes, entry.name.ends_with(".json"));
    }
}
