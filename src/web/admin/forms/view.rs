//! View models shared by the editor's pages: the form's navigation, lint
//! findings, test case results and history lines, plus the pages that
//! list things (forms, questions, versions).

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};

use super::builder::Errors;
use super::builder_view::Choice;
use crate::app::auth::CurrentUser;
use crate::app::drafts::FormState;
use crate::app::form_tests::CaseResult;
use crate::engine::{Finding, LeadField, QuestionKind, ScoreItem, kind_label};
use crate::store::drafts::EditRecord;

/// Tabs of a form's pages: (key, label, path after `/admin/forms/{id}`).
/// Preview, replay and the diagram are served by their own modules, with
/// this same tab bar.
pub const TABS: [(&str, &str, &str); 11] = [
    ("questions", "Questions", ""),
    ("scoring", "Scoring", "/scoring"),
    ("lists", "Lists", "/lists"),
    ("outcomes", "Outcomes", "/outcomes"),
    ("settings", "Settings", "/settings"),
    ("tests", "Test cases", "/tests"),
    ("versions", "Versions", "/versions"),
    ("yaml", "YAML", "/yaml"),
    ("preview", "Preview", "/preview"),
    ("replay", "Replay", "/replay"),
    ("diagram", "Diagram", "/diagram"),
];

/// The header of every page of one form.
pub struct FormNav {
    pub id: String,
    pub title: String,
    pub slug: String,
    pub revision: i64,
    pub tab: &'static str,
    pub status: String,
    pub archived: bool,
    pub unpublished: bool,
    pub live: Option<i32>,
}

impl FormNav {
    pub fn new(state: &FormState, tab: &'static str) -> FormNav {
        FormNav {
            id: state.draft.form_id.to_string(),
            title: state.draft.definition.title.clone(),
            slug: state.draft.slug.clone(),
            revision: state.draft.revision,
            tab,
            status: status_label(state.archived, state.published_version),
            archived: state.archived,
            unpublished: state.has_unpublished_changes,
            live: state.published_version,
        }
    }

    pub fn tabs(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &TABS
    }
}

/// "Archived", "Published v3" or "Draft only".
pub fn status_label(archived: bool, published: Option<i32>) -> String {
    match (archived, published) {
        (true, _) => "Archived".into(),
        (false, Some(version)) => format!("Published v{version}"),
        (false, None) => "Draft only".into(),
    }
}

/// An admin page's moment: in UTC, named, in the inbox's format.
pub fn when(time: DateTime<Utc>) -> String {
    crate::web::local_time::LocalClock::of("UTC").moment(time)
}

/// A lint finding as listed.
pub struct FindingView {
    pub severity: &'static str,
    pub location: String,
    pub message: String,
}

impl FindingView {
    pub fn new(finding: &Finding) -> FindingView {
        let severity = if finding.is_error() { "error" } else { "warning" };
        FindingView { severity, location: finding.location.clone(), message: finding.message.clone() }
    }

    pub fn all(findings: &[Finding]) -> Vec<FindingView> {
        findings.iter().map(FindingView::new).collect()
    }
}

/// A line of a score breakdown.
pub struct ReasonView {
    pub points: String,
    pub reason: String,
}

fn reasons(items: &[ScoreItem]) -> Vec<ReasonView> {
    items.iter().map(|i| ReasonView { points: format!("{:+}", i.points), reason: i.reason.clone() }).collect()
}

/// A test case and its latest run.
pub struct CaseView {
    pub id: String,
    pub name: String,
    pub passed: bool,
    pub expected_outcome: String,
    pub expected_pool: String,
    pub outcome: String,
    pub pool: String,
    pub path: String,
    pub fit: i32,
    pub intent: i32,
    pub fit_reasons: Vec<ReasonView>,
    pub intent_reasons: Vec<ReasonView>,
    pub problems: Vec<String>,
}

