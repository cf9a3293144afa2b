//! The condition builder as the template draws it: the tree flattened into
//! rows (group opens, leaf rows, group closes with their buttons), each
//! with the dropdown choices that fit it and its error, if any.

use super::builder::{Errors, GroupKind, Leaf, Node};
use super::builder_catalog::{Catalog, Control, SubjectType, control_for, is_multi, ops_for, value_choices};
use super::builder_routing::FREE_ANSWER;

/// One entry of a dropdown or a tick box.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choice(value: &str, label: &str, selected: bool) -> Choice {
    Choice { value: value.to_owned(), label: label.to_owned(), selected }
}

/// One row of the builder.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// "open", "leaf" or "close".
    pub kind: &'static str,
    /// The node's field-name prefix.
    pub prefix: String,
    /// The node's place for people: "1", "2.1" (empty for the root group).
    pub number: String,
    pub root: bool,
    /// Group rows: no items yet.
    pub empty: bool,
    /// Group rows: all / any / none.
    pub groups: Vec<Choice>,
    pub subjects: Vec<Choice>,
    /// The row names its subject in a text box: a hidden field, or a question by id.
    pub needs_key: bool,
    pub key_label: &'static str,
    pub key_placeholder: &'static str,
    pub key: String,
    pub ops: Vec<Choice>,
    /// See [`Control::as_str`].
    pub control: &'static str,
    pub value: String,
    pub value2: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

/// A whole builder, ready to draw.
#[derive(Debug, Clone, Default)]
pub struct BuilderView {
    pub prefix: String,
    pub rows: Vec<Row>,
}

impl BuilderView {
    pub fn new(node: &Node, prefix: &str, catalog: &Catalog, errors: &Errors) -> BuilderView {
        let mut rows = Vec::new();
        let root = match node {
            Node::Group { .. } => node.clone(),
            leaf => Node::Group { kind: GroupKind::All, items: vec![leaf.clone()] },
        };
        flatten(&root, prefix, 0, catalog, errors, &mut rows);
        BuilderView { prefix: prefix.to_owned(), rows }
    }
}

fn flatten(node: &Node, prefix: &str, depth: usize, catalog: &Catalog, errors: &Errors, rows: &mut Vec<Row>) {
    let error = errors.get(prefix).cloned();
    match node {
        Node::Group { kind, items } => {
            let groups = [
                (GroupKind::All, "all of these hold"),
                (GroupKind::Any, "any of these holds"),
                (GroupKind::None, "none of these holds"),
            ]
            .iter()
            .map(|(k, label)| choice(k.as_str(), label, k == kind))
            .collect();
            let base = Row { prefix: prefix.to_owned(), number: number_of(prefix), root: depth == 0, ..Row::default() };
            rows.push(Row { kind: "open", groups, error, empty: items.is_empty(), ..base.clone() });
            for (i, item) in items.iter().enumerate() {
                flatten(item, &format!("{prefix}.items.{i}"), depth + 1, catalog, errors, rows);
            }
            rows.push(Row { kind: "close", ..base });
        }
        Node::Leaf(leaf) => rows.push(leaf_row(leaf, prefix, catalog, error)),
    }
}

