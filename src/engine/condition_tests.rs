//! Unit tests of each condition kind (the value tests are in value_test.rs).

use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::engine::condition_def::Test;
use crate::engine::facts::DomainCategories;
use crate::engine::test_support::{answer_is, tiny_form};

#[derive(Default)]
struct Stub {
    answers: BTreeMap<usize, AnswerValue>,
    hidden: BTreeMap<String, String>,
    fields: BTreeMap<LeadField, String>,
    derived: DerivedFacts,
    scores: Option<(i32, i32)>,
}

impl FactSource for Stub {
    fn answer(&self, question: usize) -> Option<&AnswerValue> {
        self.answers.get(&question)
    }
    fn hidden(&self, field: &str) -> Option<&str> {
        self.hidden.get(field).map(String::as_str)
    }
    fn lead_field(&self, field: LeadField) -> Option<&str> {
        self.fields.get(&field).map(String::as_str)
    }
    fn scores(&self) -> Option<(i32, i32)> {
        self.scores
    }
    fn derived(&self) -> &DerivedFacts {
        &self.derived
    }
}

fn check(condition: &Condition, facts: &Stub) -> bool {
    let mut def = tiny_form();
    def.lists.insert("rivals".into(), vec!["Rival.example".into()]);
    def.lists.insert("junior".into(), vec!["intern".into(), "sales assistant".into()]);
    let index: HashMap<String, usize> = def.questions.iter().enumerate().map(|(i, q)| (q.id.clone(), i)).collect();
    let env = CompileEnv::new(&def, &index);
    CompiledCondition::compile(condition, &env).holds(facts)
}

fn with_field(field: LeadField, value: &str) -> Stub {
    let mut stub = Stub::default();
    stub.fields.insert(field, value.into());
    let domains = DomainCategories::for_form(&tiny_form());
    stub.derived.update(field, Some(value), &domains);
    stub
}

#[test]
fn all_any_not_always() {
    let facts = Stub::default();
    let never = Condition::Not(Box::new(Condition::Always));
    assert!(check(&Condition::Always, &facts));
    assert!(!check(&never, &facts));
    assert!(check(&Condition::All(vec![]), &facts));
    assert!(!check(&Condition::All(vec![Condition::Always, never.clone()]), &facts));
    assert!(check(&Condition::Any(vec![never.clone(), Condition::Always]), &facts));
    assert!(!check(&Condition::Any(vec![]), &facts));
}

#[test]
fn answer_reads_the_question_by_id() {
    let mut facts = Stub::default();
    facts.answers.insert(3, AnswerValue::Text("large".into()));
    assert!(check(&answer_is("size", Test::Equals("LARGE".into())), &facts));
    assert!(!check(&answer_is("email", Test::Answered), &facts));
    assert!(check(&answer_is("email", Test::NotAnswered), &facts));
    assert!(!check(&answer_is("no_such_question", Test::Answered), &facts));
    assert!(check(&answer_is("no_such_question", Test::NotAnswered), &facts));
}

#[test]
fn hidden_fields() {
    let mut facts = Stub::default();
    facts.hidden.insert("utm_source".into(), "LinkedIn".into());
    let is_linkedin = |field: &str| Condition::Hidden { field: field.into(), is: Test::Equals("linkedin".into()) };
    assert!(check(&is_linkedin("utm_source"), &facts));
    assert!(!check(&is_linkedin("utm_medium"), &facts));
}

#[test]
fn lead_fields() {
    let facts = with_field(LeadField::Country, "DE");
    let condition = |name| Condition::Field { name, is: Test::In(vec!["de".into(), "fr".into()]) };
    assert!(check(&condition(LeadField::Country), &facts));
    assert!(!check(&condition(LeadField::Company), &facts));
}

#[test]
fn email_domain_categories_and_lists() {
    let domain = |test| Condition::EmailDomain(test);
    let gmail = with_field(LeadField::Email, "ann@GMail.com");
    assert!(check(&domain(DomainTest::Free), &gmail));
    assert!(!check(&domain(DomainTest::Disposable), &gmail));
    let student = with_field(LeadField::Email, "ann@cs.stanford.edu");
    assert!(check(&domain(DomainTest::Academic), &student));
    assert!(!check(&domain(DomainTest::Free), &student));
    let throwaway = with_field(LeadField::Email, "x@mailinator.com");
    assert!(check(&domain(DomainTest::Disposable), &throwaway));
    let rival = with_field(LeadField::Email, "spy@eu.rival.example");
    assert!(check(&domain(DomainTest::List("rivals".into())), &rival));
    assert!(!check(&domain(DomainTest::List("rivals".into())), &gmail));
    assert!(!check(&domain(DomainTest::Free), &Stub::default()));
}

#[test]
fn job_title_words_by_name_or_inline() {
    let named = Condition::JobTitleHasWord(ListRef::Named("junior".into()));
    let inline = Condition::JobTitleHasWord(ListRef::Inline(vec!["VP".into()]));
    assert!(check(&named, &with_field(LeadField::JobTitle, "Marketing Intern")));
    assert!(check(&named, &with_field(LeadField::JobTitle, "Sales Assistant (EMEA)")));
    assert!(!check(&named, &with_field(LeadField::JobTitle, "Assistant to Sales")));
    assert!(!check(&named, &with_field(LeadField::JobTitle, "Internal auditor")));
    assert!(check(&inline, &with_field(LeadField::JobTitle, "vp, sales")));
    assert!(!check(&inline, &Stub::default()));
}

#[test]
fn country_in_lists() {
    let inline = Condition::CountryIn(ListRef::Inline(vec!["DE".into(), "FR".into()]));
    let eu = Condition::CountryIn(ListRef::Named("eu_countries".into()));
    assert!(check(&inline, &with_field(LeadField::Country, " de ")));
    assert!(!check(&inline, &with_field(LeadField::Country, "US")));
    assert!(check(&eu, &with_field(LeadField::Country, "IT")));
    assert!(!check(&eu, &Stub::default()));
}

#[test]
fn fit_and_intent_read_running_scores_and_are_false_inside_scoring() {
    let mut facts = Stub { scores: Some((60, 15)), ..Stub::default() };
    assert!(check(&Condition::Fit(Test::Gte(60.0)), &facts));
    assert!(check(&Condition::Intent(Test::Between(10.0, 40.0)), &facts));
    assert!(!check(&Condition::Intent(Test::Gt(40.0)), &facts));
    facts.scores = None;
    assert!(!check(&Condition::Fit(Test::Gte(-1000.0)), &facts));
}
