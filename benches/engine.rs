//! Engine benchmark: the pure form engine, no database, no HTTP.
//!
//! Run with `cargo bench --bench engine` (release profile). Words after `--`
//! keep only the rows whose name matches one of them (divan filters, read as
//! regular expressions), e.g. `cargo bench --bench engine -- lint demo`.
//!
//! Rows (see docs/BENCHMARKS.md), in this order because divan sorts by name:
//! - `a_compile`: `compile` of a generated 200-question, 1,000-rule definition;
//! - `b_evaluate_full`: `CompiledForm::evaluate` of that form with every
//!   question answered;
//! - `c_evaluate_step`: `CompiledForm::evaluate` after each answer of a
//!   30-step path, one state per call in turn (next step + scores);
//! - `d_lint`: `lint` of the generated definition;
//! - `e_demo`: parse the demo YAML + `evaluate` an enterprise buyer's answers.
//!
//! Timed with divan. `main` builds the workload first, checks it (no lint
//! errors, the full answers finish, the walk stays inside the form, the demo
//! buyer reaches Tier 1) and prints it, then hands over to divan. Under
//! `cargo test --benches` (no `--bench` flag) divan runs each row once,
//! untimed, as a smoke test.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use divan::Bencher;
use leadgate::engine::{
    AnswerValue, Answers, BranchRule, ChoiceOption, CompiledForm, Condition, DomainTest, Ending, FormDefinition,
    FormSettings, Handoff, Hidden, LeadField, ListRef, Outcome, Question, QuestionKind, ScoringRule, Severity, Test,
    Validation, compile, evaluate, lint, parse_definition_yaml,
};

const DEMO: &str = include_str!("../src/demo/talk_to_sales.yaml");

/// Size of the generated definition.
const QUESTIONS: usize = 200;
const RULES: usize = 1_000;
/// Steps answered one by one in row `c_evaluate_step`.
const STEPS: usize = 30;
/// Seed of the generator; change it and every figure's workload changes.
const SEED: u64 = 0x1EAD_6A7E_2026_0001;

/// Least time spent sampling each row (divan's own default is no floor,
/// only 100 samples, which is a few milliseconds for these rows and too
/// noisy on a shared machine). `--min-time SECONDS` after `--` overrides it.
const MIN_TIME: Duration = Duration::from_secs(5);

fn main() {
    print_machine();
    print_workload(&WORKLOAD);
    divan::Divan::default().min_time(MIN_TIME).config_with_args().main();
}

// ------------------------------------------------------------------- rows
//
// Each closure drops what it builds before it returns, so every timed call
// includes freeing its result (a value returned to divan would be dropped
// outside the timing).

#[divan::bench]
fn a_compile(bencher: Bencher) {
    let w = &*WORKLOAD;
    bencher.bench_local(|| {
        black_box(compile(black_box(&w.def)));
    });
}

#[divan::bench]
fn b_evaluate_full(bencher: Bencher) {
    let w = &*WORKLOAD;
    bencher.bench_local(|| {
        black_box(w.form.evaluate(black_box(&w.full_answers), black_box(&w.hidden)));
    });
}

#[divan::bench]
fn c_evaluate_step(bencher: Bencher) {
    let w = &*WORKLOAD;
    let mut step = 0;
    bencher.bench_local(|| {
        let answers = &w.steps[step].answers;
        step = (step + 1) % STEPS;
        black_box(w.form.evaluate(black_box(answers), black_box(&w.hidden)));
    });
}

#[divan::bench]
fn d_lint(bencher: Bencher) {
    let w = &*WORKLOAD;
    bencher.bench_local(|| {
        black_box(lint(black_box(&w.def)));
    });
}

#[divan::bench]
fn e_demo(bencher: Bencher) {
    let w = &*WORKLOAD;
    bencher.bench_local(|| {
        black_box(w.demo.run());
    });
}

// --------------------------------------------------------------- workload

/// Everything the rows read, built and checked once before any row runs.
struct Workload {
    def: FormDefinition,
    full_answers: Answers,
    hidden: Hidden,
    /// The generated definition compiled (an owned copy of `def`).
    form: CompiledForm<'static>,
    lint_warnings: usize,
    steps: Vec<Step>,
    demo: DemoCase,
}