fn leaf_row(leaf: &Leaf, prefix: &str, catalog: &Catalog, error: Option<String>) -> Row {
    let subject = catalog.subject(&leaf.subject);
    let mut subjects: Vec<Choice> =
        catalog.subjects.iter().map(|s| choice(&s.value, &s.label, s.value == leaf.subject)).collect();
    if subject.is_none() {
        subjects.insert(0, choice("", "Choose what to test…", true));
    }
    let ty = subject.map(|s| s.ty).unwrap_or(SubjectType::Always);
    let known_op = ops_for(ty).iter().any(|(op, _)| *op == leaf.op);
    let mut ops: Vec<Choice> = ops_for(ty).iter().map(|(op, label)| choice(op, label, *op == leaf.op)).collect();
    if !known_op {
        ops.insert(0, choice("", "Choose a test…", true));
    }
    let control = if known_op { control_for(ty, &leaf.op) } else { Control::None };
    let (value, choices) = match (control, subject) {
        (Control::Select, Some(subject)) => {
            let mut choices: Vec<Choice> = value_choices(subject)
                .iter()
                .map(|(v, l)| choice(v, l, v.eq_ignore_ascii_case(leaf.value.trim())))
                .collect();
            choices.insert(0, choice("", "Choose…", leaf.value.trim().is_empty()));
            (leaf.value.clone(), choices)
        }
        (Control::Checkboxes, Some(subject)) => {
            let picked = picked_values(leaf);
            let choices = value_choices(subject)
                .iter()
                .map(|(v, l)| choice(v, l, picked.iter().any(|p| p.eq_ignore_ascii_case(v))))
                .collect();
            (String::new(), choices)
        }
        (Control::ListName, _) => {
            let mut choices: Vec<Choice> =
                catalog.lists.iter().map(|l| choice(l, l, *l == leaf.value.trim())).collect();
            if !leaf.value.trim().is_empty() && !catalog.lists.iter().any(|l| l == leaf.value.trim()) {
                choices.push(choice(leaf.value.trim(), leaf.value.trim(), true));
            }
            choices.insert(0, choice("", "Choose a list…", leaf.value.trim().is_empty()));
            (leaf.value.clone(), choices)
        }
        (Control::TextList, _) => (picked_values(leaf).join(", "), Vec::new()),
        _ => (leaf.value.clone(), Vec::new()),
    };
    Row {
        kind: "leaf",
        prefix: prefix.to_owned(),
        subjects,
        needs_key: leaf.subject == "hidden" || leaf.subject == FREE_ANSWER,
        key_label: if leaf.subject == "hidden" { "Hidden field name" } else { "Question id" },
        key_placeholder: if leaf.subject == "hidden" { "utm_source" } else { "company_size" },
        number: number_of(prefix),
        key: leaf.key.clone(),
        ops,
        control: control.as_str(),
        value,
        value2: leaf.value2.clone(),
        choices,
        error,
        ..Row::default()
    }
}

