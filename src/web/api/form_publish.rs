//! Publishing the draft and rolling back to an earlier version, through
//! `app::publishing`: lint errors and failing test cases refuse a publish
//! with a 422 problem listing each (`findings`, `failed_cases`); warnings
//! come back with the success. A rollback is blocked only by lint errors;
//! its failing test cases are reported.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{ApiJson, Writer};
use super::form_drafts::draft_problem;
use super::form_view::{CaseResultView, LintFinding, PublishedView};
use super::forms::form_by_slug;
use super::problem::{ApiProblem, ProblemField, Problems};
use crate::app::publishing::{self, PublishResult, Refusal};
use crate::web::AppState;

/// A publish or a rollback, made from the draft at `revision`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// The draft's revision (`revision` of `GET …/draft`); 409 when the draft changed since.
    pub revision: i64,
    /// Kept with the version (at most 500 characters).
    #[serde(default)]
    pub note: String,
}

/// The 422 of a refused publish: each lint error and failing case, named.
fn refused(refusal: Refusal) -> ApiProblem {
    let mut errors: Vec<ProblemField> =
        refusal.errors.iter().map(|f| ProblemField { field: f.location.clone(), message: f.message.clone() }).collect();
    errors.extend(
        refusal
            .failed_cases
            .iter()
            .map(|c| ProblemField { field: format!("test_cases.{}", c.case.name), message: c.run.problems.join(" ") }),
    );
    let detail = format!(
        "Nothing was published: {} lint error(s) and {} failing test case(s).",
        refusal.errors.len(),
        refusal.failed_cases.len()
    );
    let mut problem = ApiProblem::new(StatusCode::UNPROCESSABLE_ENTITY, "publish-refused", "Not published", detail);
    problem.errors = errors;
    let mut findings = refusal.errors;
    findings.extend(refusal.warnings);
    problem.extras().findings = LintFinding::all(&findings);
    problem.extras().failed_cases = refusal.failed_cases.iter().map(CaseResultView::from).collect();
    problem
}

fn published(slug: &str, result: PublishResult) -> Result<Response, ApiProblem> {
    let (version, warnings, failed_cases) = match result {
        PublishResult::Published { version, warnings, failed_cases } => (version, warnings, failed_cases),
        PublishResult::Refused(refusal) => return Err(refused(refusal)),
    };
    let view = PublishedView {
        version,
        warnings: LintFinding::all(&warnings),
        failed_cases: failed_cases.iter().map(CaseResultView::from).collect(),
    };
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("/api/v1/forms/{slug}/versions/{version}")) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// Publishes the draft as the next version.
#[utoipa::path(post, path = "/api/v1/forms/{slug}/publish", tag = "forms", params(("slug" = String, Path)),
    description = "Needs the write scope. Runs the lint and every test case first: lint errors or a failing case refuse it \
        (422 `publish-refused`, with `findings` and `failed_cases`). Warnings come back with the new version. \
        409 when the draft changed since `revision` or the form is archived; 422 on `publish` when the draft is the live version.",
    request_body = PublishBody,
    responses((status = 201, body = PublishedView, headers(("location" = String, description = "The new version"))), Problems))]
pub async fn publish_draft(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<PublishBody>,
) -> Result<Response, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    let result = publishing::publish_draft(&state.ctx, &caller.user, form.id, body.revision, &body.note).await;
    published(&form.slug, result.map_err(draft_problem)?)
}

/// Publishes an earlier version again, as a new version, and makes it the draft.
#[utoipa::path(post, path = "/api/v1/forms/{slug}/versions/{version}/rollback", tag = "forms",
    params(("slug" = String, Path), ("version" = String, Path, description = "The version to restore")),
    description = "Needs the write scope. The emergency exit: lint errors still refuse it (422 with `findings`), but failing test cases \
        only come back in `failed_cases` (they may describe the version being undone). 409 when the draft changed since `revision`.",
    request_body = PublishBody,
    responses((status = 201, body = PublishedView, headers(("location" = String, description = "The new version"))), Problems))]
pub async fn roll_back(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path((slug, version)): Path<(String, String)>,
    ApiJson(body): ApiJson<PublishBody>,
) -> Result<Response, ApiProblem> {
    let version: i32 = version.parse().map_err(|_| ApiProblem::not_found("version"))?;
    let form = form_by_slug(&state, &slug).await?;
    let result = publishing::roll_back(&state.ctx, &caller.user, form.id, version, body.revision, &body.note).await;
    let result = result.map_err(|e| match e {
        crate::app::AppError::NotFound => ApiProblem::not_found("version"),
        other => draft_problem(other),
    })?;
    published(&form.slug, result)
}