/// The answers after one step of the walk, with what they evaluate to.
struct Step {
    answers: Answers,
    fit: i32,
    outcome: String,
}

static WORKLOAD: LazyLock<Workload> = LazyLock::new(Workload::new);

impl Workload {
    fn new() -> Self {
        let (def, full_answers) = generated_form();
        let findings = lint(&def);
        let errors: Vec<_> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "the generated definition must lint clean: {errors:#?}");
        let form = CompiledForm::new(def.clone());
        let hidden = utm_hidden();
        assert!(form.evaluate(&full_answers, &hidden).is_complete(), "every question is answered");
        let steps = step_states(&form, &full_answers, &hidden);
        Self { def, full_answers, hidden, form, lint_warnings: findings.len(), steps, demo: DemoCase::new() }
    }
}

fn print_workload(w: &Workload) {
    let def = &w.def;
    let full = w.form.evaluate(&w.full_answers, &w.hidden);
    let branch_rules: usize = def.questions.iter().map(|q| q.next.len()).sum();
    let score_branches = def
        .questions
        .iter()
        .flat_map(|q| &q.next)
        .filter(|rule| rule.when.as_ref().is_some_and(Condition::reads_scores))
        .count();
    println!(
        "generated form: {} questions, {} scoring rules, {} branch rules ({} read fit), \
         {} lists, {} outcomes",
        def.questions.len(),
        def.scoring.len(),
        branch_rules,
        score_branches,
        def.lists.len(),
        def.outcomes.len()
    );
    println!(
        "  lint: 0 errors, {} warnings; full path: {} of {} questions, fit {}, intent {}, \
         {} rules and options scoring, outcome {}",
        w.lint_warnings,
        full.path.len(),
        def.questions.len(),
        full.fit.total,
        full.intent.total,
        full.fit.breakdown.len() + full.intent.breakdown.len(),
        full.outcome.as_deref().unwrap_or("none"),
    );
    let (first, last) = (&w.steps[0], &w.steps[STEPS - 1]);
    println!("  {STEPS}-step walk: fit {} -> {}, outcome now {}", first.fit, last.fit, last.outcome);
    println!(
        "demo form: {} questions, enterprise buyer path {} steps, outcome {}",
        w.demo.question_count, w.demo.path_len, w.demo.outcome
    );
    println!();
}

fn print_machine() {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc/cpuinfo)".to_owned());
    println!("leadgate engine benchmark");
    println!("machine: {cores} cores (nproc), cpu: {model}, {}-{}", std::env::consts::OS, std::env::consts::ARCH);
    if cfg!(debug_assertions) {
        println!("note: debug build; run `cargo bench --bench engine` for release figures");
    }
}

// --------------------------------------------------------------- generator

