//! The prospect's pages at `/f/{slug}`: one question per step, full pages
//! without JavaScript (POST → 303 → GET), in-place swaps with htmx.

mod booking;
pub mod booking_view;
mod closed;
mod manage;
pub(crate) mod start;
pub use start::HIDDEN_KEYS;
pub(crate) mod step;
pub mod view;

use std::convert::Infallible;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use super::AppState;
use super::error::PageError;
use crate::app::AppError;
use crate::app::respond::StepState;
use view::{HiddenInput, QuestionView, StepPage, values_of};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/f/{slug}", get(start::show_form).post(start::submit_first_answer))
        .route("/f/{slug}/r/{response_id}", get(step::show_step).post(step::submit_answer))
        .route("/f/{slug}/r/{response_id}/book", post(booking::submit_booking))
        .route("/f/{slug}/r/{response_id}/booking.ics", get(booking::download_ics))
        .route("/bookings/{token}", get(manage::show_booking))
        .route("/bookings/{token}/cancel", post(manage::submit_cancel))
        .route("/bookings/{token}/reschedule", post(manage::submit_reschedule))
        .route("/bookings/{token}/booking.ics", get(manage::download_booking_ics))
}

/// An htmx request that wants only the step swapped in (a history restore
/// wants the whole page).
fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

/// Whether the request wants only the step ([`wants_fragment`]): for the
/// handlers that need nothing else of the headers, which taking a
/// `HeaderMap` would copy on every page.
#[derive(Clone, Copy)]
pub(crate) struct Fragment(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Fragment {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Fragment(wants_fragment(&parts.headers)))
    }
}

/// Renders the whole page, or only its `step` block for htmx.
fn render_step(page: StepPage, fragment: bool, status: StatusCode) -> Response {
    let html = if fragment { page.as_step().render() } else { page.render() };
    html_response(html, status)
}

fn html_response(html: askama::Result<String>, status: StatusCode) -> Response {
    match html {
        Ok(body) => {
            let mut response = (status, Html(body)).into_response();
            response.headers_mut().insert(header::VARY, HeaderValue::from_static("HX-Request"));
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => PageError(AppError::Internal(error.into())).into_response(),
    }
}

/// What a step page shows besides the question itself.
struct StepChrome {
    action: String,
    back_url: Option<String>,
    hidden: Vec<HiddenInput>,
    render_token: Option<String>,
    resume_url: Option<String>,
    embed: bool,
}

/// Builds the step page for the shown question, with `typed` values (after
/// an error) or the stored answer.
fn step_page(state: &StepState, chrome: StepChrome, typed: Option<Vec<String>>, error: Option<String>) -> StepPage {
    let shown = state.shown.as_deref().unwrap_or_default();
    let question = state.form.definition().questions.iter().find(|q| q.id == shown);
    let values = typed.unwrap_or_else(|| values_of(state.shown_answer()));
    let question = match question {
        Some(q) => QuestionView::new(q, &values, error.clone()),
        None => unreachable_question(),
    };
    let position = state.evaluation().path.iter().position(|q| q == shown).unwrap_or(0);
    StepPage {
        title: state.form.definition().title.clone(),
        intro: (position == 0).then(|| state.form.definition().intro.clone()).flatten(),
        embed: chrome.embed,
        action: chrome.action,
        question,
        step_number: position + 1,
        estimated_total: state.evaluation().progress.estimated_total.max(position + 1),
        back_url: chrome.back_url,
        hidden: chrome.hidden,
        render_token: chrome.render_token,
        resume_url: chrome.resume_url,
        form_error: None,
    }
}

/// A shown question always exists in its own version; this placeholder only
/// keeps rendering total if a stored path ever names a missing one.
fn unreachable_question() -> QuestionView {
    let question = crate::engine::Question {
        id: "missing".into(),
        kind: crate::engine::QuestionKind::Statement,
        label: "This step is no longer available.".into(),
        help: None,
        required: false,
        maps_to: None,
        options: Vec::new(),
        validation: Default::default(),
        next: Vec::new(),
    };
    QuestionView::new(&question, &[], None)
}

/// The first error message of an invalid answer.
fn first_message(error: &AppError) -> Option<String> {
    match error {
        AppError::Invalid(errors) => errors.first().map(|e| e.message.clone()),
        _ => None,
    }
}
