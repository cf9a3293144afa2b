//! The condition builder's form fields: nested all / any / none groups of
//! leaf rows, posted with indexed names (`when.kind`, `when.items.1.op`,
//! `when.items.2.items.0.value`...). This module reads them into a [`Node`]
//! tree, applies the builder's buttons (add condition, add group, remove),
//! turns the tree into an engine [`Condition`] (parse, don't validate: a bad
//! value becomes an error beside its row) and back.

use std::collections::BTreeMap;

pub use super::builder_condition::to_condition;
use crate::engine::{Condition, DomainTest, ListRef, MAX_CONDITION_DEPTH, Test};
use crate::web::forms_input::FormBody;

/// Field name -> message, for errors shown beside their input.
pub type Errors = BTreeMap<String, String>;

/// How a group combines its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    All,
    Any,
    /// None of the items holds.
    None,
}

impl GroupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::All => "all",
            GroupKind::Any => "any",
            GroupKind::None => "none",
        }
    }
}

/// One row of the builder as typed (kept as text so nothing is lost).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Leaf {
    /// `answer:<question>`, `hidden`, `field:<lead field>`, `email_domain`,
    /// `job_title`, `country`, `fit`, `intent` or `always`.
    pub subject: String,
    /// The hidden field's name.
    pub key: String,
    pub op: String,
    pub value: String,
    /// Values ticked in a checkbox control.
    pub values: Vec<String>,
    /// The upper bound of `between`.
    pub value2: String,
}

/// A node of the builder tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Group { kind: GroupKind, items: Vec<Node> },
    Leaf(Leaf),
}

impl Node {
    /// An empty `all` group: the root of a builder with no condition yet.
    pub fn empty() -> Node {
        Node::Group { kind: GroupKind::All, items: Vec::new() }
    }

    /// Reads the node posted under `prefix`; a missing root is empty.
    pub fn parse(form: &FormBody, prefix: &str) -> Node {
        parse_node(form, prefix, 1).unwrap_or_else(Node::empty)
    }

