//! Headless responses: a team keeps its own front end and drives the same
//! use cases as the prospect pages (`app::respond`), so validation, paths,
//! scoring, finishing (once, when the path completes) and leads are the
//! same. An API caller is trusted: the honeypot and timing bot checks of
//! the pages do not apply.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiQuery, Reader, Writer, path_id};
use super::problem::{ApiProblem, ProblemField, Problems};
use super::response_view::{ResponseState, answer_values, state_of};
use crate::app::AppError;
use crate::app::respond::{self, StartInput, StepInput};
use crate::engine::Hidden;
use crate::web::AppState;
use crate::web::prospect::HIDDEN_KEYS;

/// The first answer, which starts the response.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// The first question's id (from `GET /api/v1/forms/{slug}`).
    pub question_id: String,
    /// A string, a number, true/false (consent), a list of option values, or null.
    #[schema(schema_with = super::response_view::answer_schema)]
    pub answer: serde_json::Value,
    /// Hidden fields kept with the response (each clipped to 500 characters).
    #[serde(default)]
    pub hidden: HiddenFields,
}

/// The hidden fields a response keeps, as on the pages' query string.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HiddenFields {
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub gclid: Option<String>,
    pub referrer: Option<String>,
}

impl HiddenFields {
    fn into_pairs(self) -> BTreeMap<String, String> {
        let values = [
            self.utm_source,
            self.utm_medium,
            self.utm_campaign,
            self.utm_term,
            self.utm_content,
            self.gclid,
            self.referrer,
        ];
        HIDDEN_KEYS.iter().zip(values).filter_map(|(k, v)| Some((k.to_string(), v?))).collect()
    }
}

/// One answer (a new one, or a changed earlier one on the path).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub question_id: String,
    #[schema(schema_with = super::response_view::answer_schema)]
    pub answer: serde_json::Value,
}

/// Going back from a question.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackBody {
    /// The question the front end shows now (default: the first unanswered one).
    pub from: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateQuery {
    /// Show this question of the path (with its stored answer) instead of the first unanswered one.
    pub question: Option<String>,
}

const HIDDEN_MAX_CHARS: usize = 500;

fn hidden_fields(fields: HiddenFields) -> Hidden {
    fields
        .into_pairs()
        .into_iter()
        .map(|(k, v)| (k, v.trim().chars().take(HIDDEN_MAX_CHARS).collect::<String>()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// Use-case errors, with the engine's question-named fields as body fields.
fn answer_problem(error: AppError, question_id: &str) -> ApiProblem {
    match error {
        AppError::Invalid(fields) => ApiProblem::invalid_fields(
            fields
                .into_iter()
                .map(|f| {
                    let field = if f.field == question_id {
                        "answer"
                    } else if f.field == "question" {
                        "question_id"
                    } else {
                        f.field.as_str()
                    };
                    ProblemField { field: field.to_string(), message: f.message }
                })
                .collect(),
        ),
        other => ApiProblem::from_app(other, "response"),
    }
}

async fn current_state(state: &AppState, id: uuid::Uuid, question: Option<&str>) -> Result<ResponseState, ApiProblem> {
    let step = respond::load_step(&state.ctx, id, question).await.map_err(|e| ApiProblem::from_app(e, "response"))?;
    Ok(state_of(&step))
}

/// Starts a response with its first answer.
#[utoipa::path(post, path = "/api/v1/forms/{slug}/responses", tag = "responses", params(("slug" = String, Path)),
    description = "Needs the write scope. Answers the first question and returns the next one (or the result, for a one-question form).",
    request_body = StartBody,
    responses((status = 201, body = ResponseState, headers(("location" = String, description = "The response's address"))), Problems))]
pub async fn create_response(
    State(state): State<AppState>,
    _caller: Writer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<StartBody>,
) -> Result<Response, ApiProblem> {
    let values = answer_values(&body.answer)?;
    let start = StartInput { hidden: hidden_fields(body.hidden), min_seconds_override: Some(0), ..Default::default() };
    let step = StepInput { question_id: body.question_id.clone(), values, honeypot_filled: false };
    let id = respond::start_response(&state.ctx, &slug, start, step, state.ctx.clock.now()).await.map_err(|e| {
        if matches!(e, AppError::NotFound) {
            ApiProblem::not_found("published form")
        } else {
            answer_problem(e, &body.question_id)
        }
    })?;
    let view = current_state(&state, id, None).await?;
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/responses/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The response's state: the question to show (or the result), the path and the answers.
#[utoipa::path(get, path = "/api/v1/responses/{id}", tag = "responses", params(("id" = String, Path), StateQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = ResponseState), Problems))]
pub async fn get_response(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<StateQuery>,
) -> Result<Json<ResponseState>, ApiProblem> {
    let id = path_id(&id, "response")?;
    Ok(Json(current_state(&state, id, query.question.as_deref()).await?))
}

/// Answers a question; returns the next question, or the result when this answer completed the path.
#[utoipa::path(post, path = "/api/v1/responses/{id}/answers", tag = "responses", params(("id" = String, Path)),
    description = "Needs the write scope. Changing an earlier answer may change the path; answers that left the path are dropped. Answering a finished response changes nothing and returns its result.",
    request_body = AnswerBody,
    responses((status = 200, body = ResponseState), Problems))]
