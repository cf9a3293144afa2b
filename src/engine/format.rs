//! Reading and writing whole form definitions as YAML or JSON, with errors
//! that say where the problem is and what it is.

use serde_yaml_ng::with::singleton_map_recursive;
use thiserror::Error;

use super::definition::FormDefinition;

/// Why a definition could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.describe())]
pub struct DefinitionError {
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// 1-based column of the problem, when known.
    pub column: Option<usize>,
    /// What is wrong, naming the field or value.
    pub message: String,
}

impl DefinitionError {
    fn describe(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                format!("line {line}, column {column}: {}", self.message)
            }
            (Some(line), None) => format!("line {line}: {}", self.message),
            _ => self.message.clone(),
        }
    }

    fn at(line: usize, column: usize, full_message: String) -> Self {
        // serde appends " at line L column C"; the position is kept separately.
        let suffix = format!(" at line {line} column {column}");
        let message = full_message.strip_suffix(&suffix).map(str::to_owned).unwrap_or(full_message);
        Self { line: (line > 0).then_some(line), column: (column > 0).then_some(column), message }
    }

    fn without_position(message: String) -> Self {
        Self { line: None, column: None, message }
    }
}

/// Reads a definition from YAML. Unknown fields, duplicate keys and a bad
/// slug are errors; everything else is left to [`crate::engine::lint`].
pub fn parse_definition_yaml(text: &str) -> Result<FormDefinition, DefinitionError> {
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    let definition: FormDefinition =
        singleton_map_recursive::deserialize(deserializer).map_err(|error| match error.location() {
            Some(at) => DefinitionError::at(at.line(), at.column(), error.to_string()),
            None => DefinitionError::without_position(error.to_string()),
        })?;
    check_slug(definition)
}

/// Reads a definition from JSON, with the same rules as YAML.
pub fn parse_definition_json(text: &str) -> Result<FormDefinition, DefinitionError> {
    let definition: FormDefinition = serde_json::from_str(text)
        .map_err(|error| DefinitionError::at(error.line(), error.column(), error.to_string()))?;
    check_slug(definition)
}

/// Writes a definition as YAML; defaults are left out to keep it tidy.
pub fn to_yaml(def: &FormDefinition) -> String {
    let mut buffer = Vec::new();
    let mut serializer = serde_yaml_ng::Serializer::new(&mut buffer);
    singleton_map_recursive::serialize(def, &mut serializer)
        .expect("a definition is plain data with text keys, so YAML can always hold it");
    String::from_utf8(buffer).expect("the YAML writer only writes UTF-8")
}

/// Writes a definition as pretty-printed JSON.
pub fn to_json(def: &FormDefinition) -> String {
    serde_json::to_string_pretty(def).expect("a definition is plain data with text keys, so JSON can always hold it")
}

fn check_slug(definition: FormDefinition) -> Result<FormDefinition, DefinitionError> {
    if is_valid_slug(&definition.slug) {
        Ok(definition)
    } else {
        Err(DefinitionError::without_position(slug_message(&definition.slug)))
    }
}

/// True for 1 to 64 characters of lowercase a-z, 0-9 and '-'.
pub fn is_valid_slug(slug: &str) -> bool {
    (1..=64).contains(&slug.len()) && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The message for a bad slug, shared with lint.
pub(crate) fn slug_message(slug: &str) -> String {
    format!("The slug \"{slug}\" must be 1 to 64 characters of lowercase letters, digits and dashes.")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "slug: demo\ntitle: Demo\nquestions:\n  - id: email\n    kind: email\n    label: Email\noutcomes:\n  - id: all\n    tier: All\n    ending: { title: Thanks, message: Bye }\n    handoff: nurture\n";

    #[test]
    fn minimal_yaml_round_trips_through_yaml_and_json() {
        let def = parse_definition_yaml(MINIMAL).unwrap();
        assert_eq!(parse_definition_yaml(&to_yaml(&def)).unwrap(), def);
        assert_eq!(parse_definition_json(&to_json(&def)).unwrap(), def);
        assert!(!to_yaml(&def).contains("settings"), "defaults are left out");
    }

    #[test]
    fn unknown_field_is_named_with_its_position() {
        let text = MINIMAL.replace("title: Demo", "titel: Demo");
        let error = parse_definition_yaml(&text).unwrap_err();
        assert!(error.message.contains("titel"), "{error}");
        assert_eq!(error.line, Some(2));
        assert!(error.to_string().starts_with("line 2, column"));
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let twice = MINIMAL.replace("title: Demo", "title: Demo\ntitle: Again");
        let error = parse_definition_yaml(&twice).unwrap_err();
        assert!(error.message.contains("duplicate field `title`"), "{error}");
        let lists = format!("{MINIMAL}lists:\n  rivals: [a.example]\n  rivals: [b.example]\n");
        let error = parse_definition_yaml(&lists).unwrap_err();
        assert!(error.message.contains("`rivals`"), "{error}");
        let json = r#"{"slug":"a","slug":"b"}"#;
        assert!(parse_definition_json(json).unwrap_err().message.contains("slug"));
    }

    #[test]
    fn bad_slug_and_garbage_are_errors_not_panics() {
        let bad = MINIMAL.replace("slug: demo", "slug: Not OK");
        assert!(parse_definition_yaml(&bad).unwrap_err().message.contains("Not OK"));
        for garbage in ["", ":", "[[[", "- a\n- b", "{\"slug\": 1}", "\u{0}"] {
            assert!(parse_definition_yaml(garbage).is_err());
            assert!(parse_definition_json(garbage).is_err());
        }
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse_definition_yaml(&deep).is_err());
        assert!(parse_definition_json(&deep).is_err());
    }

    #[test]
    fn numbers_are_accepted_where_text_is_expected() {
        let text = MINIMAL.replace(
            "handoff: nurture",
            "handoff: nurture\n    when: { answer: { question: email, is: { in: [10, 2.5, true] } } }",
        );
        let def = parse_definition_yaml(&text).unwrap();
        let yaml = to_yaml(&def);
        assert!(yaml.contains("'10'") || yaml.contains("\"10\""), "{yaml}");
        assert_eq!(parse_definition_yaml(&yaml).unwrap(), def);
    }
}
