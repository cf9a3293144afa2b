//! What the condition builder offers: the subjects a condition can test
//! (each question, a hidden field, each lead field, the email domain, job
//! title words, the country, fit and intent), the operators that fit each
//! subject, and the value control each operator needs.

use crate::engine::{FormDefinition, LeadField, QuestionKind, builtin_list};

/// How a subject's value is tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectType {
    SingleChoice,
    MultipleChoice,
    Consent,
    Text,
    Number,
    Score,
    EmailDomain,
    WordList,
    /// The lead's country against a list of country codes.
    Countries,
    Always,
}

/// One entry of the subject dropdown.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Form value, e.g. `answer:company_size`, `hidden`, `field:job_title`.
    pub value: String,
    pub label: String,
    pub ty: SubjectType,
    /// Option (value, label) pairs of a choice question.
    pub options: Vec<(String, String)>,
}

/// Everything the builder offers for one form.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub subjects: Vec<Subject>,
    /// Named lists of the form plus the built-in domain lists.
    pub lists: Vec<String>,
}

pub(super) fn subject(value: impl Into<String>, label: impl Into<String>, ty: SubjectType) -> Subject {
    Subject { value: value.into(), label: label.into(), ty, options: Vec::new() }
}

/// How the answer to a question of `kind` is tested.
pub(super) fn answer_type(kind: QuestionKind) -> SubjectType {
    match kind {
        QuestionKind::SingleChoice | QuestionKind::Dropdown => SubjectType::SingleChoice,
        QuestionKind::MultipleChoice => SubjectType::MultipleChoice,
        QuestionKind::Consent => SubjectType::Consent,
        QuestionKind::Number => SubjectType::Number,
        _ => SubjectType::Text,
    }
}

/// The subjects every builder offers after the questions: a hidden field,
/// each lead field, the email domain, job title words, the country, the
/// scores (when `scores`) and "always".
pub(super) fn lead_subjects(scores: bool) -> Vec<Subject> {
    let mut subjects = vec![subject("hidden", "Hidden field (utm_source…)", SubjectType::Text)];
    for field in LeadField::ALL {
        subjects.push(subject(
            format!("field:{}", field.as_str()),
            format!("Lead {}", field.label().to_lowercase()),
            SubjectType::Text,
        ));
    }
    subjects.push(subject("email_domain", "Email domain", SubjectType::EmailDomain));
    subjects.push(subject("job_title", "Job title", SubjectType::WordList));
    subjects.push(subject("country", "Country", SubjectType::Countries));
    if scores {
        subjects.push(subject("fit", "Fit score", SubjectType::Score));
        subjects.push(subject("intent", "Intent score", SubjectType::Score));
    }
    subjects.push(subject("always", "Always", SubjectType::Always));
    subjects
}

/// `names` and then the built-in lists not among them.
pub(super) fn with_builtin_lists(mut lists: Vec<String>) -> Vec<String> {
    for builtin in ["free_mail", "disposable", "academic", "eu_countries"] {
        if builtin_list(builtin).is_some() && !lists.iter().any(|l| l == builtin) {
            lists.push(builtin.to_owned());
        }
    }
    lists
}

impl Catalog {
    /// The subjects of `def`; scoring rules cannot read the scores they make.
    pub fn for_form(def: &FormDefinition, scores: bool) -> Catalog {
        let mut subjects = Vec::new();
        for question in def.questions.iter().filter(|q| q.kind != QuestionKind::Statement) {
            let label = format!("Answer to {}", question.id);
            let mut entry = subject(format!("answer:{}", question.id), label, answer_type(question.kind));
            entry.options = question.options.iter().map(|o| (o.value.clone(), o.label.clone())).collect();
            subjects.push(entry);
        }
        subjects.extend(lead_subjects(scores));
        Catalog { subjects, lists: with_builtin_lists(def.lists.keys().cloned().collect()) }
    }

    pub fn subject(&self, value: &str) -> Option<&Subject> {
        self.subjects.iter().find(|s| s.value == value)
    }
}

