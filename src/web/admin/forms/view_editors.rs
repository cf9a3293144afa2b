//! View models of the pages that edit one thing: a question, a scoring
//! rule, an outcome, the lists, the settings, a test case and the YAML.
//! Each keeps what was typed, the errors beside their fields and, after a
//! stale save, the conflict message with the revision the typing was
//! based on.

use askama::Template;
use askama_web::WebTemplate;

use super::builder::Errors;
use super::builder_view::{BuilderView, Choice};
use super::question_form::QuestionForm;
use super::section::EditorPage;
use super::view::{CaseView, FindingView, FormNav};
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts::FormState;

/// What every edit page carries besides its fields.
pub struct EditChrome {
    pub user: CurrentUser,
    pub nav: FormNav,
    /// The revision the typed values are based on (posted back).
    pub revision: i64,
    pub errors: Errors,
    /// Why the save was refused because the draft changed meanwhile.
    pub conflict: Option<String>,
    /// A refusal that belongs to no single field.
    pub error: Option<String>,
    /// What the last action did ("Saved to the draft.").
    pub message: Option<String>,
}

impl EditChrome {
    /// The chrome of the draft's page under `tab`.
    pub fn new(user: CurrentUser, form: &FormState, tab: &'static str) -> EditChrome {
        let nav = FormNav::new(form, tab);
        EditChrome {
            revision: nav.revision,
            user,
            nav,
            errors: Errors::new(),
            conflict: None,
            error: None,
            message: None,
        }
    }

    /// The chrome after a refused save: the field errors, or the conflict.
    pub fn refused(self, error: AppError) -> EditChrome {
        match error {
            AppError::Conflict(message) => EditChrome { conflict: Some(message), ..self },
            AppError::Invalid(found) => {
                EditChrome { errors: found.into_iter().map(|e| (e.field, e.message)).collect(), ..self }
            }
            other => EditChrome { error: Some(other.to_string()), ..self },
        }
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// An option row.
pub struct OptionView {
    pub index: usize,
    pub value: String,
    pub label: String,
    pub fit: String,
    pub intent: String,
    pub value_error: Option<String>,
    pub fit_error: Option<String>,
    pub intent_error: Option<String>,
}

/// A branching rule with its builder.
pub struct BranchView {
    pub index: usize,
    pub targets: Vec<Choice>,
    pub goto_error: Option<String>,
    pub builder: BuilderView,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/question.html", blocks = ["editor"])]
pub struct QuestionPage {
    pub chrome: EditChrome,
    pub action: String,
    pub form: QuestionForm,
    pub kinds: Vec<Choice>,
    pub lead_fields: Vec<Choice>,
    pub is_choice: bool,
    pub text_kind: bool,
    pub number_kind: bool,
    pub options: Vec<OptionView>,
    pub branches: Vec<BranchView>,
    pub otherwise: Vec<Choice>,
}

/// One scoring rule in the list.
pub struct RuleRowView {
    pub number: usize,
    pub reason: String,
    pub points: String,
    pub when: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/rules.html")]
pub struct RulesPage {
    pub chrome: EditChrome,
    pub rules: Vec<RuleRowView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/rule.html", blocks = ["editor"])]
pub struct RulePage {
    pub chrome: EditChrome,
    pub action: String,
    pub heading: String,
    pub reason: String,
    pub fit: String,
    pub intent: String,
    pub builder: BuilderView,
}

/// One outcome in the list.
pub struct OutcomeRowView {
    pub number: usize,
    pub id: String,
    pub tier: String,
    pub when: String,
    pub handoff: String,
    pub booking: bool,
    pub first: bool,
    pub last: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/outcomes.html")]
pub struct OutcomesPage {
    pub chrome: EditChrome,
    pub outcomes: Vec<OutcomeRowView>,
}

/// A resource link row.
pub struct ResourceView {
    pub index: usize,
    pub title: String,
    pub url: String,
    pub url_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/outcome.html", blocks = ["editor"])]
pub struct OutcomePage {
    pub chrome: EditChrome,
    pub action: String,
    pub heading: String,
    pub id: String,
    pub tier: String,
    pub builder: BuilderView,
    pub title: String,
    pub message: String,
    pub resources: Vec<ResourceView>,
    pub offer_booking: bool,
    pub handoff: String,
    pub pool: String,
    pub pools: Vec<String>,
    pub reason: String,
    pub accept_within: String,
}

/// The pages whose editor form htmx swaps on its own.
macro_rules! editor_pages {
    ($($page:ty),+) => {$(
        impl EditorPage for $page {
            fn render_editor(&self) -> askama::Result<String> {
                self.as_editor().render()
            }
        }
    )+};
}

editor_pages!(QuestionPage, RulePage, OutcomePage);

/// A named list.
pub struct ListView {
    pub name: String,
    pub entries: String,
    pub used_by: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/lists.html")]
pub struct ListsPage {
    pub chrome: EditChrome,
    pub lists: Vec<ListView>,
    /// The list whose save was refused ("" for the new-list form).
    pub failed: Option<String>,
    pub new_name: String,
    pub new_entries: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/settings.html")]
pub struct SettingsPage {
    pub chrome: EditChrome,
    pub title: String,
    pub intro: String,
    pub min_seconds: String,
    pub hand_abandoned: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/cases.html")]
pub struct CasesPage {
    pub chrome: EditChrome,
    pub cases: Vec<CaseView>,
    pub failing: usize,
}

/// One question's answer input on a test case.
pub struct AnswerInputView {
    pub id: String,
    pub label: String,
    /// "text", "select", "checkboxes" or "consent".
    pub control: &'static str,
    pub value: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/case.html")]
pub struct CasePage {
    pub chrome: EditChrome,
    pub action: String,
    pub heading: String,
    pub name: String,
    pub outcomes: Vec<Choice>,
    pub expected_pool: String,
    pub answers: Vec<AnswerInputView>,
    pub hidden: String,
    pub result: Option<CaseView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/yaml.html")]
pub struct YamlPage {
    pub chrome: EditChrome,
    pub text: String,
    pub problems: Vec<String>,
    pub findings: Vec<FindingView>,
}
