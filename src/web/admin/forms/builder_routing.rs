//! What the condition builder offers on a routing rule. A rule applies to
//! leads of every form, so it offers the questions of the forms in use
//! (each labelled with the forms that ask it; options merged), any other
//! question by its id, and what every lead has: hidden fields such as
//! utm_source, lead fields, the email domain, job title words, the
//! country, fit and intent. Lists are those of the forms plus the
//! built-in ones; a rule reads them from the form the lead came from.

use super::builder::Node;
use super::builder_catalog::{Catalog, Subject, SubjectType, answer_type, lead_subjects, subject, with_builtin_lists};
use crate::engine::{FormDefinition, QuestionKind};

/// The subject of a question named by its id rather than chosen.
pub const FREE_ANSWER: &str = "answer";

impl Catalog {
    /// The routing subjects over `forms` (published versions and drafts).
    pub fn for_routing(forms: &[&FormDefinition]) -> Catalog {
        let mut questions: Vec<(Subject, Vec<String>)> = Vec::new();
        for def in forms {
            for question in def.questions.iter().filter(|q| q.kind != QuestionKind::Statement) {
                let value = format!("answer:{}", question.id);
                let options = question.options.iter().map(|o| (o.value.clone(), o.label.clone()));
                match questions.iter_mut().find(|(s, _)| s.value == value) {
                    Some((known, titles)) => {
                        // Asked differently by two forms: compare the answer as text.
                        if known.ty != answer_type(question.kind) {
                            known.ty = SubjectType::Text;
                        }
                        for option in options {
                            if !known.options.iter().any(|(v, _)| *v == option.0) {
                                known.options.push(option);
                            }
                        }
                        if !titles.contains(&def.title) {
                            titles.push(def.title.clone());
                        }
                    }
                    None => {
                        let mut entry = subject(value, String::new(), answer_type(question.kind));
                        entry.options = options.collect();
                        questions.push((entry, vec![def.title.clone()]));
                    }
                }
            }
        }
        let mut subjects: Vec<Subject> = questions
            .into_iter()
            .map(|(mut s, titles)| {
                let id = s.value.trim_start_matches("answer:").to_owned();
                s.label = format!("Answer to {id} ({})", titles.join(", "));
                if s.ty == SubjectType::Text {
                    s.options.clear();
                }
                s
            })
            .collect();
        subjects.push(subject(FREE_ANSWER, "Answer to another question (by its id)", SubjectType::Text));
        subjects.extend(lead_subjects(true));
        let mut lists: Vec<String> = Vec::new();
        for name in forms.iter().flat_map(|def| def.lists.keys()) {
            if !lists.contains(name) {
                lists.push(name.clone());
            }
        }
        Catalog { subjects, lists: with_builtin_lists(lists) }
    }

    /// Rows testing a question that no form in use asks become rows of
    /// [`FREE_ANSWER`] with the id kept, so nothing of a rule is lost.
    pub fn adopt_unknown_answers(&self, node: &mut Node) {
        if self.subject(FREE_ANSWER).is_none() {
            return;
        }
        match node {
            Node::Group { items, .. } => items.iter_mut().for_each(|item| self.adopt_unknown_answers(item)),
            Node::Leaf(leaf) => {
                if let Some(question) = leaf.subject.strip_prefix("answer:")
                    && self.subject(&leaf.subject).is_none()
                {
                    leaf.key = question.to_owned();
                    leaf.subject = FREE_ANSWER.to_owned();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Condition, Test, parse_definition_yaml};
    use crate::web::admin::forms::builder::{Errors, from_condition, to_condition};

    fn forms() -> (FormDefinition, FormDefinition) {
        let demo = parse_definition_yaml(include_str!("../../../demo/talk_to_sales.yaml")).unwrap();
        let mut other = demo.clone();
        other.title = "Pricing".into();
        other.questions.retain(|q| q.id == "email" || q.id == "company_size");
        (demo, other)
    }

    #[test]
    fn questions_asked_by_several_forms_are_offered_once_with_their_forms_named() {
        let (demo, other) = forms();
        let catalog = Catalog::for_routing(&[&demo, &other]);
        let size = catalog.subject("answer:company_size").unwrap();
        assert_eq!(size.label, "Answer to company_size (Talk to sales, Pricing)");
        assert_eq!(size.ty, SubjectType::SingleChoice);
        assert_eq!(size.options.len(), 5);
        assert_eq!(catalog.subject("answer:seats").unwrap().label, "Answer to seats (Talk to sales)");
        for offered in ["answer", "hidden", "field:country", "email_domain", "country", "fit", "intent", "always"] {
            assert!(catalog.subject(offered).is_some(), "{offered}");
        }
        assert!(catalog.lists.iter().any(|l| l == "core_markets"));
        assert!(catalog.lists.iter().any(|l| l == "eu_countries"));
    }

    #[test]
    fn a_question_no_form_asks_is_kept_by_its_id_and_turned_back_into_the_same_condition() {
        let (demo, _) = forms();
        let catalog = Catalog::for_routing(&[&demo]);
        let condition = Condition::Answer { question: "region".into(), is: Test::Equals("emea".into()) };
        let mut node = from_condition(Some(&condition));
        catalog.adopt_unknown_answers(&mut node);
        let Node::Group { items, .. } = &node else { panic!() };
        assert!(matches!(&items[0], Node::Leaf(l) if l.subject == FREE_ANSWER && l.key == "region"));
        assert_eq!(to_condition(&node, "when", &catalog), Ok(Some(condition)));
    }

    #[test]
    fn a_free_question_needs_an_id_a_question_could_have() {
        let (demo, _) = forms();
        let catalog = Catalog::for_routing(&[&demo]);
        let condition = Condition::Answer { question: "Region!".into(), is: Test::Equals("emea".into()) };
        let mut node = from_condition(Some(&condition));
        catalog.adopt_unknown_answers(&mut node);
        let errors: Errors = to_condition(&node, "when", &catalog).unwrap_err();
        assert!(errors["when.items.0"].contains("question's id"), "{errors:?}");
    }
}
