//! The condition builder's form fields: nested all / any / none groups of
//! leaf rows, posted with indexed names (`when.kind`, `when.items.1.op`,
//! `when.items.2.items.0.value`...). This module reads them into a [`Node`]
//! tree, applies the builder's buttons (add condition, add group, remove),
//! turns the tree into an engine [`Condition`] (parse, don't validate: a bad
//! value becomes an error beside its row) and back.

use std::collections::BTreeMap;

use super::builder_catalog::{Catalog, SubjectType, ops_for};
use crate::engine::{Condition, DomainTest, LeadField, ListRef, MAX_CONDITION_DEPTH, Test};
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

/// Turns the tree at `prefix` into a condition: `None` when it is empty
/// (always holds). Every bad row gets its message under its own prefix.
pub fn to_condition(root: &Node, prefix: &str, catalog: &Catalog) -> Result<Option<Condition>, Errors> {
    let mut errors = Errors::new();
    let Node::Group { kind, items } = root else {
        return convert(root, prefix, catalog, &mut errors).map(Some).ok_or(errors);
    };
    let converted: Vec<Option<Condition>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| convert(item, &format!("{prefix}.items.{i}"), catalog, &mut errors))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut items: Vec<Condition> = converted.into_iter().flatten().collect();
    Ok(match (kind, items.len()) {
        (_, 0) => None,
        (GroupKind::All | GroupKind::Any, 1) => items.pop(),
        (GroupKind::None, 1) => items.pop().map(|only| Condition::Not(Box::new(only))),
        (GroupKind::All, _) => Some(Condition::All(items)),
        (GroupKind::Any, _) => Some(Condition::Any(items)),
        (GroupKind::None, _) => Some(Condition::Not(Box::new(Condition::Any(items)))),
    })
}

fn convert(node: &Node, prefix: &str, catalog: &Catalog, errors: &mut Errors) -> Option<Condition> {
    match node {
        Node::Leaf(leaf) => match leaf_condition(leaf, catalog) {
            Ok(condition) => Some(condition),
            Err(message) => {
                errors.insert(prefix.to_owned(), message);
                None
            }
        },
        Node::Group { kind, items } => {
            if items.is_empty() {
                errors.insert(prefix.to_owned(), "This group is empty: add a condition to it or remove it.".into());
                return None;
            }
            let mut converted = Vec::new();
            for (i, item) in items.iter().enumerate() {
                converted.extend(convert(item, &format!("{prefix}.items.{i}"), catalog, errors));
            }
            (converted.len() == items.len()).then(|| match kind {
                GroupKind::All => Condition::All(converted),
                GroupKind::Any => Condition::Any(converted),
                GroupKind::None if converted.len() == 1 => Condition::Not(Box::new(converted.remove(0))),
                GroupKind::None => Condition::Not(Box::new(Condition::Any(converted))),
            })
        }
    }
}

fn leaf_condition(leaf: &Leaf, catalog: &Catalog) -> Result<Condition, String> {
    let subject = catalog.subject(&leaf.subject).ok_or("Choose what this condition tests.")?;
    if !ops_for(subject.ty).iter().any(|(op, _)| *op == leaf.op) {
        return Err("Choose a test that fits this subject.".into());
    }
    let values = || leaf_values(leaf);
    let list_name = || {
        let name = leaf.value.trim();
        if name.is_empty() { Err("Choose a list.".to_owned()) } else { Ok(name.to_owned()) }
    };
    match leaf.subject.as_str() {
        "always" => Ok(Condition::Always),
        "email_domain" => Ok(Condition::EmailDomain(match leaf.op.as_str() {
            "free" => DomainTest::Free,
            "disposable" => DomainTest::Disposable,
            "academic" => DomainTest::Academic,
            _ => DomainTest::List(list_name()?),
        })),
        "job_title" | "country" => {
            let list = if leaf.op == "list" {
                ListRef::Named(list_name()?)
            } else {
                let words = values();
                if words.is_empty() {
                    return Err("Give at least one word, separated by commas.".into());
                }
                ListRef::Inline(words)
            };
            Ok(if leaf.subject == "country" { Condition::CountryIn(list) } else { Condition::JobTitleHasWord(list) })
        }
        "fit" => Ok(Condition::Fit(test(leaf, subject.ty)?)),
        "intent" => Ok(Condition::Intent(test(leaf, subject.ty)?)),
        "hidden" => {
            let field = leaf.key.trim();
            if field.is_empty() || !field.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return Err("Name the hidden field with a-z, 0-9 and _, like utm_source.".into());
            }
            Ok(Condition::Hidden { field: field.to_owned(), is: test(leaf, subject.ty)? })
        }
        other => {
            let is = test(leaf, subject.ty)?;
            check_options(&is, &subject.options, subject.ty)?;
            if let Some(question) = other.strip_prefix("answer:") {
                return Ok(Condition::Answer { question: question.to_owned(), is });
            }
            let name = other.strip_prefix("field:").and_then(LeadField::from_name).ok_or("Choose a lead field.")?;
            Ok(Condition::Field { name, is })
        }
    }
}

