//! The builder's field names in and out, its buttons, and its refusals.

use super::*;
use crate::engine::{FormDefinition, parse_definition_yaml};
use crate::web::admin::forms::builder_catalog::Catalog;

fn definition() -> FormDefinition {
    parse_definition_yaml(include_str!("../../../demo/talk_to_sales.yaml")).unwrap()
}

fn catalog() -> Catalog {
    Catalog::for_form(&definition(), true)
}

fn body(pairs: &[(&str, &str)]) -> FormBody {
    FormBody::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// The pairs a page showing `node` posts back (the names the template writes).
fn pairs(node: &Node, prefix: &str, out: &mut Vec<(String, String)>) {
    match node {
        Node::Group { kind, items } => {
            out.push((format!("{prefix}.kind"), kind.as_str().into()));
            for (i, item) in items.iter().enumerate() {
                pairs(item, &format!("{prefix}.items.{i}"), out);
            }
        }
        Node::Leaf(leaf) => {
            out.push((format!("{prefix}.kind"), "leaf".into()));
            for (name, value) in [
                ("subject", &leaf.subject),
                ("key", &leaf.key),
                ("op", &leaf.op),
                ("value", &leaf.value),
                ("value2", &leaf.value2),
            ] {
                out.push((format!("{prefix}.{name}"), value.clone()));
            }
            out.extend(leaf.values.iter().map(|v| (format!("{prefix}.values"), v.clone())));
        }
    }
}

fn round_trip(condition: &Condition) -> Option<Condition> {
    let mut posted = Vec::new();
    pairs(&from_condition(Some(condition)), "when", &mut posted);
    let node = Node::parse(&FormBody::from_pairs(posted), "when");
    to_condition(&node, "when", &catalog()).unwrap()
}

#[test]
fn every_condition_of_the_demo_survives_the_builder() {
    let def = definition();
    let mut conditions: Vec<&Condition> = def.scoring.iter().map(|r| &r.when).collect();
    conditions.extend(def.outcomes.iter().filter_map(|o| o.when.as_ref()));
    conditions.extend(def.questions.iter().flat_map(|q| q.next.iter()).filter_map(|r| r.when.as_ref()));
    assert!(conditions.len() > 10);
    for condition in conditions {
        assert_eq!(round_trip(condition).as_ref(), Some(condition));
    }
}

#[test]
fn nested_groups_become_all_any_and_not() {
    let form = body(&[
        ("when.kind", "all"),
        ("when.items.0.kind", "leaf"),
        ("when.items.0.subject", "answer:company_size"),
        ("when.items.0.op", "in"),
        ("when.items.0.values", "201-1000"),
        ("when.items.0.values", "1000+"),
        ("when.items.1.kind", "none"),
        ("when.items.1.items.0.kind", "leaf"),
        ("when.items.1.items.0.subject", "email_domain"),
        ("when.items.1.items.0.op", "free"),
        ("when.items.1.items.1.kind", "leaf"),
        ("when.items.1.items.1.subject", "fit"),
        ("when.items.1.items.1.op", "between"),
        ("when.items.1.items.1.value", "-10"),
        ("when.items.1.items.1.value2", "5.5"),
    ]);
    let condition = to_condition(&Node::parse(&form, "when"), "when", &catalog()).unwrap().unwrap();
    let expected = Condition::All(vec![
        Condition::Answer { question: "company_size".into(), is: Test::In(vec!["201-1000".into(), "1000+".into()]) },
        Condition::Not(Box::new(Condition::Any(vec![
            Condition::EmailDomain(DomainTest::Free),
            Condition::Fit(Test::Between(-10.0, 5.5)),
        ]))),
    ]);
    assert_eq!(condition, expected);
}

#[test]
fn an_empty_root_always_holds_and_one_row_needs_no_group() {
    assert_eq!(to_condition(&Node::empty(), "when", &catalog()), Ok(None));
    let one = body(&[
        ("when.kind", "any"),
        ("when.items.0.kind", "leaf"),
        ("when.items.0.subject", "job_title"),
        ("when.items.0.op", "words"),
        ("when.items.0.value", "intern, student"),
    ]);
    let condition = to_condition(&Node::parse(&one, "when"), "when", &catalog()).unwrap();
    assert_eq!(condition, Some(Condition::JobTitleHasWord(ListRef::Inline(vec!["intern".into(), "student".into()]))));
}

#[test]
fn bad_values_are_reported_beside_their_row_only() {
    let form = body(&[
        ("when.kind", "all"),
        ("when.items.0.kind", "leaf"),
        ("when.items.0.subject", "fit"),
        ("when.items.0.op", "gte"),
        ("when.items.0.value", "abc"),
        ("when.items.1.kind", "leaf"),
        ("when.items.1.subject", "answer:company_size"),
        ("when.items.1.op", "equals"),
        ("when.items.1.value", "huge"),
        ("when.items.2.kind", "leaf"),
        ("when.items.2.subject", "email_domain"),
        ("when.items.2.op", "gte"),
        ("when.items.3.kind", "any"),
        ("when.items.4.kind", "leaf"),
        ("when.items.4.subject", "intent"),
        ("when.items.4.op", "lte"),
        ("when.items.4.value", "10"),
    ]);
    let errors = to_condition(&Node::parse(&form, "when"), "when", &catalog()).unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(errors["when.items.0"], "“abc” is not a number; enter one like 40.");
    assert!(errors["when.items.1"].contains("“huge”"));
    assert_eq!(errors["when.items.2"], "Choose a test that fits this subject.");
    assert!(errors["when.items.3"].contains("empty"));
}

#[test]
fn scores_are_not_offered_to_scoring_rules() {
    let scoring = Catalog::for_form(&definition(), false);
    let leaf = Leaf { subject: "fit".into(), op: "gte".into(), value: "1".into(), ..Leaf::default() };
    let node = Node::Group { kind: GroupKind::All, items: vec![Node::Leaf(leaf)] };
    assert!(to_condition(&node, "when", &scoring).is_err());
}

#[test]
fn buttons_add_and_remove_rows_and_groups_where_aimed() {
    let mut node = Node::empty();
    assert!(node.apply("b.0.when", "add_leaf:b.0.when"));
    assert!(node.apply("b.0.when", "add_group:b.0.when"));
    assert!(node.apply("b.0.when", "add_leaf:b.0.when.items.1"));
    assert!(!node.apply("b.1.when", "add_leaf:b.0.when"), "another builder's button");
    assert!(!node.apply("b.0.when", "remove:b.0.when"), "the root cannot be removed");
    let Node::Group { items, .. } = &node else { panic!() };
    assert_eq!(items.len(), 2);
    assert!(matches!(&items[1], Node::Group { items, .. } if items.len() == 2), "a new group has a row");
    assert!(node.apply("b.0.when", "remove:b.0.when.items.0"));
    assert!(!node.apply("b.0.when", "remove:b.0.when.items.9"));
    let Node::Group { items, .. } = &node else { panic!() };
    assert!(matches!(&items[0], Node::Group { .. }));
}

#[test]
fn nesting_stops_at_the_depth_limit() {
    let mut posted = Vec::new();
    let mut prefix = "when".to_owned();
    for _ in 0..100 {
        posted.push((format!("{prefix}.kind"), "all".to_owned()));
        prefix.push_str(".items.0");
    }
    let node = Node::parse(&FormBody::from_pairs(posted), "when");
    let mut depth = 0;
    let mut at = &node;
    while let Node::Group { items, .. } = at {
        depth += 1;
        match items.first() {
            Some(next) => at = next,
            None => break,
        }
    }
    assert_eq!(depth, MAX_CONDITION_DEPTH);
}