pub async fn create_answer(
    State(state): State<AppState>,
    _caller: Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<Json<ResponseState>, ApiProblem> {
    let id = path_id(&id, "response")?;
    let values = answer_values(&body.answer)?;
    let step = StepInput { question_id: body.question_id.clone(), values, honeypot_filled: false };
    let answered = respond::answer_step(&state.ctx, None, id, step, state.ctx.clock.now())
        .await
        .map_err(|e| answer_problem(e, &body.question_id))?;
    match answered.next_step() {
        Some(next) => Ok(Json(state_of(&next))),
        None => Ok(Json(current_state(&state, id, None).await?)),
    }
}

/// The question before `from` on the path, with its stored answer, to change it.
#[utoipa::path(post, path = "/api/v1/responses/{id}/back", tag = "responses", params(("id" = String, Path)),
    description = "Needs the write scope (it changes nothing stored; it is a POST because it is a step of the flow). 409 at the first question or on a finished response.",
    request_body = BackBody,
    responses((status = 200, body = ResponseState), Problems))]
pub async fn go_back(
    State(state): State<AppState>,
    _caller: Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BackBody>,
) -> Result<Json<ResponseState>, ApiProblem> {
    let id = path_id(&id, "response")?;
    let step = respond::load_step(&state.ctx, id, body.from.as_deref())
        .await
        .map_err(|e| ApiProblem::from_app(e, "response"))?;
    if step.shown.is_none() {
        return Err(ApiProblem::conflict("This response is finished; there is nothing to go back to."));
    }
    if let Some(from) = body.from.as_deref().filter(|f| step.shown.as_deref() != Some(*f)) {
        return Err(ApiProblem::invalid("from", format!("Question {from} is not on this response's path.")));
    }
    let previous =
        step.previous().map(str::to_string).ok_or_else(|| ApiProblem::conflict("This is the first question."))?;
    Ok(Json(current_state(&state, id, Some(&previous)).await?))
}

/// Reports the result of a response whose path is complete (finishing happens with the last answer, once).
#[utoipa::path(post, path = "/api/v1/responses/{id}/finish", tag = "responses", params(("id" = String, Path)),
    description = "Needs the write scope. A response finishes by itself when its last answer completes the path; this returns its result (the same every time) or 409 naming the question still unanswered.",
    responses((status = 200, body = ResponseState), Problems))]
pub async fn finish_response(
    State(state): State<AppState>,
    _caller: Writer,
    Path(id): Path<String>,
) -> Result<Json<ResponseState>, ApiProblem> {
    let id = path_id(&id, "response")?;
    let view = current_state(&state, id, None).await?;
    match &view.question {
        None => Ok(Json(view)),
        Some(question) => {
            let mut problem =
                ApiProblem::conflict(format!("The path is not complete: question {} needs an answer.", question.id));
            problem.errors.push(ProblemField {
                field: "question_id".into(),
                message: format!("{} needs an answer", question.id),
            });
            Err(problem)
        }
    }
}
