//! Testing any [`Condition`] against a finished lead, the way outcomes see
//! it: answers on the path, hidden fields, lead fields and the final fit
//! and intent. Routing rules use this to build their `matches` closure.

use std::collections::BTreeMap;

use super::answer::{AnswerValue, Answers, Hidden};
use super::compiled::CompiledForm;
use super::condition::{CompileEnv, CompiledCondition, FactSource};
use super::condition_def::Condition;
use super::definition::LeadField;
use super::evaluate::Evaluation;
use super::facts::DerivedFacts;

impl CompiledForm<'_> {
    /// Whether `condition` holds for these answers, with fit and intent
    /// scored from them, exactly as an outcome's condition would. Questions
    /// and lists are looked up in this form.
    pub fn check(&self, condition: &Condition, answers: &Answers, hidden: &Hidden) -> bool {
        let evaluation = self.evaluate(answers, hidden);
        self.check_evaluated(condition, &evaluation, hidden)
    }

    /// [`CompiledForm::check`] for an evaluation of this form already at
    /// hand, to test several conditions without evaluating again.
    pub fn check_evaluated(&self, condition: &Condition, evaluation: &Evaluation, hidden: &Hidden) -> bool {
        let env = CompileEnv::new(&self.def, &self.index);
        let compiled = CompiledCondition::compile(condition, &env);
        compiled.holds(&LeadFacts::new(self, evaluation, hidden))
    }
}

/// A finished lead as conditions see it.
struct LeadFacts<'a> {
    form: &'a CompiledForm<'a>,
    evaluation: &'a Evaluation,
    hidden: &'a Hidden,
    fields: BTreeMap<LeadField, String>,
    derived: DerivedFacts,
}

impl<'a> LeadFacts<'a> {
    fn new(form: &'a CompiledForm<'a>, evaluation: &'a Evaluation, hidden: &'a Hidden) -> Self {
        // The evaluation's answers are those on the path, so the first
        // filling question in document order is the first on the path.
        let fields = form.lead_fields(&evaluation.answers);
        let mut derived = DerivedFacts::default();
        for field in [LeadField::Email, LeadField::JobTitle, LeadField::Country] {
            let value = fields.get(&field).map(String::as_str);
            derived.update(field, value, &form.domains);
        }
        Self { form, evaluation, hidden, fields, derived }
    }
}

impl FactSource for LeadFacts<'_> {
    fn answer(&self, question: usize) -> Option<&AnswerValue> {
        let id = &self.form.def.questions.get(question)?.id;
        self.evaluation.answers.get(id)
    }

    fn hidden(&self, field: &str) -> Option<&str> {
        self.hidden.get(field).map(String::as_str)
    }

    fn lead_field(&self, field: LeadField) -> Option<&str> {
        self.fields.get(&field).map(String::as_str)
    }

    fn derived(&self) -> &DerivedFacts {
        &self.derived
    }

    fn scores(&self) -> Option<(i32, i32)> {
        Some((self.evaluation.fit.total, self.evaluation.intent.total))
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::condition_def::{Condition, DomainTest, Test};
    use crate::engine::definition::{LeadField, QuestionKind};
    use crate::engine::test_support::{answer_is, choice, form, goto, mapped};
    use crate::engine::{AnswerValue, Answers, CompiledForm, Hidden};

    fn lead_form() -> CompiledForm<'static> {
        let mut size = choice("size", &[("small", 1, 0), ("large", 40, 5)]);
        size.next = vec![goto(Some(answer_is("size", Test::Equals("small".into()))), "finish")];
        let country = mapped("country", QuestionKind::ShortText, LeadField::Country);
        let email = mapped("email", QuestionKind::Email, LeadField::Email);
        CompiledForm::new(form(vec![email, size, country]))
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs.iter().map(|(id, value)| ((*id).to_owned(), AnswerValue::Text((*value).to_owned()))).collect()
    }

    #[test]
    fn checks_answers_lead_fields_and_scores() {
        let form = lead_form();
        let given = answers(&[("email", "ann@acme.com"), ("size", "large"), ("country", "DE")]);
        let hidden = Hidden::from([("utm_source".to_owned(), "ads".to_owned())]);
        let holds = |condition: Condition| form.check(&condition, &given, &hidden);
        assert!(holds(answer_is("size", Test::Equals("large".into()))));
        assert!(holds(Condition::Fit(Test::Gte(40.0))));
        assert!(holds(Condition::Intent(Test::Equals("5".into()))));
        assert!(holds(Condition::CountryIn(crate::engine::ListRef::Inline(vec!["de".into()]))));
        assert!(holds(Condition::Hidden { field: "utm_source".into(), is: Test::Equals("ads".into()) }));
        assert!(!holds(Condition::EmailDomain(DomainTest::Free)));
        assert!(!holds(Condition::Fit(Test::Gt(40.0))));
    }

    #[test]
    fn answers_off_the_path_do_not_count() {
        let form = lead_form();
        // "small" finishes the form, so the country answer is off the path.
        let given = answers(&[("email", "ann@gmail.com"), ("size", "small"), ("country", "DE")]);
        let hidden = Hidden::new();
        let country = Condition::Field { name: LeadField::Country, is: Test::Answered };
        assert!(!form.check(&country, &given, &hidden));
        assert!(form.check(&Condition::EmailDomain(DomainTest::Free), &given, &hidden));
        let evaluation = form.evaluate(&given, &hidden);
        assert!(form.check_evaluated(&Condition::Fit(Test::Equals("1".into())), &evaluation, &hidden));
    }
}
