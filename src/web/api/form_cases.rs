//! A form's test cases through `app::form_tests`: list, create (the
//! answers are checked against the draft, as on the editor's page),
//! delete, and run them all against the draft.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiJson, Reader, Writer, path_id};
use super::form_view::{CaseResultView, CaseView};
use super::forms::form_by_slug;
use super::problem::{ApiProblem, ProblemField, Problems};
use super::response_view::answer_values;
use crate::app::AppError;
use crate::app::form_tests::{self, CaseInput};
use crate::web::AppState;

/// A new test case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseBody {
    /// Unique within the form.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Question id -> answer, as for a headless response: a string, a number, true/false, a list of option values, or null.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
    /// Hidden fields (utm_source...), names of a-z, 0-9 and _.
    #[serde(default)]
    pub hidden: BTreeMap<String, String>,
    /// The outcome id the answers must reach.
    pub expected_outcome: String,
    /// The pool the lead must be routed to, if it matters.
    pub expected_pool: Option<String>,
}

/// A form's test cases, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseView>,
    /// Always null: a form's cases come in one page.
    pub next_cursor: Option<String>,
}

/// Every case run against the draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRunReport {
    pub passed: usize,
    pub failed: usize,
    pub results: Vec<CaseResultView>,
}

/// Field errors of a case, as paths into the body (`answers.company_size`).
fn case_problem(error: AppError) -> ApiProblem {
    match error {
        AppError::Invalid(fields) => ApiProblem::invalid_fields(
            fields
                .into_iter()
                .map(|f| {
                    let field = f.field.strip_prefix("a.").map_or(f.field.clone(), |q| format!("answers.{q}"));
                    ProblemField { field, message: f.message }
                })
                .collect(),
        ),
        other => ApiProblem::from_app(other, "test case"),
    }
}

/// The form's test cases.
#[utoipa::path(get, path = "/api/v1/forms/{slug}/test-cases", tag = "forms", params(("slug" = String, Path)),
    description = "Needs the read scope.",
    responses((status = 200, body = CaseList), Problems))]
pub async fn list_cases(
    State(state): State<AppState>,
    _caller: Reader,
    Path(slug): Path<String>,
) -> Result<Json<CaseList>, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    let cases = form_tests::list_cases(&state.ctx, form.id).await?;
    Ok(Json(CaseList { items: cases.iter().map(CaseView::from).collect(), next_cursor: None }))
}

/// Adds a test case, checked against the draft.
#[utoipa::path(post, path = "/api/v1/forms/{slug}/test-cases", tag = "forms", params(("slug" = String, Path)),
    description = "Needs the write scope. An answer the draft would refuse is a 422 on `answers.<question>`; an unknown outcome on \
        `expected_outcome`; a name another case has on `name`. Every case runs on every publish.",
    request_body = CaseBody,
    responses((status = 201, body = CaseView), Problems))]
pub async fn create_case(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CaseBody>,
) -> Result<Response, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    let mut answers = BTreeMap::new();
    for (question, answer) in &body.answers {
        let values = answer_values(answer).map_err(|_| {
            ApiProblem::invalid(
                &format!("answers.{question}"),
                "Send a string, a number, true or false, a list of strings, or null.",
            )
        })?;
        answers.insert(question.clone(), values);
    }
    let input = CaseInput {
        name: body.name,
        answers,
        hidden: body.hidden,
        expected_outcome: body.expected_outcome,
        expected_pool: body.expected_pool,
    };
    let id = form_tests::save_case(&state.ctx, &caller.user, form.id, None, input).await.map_err(case_problem)?;
    let case = form_tests::get_case(&state.ctx, form.id, id).await?;
    Ok((StatusCode::CREATED, Json(CaseView::from(&case))).into_response())
}

/// Deletes a test case.
#[utoipa::path(delete, path = "/api/v1/forms/{slug}/test-cases/{id}", tag = "forms",
    params(("slug" = String, Path), ("id" = String, Path)),
    description = "Needs the write scope.",
    responses((status = 204, description = "Deleted"), Problems))]
pub async fn delete_case(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiProblem> {
    let id = path_id(&id, "test case")?;
    let form = form_by_slug(&state, &slug).await?;
    form_tests::get_case(&state.ctx, form.id, id).await.map_err(|e| ApiProblem::from_app(e, "test case"))?;
    form_tests::delete_case(&state.ctx, &caller.user, form.id, id).await.map_err(case_problem)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs every test case against the draft; nothing is stored.
#[utoipa::path(post, path = "/api/v1/forms/{slug}/test-cases/run", tag = "forms", params(("slug" = String, Path)),
    description = "Needs the read scope (nothing changes). Each result says why a case failed.",
    responses((status = 200, body = CaseRunReport), Problems))]
pub async fn run_cases(
    State(state): State<AppState>,
    _caller: Reader,
    Path(slug): Path<String>,
) -> Result<Json<CaseRunReport>, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    let results = form_tests::run_cases(&state.ctx, form.id).await?;
    let results: Vec<CaseResultView> = results.iter().map(CaseResultView::from).collect();
    let passed = results.iter().filter(|r| r.passed).count();
    Ok(Json(CaseRunReport { passed, failed: results.len() - passed, results }))
}
