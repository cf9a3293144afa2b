//! Hostile input for the engine's parsers and evaluator, by property-based
//! fuzzing (proptest) plus a corpus of interesting inputs kept in
//! `tests/fuzz_corpus/`: nothing panics, nothing hangs, and what is refused
//! is refused with a message.
//!
//! - `definitions`: `parse_definition_yaml`/`_json` on every corpus file and
//!   on random mutations of them; whatever parses is linted, compiled and
//!   evaluated.
//! - `conditions`: random conditions (every kind, nested deep) over random
//!   answers of every shape, checked against the laws of logic.
//! - `answers`: `parse_answer` for every question kind on random raw input.
//!
//! Case counts: `cargo test` runs a quick share; `LEADGATE_FUZZ=ci` (as
//! `.ci/run` does) runs the full budget, a few million cases in all
//! (see docs/BENCHMARKS.md for the time it takes).

mod answers;
mod conditions;
mod corpus;
mod definitions;

/// Cases for a property: its full budget under `LEADGATE_FUZZ=ci`, else 1/100 of it.
pub fn cases(full: u32) -> proptest::test_runner::Config {
    let ci = std::env::var("LEADGATE_FUZZ").is_ok_and(|v| v == "ci");
    let cases = if ci { full } else { (full / 100).max(50) };
    proptest::test_runner::Config { cases, max_shrink_iters: 2_000, ..proptest::test_runner::Config::default() }
}