    /// Applies a builder button (`add_leaf:<path>`, `add_group:<path>`,
    /// `remove:<path>`) aimed at this tree, whose root is at `prefix`.
    /// Returns false when the action is not for this tree.
    pub fn apply(&mut self, prefix: &str, action: &str) -> bool {
        let Some((verb, path)) = action.split_once(':') else {
            return false;
        };
        let Some(steps) = steps_of(prefix, path) else {
            return false;
        };
        match verb {
            "add_leaf" | "add_group" => {
                let Some(Node::Group { items, .. }) = self.at_mut(&steps) else {
                    return false;
                };
                // A new group comes with its first row, ready to fill in.
                let leaf = Node::Leaf(Leaf::default());
                items.push(if verb == "add_leaf" {
                    leaf
                } else {
                    Node::Group { kind: GroupKind::All, items: vec![leaf] }
                });
                true
            }
            "remove" => {
                let Some((last, parent)) = steps.split_last() else {
                    return false;
                };
                match self.at_mut(parent) {
                    Some(Node::Group { items, .. }) if *last < items.len() => {
                        items.remove(*last);
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn at_mut(&mut self, steps: &[usize]) -> Option<&mut Node> {
        let mut node = self;
        for &step in steps {
            match node {
                Node::Group { items, .. } => node = items.get_mut(step)?,
                Node::Leaf(_) => return None,
            }
        }
        Some(node)
    }
}

/// The child indexes from the root at `prefix` to `path`
/// (`when.items.2.items.0` under `when` is [2, 0]).
fn steps_of(prefix: &str, path: &str) -> Option<Vec<usize>> {
    let rest = path.strip_prefix(prefix)?;
    let mut steps = Vec::new();
    let mut parts = rest.split('.').filter(|p| !p.is_empty());
    while let Some(part) = parts.next() {
        if part != "items" {
            return None;
        }
        steps.push(parts.next()?.parse().ok()?);
    }
    Some(steps)
}

fn parse_node(form: &FormBody, prefix: &str, depth: usize) -> Option<Node> {
    let kind = form.get(&format!("{prefix}.kind"))?;
    let text = |name: &str| form.get(&format!("{prefix}.{name}")).unwrap_or_default().to_owned();
    let group = match kind {
        "all" => GroupKind::All,
        "any" => GroupKind::Any,
        "none" => GroupKind::None,
        _ => {
            return Some(Node::Leaf(Leaf {
                subject: text("subject"),
                key: text("key"),
                op: text("op"),
                value: text("value"),
                values: form.all(&format!("{prefix}.values")),
                value2: text("value2"),
            }));
        }
    };
    let mut items = Vec::new();
    if depth < MAX_CONDITION_DEPTH {
        while let Some(item) = parse_node(form, &format!("{prefix}.items.{}", items.len()), depth + 1) {
            items.push(item);
        }
    }
    Some(Node::Group { kind: group, items })
}

/// The builder tree showing `condition` (`None`: an empty root).
pub fn from_condition(condition: Option<&Condition>) -> Node {
    match condition.map(node_of) {
        None => Node::empty(),
        Some(group @ Node::Group { .. }) => group,
        Some(leaf) => Node::Group { kind: GroupKind::All, items: vec![leaf] },
    }
}

fn node_of(condition: &Condition) -> Node {
    let group = |kind, items: &[Condition]| Node::Group { kind, items: items.iter().map(node_of).collect() };
    let leaf = |subject: &str, op: &str| Leaf { subject: subject.to_owned(), op: op.to_owned(), ..Leaf::default() };
    Node::Leaf(match condition {
        Condition::All(items) => return group(GroupKind::All, items),
        Condition::Any(items) => return group(GroupKind::Any, items),
        Condition::Not(inner) => match inner.as_ref() {
            Condition::Any(items) => return group(GroupKind::None, items),
            other => return group(GroupKind::None, std::slice::from_ref(other)),
        },
        Condition::Always => leaf("always", "always"),
        Condition::Answer { question, is } => with_test(leaf(&format!("answer:{question}"), ""), is),
        Condition::Hidden { field, is } => Leaf { key: field.clone(), ..with_test(leaf("hidden", ""), is) },
        Condition::Field { name, is } => with_test(leaf(&format!("field:{}", name.as_str()), ""), is),
        Condition::EmailDomain(test) => match test {
            DomainTest::Free => leaf("email_domain", "free"),
            DomainTest::Disposable => leaf("email_domain", "disposable"),
            DomainTest::Academic => leaf("email_domain", "academic"),
            DomainTest::List(name) => Leaf { value: name.clone(), ..leaf("email_domain", "list") },
        },
        Condition::JobTitleHasWord(list) => with_list(leaf("job_title", ""), list),
        Condition::CountryIn(list) => with_list(leaf("country", ""), list),
        Condition::Fit(is) => with_test(leaf("fit", ""), is),
        Condition::Intent(is) => with_test(leaf("intent", ""), is),
    })
}

fn with_list(leaf: Leaf, list: &ListRef) -> Leaf {
    match list {
        ListRef::Named(name) => Leaf { op: "list".into(), value: name.clone(), ..leaf },
        ListRef::Inline(words) => Leaf { op: "words".into(), value: words.join(", "), values: Vec::new(), ..leaf },
    }
}

/// Writes a number as people do: 40 rather than 40.0.
pub fn show_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

fn with_test(leaf: Leaf, test: &Test) -> Leaf {
    let one = |op: &str, v: &str| Leaf { op: op.into(), value: v.to_owned(), ..leaf.clone() };
    let many =
        |op: &str, vs: &[String]| Leaf { op: op.into(), value: vs.join(", "), values: vs.to_vec(), ..leaf.clone() };
    match test {
        Test::Equals(v) => one("equals", v),
        Test::NotEquals(v) => one("not_equals", v),
        Test::In(vs) => many("in", vs),
        Test::NotIn(vs) => many("not_in", vs),
        Test::InList(name) => one("in_list", name),
        Test::Contains(v) => one("contains", v),
        Test::ContainsAny(vs) => many("contains_any", vs),
        Test::ContainsAll(vs) => many("contains_all", vs),
        Test::StartsWith(v) => one("starts_with", v),
        Test::EndsWith(v) => one("ends_with", v),
        Test::Gt(n) => one("gt", &show_number(*n)),
        Test::Gte(n) => one("gte", &show_number(*n)),
        Test::Lt(n) => one("lt", &show_number(*n)),
        Test::Lte(n) => one("lte", &show_number(*n)),
        Test::Between(low, high) => Leaf { value2: show_number(*high), ..one("between", &show_number(*low)) },
        Test::Answered => one("answered", ""),
        Test::NotAnswered => one("not_answered", ""),
    }
}

#[cfg(test)]
#[path = "builder_tests.rs"]
mod tests;