/// "2.1" for `when.items.1.items.0`: the place of a row, counted from 1.
fn number_of(prefix: &str) -> String {
    let parts: Vec<&str> = prefix.split('.').collect();
    parts
        .windows(2)
        .filter(|w| w[0] == "items")
        .filter_map(|w| w[1].parse::<usize>().ok())
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// The values a row holds: ticked boxes, else its comma-separated text.
fn picked_values(leaf: &Leaf) -> Vec<String> {
    if !leaf.values.is_empty() && is_multi(&leaf.op) {
        return leaf.values.clone();
    }
    leaf.value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

/// After a builder button: gives new, empty rows the first subject and its
/// first test, and a row whose subject changed a test that fits it, so a
/// row is usable at once (with or without JavaScript).
pub fn fill_defaults(node: &mut Node, catalog: &Catalog) {
    match node {
        Node::Group { items, .. } => items.iter_mut().for_each(|item| fill_defaults(item, catalog)),
        Node::Leaf(leaf) => {
            if leaf.subject.is_empty()
                && let Some(first) = catalog.subjects.first()
            {
                leaf.subject = first.value.clone();
            }
            let Some(subject) = catalog.subject(&leaf.subject) else {
                return;
            };
            let ops = ops_for(subject.ty);
            if !ops.iter().any(|(op, _)| *op == leaf.op) {
                leaf.op = ops.first().map(|(op, _)| (*op).to_owned()).unwrap_or_default();
            }
        }
    }
}

/// A condition in words, e.g. "all of (Fit score is at least 60; Answer to
/// timeline is this_month)"; "everyone" for none.
pub fn condition_text(condition: Option<&crate::engine::Condition>, catalog: &Catalog) -> String {
    let mut root = super::builder::from_condition(condition);
    catalog.adopt_unknown_answers(&mut root);
    match root {
        Node::Group { items, .. } if items.is_empty() => "everyone".into(),
        Node::Group { kind: GroupKind::All, items } if items.len() == 1 => node_text(&items[0], catalog),
        root => node_text(&root, catalog),
    }
}

fn node_text(node: &Node, catalog: &Catalog) -> String {
    match node {
        Node::Group { kind, items } => {
            let inner: Vec<String> = items.iter().map(|item| node_text(item, catalog)).collect();
            format!("{} of ({})", kind.as_str(), inner.join("; "))
        }
        Node::Leaf(leaf) => {
            let subject = catalog.subject(&leaf.subject);
            let name = match (leaf.subject.as_str(), subject) {
                ("hidden", _) => format!("Hidden field {}", leaf.key),
                (FREE_ANSWER, _) => format!("Answer to {}", leaf.key),
                (_, Some(s)) => s.label.clone(),
                (other, None) => other.to_owned(),
            };
            let ty = subject.map(|s| s.ty).unwrap_or(SubjectType::Always);
            let op = ops_for(ty).iter().find(|(op, _)| *op == leaf.op).map(|(_, label)| *label).unwrap_or(&leaf.op);
            let value = match leaf.op.as_str() {
                "between" => format!("{} and {}", leaf.value, leaf.value2),
                _ => picked_values(leaf).join(", "),
            };
            if leaf.subject == "always" { "everyone".into() } else { format!("{name} {op} {value}").trim().to_owned() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Condition, Test};
    use crate::web::admin::forms::builder::from_condition;

    #[test]
    fn a_changed_subject_gets_a_test_that_fits_it_and_a_new_row_the_first_subject() {
        let def = crate::engine::parse_definition_yaml(include_str!("../../../demo/talk_to_sales.yaml")).unwrap();
        let catalog = Catalog::for_form(&def, true);
        let changed = Leaf { subject: "fit".into(), op: "contains".into(), ..Leaf::default() };
        let mut node =
            Node::Group { kind: GroupKind::All, items: vec![Node::Leaf(changed), Node::Leaf(Leaf::default())] };
        fill_defaults(&mut node, &catalog);
        let Node::Group { items, .. } = node else { panic!() };
        assert!(matches!(&items[0], Node::Leaf(l) if l.op == "gte"));
        assert!(matches!(&items[1], Node::Leaf(l) if l.subject == "answer:email" && l.op == "equals"));
    }

    #[test]
    fn rows_open_and_close_groups_around_their_leaves() {
        let def = crate::engine::parse_definition_yaml(include_str!("../../../demo/talk_to_sales.yaml")).unwrap();
        let catalog = Catalog::for_form(&def, true);
        let condition = Condition::Any(vec![
            Condition::Fit(Test::Gte(60.0)),
            Condition::All(vec![Condition::Answer {
                question: "company_size".into(),
                is: Test::In(vec!["1000+".into()]),
            }]),
        ]);
        let mut errors = Errors::new();
        errors.insert("w.items.0".into(), "Bad".into());
        let view = BuilderView::new(&from_condition(Some(&condition)), "w", &catalog, &errors);
        let kinds: Vec<&str> = view.rows.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, ["open", "leaf", "open", "leaf", "close", "close"]);
        assert_eq!(view.rows[1].error.as_deref(), Some("Bad"));
        assert_eq!(view.rows[1].control, "number");
        assert_eq!(view.rows[3].prefix, "w.items.1.items.0");
        assert_eq!((view.rows[1].number.as_str(), view.rows[3].number.as_str()), ("1", "2.1"));
        assert_eq!(view.rows[3].control, "checkboxes");
        let ticked: Vec<&str> = view.rows[3].choices.iter().filter(|c| c.selected).map(|c| c.value.as_str()).collect();
        assert_eq!(ticked, ["1000+"]);
        assert!(view.rows[0].groups.iter().any(|g| g.value == "any" && g.selected));
    }
}