/// A 64-bit linear congruential generator (Knuth's MMIX constants): enough
/// to spread choices, and the same sequence on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n
    }

    /// low..=high
    fn between(&mut self, low: i32, high: i32) -> i32 {
        low + self.below((high - low + 1) as usize) as i32
    }

    fn percent(&mut self) -> usize {
        self.below(100)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const EMAIL: usize = 0;
const JOB_TITLE: usize = 1;
const COUNTRY: usize = 2;
/// First question that scoring rules test by answer.
const FIRST_PLAIN: usize = 3;
const COUNTRIES: &[&str] =
    &["US", "CA", "GB", "IE", "DE", "FR", "NL", "ES", "IT", "SE", "CH", "AU", "IN", "BR", "JP", "SG"];
const WORDS: &[&str] = &[
    "salesforce",
    "hubspot",
    "spreadsheets",
    "approvals",
    "invoices",
    "onboarding",
    "renewals",
    "tickets",
    "compliance",
    "migration",
];
/// Every fifth question (the 5th, 10th, ...) branches on its own answer.
const BRANCH_EVERY: usize = 5;
/// Questions whose branches also read the fit score, and the fit each needs:
/// near what the generated lead has there, so on its full path the first
/// and third are not taken and the second and fourth are.
const FIT_BRANCHES: &[(usize, f64)] = &[(24, 1_100.0), (74, 1_300.0), (124, 1_800.0), (174, 2_300.0)];

fn qid(position: usize) -> String {
    match position {
        EMAIL => "email".to_owned(),
        JOB_TITLE => "job_title".to_owned(),
        COUNTRY => "country".to_owned(),
        FIRST_PLAIN => "company_size".to_owned(),
        _ => format!("q{position:03}"),
    }
}

fn goto(position: usize) -> String {
    if position < QUESTIONS { qid(position) } else { "finish".to_owned() }
}

fn option_value(k: usize) -> String {
    format!("opt{k}")
}

fn is_branching(position: usize) -> bool {
    position >= FIRST_PLAIN && position % BRANCH_EVERY == BRANCH_EVERY - 1
}

fn kind_of(position: usize) -> QuestionKind {
    use QuestionKind::*;
    match position {
        EMAIL => Email,
        JOB_TITLE => ShortText,
        COUNTRY => Dropdown,
        FIRST_PLAIN => SingleChoice,
        p if is_branching(p) && p % 10 == 4 => SingleChoice,
        p if is_branching(p) => Number,
        p if p % 25 == 12 => Statement,
        p => [SingleChoice, ShortText, MultipleChoice, Number, Dropdown, LongText, Consent, Url, Phone][p % 9],
    }
}

fn question(position: usize, rng: &mut Lcg) -> Question {
    let kind = kind_of(position);
    let options = match kind {
        QuestionKind::Dropdown if position == COUNTRY => {
            COUNTRIES.iter().map(|code| choice(code, code, 0, 0)).collect()
        }
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::Dropdown => {
            let count = if kind == QuestionKind::Dropdown { 8 } else { 5 };
            (1..=count)
                .map(|k| {
                    let fit = if rng.percent() < 60 { rng.between(0, 10) } else { 0 };
                    let intent = if rng.percent() < 40 { rng.between(0, 8) } else { 0 };
                    choice(&option_value(k), &format!("Choice {k}"), fit, intent)
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let validation = match kind {
        QuestionKind::Number => Validation { min: Some(0.0), max: Some(10_000.0), ..Validation::default() },
        QuestionKind::ShortText if position % 4 == 1 => Validation {
            max_length: Some(200),
            pattern: Some(r"[\p{L}0-9 ,.&'/-]+".to_owned()),
            pattern_message: Some("Use letters, digits and simple punctuation".to_owned()),
            ..Validation::default()
        },
        QuestionKind::LongText => Validation { max_length: Some(2_000), ..Validation::default() },
        _ => Validation::default(),
    };
    let maps_to = match position {
        EMAIL => Some(LeadField::Email),
        JOB_TITLE => Some(LeadField::JobTitle),
        COUNTRY => Some(LeadField::Country),
        FIRST_PLAIN => Some(LeadField::CompanySize),
        _ => None,
    };
    Question {
        id: qid(position),
        kind,
        label: format!("Question {position}: tell us about your team"),
        help: position.is_multiple_of(3).then(|| "Pick the closest answer.".to_owned()),
        required: kind != QuestionKind::Statement && position % 4 != 3,
        maps_to,
        options,
        validation,
        next: branches(position, kind),
    }
}

fn choice(value: &str, label: &str, fit: i32, intent: i32) -> ChoiceOption {
    ChoiceOption { value: value.to_owned(), label: label.to_owned(), fit, intent }
}

/// Every fifth question branches on its own answer to one of the next
/// three questions (the one after it is the fall-through); a few also skip
/// ahead when the running fit score is high.
fn branches(position: usize, kind: QuestionKind) -> Vec<BranchRule> {
    if !is_branching(position) {
        return Vec::new();
    }
    let me = qid(position);
    let answer = |is| Condition::Answer { question: me.clone(), is };
    let (far, near) = if kind == QuestionKind::Number {
        (answer(Test::Gt(7_000.0)), answer(Test::Between(4_000.0, 7_000.0)))
    } else {
        (answer(Test::In(vec![option_value(4), option_value(5)])), answer(Test::Equals(option_value(2))))
    };
    let mut rules = Vec::new();
    if let Some(&(_, fit)) = FIT_BRANCHES.iter().find(|(at, _)| *at == position) {
        rules.push(BranchRule {
            when: Some(Condition::All(vec![Condition::Fit(Test::Gte(fit)), answer(Test::NotEquals(option_value(1)))])),
            goto: goto(position + 2),
        });
    }
    rules.push(BranchRule { when: Some(far), goto: goto(position + 3) });
    rules.push(BranchRule { when: Some(near), goto: goto(position + 2) });
    rules
}

/// An answer test suited to the question's kind.
fn answer_test(position: usize, kind: QuestionKind, rng: &mut Lcg) -> Condition {
    let option = |rng: &mut Lcg, count: usize| option_value(1 + rng.below(count));
    let is = match kind {
        QuestionKind::SingleChoice | QuestionKind::Dropdown => {
            let count = if kind == QuestionKind::Dropdown { 8 } else { 5 };
            match rng.below(4) {
                0 => Test::Equals(option(rng, count)),
                1 => Test::In(vec![option(rng, count), option(rng, count)]),
                2 => Test::NotEquals(option(rng, count)),
                _ => Test::InList("priority_options".to_owned()),
            }
        }
        QuestionKind::MultipleChoice => match rng.below(3) {
            0 => Test::Contains(option(rng, 5)),
            1 => Test::ContainsAny(vec![option(rng, 5), option(rng, 5)]),
            _ => Test::ContainsAll(vec![option(rng, 5), option(rng, 5)]),
        },
        QuestionKind::Number => match rng.below(3) {
            0 => Test::Gt(f64::from(rng.between(0, 9_000))),
            1 => Test::Lte(f64::from(rng.between(1_000, 10_000))),
            _ => {
                let low = rng.between(0, 6_000);
                Test::Between(f64::from(low), f64::from(low + 3_000))
            }
        },
        QuestionKind::ShortText | QuestionKind::LongText => match rng.below(4) {
            0 => Test::Contains((*rng.pick(WORDS)).to_owned()),
            1 => Test::StartsWith((*rng.pick(WORDS)).to_owned()),
            2 => Test::ContainsAny(vec![(*rng.pick(WORDS)).to_owned(), (*rng.pick(WORDS)).to_owned()]),
            _ => Test::Answered,
        },
        QuestionKind::Consent => Test::Equals("yes".to_owned()),
        QuestionKind::Url => Test::EndsWith(".example/automation".to_owned()),
        QuestionKind::Phone => Test::StartsWith("+49".to_owned()),
        QuestionKind::Email | QuestionKind::Statement => Test::Answered,
    };
    Condition::Answer { question: qid(position), is }
}

/// A question scoring rules may test by answer (not a statement).
fn scored_question(rng: &mut Lcg) -> (usize, QuestionKind) {
    loop {
        let position = FIRST_PLAIN + rng.below(QUESTIONS - FIRST_PLAIN);
        let kind = kind_of(position);
        if kind != QuestionKind::Statement {
            return (position, kind);
        }
    }
}

fn scoring_rule(number: usize, rng: &mut Lcg) -> ScoringRule {
    let roll = rng.percent();
    let (when, what) = if roll < 45 {
        let (position, kind) = scored_question(rng);
        (answer_test(position, kind, rng), "answer")
    } else if roll < 60 {
        let (first, first_kind) = scored_question(rng);
        let (second, second_kind) = scored_question(rng);
        let a = answer_test(first, first_kind, rng);
        let b = answer_test(second, second_kind, rng);
        let combined = match rng.below(3) {
            0 => Condition::All(vec![a, Condition::Not(Box::new(b))]),
            1 => Condition::Any(vec![a, b]),
            _ => Condition::All(vec![a, Condition::Not(Box::new(Condition::EmailDomain(DomainTest::Free)))]),
        };
        (combined, "combined")
    } else if roll < 80 {
        let test = match rng.below(5) {
            0 => DomainTest::Free,
            1 => DomainTest::Disposable,
            2 => DomainTest::Academic,
            3 => DomainTest::List("competitors".to_owned()),
            _ => DomainTest::List("partners".to_owned()),
        };
        (Condition::EmailDomain(test), "email domain")
    } else {
        let condition = match rng.below(5) {
            0 => Condition::JobTitleHasWord(ListRef::Named("senior_titles".to_owned())),
            1 => Condition::JobTitleHasWord(ListRef::Named("no_buying_power".to_owned())),
            2 => Condition::CountryIn(ListRef::Named("core_markets".to_owned())),
            3 => Condition::CountryIn(ListRef::Named("eu_countries".to_owned())),
            _ => Condition::JobTitleHasWord(ListRef::Inline(vec!["operations".to_owned(), "revenue".to_owned()])),
        };
        (condition, "list")
    };
    let mut fit = rng.between(-15, 25);
    let intent = rng.between(-10, 20);
    if fit == 0 && intent == 0 {
        fit = 5;
    }
    ScoringRule { when, fit, intent, reason: format!("Rule {}: {what} test", number + 1) }
}

fn outcome(id: &str, tier: &str, when: Option<Condition>, handoff: Handoff) -> Outcome {
    Outcome {
        id: id.to_owned(),
        tier: tier.to_owned(),
        when,
        ending: Ending {
            title: format!("{tier}: thanks"),
            message: "We will be in touch.".to_owned(),
            resources: Vec::new(),
            offer_booking: id == "tier1",
        },
        handoff,
        accept_within_minutes: (id == "tier1").then_some(5),
    }
}

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// The 200-question, 1,000-rule definition and an answer to every question.
fn generated_form() -> (FormDefinition, Answers) {
    let mut rng = Lcg(SEED);
    let questions: Vec<Question> = (0..QUESTIONS).map(|p| question(p, &mut rng)).collect();
    let scoring = (0..RULES).map(|n| scoring_rule(n, &mut rng)).collect();
    let lists = BTreeMap::from([
        ("competitors".to_owned(), list(&["rival.example", "competitor.example"])),
        ("partners".to_owned(), list(&["globex.example", "initech.example"])),
        ("senior_titles".to_owned(), list(&["vp", "vice president", "director", "head", "chief", "founder"])),
        ("no_buying_power".to_owned(), list(&["intern", "student", "assistant", "trainee"])),
        ("core_markets".to_owned(), list(&["US", "CA", "GB", "IE", "DE", "FR", "NL", "CH", "AU"])),
        ("priority_options".to_owned(), list(&["opt4", "opt5"])),
    ]);
    let outcomes = vec![
        outcome(
            "disqualified",
            "Disqualified",
            Some(Condition::Any(vec![
                Condition::EmailDomain(DomainTest::Disposable),
                Condition::EmailDomain(DomainTest::List("competitors".to_owned())),
                Condition::JobTitleHasWord(ListRef::Inline(list(&["student", "intern"]))),
            ])),
            Handoff::Disqualify("Competitor, student or disposable email".to_owned()),
        ),
        outcome(
            "tier1",
            "Tier 1",
            Some(Condition::All(vec![Condition::Fit(Test::Gte(1_500.0)), Condition::Intent(Test::Gte(1_500.0))])),
            Handoff::Route("senior-ae".to_owned()),
        ),
        outcome("tier2", "Tier 2", Some(Condition::Fit(Test::Gte(800.0))), Handoff::Route("sdr".to_owned())),
        outcome("nurture", "Nurture", None, Handoff::Nurture),
    ];
    let answers =
        questions.iter().enumerate().map(|(position, q)| (q.id.clone(), answer_for(position, q, &mut rng))).collect();
    let def = FormDefinition {
        slug: "generated-benchmark".to_owned(),
        title: "Generated benchmark form".to_owned(),
        intro: Some("200 questions, 1,000 scoring rules.".to_owned()),
        questions,
        scoring,
        lists,
        outcomes,
        settings: FormSettings::default(),
    };
    (def, answers)
}

/// A plausible answer as `parse_answer` would store it.
fn answer_for(position: usize, question: &Question, rng: &mut Lcg) -> AnswerValue {
    let option = |rng: &mut Lcg| question.options[rng.below(question.options.len())].value.clone();
    let text = |s: &str| AnswerValue::Text(s.to_owned());
    match question.kind {
        QuestionKind::Email => text("dana.ito@globex.example"),
        QuestionKind::ShortText if position == JOB_TITLE => text("VP of Revenue Operations"),
        QuestionKind::Dropdown if position == COUNTRY => text("DE"),
        QuestionKind::SingleChoice | QuestionKind::Dropdown => AnswerValue::Text(option(rng)),
        QuestionKind::MultipleChoice => {
            let wanted = 1 + rng.below(3);
            let mut picked: Vec<String> = (0..wanted).map(|_| option(rng)).collect();
            picked.sort();
            picked.dedup();
            AnswerValue::Choices(picked)
        }
        QuestionKind::Number => AnswerValue::Number(f64::from(rng.between(0, 10_000))),
        QuestionKind::ShortText => AnswerValue::Text(format!("{} and {}", rng.pick(WORDS), rng.pick(WORDS))),
        QuestionKind::LongText => AnswerValue::Text((0..24).map(|_| *rng.pick(WORDS)).collect::<Vec<_>>().join(" ")),
        QuestionKind::Url => text("https://globex.example/automation"),
        QuestionKind::Phone => text("+49 30 1234 5678"),
        QuestionKind::Consent => AnswerValue::Consent { given: true, text: question.label.clone() },
        QuestionKind::Statement => AnswerValue::Blank,
    }
}

fn utm_hidden() -> Hidden {
    Hidden::from([
        ("utm_source".to_owned(), "linkedin".to_owned()),
        ("utm_campaign".to_owned(), "pricing-q4".to_owned()),
    ])
}

/// The answers after each of the first `STEPS` answers, as the server holds
/// them: answer the current question, evaluate, repeat. Each state comes
/// with the fit score and outcome it evaluates to, for the header.
fn step_states(form: &CompiledForm<'_>, full: &Answers, hidden: &Hidden) -> Vec<Step> {
    let mut answers = Answers::new();
    let mut states = Vec::with_capacity(STEPS);
    for step in 0..STEPS {
        let now = form.evaluate(&answers, hidden);
        let current = now.current.unwrap_or_else(|| panic!("the path ends before step {}", step + 1));
        let value = full[&current].clone();
        answers.insert(current, value);
        let after = form.evaluate(&answers, hidden);
        assert!(!after.is_complete(), "{STEPS} steps stay inside the form");
        states.push(Step {
            answers: answers.clone(),
            fit: after.fit.total,
            outcome: after.outcome.unwrap_or_default(),
        });
    }
    states
}

// -------------------------------------------------------------------- demo

/// Row `e_demo`: the demo form read from YAML and evaluated for an enterprise
/// buyer who is ready now, as when no compiled form is cached.
struct DemoCase {
    answers: Answers,
    hidden: Hidden,
    question_count: usize,
    path_len: usize,
    outcome: String,
}

impl DemoCase {
    fn new() -> Self {
        let def = parse_definition_yaml(DEMO).expect("the demo form parses");
        let consent_text = def
            .questions
            .iter()
            .find(|q| q.id == "consent")
            .map(|q| q.label.clone())
            .expect("the demo form asks for consent");
        let text = |s: &str| AnswerValue::Text(s.to_owned());
        let answers = Answers::from([
            ("email".to_owned(), text("dana.ito@globex.example")),
            ("first_name".to_owned(), text("Dana")),
            ("last_name".to_owned(), text("Ito")),
            ("company".to_owned(), text("Globex Corporation")),
            ("job_title".to_owned(), text("VP of Operations")),
            ("country".to_owned(), text("US")),
            ("company_size".to_owned(), text("1000+")),
            ("procurement".to_owned(), text("purchase_order")),
            ("security_review".to_owned(), text("soc2_required")),
            ("seats".to_owned(), text("250+")),
            ("buyer_stage".to_owned(), text("ready_to_buy")),
            ("timeline".to_owned(), text("this_month")),
            (
                "anything_else".to_owned(),
                text("About 40 approval workflows live in spreadsheets; we need SSO and SCIM."),
            ),
            ("consent".to_owned(), AnswerValue::Consent { given: true, text: consent_text }),
        ]);
        let hidden = Hidden::from([
            ("utm_source".to_owned(), "google".to_owned()),
            ("utm_campaign".to_owned(), "pricing-page".to_owned()),
        ]);
        let result = evaluate(&def, &answers, &hidden);
        assert!(result.is_complete(), "the enterprise buyer finishes");
        let outcome = result.outcome.unwrap_or_default();
        assert_eq!(outcome, "tier1", "the enterprise buyer reaches Tier 1");
        Self { answers, hidden, question_count: def.questions.len(), path_len: result.path.len(), outcome }
    }

    fn run(&self) -> Option<String> {
        let def = parse_definition_yaml(black_box(DEMO)).expect("the demo form parses");
        evaluate(&def, black_box(&self.answers), black_box(&self.hidden)).outcome
    }
}
