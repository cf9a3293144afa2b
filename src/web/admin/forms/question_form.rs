//! The question edit page's fields: label, help, required, kind, lead
//! field, validation, option rows (`o.0.value`, `o.0.fit`...) and branching
//! rules (`b.0.goto` with a condition builder under `b.0.when`), kept as
//! typed text so a refused save loses nothing, and turned into an engine
//! [`Question`] with an error beside each bad field.

use super::builder::{self, Errors, Node};
use super::builder_catalog::Catalog;
use super::builder_view::fill_defaults;
use crate::engine::{
    BranchRule, ChoiceOption, FINISH, LeadField, Question, QuestionKind, Validation, is_valid_question_id,
};
use crate::web::forms_input::FormBody;

/// One option row as typed.
#[derive(Debug, Clone, Default)]
pub struct OptionRow {
    pub value: String,
    pub label: String,
    pub fit: String,
    pub intent: String,
}

/// One branching rule as typed.
#[derive(Debug, Clone)]
pub struct BranchRow {
    pub goto: String,
    pub when: Node,
}

/// The whole page as typed.
#[derive(Debug, Clone, Default)]
pub struct QuestionForm {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub maps_to: String,
    pub min_length: String,
    pub max_length: String,
    pub min: String,
    pub max: String,
    pub pattern: String,
    pub pattern_message: String,
    pub options: Vec<OptionRow>,
    pub branches: Vec<BranchRow>,
    /// Where to go when no branch matches: "" for the next question.
    pub otherwise: String,
}

