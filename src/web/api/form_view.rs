//! The JSON shapes of the form editor's API: a draft with its revision and
//! lint findings, what a publish did, test cases and their runs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::forms::FormSummary;
use crate::app::form_tests::CaseResult;
use crate::engine::Finding;
use crate::store::drafts::EditRecord;
use crate::store::form_tests::CaseRecord;

/// One lint finding.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LintFinding {
    /// `error` or `warning`.
    pub severity: String,
    /// Where, e.g. "question company_size, branch 2".
    pub location: String,
    pub message: String,
}

impl LintFinding {
    pub fn all(findings: &[Finding]) -> Vec<LintFinding> {
        findings
            .iter()
            .map(|f| LintFinding {
                severity: if f.is_error() { "error" } else { "warning" }.to_string(),
                location: f.location.clone(),
                message: f.message.clone(),
            })
            .collect()
    }
}

/// The last save of a draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditView {
    /// The revision this save made.
    pub revision: i64,
    /// Who saved (null for changes leadgate made itself).
    pub by: Option<String>,
    pub at: DateTime<Utc>,
    /// What changed, in words.
    pub summary: String,
}

impl From<EditRecord> for EditView {
    fn from(e: EditRecord) -> Self {
        EditView { revision: e.revision, by: e.user_name, at: e.created_at, summary: e.summary }
    }
}

/// A form's draft: what the editor changes before publishing.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftView {
    pub form: FormSummary,
    /// Send it back with a change: a change made from an older revision is refused (409).
    pub revision: i64,
    /// The draft differs from the published version (or nothing is published yet).
    pub has_unpublished_changes: bool,
    /// The draft definition (questions, scoring, lists, outcomes, settings).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// What lint says of the draft now (errors block publishing).
    pub findings: Vec<LintFinding>,
    /// The latest save, if any.
    pub last_change: Option<EditView>,
}

/// A test case of a form.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: Uuid,
    pub name: String,
    /// Question id -> the values a prospect would send (several for multiple choice).
    pub answers: BTreeMap<String, Vec<String>>,
    /// Hidden fields sent with the answers (utm_source...).
    pub hidden: BTreeMap<String, String>,
    pub expected_outcome: String,
    /// The pool the lead must be routed to, when given.
    pub expected_pool: Option<String>,
}

impl From<&CaseRecord> for CaseView {
    fn from(c: &CaseRecord) -> Self {
        CaseView {
            id: c.id,
            name: c.name.clone(),
            answers: c.answers.0.clone(),
            hidden: c.hidden.0.clone(),
            expected_outcome: c.expected_outcome.clone(),
            expected_pool: c.expected_pool.clone(),
        }
    }
}

/// A test case and what running it showed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseResultView {
    pub id: Uuid,
    pub name: String,
    pub passed: bool,
    /// Why it failed, one sentence each; empty when it passed.
    pub problems: Vec<String>,
    pub expected_outcome: String,
    pub expected_pool: Option<String>,
    /// The outcome reached (or matching so far, when the answers stop early).
    pub outcome: Option<String>,
    /// The pool the lead would be routed to.
    pub pool: Option<String>,
    /// The questions asked, in order.
    pub path: Vec<String>,
    pub fit: i32,
    pub intent: i32,
}

impl From<&CaseResult> for CaseResultView {
    fn from(r: &CaseResult) -> Self {
        CaseResultView {
            id: r.case.id,
            name: r.case.name.clone(),
            passed: r.run.passed,
            problems: r.run.problems.clone(),
            expected_outcome: r.case.expected_outcome.clone(),
            expected_pool: r.case.expected_pool.clone(),
            outcome: r.run.outcome.clone(),
            pool: r.run.pool.clone(),
            path: r.run.path.clone(),
            fit: r.run.fit.total,
            intent: r.run.intent.total,
        }
    }
}

/// What a publish or rollback did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedView {
    /// The new version, live now.
    pub version: i32,
    /// Lint warnings (they do not block).
    pub warnings: Vec<LintFinding>,
    /// For a rollback: test cases that fail on the restored version (reported, not blocking).
    pub failed_cases: Vec<CaseResultView>,
}
