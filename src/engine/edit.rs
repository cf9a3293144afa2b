//! Edits the editor makes to a definition beyond plain field changes:
//! what refers to a question or a list (so deleting one can be refused with
//! the places shown), renaming a question or a list everywhere, and the
//! small valid definition a new form starts from.

use super::condition_def::{Condition, DomainTest, ListRef, Test};
use super::definition::{Ending, FormDefinition, FormSettings, Handoff, LeadField, Outcome, Question, QuestionKind};

/// Calls `visit` on every condition of the definition (branches, scoring
/// rules, outcomes) with where it is, e.g. "question size, branch 2".
fn each_condition<'a>(def: &'a FormDefinition, visit: &mut impl FnMut(&'a Condition, String)) {
    for question in &def.questions {
        for (number, rule) in question.next.iter().enumerate() {
            if let Some(when) = &rule.when {
                visit(when, format!("question {}, branch {}", question.id, number + 1));
            }
        }
    }
    for (number, rule) in def.scoring.iter().enumerate() {
        visit(&rule.when, format!("scoring rule {} (“{}”)", number + 1, rule.reason));
    }
    for outcome in &def.outcomes {
        if let Some(when) = &outcome.when {
            visit(when, format!("outcome {}", outcome.id));
        }
    }
}

/// Every condition of the definition, for changing in place.
fn each_condition_mut(def: &mut FormDefinition, visit: &mut impl FnMut(&mut Condition)) {
    let branches = def.questions.iter_mut().flat_map(|q| q.next.iter_mut()).filter_map(|r| r.when.as_mut());
    let rules = def.scoring.iter_mut().map(|r| &mut r.when);
    let outcomes = def.outcomes.iter_mut().filter_map(|o| o.when.as_mut());
    for condition in branches.chain(rules).chain(outcomes) {
        walk_mut(condition, visit);
    }
}

fn walk_mut(condition: &mut Condition, visit: &mut impl FnMut(&mut Condition)) {
    visit(condition);
    match condition {
        Condition::All(items) | Condition::Any(items) => items.iter_mut().for_each(|item| walk_mut(item, visit)),
        Condition::Not(inner) => walk_mut(inner, visit),
        _ => {}
    }
}

/// Places that name the question: branches going to it and conditions
/// reading its answer. Empty when it can be deleted safely.
pub fn question_references(def: &FormDefinition, id: &str) -> Vec<String> {
    let mut places = Vec::new();
    for question in def.questions.iter().filter(|q| q.id != id) {
        for (number, rule) in question.next.iter().enumerate() {
            if rule.goto.trim() == id {
                places.push(format!("question {}, branch {} goes to it", question.id, number + 1));
            }
        }
    }
    each_condition(def, &mut |condition, location| {
        let mut reads = false;
        condition.walk(&mut |node| reads |= matches!(node, Condition::Answer { question, .. } if question == id));
        if reads && !location.starts_with(&format!("question {id},")) {
            places.push(format!("{location} reads its answer"));
        }
    });
    places
}

/// Renames a question and every goto and condition that names it.
pub fn rename_question(def: &mut FormDefinition, old: &str, new: &str) {
    for question in &mut def.questions {
        if question.id == old {
            question.id = new.to_owned();
        }
        for rule in &mut question.next {
            if rule.goto.trim() == old {
                rule.goto = new.to_owned();
            }
        }
    }
    each_condition_mut(def, &mut |condition| {
        if let Condition::Answer { question, .. } = condition
            && question == old
        {
            *question = new.to_owned();
        }
    });
}

/// The list name a condition node uses, if any.
fn list_named(node: &Condition) -> Option<&str> {
    fn in_test(test: &Test) -> Option<&str> {
        match test {
            Test::InList(name) => Some(name),
            _ => None,
        }
    }
    match node {
        Condition::Answer { is, .. } | Condition::Hidden { is, .. } | Condition::Field { is, .. } => in_test(is),
        Condition::Fit(is) | Condition::Intent(is) => in_test(is),
        Condition::EmailDomain(DomainTest::List(name)) => Some(name),
        Condition::JobTitleHasWord(ListRef::Named(name)) | Condition::CountryIn(ListRef::Named(name)) => Some(name),
        _ => None,
    }
}

/// Places whose conditions use the named list.
pub fn list_references(def: &FormDefinition, name: &str) -> Vec<String> {
    let mut places = Vec::new();
    each_condition(def, &mut |condition, location| {
        let mut uses = false;
        condition.walk(&mut |node| uses |= list_named(node) == Some(name));
        if uses {
            places.push(location);
        }
    });
    places
}