/// The several values of a row: ticked boxes, else the comma-separated text.
fn leaf_values(leaf: &Leaf) -> Vec<String> {
    let ticked: Vec<String> = leaf.values.iter().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
    if !ticked.is_empty() {
        return ticked;
    }
    leaf.value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

fn number(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    trimmed.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or_else(|| {
        if trimmed.is_empty() {
            "Enter a number.".into()
        } else {
            format!("“{trimmed}” is not a number; enter one like 40.")
        }
    })
}

fn test(leaf: &Leaf, ty: SubjectType) -> Result<Test, String> {
    let single = || {
        let value = Some(leaf.value.trim()).filter(|v| !v.is_empty()).or(leaf.values.first().map(|v| v.trim()));
        value.filter(|v| !v.is_empty()).map(str::to_owned).ok_or_else(|| "Give a value.".to_owned())
    };
    let many = || {
        let values = leaf_values(leaf);
        if values.is_empty() { Err("Give at least one value.".to_owned()) } else { Ok(values) }
    };
    let numeric = ty == SubjectType::Number || ty == SubjectType::Score;
    Ok(match leaf.op.as_str() {
        "equals" if numeric => Test::Equals(show_number(number(&leaf.value)?)),
        "equals" => Test::Equals(single()?),
        "not_equals" if numeric => Test::NotEquals(show_number(number(&leaf.value)?)),
        "not_equals" => Test::NotEquals(single()?),
        "in" => Test::In(many()?),
        "not_in" => Test::NotIn(many()?),
        "in_list" => {
            Test::InList(Some(leaf.value.trim()).filter(|v| !v.is_empty()).ok_or("Choose a list.")?.to_owned())
        }
        "contains" => Test::Contains(single()?),
        "contains_any" => Test::ContainsAny(many()?),
        "contains_all" => Test::ContainsAll(many()?),
        "starts_with" => Test::StartsWith(single()?),
        "ends_with" => Test::EndsWith(single()?),
        "gt" => Test::Gt(number(&leaf.value)?),
        "gte" => Test::Gte(number(&leaf.value)?),
        "lt" => Test::Lt(number(&leaf.value)?),
        "lte" => Test::Lte(number(&leaf.value)?),
        "between" => {
            let (low, high) = (number(&leaf.value)?, number(&leaf.value2)?);
            if low > high {
                return Err(format!("The first number ({low}) must not be larger than the second ({high})."));
            }
            Test::Between(low, high)
        }
        "answered" => Test::Answered,
        "not_answered" => Test::NotAnswered,
        _ => return Err("Choose a test that fits this subject.".into()),
    })
}

/// Values compared with a choice question's answer must be its options.
fn check_options(is: &Test, options: &[(String, String)], ty: SubjectType) -> Result<(), String> {
    if !matches!(ty, SubjectType::SingleChoice | SubjectType::MultipleChoice) {
        return Ok(());
    }
    let values: Vec<&String> = match is {
        Test::Equals(v) | Test::NotEquals(v) | Test::Contains(v) => vec![v],
        Test::In(vs) | Test::NotIn(vs) | Test::ContainsAny(vs) | Test::ContainsAll(vs) => vs.iter().collect(),
        _ => Vec::new(),
    };
    match values.into_iter().find(|v| !options.iter().any(|(o, _)| o.trim().eq_ignore_ascii_case(v.trim()))) {
        Some(unknown) => Err(format!("“{unknown}” is not one of this question's options.")),
        None => Ok(()),
    }
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
