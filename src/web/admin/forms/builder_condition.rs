//! The builder tree turned into an engine [`Condition`]: parse, don't
//! validate. Each row becomes a typed condition or an error message under
//! its own field prefix, so the page can show it beside that row.

use super::builder::{Errors, GroupKind, Leaf, Node, show_number};
use super::builder_catalog::{Catalog, SubjectType, ops_for};
use super::builder_routing::FREE_ANSWER;
use crate::engine::{Condition, DomainTest, LeadField, ListRef, Test, is_valid_question_id};

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
        FREE_ANSWER => {
            let question = leaf.key.trim();
            if !is_valid_question_id(question) {
                return Err("Give the question's id as its form names it, like company_size (a-z, 0-9 and _).".into());
            }
            Ok(Condition::Answer { question: question.to_owned(), is: test(leaf, subject.ty)? })
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