/// Renames a list and every condition that uses it.
pub fn rename_list(def: &mut FormDefinition, old: &str, new: &str) {
    if let Some(entries) = def.lists.remove(old) {
        def.lists.insert(new.to_owned(), entries);
    }
    each_condition_mut(def, &mut |condition| {
        let slot = match condition {
            Condition::Answer { is: Test::InList(name), .. }
            | Condition::Hidden { is: Test::InList(name), .. }
            | Condition::Field { is: Test::InList(name), .. }
            | Condition::Fit(Test::InList(name))
            | Condition::Intent(Test::InList(name))
            | Condition::EmailDomain(DomainTest::List(name))
            | Condition::JobTitleHasWord(ListRef::Named(name))
            | Condition::CountryIn(ListRef::Named(name)) => name,
            _ => return,
        };
        if slot == old {
            *slot = new.to_owned();
        }
    });
}

/// A new form: a work-email question and one outcome for everyone, which
/// lints clean so it can be published as it is.
pub fn starter_definition(slug: &str, title: &str) -> FormDefinition {
    FormDefinition {
        slug: slug.to_owned(),
        title: title.to_owned(),
        intro: None,
        questions: vec![Question {
            id: "email".into(),
            kind: QuestionKind::Email,
            label: "Work email".into(),
            help: None,
            required: true,
            maps_to: Some(LeadField::Email),
            options: Vec::new(),
            validation: Default::default(),
            next: Vec::new(),
        }],
        scoring: Vec::new(),
        lists: Default::default(),
        outcomes: vec![Outcome {
            id: "everyone".into(),
            tier: "Nurture".into(),
            when: None,
            ending: Ending {
                title: "Thank you".into(),
                message: "We have your details and will be in touch.".into(),
                resources: Vec::new(),
                offer_booking: false,
            },
            handoff: Handoff::Nurture,
            accept_within_minutes: None,
        }],
        settings: FormSettings::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lint;
    use crate::engine::test_support::{answer_is, choice, form, goto, outcome};

    fn sample() -> FormDefinition {
        let mut size = choice("size", &[("small", 0, 0), ("large", 40, 0)]);
        size.next = vec![goto(Some(answer_is("size", Test::Equals("large".into()))), "budget")];
        let budget = choice("budget", &[("low", 0, 0)]);
        let mut def = form(vec![size, budget]);
        def.lists.insert("rivals".into(), vec!["a.example".into()]);
        def.scoring.push(crate::engine::ScoringRule {
            when: Condition::All(vec![
                answer_is("budget", Test::Equals("low".into())),
                Condition::EmailDomain(DomainTest::List("rivals".into())),
            ]),
            fit: -10,
            intent: 0,
            reason: "Low budget rival".into(),
        });
        def.outcomes.insert(0, outcome("big", Some(answer_is("size", Test::InList("rivals".into())))));
        def
    }

    #[test]
    fn references_name_every_place_that_uses_a_question() {
        let def = sample();
        assert_eq!(
            question_references(&def, "budget"),
            vec!["question size, branch 1 goes to it", "scoring rule 1 (“Low budget rival”) reads its answer"]
        );
        assert_eq!(question_references(&def, "size"), vec!["outcome big reads its answer"]);
        assert!(question_references(&def, "nothing").is_empty());
    }

    #[test]
    fn renaming_a_question_follows_every_reference() {
        let mut def = sample();
        rename_question(&mut def, "budget", "money");
        assert!(question_references(&def, "budget").is_empty());
        assert_eq!(question_references(&def, "money").len(), 2);
        assert_eq!(def.questions[1].id, "money");
    }

    #[test]
    fn lists_are_found_and_renamed_everywhere() {
        let mut def = sample();
        assert_eq!(list_references(&def, "rivals"), vec!["scoring rule 1 (“Low budget rival”)", "outcome big"]);
        rename_list(&mut def, "rivals", "competitors");
        assert!(list_references(&def, "rivals").is_empty());
        assert_eq!(list_references(&def, "competitors").len(), 2);
        assert!(def.lists.contains_key("competitors"));
    }

    #[test]
    fn the_starter_definition_lints_clean() {
        let findings = lint(&starter_definition("new-form", "New form"));
        assert!(findings.is_empty(), "{findings:?}");
    }
}
