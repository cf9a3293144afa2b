//! Small serde helpers for the definition format: skip-if-default checks,
//! lenient scalars (so `equals: 1000` reads as the text "1000"), named lists
//! that reject duplicate names, and the list-reference visitor.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::condition_def::ListRef;

/// Serde skip check for `false` booleans.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}

/// Serde skip check for zero points.
pub(crate) fn is_zero(value: &i32) -> bool {
    *value == 0
}

/// Reads a string, also accepting a bare number or boolean as its text.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(ScalarVisitor)
}

/// Reads a list of strings, also accepting bare numbers and booleans.
pub(crate) fn lenient_strings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    deserializer.deserialize_seq(ScalarListVisitor)
}

/// Reads the named lists, refusing a list name given twice.
pub(crate) fn unique_lists<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    deserializer.deserialize_map(ListsVisitor)
}

/// Formats a number the way a person writes it: 10 rather than 10.0.
pub(crate) fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{}", value as i64) } else { format!("{value}") }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(format_number(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// A string read through [`ScalarVisitor`].
struct Scalar(String);

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor).map(Scalar)
    }
}

struct ScalarListVisitor;

impl<'de> Visitor<'de> for ScalarListVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of values")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut items = Vec::new();
        while let Some(Scalar(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
}

struct ListsVisitor;

impl<'de> Visitor<'de> for ListsVisitor {
    type Value = BTreeMap<String, Vec<String>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("named lists, each a name followed by a list of values")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut lists = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            let ScalarList(items) = map.next_value()?;
            if lists.insert(name.clone(), items).is_some() {
                return Err(de::Error::custom(format!("the list `{name}` is defined twice")));
            }
        }
        Ok(lists)
    }
}

struct ScalarList(Vec<String>);

impl<'de> de::Deserialize<'de> for ScalarList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ScalarListVisitor).map(ScalarList)
    }
}

/// Reads a [`ListRef`]: a list name, or a list of words.
pub(crate) struct ListRefVisitor;

impl<'de> Visitor<'de> for ListRefVisitor {
    type Value = ListRef;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list name or a list of words")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ListRef, E> {
        Ok(ListRef::Named(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<ListRef, E> {
        Ok(ListRef::Named(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ListRef, A::Error> {
        ScalarListVisitor.visit_seq(seq).map(ListRef::Inline)
    }
}
