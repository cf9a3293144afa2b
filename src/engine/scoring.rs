//! Fit and intent scores with their breakdown: points of the chosen options
//! on the path (in path order), then every scoring rule whose condition
//! holds. Scoring rules cannot read fit or intent: those tests are false.

use super::answer::AnswerValue;
use super::compiled::CompiledForm;
use super::condition::FactSource;
use super::definition::{ChoiceOption, LeadField};
use super::evaluate::{Score, ScoreItem, ScoreSource};
use super::facts::DerivedFacts;
use super::value_test::normalize;

/// Keeps fit and intent up to date as the path grows. Each rule is
/// evaluated once in full, then again only when a question it reads joins
/// the path, so branches that read scores stay cheap.
pub(crate) struct ScoreKeeper {
    started: bool,
    /// How many path steps are already counted.
    counted: usize,
    rule_holds: Vec<bool>,
    /// The pass in which each rule was last re-checked (to skip repeats).
    checked_in_pass: Vec<usize>,
    pass: usize,
    fit: i64,
    intent: i64,
}

impl ScoreKeeper {
    pub(crate) fn new(form: &CompiledForm) -> Self {
        Self {
            started: false,
            counted: 0,
            rule_holds: vec![false; form.rules.len()],
            checked_in_pass: vec![0; form.rules.len()],
            pass: 0,
            fit: 0,
            intent: 0,
        }
    }

    /// Running (fit, intent) for the answers on `path` as seen by `facts`.
    pub(crate) fn totals(&mut self, form: &CompiledForm, facts: &impl FactSource, path: &[usize]) -> (i32, i32) {
        self.catch_up(form, &WithoutScores(facts), path);
        let clamp = |total: i64| total.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        (clamp(self.fit), clamp(self.intent))
    }

    /// The final scores with their breakdown: options in path order, then rules.
    pub(crate) fn finish(mut self, form: &CompiledForm, facts: &impl FactSource, path: &[usize]) -> (Score, Score) {
        self.catch_up(form, &WithoutScores(facts), path);
        let mut fit = Score::default();
        let mut intent = Score::default();
        for &question in path {
            let definition = &form.def.questions[question];
            for option in chosen_options(form, question, facts.answer(question)) {
                let reason = option_reason(&definition.label, &option.label);
                let source = || ScoreSource::Option { question: definition.id.clone(), value: option.value.clone() };
                add_nonzero(&mut fit, option.fit, &reason, source);
                add_nonzero(&mut intent, option.intent, &reason, source);
            }
        }
        for (index, rule) in form.def.scoring.iter().enumerate().filter(|(i, _)| self.rule_holds[*i]) {
            let source = || ScoreSource::Rule { index };
            add_nonzero(&mut fit, rule.fit, &rule.reason, source);
            add_nonzero(&mut intent, rule.intent, &rule.reason, source);
        }
        (fit, intent)
    }

    fn catch_up(&mut self, form: &CompiledForm, facts: &impl FactSource, path: &[usize]) {
        if !self.started {
            self.started = true;
            for rule in 0..form.rules.len() {
                self.recheck(form, facts, rule);
            }
        } else {
            self.pass += 1;
            for &question in &path[self.counted..] {
                for &rule in &form.rules_reading[question] {
                    if self.checked_in_pass[rule] != self.pass {
                        self.checked_in_pass[rule] = self.pass;
                        self.recheck(form, facts, rule);
                    }
                }
            }
        }
        for &question in &path[self.counted..] {
            for option in chosen_options(form, question, facts.answer(question)) {
                self.fit += i64::from(option.fit);
                self.intent += i64::from(option.intent);
            }
        }
        self.counted = path.len();
    }

    fn recheck(&mut self, form: &CompiledForm, facts: &impl FactSource, rule: usize) {
        let holds = form.rules[rule].holds(facts);
        if holds != self.rule_holds[rule] {
            let sign = if holds { 1 } else { -1 };
            let definition = &form.def.scoring[rule];
            self.fit += sign * i64::from(definition.fit);
            self.intent += sign * i64::from(definition.intent);
            self.rule_holds[rule] = holds;
        }
    }
}

/// The options picked in a choice answer, matched ignoring case and spaces.
fn chosen_options<'a>(
    form: &'a CompiledForm,
    question: usize,
    answer: Option<&'a AnswerValue>,
) -> impl Iterator<Item = &'a ChoiceOption> + 'a {
    let chosen: &[String] = match answer {
        Some(AnswerValue::Text(value)) => std::slice::from_ref(value),
        Some(AnswerValue::Choices(values)) => values,
        _ => &[],
    };
    let option_values = &form.questions[question].option_values;
    let options = &form.def.questions[question].options;
    chosen.iter().filter_map(move |value| {
        let normalized = normalize(value);
        let position = option_values.iter().position(|v| *v == normalized)?;
        Some(&options[position])
    })
}