/// The snake_case name of a question kind.
pub fn kind_name(kind: QuestionKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Parses a kind's snake_case name.
pub fn parse_kind(name: &str) -> Option<QuestionKind> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl QuestionForm {
    pub fn from_question(q: &Question) -> QuestionForm {
        let mut rules = q.next.clone();
        let otherwise = match rules.last() {
            Some(last) if last.when.is_none() => rules.pop().map(|r| r.goto).unwrap_or_default(),
            _ => String::new(),
        };
        let v = &q.validation;
        QuestionForm {
            id: q.id.clone(),
            kind: kind_name(q.kind),
            label: q.label.clone(),
            help: q.help.clone().unwrap_or_default(),
            required: q.required,
            maps_to: q.maps_to.map(|f| f.as_str().to_owned()).unwrap_or_default(),
            min_length: text(v.min_length),
            max_length: text(v.max_length),
            min: v.min.map(builder::show_number).unwrap_or_default(),
            max: v.max.map(builder::show_number).unwrap_or_default(),
            pattern: v.pattern.clone().unwrap_or_default(),
            pattern_message: v.pattern_message.clone().unwrap_or_default(),
            options: q
                .options
                .iter()
                .map(|o| OptionRow {
                    value: o.value.clone(),
                    label: o.label.clone(),
                    fit: o.fit.to_string(),
                    intent: o.intent.to_string(),
                })
                .collect(),
            branches: rules
                .iter()
                .map(|r| BranchRow { goto: r.goto.clone(), when: builder::from_condition(r.when.as_ref()) })
                .collect(),
            otherwise,
        }
    }

    pub fn parse(form: &FormBody) -> QuestionForm {
        let get = |name: &str| form.get(name).unwrap_or_default().to_owned();
        let mut options = Vec::new();
        while form.get(&format!("o.{}.value", options.len())).is_some() {
            let i = options.len();
            let row = |field: &str| get(&format!("o.{i}.{field}"));
            options.push(OptionRow {
                value: row("value"),
                label: row("label"),
                fit: row("fit"),
                intent: row("intent"),
            });
        }
        let mut branches = Vec::new();
        while form.get(&format!("b.{}.goto", branches.len())).is_some() {
            let i = branches.len();
            branches
                .push(BranchRow { goto: get(&format!("b.{i}.goto")), when: Node::parse(form, &format!("b.{i}.when")) });
        }
        QuestionForm {
            id: get("id"),
            kind: get("kind"),
            label: get("label"),
            help: get("help"),
            required: form.get("required").is_some(),
            maps_to: get("maps_to"),
            min_length: get("min_length"),
            max_length: get("max_length"),
            min: get("min"),
            max: get("max"),
            pattern: get("pattern"),
            pattern_message: get("pattern_message"),
            options,
            branches,
            otherwise: get("otherwise"),
        }
    }

    /// Applies a button that changes the page without saving; false when
    /// `action` is not one of them (then it is a save).
    pub fn apply(&mut self, action: &str, catalog: &Catalog) -> bool {
        let index = |prefix: &str| action.strip_prefix(prefix).and_then(|i| i.parse::<usize>().ok());
        let done = if action == "add_option" {
            self.options.push(OptionRow { fit: "0".into(), intent: "0".into(), ..OptionRow::default() });
            true
        } else if let Some(i) = index("remove_option:").filter(|&i| i < self.options.len()) {
            self.options.remove(i);
            true
        } else if action == "add_branch" {
            self.branches.push(BranchRow { goto: FINISH.into(), when: Node::empty() });
            if let Some(branch) = self.branches.last_mut() {
                branch.when.apply("w", "add_leaf:w");
            }
            true
        } else if let Some(i) = index("remove_branch:").filter(|&i| i < self.branches.len()) {
            self.branches.remove(i);
            true
        } else if let Some(i) = index("branch_up:").filter(|&i| i > 0 && i < self.branches.len()) {
            self.branches.swap(i, i - 1);
            true
        } else {
            action == "refresh"
                || self.branches.iter_mut().enumerate().any(|(i, b)| b.when.apply(&format!("b.{i}.when"), action))
        };
        if done {
            self.branches.iter_mut().for_each(|b| fill_defaults(&mut b.when, catalog));
        }
        done
    }

    /// The typed page as a question, or the errors beside their fields.
    pub fn to_question(&self, catalog: &Catalog, question_ids: &[String]) -> Result<Question, Errors> {
        let mut errors = Errors::new();
        let mut fail = |field: &str, message: &str| {
            errors.insert(field.to_owned(), message.to_owned());
        };
        let id = self.id.trim().to_owned();
        if !is_valid_question_id(&id) {
            fail("id", "Use lowercase letters, digits and _ for the id, like company_size.");
        }
        let kind = parse_kind(&self.kind).unwrap_or_else(|| {
            fail("kind", "Choose a kind of question.");
            QuestionKind::ShortText
        });
        if self.label.trim().is_empty() {
            fail("label", "The question needs a label the prospect reads.");
        }
        let maps_to = match self.maps_to.as_str() {
            "" => None,
            name => LeadField::from_name(name).or_else(|| {
                fail("maps_to", "Choose a lead field.");
                None
            }),
        };
        let validation = self.validation(kind, &mut fail);
        let options = if kind.is_choice() { self.option_list(&mut fail) } else { Vec::new() };
        let next = self.rules(catalog, question_ids, &mut errors);
        let question = Question {
            id,
            kind,
            label: self.label.trim().to_owned(),
            help: Some(self.help.trim().to_owned()).filter(|h| !h.is_empty()),
            required: self.required,
            maps_to,
            options,
            validation,
            next,
        };
        if errors.is_empty() { Ok(question) } else { Err(errors) }
    }

    fn validation(&self, kind: QuestionKind, fail: &mut impl FnMut(&str, &str)) -> Validation {
        let mut whole = |field: &str, text: &str| -> Option<u32> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            text.parse().map_err(|_| fail(field, "Enter a whole number of characters, like 200.")).ok()
        };
        let text_kind = !kind.is_choice()
            && !matches!(kind, QuestionKind::Number | QuestionKind::Consent | QuestionKind::Statement);
        let mut v = Validation::default();
        if text_kind {
            v.min_length = whole("min_length", &self.min_length);
            v.max_length = whole("max_length", &self.max_length);
            v.pattern = Some(self.pattern.trim().to_owned()).filter(|p| !p.is_empty());
            v.pattern_message = Some(self.pattern_message.trim().to_owned()).filter(|p| !p.is_empty());
        }
        if kind == QuestionKind::Number {
            let mut number = |field: &str, text: &str| -> Option<f64> {
                let text = text.trim();
                if text.is_empty() {
                    return None;
                }
                text.parse::<f64>().ok().filter(|n| n.is_finite()).or_else(|| {
                    fail(field, "Enter a number, like 0 or 1000.");
                    None
                })
            };
            v.min = number("min", &self.min);
            v.max = number("max", &self.max);
        }
        v
    }

    fn option_list(&self, fail: &mut impl FnMut(&str, &str)) -> Vec<ChoiceOption> {
        let mut options: Vec<ChoiceOption> = Vec::new();
        for (i, row) in self.options.iter().enumerate() {
            let value = row.value.trim().to_owned();
            if value.is_empty() {
                fail(&format!("o.{i}.value"), "Give the option a value.");
            } else if options.iter().any(|o| o.value.eq_ignore_ascii_case(&value)) {
                fail(&format!("o.{i}.value"), "Another option already has this value.");
            }
            let mut points = |field: &str, text: &str| -> i32 {
                let text = text.trim();
                if text.is_empty() {
                    return 0;
                }
                text.trim_start_matches('+').parse().unwrap_or_else(|_| {
                    fail(&format!("o.{i}.{field}"), "Enter whole points, like 20 or -10.");
                    0
                })
            };
            let (fit, intent) = (points("fit", &row.fit), points("intent", &row.intent));
            let label = if row.label.trim().is_empty() { value.clone() } else { row.label.trim().to_owned() };
            options.push(ChoiceOption { value, label, fit, intent });
        }
        options
    }

    fn rules(&self, catalog: &Catalog, question_ids: &[String], errors: &mut Errors) -> Vec<BranchRule> {
        let target_ok = |goto: &str| goto == FINISH || question_ids.iter().any(|q| q == goto);
        let mut rules = Vec::new();
        for (i, branch) in self.branches.iter().enumerate() {
            if !target_ok(branch.goto.trim()) {
                errors.insert(format!("b.{i}.goto"), "Choose where this branch goes.".into());
            }
            match builder::to_condition(&branch.when, &format!("b.{i}.when"), catalog) {
                Ok(when) => rules.push(BranchRule { when, goto: branch.goto.trim().to_owned() }),
                Err(found) => errors.extend(found),
            }
        }
        let otherwise = self.otherwise.trim();
        if !otherwise.is_empty() {
            if target_ok(otherwise) {
                rules.push(BranchRule { when: None, goto: otherwise.to_owned() });
            } else {
                errors.insert("otherwise".into(), "Choose where to go when no branch matches.".into());
            }
        }
        rules
    }
}
