//! Fit and intent scores with their breakdown: points of the chosen options
//! on the path (in path order), then every scoring rule whose condition
//! holds. Scoring rules cannot read fit or intent: those tests are false.

use super::answer::AnswerValue;
use super::compiled::CompiledForm;
use super::condition::FactSource;
use super::definition::LeadField;
use super::evaluate::{Score, ScoreItem, ScoreSource};
use super::facts::DomainCategories;
use super::value_test::normalize;

/// Scores the answers on `path` as seen through `facts`; returns (fit, intent).
pub(crate) fn score(form: &CompiledForm, facts: &impl FactSource, path: &[usize]) -> (Score, Score) {
    let mut fit = Score::default();
    let mut intent = Score::default();
    for &question in path {
        if let Some(answer) = facts.answer(question) {
            add_option_points(form, question, answer, &mut fit, &mut intent);
        }
    }
    let facts = WithoutScores(facts);
    for (index, condition) in form.rules.iter().enumerate() {
        if condition.holds(&facts) {
            let rule = &form.def.scoring[index];
            let source = || ScoreSource::Rule { index };
            add_nonzero(&mut fit, rule.fit, &rule.reason, source);
            add_nonzero(&mut intent, rule.intent, &rule.reason, source);
        }
    }
    (fit, intent)
}

fn add_option_points(
    form: &CompiledForm,
    question: usize,
    answer: &AnswerValue,
    fit: &mut Score,
    intent: &mut Score,
) {
    let chosen: &[String] = match answer {
        AnswerValue::Text(value) => std::slice::from_ref(value),
        AnswerValue::Choices(values) => values,
        _ => return,
    };
    let definition = &form.def.questions[question];
    let option_values = &form.questions[question].option_values;
    for value in chosen {
        let normalized = normalize(value);
        let Some(position) = option_values.iter().position(|v| *v == normalized) else {
            continue;
        };
        let option = &definition.options[position];
        let reason = format!("{}: {}", definition.label, option.label);
        let source = || ScoreSource::Option {
            question: definition.id.clone(),
            value: option.value.clone(),
        };
        add_nonzero(fit, option.fit, &reason, source);
        add_nonzero(intent, option.intent, &reason, source);
    }
}

/// Zero-point items are left out to keep the breakdown readable.
fn add_nonzero(score: &mut Score, points: i32, reason: &str, source: impl Fn() -> ScoreSource) {
    if points != 0 {
        score.add(ScoreItem {
            points,
            reason: reason.to_owned(),
            source: source(),
        });
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
    fn lead_field(&self, field: LeadField) -> Option<String> {
        self.0.lead_field(field)
    }
    fn scores(&self) -> Option<(i32, i32)> {
        None
    }
    fn domains(&self) -> &DomainCategories {
        self.0.domains()
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::condition_def::{Condition, DomainTest, Test};
    use crate::engine::definition::{LeadField, QuestionKind, ScoringRule};
    use crate::engine::test_support::{answer_is, choice, form, mapped};
    use crate::engine::{AnswerValue, Answers, Hidden, ScoreSource, evaluate};

    fn rule(when: Condition, fit: i32, intent: i32, reason: &str) -> ScoringRule {
        ScoringRule {
            when,
            fit,
            intent,
            reason: reason.into(),
        }
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