/// (operator, label) pairs that fit a subject type, the default first.
pub fn ops_for(ty: SubjectType) -> &'static [(&'static str, &'static str)] {
    match ty {
        SubjectType::SingleChoice => &[
            ("equals", "is"),
            ("not_equals", "is not"),
            ("in", "is one of"),
            ("not_in", "is none of"),
            ("answered", "is answered"),
            ("not_answered", "is not answered"),
        ],
        SubjectType::MultipleChoice => &[
            ("contains", "includes"),
            ("contains_any", "includes any of"),
            ("contains_all", "includes all of"),
            ("equals", "is exactly"),
            ("answered", "is answered"),
            ("not_answered", "is not answered"),
        ],
        SubjectType::Consent => &[("equals", "is"), ("answered", "is answered"), ("not_answered", "is not answered")],
        SubjectType::Text => &[
            ("equals", "is"),
            ("not_equals", "is not"),
            ("contains", "contains"),
            ("contains_any", "contains any of"),
            ("starts_with", "starts with"),
            ("ends_with", "ends with"),
            ("in", "is one of"),
            ("not_in", "is none of"),
            ("in_list", "is in the list"),
            ("answered", "is answered"),
            ("not_answered", "is not answered"),
        ],
        SubjectType::Number => &[
            ("gte", "is at least"),
            ("gt", "is more than"),
            ("lte", "is at most"),
            ("lt", "is less than"),
            ("between", "is between"),
            ("equals", "is"),
            ("not_equals", "is not"),
            ("answered", "is answered"),
            ("not_answered", "is not answered"),
        ],
        SubjectType::Score => &[
            ("gte", "is at least"),
            ("gt", "is more than"),
            ("lte", "is at most"),
            ("lt", "is less than"),
            ("between", "is between"),
        ],
        SubjectType::EmailDomain => &[
            ("free", "is free webmail"),
            ("disposable", "is a throwaway inbox"),
            ("academic", "is a school or university"),
            ("list", "is in the list"),
        ],
        SubjectType::WordList => &[("list", "has a word from the list"), ("words", "has one of the words")],
        SubjectType::Countries => &[("list", "is in the list"), ("words", "is one of (codes like DE, FR)")],
        SubjectType::Always => &[("always", "holds for everyone")],
    }
}

/// The value input an operator needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    None,
    Text,
    /// Several values, comma separated.
    TextList,
    Number,
    Between,
    /// One option of a choice question (or yes/no for consent).
    Select,
    /// Several options of a choice question.
    Checkboxes,
    /// A named list.
    ListName,
}

impl Control {
    pub fn as_str(self) -> &'static str {
        match self {
            Control::None => "none",
            Control::Text => "text",
            Control::TextList => "text_list",
            Control::Number => "number",
            Control::Between => "between",
            Control::Select => "select",
            Control::Checkboxes => "checkboxes",
            Control::ListName => "list",
        }
    }
}

/// True for operators taking several values.
pub fn is_multi(op: &str) -> bool {
    matches!(op, "in" | "not_in" | "contains_any" | "contains_all" | "words")
}

pub fn control_for(ty: SubjectType, op: &str) -> Control {
    let choice = matches!(ty, SubjectType::SingleChoice | SubjectType::MultipleChoice);
    match op {
        "answered" | "not_answered" | "free" | "disposable" | "academic" | "always" => Control::None,
        "list" | "in_list" => Control::ListName,
        "between" => Control::Between,
        "gt" | "gte" | "lt" | "lte" => Control::Number,
        _ if choice && is_multi(op) => Control::Checkboxes,
        _ if choice || ty == SubjectType::Consent => Control::Select,
        _ if is_multi(op) => Control::TextList,
        _ if ty == SubjectType::Number => Control::Number,
        _ => Control::Text,
    }
}

/// The choices of a select or checkbox control for `subject`.
pub fn value_choices(subject: &Subject) -> Vec<(String, String)> {
    match subject.ty {
        SubjectType::Consent => vec![("yes".into(), "ticked".into()), ("no".into(), "not ticked".into())],
        _ => subject.options.clone(),
    }
}