/// Zero-point items are left out to keep the breakdown readable.
fn add_nonzero(score: &mut Score, points: i32, reason: &str, source: impl Fn() -> ScoreSource) {
    if points != 0 {
        score.add(ScoreItem { points, reason: reason.to_owned(), source: source() });
    }
}

/// The facts as scoring rules see them: everything but the scores.
struct WithoutScores<'a, F>(&'a F);

impl<F: FactSource> FactSource for WithoutScores<'_, F> {
    fn answer(&self, question: usize) -> Option<&AnswerValue> {
        self.0.answer(question)
    }
    fn hidden(&self, field: &str) -> Option<&str> {
        self.0.hidden(field)
    }
    fn lead_field(&self, field: LeadField) -> Option<&str> {
        self.0.lead_field(field)
    }
    fn scores(&self) -> Option<(i32, i32)> {
        None
    }
    fn derived(&self) -> &DerivedFacts {
        self.0.derived()
    }
}

/// "Company size: 201 to 1000", or "How many people work here? 201 to
/// 1000" when the question ends with its own punctuation.
fn option_reason(question: &str, option: &str) -> String {
    let question = question.trim_end();
    if question.ends_with(['?', ':', '.', '!']) {
        format!("{question} {option}")
    } else {
        format!("{question}: {option}")
    }
}

#[cfg(test)]
mod tests {
    use super::option_reason;
    use crate::engine::condition_def::{Condition, DomainTest, Test};
    use crate::engine::definition::{LeadField, QuestionKind, ScoringRule};
    use crate::engine::test_support::{answer_is, choice, form, mapped};
    use crate::engine::{AnswerValue, Answers, Hidden, ScoreSource, evaluate};

    fn rule(when: Condition, fit: i32, intent: i32, reason: &str) -> ScoringRule {
        ScoringRule { when, fit, intent, reason: reason.into() }
    }

    fn scored_form() -> crate::engine::FormDefinition {
        let mut tools = choice("tools", &[("crm", 5, 1), ("erp", 10, 0), ("none", 0, 0)]);
        tools.kind = QuestionKind::MultipleChoice;
        tools.label = "Tools".into();
        let mut def = form(vec![mapped("email", QuestionKind::Email, LeadField::Email), tools]);
        def.scoring = vec![
            rule(Condition::EmailDomain(DomainTest::Free), -30, 0, "Free email address"),
            rule(answer_is("tools", Test::Contains("erp".into())), 0, 20, "Uses an ERP"),
            rule(Condition::Fit(Test::Lt(1000.0)), 99, 99, "Reads fit (ignored)"),
            rule(Condition::Not(Box::new(Condition::Intent(Test::Gt(0.0)))), 1, 0, "Not(intent) holds"),
        ];
        def
    }

    fn evaluate_with(email: &str, tools: &[&str]) -> crate::engine::Evaluation {
        let mut answers = Answers::new();
        answers.insert("email".into(), AnswerValue::Text(email.into()));
        let tools = tools.iter().map(|t| t.to_string()).collect();
        answers.insert("tools".into(), AnswerValue::Choices(tools));
        evaluate(&scored_form(), &answers, &Hidden::new())
    }

    #[test]
    fn an_option_reason_reads_as_a_sentence_after_a_question_mark() {
        assert_eq!(
            option_reason("How many people work here?", "201 to 1000"),
            "How many people work here? 201 to 1000"
        );
        assert_eq!(option_reason("Company size", "11-50"), "Company size: 11-50");
    }

    #[test]
    fn each_chosen_option_adds_its_points_with_a_reason() {
        let result = evaluate_with("a@acme.com", &["crm", "erp"]);
        let reasons: Vec<_> = result.fit.breakdown.iter().map(|i| i.reason.as_str()).collect();
        assert_eq!(reasons, ["Tools: CRM", "Tools: ERP", "Not(intent) holds"]);
        assert_eq!(result.fit.total, 16);
        let source = &result.fit.breakdown[0].source;
        let expected = ScoreSource::Option { question: "tools".into(), value: "crm".into() };
        assert_eq!(*source, expected);
    }

    #[test]
    fn rules_add_points_when_they_hold() {
        let result = evaluate_with("a@gmail.com", &["erp"]);
        assert_eq!(result.fit.total, 10 - 30 + 1);
        assert_eq!(result.intent.total, 20);
        let rule_item = &result.intent.breakdown[0];
        assert_eq!((rule_item.reason.as_str(), &rule_item.source), ("Uses an ERP", &ScoreSource::Rule { index: 1 }));
    }

    #[test]
    fn totals_equal_the_sum_of_the_breakdown() {
        for tools in [&["crm"][..], &["erp", "none"], &[]] {
            let result = evaluate_with("a@yahoo.com", tools);
            for score in [&result.fit, &result.intent] {
                assert_eq!(score.total, score.breakdown.iter().map(|i| i.points).sum::<i32>());
            }
        }
    }
}
