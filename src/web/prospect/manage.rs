//! The prospect's signed link from the confirmation email and page:
//! `/bookings/{token}` shows the meeting, cancels it, or moves it to a
//! fresh slot. A forged link is refused (404), an expired one too (410);
//! a used cancel link shows the meeting is already cancelled.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::booking::{CHOSEN_ZONE, TAKEN_MESSAGE, ics_response, known_zone, offer_section, slot_choice};
use super::booking_view::{BookedView, BookingSection};
use super::{html_response, wants_fragment};
use crate::app::AppError;
use crate::app::booking::{self, BookResult, LinkError};
use crate::app::booking_changes::{self, ZoneGuess};
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

/// The manage page; `as_manage()` renders only the meeting for htmx swaps.
#[derive(Template, WebTemplate)]
#[template(path = "prospect/booking_manage.html", blocks = ["manage"])]
pub struct ManageBookingPage {
    pub booked: Option<BookedView>,
    pub cancel_action: String,
    pub booking: Option<BookingSection>,
    /// The link itself is refused: why.
    pub problem: Option<String>,
}

#[derive(Deserialize)]
pub struct ManageQuery {
    tz: Option<String>,
}

fn booking_id(state: &AppState, token: &str) -> Result<Uuid, (StatusCode, String)> {
    booking::read_manage_token(&state.secret, token, state.ctx.clock.now()).map_err(|error| match error {
        LinkError::Invalid => {
            (StatusCode::NOT_FOUND, "This link is not valid. Use the link from your confirmation email.".into())
        }
        LinkError::Expired => {
            (StatusCode::GONE, "This link has expired. Contact us and we will find a time with you.".into())
        }
    })
}

fn refused(status: StatusCode, problem: String) -> Response {
    let page = ManageBookingPage { booked: None, cancel_action: String::new(), booking: None, problem: Some(problem) };
    html_response(page.render(), status)
}

/// GET /bookings/{token}
pub async fn show_booking(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<ManageQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match booking_id(&state, &token) {
        Ok(id) => manage_page(&state, &token, id, query.tz.as_deref(), None, StatusCode::OK, &headers).await,
        Err((status, problem)) => Ok(refused(status, problem)),
    }
}

async fn manage_page(
    state: &AppState,
    token: &str,
    id: Uuid,
    tz: Option<&str>,
    message: Option<String>,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let page = booking_changes::manage_page(&state.ctx, id).await?;
    let base = format!("/bookings/{token}");
    let asked = known_zone(tz);
    let zone = asked.clone().unwrap_or_else(|| page.booking.prospect_zone.clone());
    let booked = BookedView::new(&page.booking, &zone, format!("{base}/booking.ics"), None);
    let guess =
        ZoneGuess { zone, because: if asked.is_some() { CHOSEN_ZONE.into() } else { "as when you booked".into() } };
    let section = page.availability.as_ref().map(|availability| {
        let mut section =
            offer_section(availability, &guess, tz.is_some(), (format!("{base}/reschedule"), base.clone()), message);
        if let Some(slots) = section.slots.as_mut() {
            slots.button_label = "Move here";
        }
        section
    });
    let view = ManageBookingPage {
        booked: Some(booked),
        cancel_action: format!("{base}/cancel"),
        booking: section,
        problem: None,
    };
    let html = if wants_fragment(headers) { view.as_manage().render() } else { view.render() };
    Ok(html_response(html, status))
}

/// POST /bookings/{token}/cancel
pub async fn submit_cancel(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let id = match booking_id(&state, &token) {
        Ok(id) => id,
        Err((status, problem)) => return Ok(refused(status, problem)),
    };
    booking_changes::cancel_booking(&state.ctx, id).await?;
    Ok(Redirect::to(&format!("/bookings/{token}")).into_response())
}

/// POST /bookings/{token}/reschedule
pub async fn submit_reschedule(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = match booking_id(&state, &token) {
        Ok(id) => id,
        Err((status, problem)) => return Ok(refused(status, problem)),
    };
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    let tz = form.get("tz").map(str::to_owned);
    let result = match slot_choice(&form) {
        Ok(choice) => booking_changes::reschedule_booking(&state.ctx, &state.secret, id, choice).await,
        Err(error) => Err(error),
    };
    let (message, status) = match result {
        Ok(BookResult::Booked(_) | BookResult::AlreadyBooked(_)) if !wants_fragment(&headers) => {
            return Ok(Redirect::to(&format!("/bookings/{token}")).into_response());
        }
        Ok(BookResult::Booked(_) | BookResult::AlreadyBooked(_)) => {
            (Some("Your meeting was moved.".into()), StatusCode::OK)
        }
        Ok(BookResult::Taken) => (Some(TAKEN_MESSAGE.to_owned()), StatusCode::CONFLICT),
        Err(AppError::Invalid(errors)) => (errors.first().map(|e| e.message.clone()), StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(message)) => (Some(message), StatusCode::CONFLICT),
        Err(other) => return Err(other.into()),
    };
    manage_page(&state, &token, id, tz.as_deref(), message, status, &headers).await
}

/// GET /bookings/{token}/booking.ics
pub async fn download_booking_ics(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let id = match booking_id(&state, &token) {
        Ok(id) => id,
        Err((status, problem)) => return Ok(refused(status, problem)),
    };
    let ics = booking_changes::ics_of(&state.ctx, Some(&state.secret), id).await?;
    Ok(ics_response(ics))
}