impl CaseView {
    pub fn new(result: &CaseResult) -> CaseView {
        let run = &result.run;
        CaseView {
            id: result.case.id.to_string(),
            name: result.case.name.clone(),
            passed: run.passed,
            expected_outcome: result.case.expected_outcome.clone(),
            expected_pool: result.case.expected_pool.clone().unwrap_or_default(),
            outcome: run.outcome.clone().unwrap_or_else(|| "none".into()),
            pool: run.pool.clone().unwrap_or_else(|| "none".into()),
            path: run.path.join(" → "),
            fit: run.fit.total,
            intent: run.intent.total,
            fit_reasons: reasons(&run.fit.breakdown),
            intent_reasons: reasons(&run.intent.breakdown),
            problems: run.problems.clone(),
        }
    }
}

/// A line of the draft's history.
pub struct HistoryView {
    pub revision: i64,
    pub when: String,
    pub who: String,
    pub summary: String,
}

impl HistoryView {
    pub fn new(edit: &EditRecord) -> HistoryView {
        HistoryView {
            revision: edit.revision,
            when: when(edit.created_at),
            who: edit.user_name.clone().unwrap_or_else(|| "someone".into()),
            summary: edit.summary.clone(),
        }
    }
}

/// Every question kind for the "add question" dropdown.
pub fn kind_choices(selected: &str) -> Vec<Choice> {
    use QuestionKind::*;
    [SingleChoice, MultipleChoice, Dropdown, ShortText, LongText, Email, Phone, Number, Url, Consent, Statement]
        .into_iter()
        .map(|kind| {
            let value = super::question_form::kind_name(kind);
            Choice { selected: value == selected, label: kind_label(kind).to_owned(), value }
        })
        .collect()
}

/// Lead fields for the "fills the lead field" dropdown, with "none".
pub fn lead_field_choices(selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice { value: String::new(), label: "None".into(), selected: selected.is_empty() }];
    choices.extend(LeadField::ALL.iter().map(|f| Choice {
        value: f.as_str().to_owned(),
        label: f.label().to_owned(),
        selected: f.as_str() == selected,
    }));
    choices
}

/// One form in the list.
pub struct FormRowView {
    pub id: String,
    pub title: String,
    pub slug: String,
    pub status: String,
    pub archived: bool,
    pub started: i64,
    pub finished: i64,
    pub leads: i64,
    pub updated: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/list.html")]
pub struct FormsPage {
    pub user: CurrentUser,
    pub rows: Vec<FormRowView>,
    pub title: String,
    pub slug: String,
    pub errors: Errors,
    pub import_text: String,
    pub import_errors: Vec<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

/// One question in the form's list.
pub struct QuestionRowView {
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub maps_to: String,
    pub options: usize,
    pub branches: usize,
    pub first: bool,
    pub last: bool,
}

/// Why the last publish was refused.
pub struct RefusalView {
    pub errors: Vec<FindingView>,
    pub failed_cases: Vec<CaseView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/form.html")]
pub struct FormPage {
    pub user: CurrentUser,
    pub nav: FormNav,
    pub questions: Vec<QuestionRowView>,
    pub kinds: Vec<Choice>,
    pub new_id: String,
    pub new_label: String,
    pub findings: Vec<FindingView>,
    pub error_count: usize,
    pub cases_total: usize,
    pub cases_failing: usize,
    pub note: String,
    pub refusal: Option<RefusalView>,
    pub message: Option<String>,
    pub error: Option<String>,
    pub history: Vec<HistoryView>,
}

/// One published version.
pub struct VersionView {
    pub version: i32,
    pub note: String,
    pub when: String,
    pub who: String,
    pub changes: Vec<String>,
    pub restored_from: Option<i32>,
    pub live: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/forms/versions.html")]
pub struct VersionsPage {
    pub user: CurrentUser,
    pub nav: FormNav,
    pub versions: Vec<VersionView>,
    pub message: Option<String>,
    pub error: Option<String>,
    pub warnings: Vec<FindingView>,
    pub failed_cases: Vec<CaseView>,
    pub refusal: Vec<FindingView>,
}
