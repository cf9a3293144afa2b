//! Later steps of a response: show, answer, go back, and the ending.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::booking::render_ending;
use super::start::step_input;
use super::{Fragment, StepChrome, first_message, render_step, step_page};
use crate::app::AppError;
use crate::app::respond::{self, StepState};
use crate::web::AppState;
use crate::web::error::{PageError, too_many_requests};
use crate::web::forms_input::FormBody;

#[derive(Deserialize)]
pub struct StepQuery {
    step: Option<String>,
    /// The zone booking times are shown in (the ending of a booking outcome).
    tz: Option<String>,
}

/// GET /f/{slug}/r/{id}: the current step, an earlier one (`?step=`), or the ending.
pub async fn show_step(
    State(state): State<AppState>,
    Path((slug, response_id)): Path<(String, Uuid)>,
    Query(query): Query<StepQuery>,
    Fragment(fragment): Fragment,
) -> Result<Response, PageError> {
    let step = respond::load_step(&state.ctx, response_id, query.step.as_deref()).await?;
    if step.form.definition().slug != slug {
        return Err(PageError(AppError::NotFound));
    }
    Ok(render_state(&state, &step, fragment, None, None, StatusCode::OK, query.tz.as_deref()).await)
}

/// POST /f/{slug}/r/{id}: saves an answer; 303 to the next step (or, for
/// htmx, the next step itself); 422 with the message and the typed values.
pub async fn submit_answer(
    State(state): State<AppState>,
    Path((slug, response_id)): Path<(String, Uuid)>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Fragment(fragment): Fragment,
    body: Bytes,
) -> Result<Response, PageError> {
    if let Err(retry) = state.rate_limits.check_answer(client.ip()) {
        return Ok(too_many_requests(retry));
    }
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    let input = step_input(&form);
    match respond::answer_step(&state.ctx, Some(&slug), response_id, input.clone(), state.ctx.clock.now()).await {
        Ok(answered) => {
            // The browser's zone (filled in by app.js) shows booking times on its clock at once.
            let tz = form.get("tz").filter(|tz| !tz.trim().is_empty());
            go_to_step(&state, fragment, &slug, response_id, answered.next_step(), tz).await
        }
        Err(error @ AppError::Invalid(_)) => {
            let step = respond::load_step(&state.ctx, response_id, Some(&input.question_id)).await?;
            let message = first_message(&error);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(render_state(&state, &step, fragment, Some(input.values), message, status, None).await)
        }
        Err(other) => Err(other.into()),
    }
}

/// After a saved answer: 303 to the response (plain browsers), or the step
/// itself with its URL pushed into the history (htmx): `next` when the
/// answer handed it over, else as stored.
pub(super) async fn go_to_step(
    state: &AppState,
    fragment: bool,
    slug: &str,
    response_id: Uuid,
    next: Option<StepState>,
    tz: Option<&str>,
) -> Result<Response, PageError> {
    let here = format!("/f/{slug}/r/{response_id}");
    if !fragment {
        return Ok(Redirect::to(&here).into_response());
    }
    let step = match next {
        Some(step) => step,
        None => respond::load_step(&state.ctx, response_id, None).await?,
    };
    let mut response = render_state(state, &step, true, None, None, StatusCode::OK, tz).await;
    if let Ok(url) = HeaderValue::from_str(&here) {
        response.headers_mut().insert("hx-push-url", url);
    }
    Ok(response)
}

async fn render_state(
    state: &AppState,
    step: &StepState,
    fragment: bool,
    typed: Option<Vec<String>>,
    error: Option<String>,
    status: StatusCode,
    tz: Option<&str>,
) -> Response {
    let Some(response) = step.response() else {
        return PageError(AppError::NotFound).into_response();
    };
    if step.shown.is_none() {
        return match step.finished_outcome() {
            Some(outcome) => render_ending(state, step, outcome, fragment, tz, None, StatusCode::OK).await,
            None => PageError(AppError::Internal(anyhow::anyhow!("finished response without outcome"))).into_response(),
        };
    }
    let slug = &step.form.definition().slug;
    let here = format!("/f/{slug}/r/{}", response.id);
    let chrome = StepChrome {
        back_url: step.previous().map(|q| format!("{here}?step={q}")),
        resume_url: Some(format!("{}{here}", state.ctx.base_url)),
        action: here,
        hidden: Vec::new(),
        render_token: None,
        embed: response.embedded,
    };
    render_step(step_page(step, chrome, typed, error), fragment, status)
}
