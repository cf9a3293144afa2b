//! Booking on the ending page: the slots (GET, with `?tz=`), choosing one
//! (POST `/f/{slug}/r/{id}/book`: 303 to the confirmation, or for htmx the
//! confirmation itself; 409 with fresh slots when someone was faster) and
//! the meeting's `.ics`. The response id in the address is the capability,
//! as for the rest of the prospect's pages.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::booking_view::{BookedView, BookingSection, SlotList, call_text};
use super::view::EndingPage;
use super::{html_response, wants_fragment};
use crate::app::availability::Availability;
use crate::app::booking::{self, BookResult, SlotChoice};
use crate::app::booking_changes::{self, EndingBooking, ZoneGuess};
use crate::app::respond::{self, StepState};
use crate::app::{AppError, FieldError};
use crate::engine::{self, Outcome};
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

/// Why times are in a zone that came with the request (the browser's own,
/// sent by app.js, or one picked from the list).
pub const CHOSEN_ZONE: &str = "your device's time zone, or the one you chose";

/// Said to the prospect whose slot someone else took first.
/// (The booking block below it says what is left: other times, or a call.)
pub const TAKEN_MESSAGE: &str = "Sorry, someone booked that time a moment ago.";

/// The ending page of a finished response, with its booking section.
pub(super) async fn render_ending(
    state: &AppState,
    step: &StepState,
    outcome: &Outcome,
    fragment: bool,
    tz: Option<&str>,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let mut page = EndingPage::new(step, outcome);
    if outcome.ending.offer_booking {
        let slug = &step.form.definition().slug;
        let Some(response) = step.response() else { return PageError(AppError::NotFound).into_response() };
        match section(state, slug, response.id, tz, message).await {
            Ok(section) => page.booking = section,
            Err(error) => return error.into_response(),
        }
    }
    let html = if fragment { askama::Template::render(&page.as_step()) } else { askama::Template::render(&page) };
    html_response(html, status)
}

/// What the ending shows about booking now.
async fn section(
    state: &AppState,
    slug: &str,
    response_id: Uuid,
    tz: Option<&str>,
    message: Option<String>,
) -> Result<Option<BookingSection>, PageError> {
    let Some(ending) = booking_changes::ending_booking(&state.ctx, response_id).await? else { return Ok(None) };
    let base = format!("/f/{slug}/r/{response_id}");
    let asked = tz.and_then(|t| booking::valid_zone(t).ok());
    Ok(Some(match ending {
        EndingBooking::Booked { booking, .. } => {
            let zone = asked.unwrap_or_else(|| booking.prospect_zone.clone());
            let manage = booking::manage_url(&state.ctx, &state.secret, &booking);
            let mut booked = BookedView::new(&booking, &zone, format!("{base}/booking.ics"), Some(manage));
            booked.emailed = state.ctx.email_enabled && booking.lead_email.is_some();
            BookingSection { slots: None, booked: Some(booked), call_text: None, message }
        }
        EndingBooking::Offer { availability, cancelled, guess } => {
            let chosen = tz.is_some();
            let guess = asked.map(|zone| ZoneGuess { zone, because: CHOSEN_ZONE.into() }).unwrap_or(guess);
            let note = cancelled.then(|| "Your meeting was cancelled.".to_owned());
            offer_section(&availability, &guess, chosen, (format!("{base}/book"), base), message.or(note))
        }
    }))
}

/// Slots to choose from, or the "someone will call" sentence.
pub(super) fn offer_section(
    availability: &Availability,
    guess: &ZoneGuess,
    chosen: bool,
    urls: (String, String),
    message: Option<String>,
) -> BookingSection {
    match availability {
        Availability::Slots { offers, from_other_reps } => {
            let slots = SlotList::new(offers, *from_other_reps, guess, chosen, urls);
            BookingSection { slots: Some(slots), booked: None, call_text: None, message }
        }
        Availability::Nobody { .. } => {
            BookingSection { slots: None, booked: None, call_text: call_text(availability, &guess.zone), message }
        }
    }
}

/// `{rep id}_{unix seconds}` as posted by a slot button.
pub(super) fn parse_slot(value: Option<&str>) -> Option<(Uuid, DateTime<Utc>)> {
    let (rep, start) = value?.split_once('_')?;
    Some((rep.parse().ok()?, DateTime::from_timestamp(start.parse().ok()?, 0)?))
}

/// The choice posted by a slot button and the zone the times were shown in.
pub(super) fn slot_choice(form: &FormBody) -> Result<SlotChoice, AppError> {
    let (rep_id, start) =
        parse_slot(form.get("slot")).ok_or_else(|| AppError::invalid("slot", "Choose one of the times shown."))?;
    let zone = form.get("tz").filter(|t| !t.trim().is_empty()).unwrap_or("UTC").to_owned();
    Ok(SlotChoice { rep_id, start, zone })
}

/// POST /f/{slug}/r/{id}/book
pub async fn submit_booking(
    State(state): State<AppState>,
    Path((slug, response_id)): Path<(String, Uuid)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    let tz = form.get("tz").map(str::to_owned);
    let result = match slot_choice(&form) {
        Ok(choice) => booking::book_slot(&state.ctx, &state.secret, response_id, choice).await,
        Err(error) => Err(error),
    };
    let (message, status) = match result {
        Ok(BookResult::Booked(_) | BookResult::AlreadyBooked(_)) if !wants_fragment(&headers) => {
            return Ok(Redirect::to(&format!("/f/{slug}/r/{response_id}")).into_response());
        }
        Ok(BookResult::Booked(_) | BookResult::AlreadyBooked(_)) => (None, StatusCode::OK),
        Ok(BookResult::Taken) => (Some(TAKEN_MESSAGE.to_owned()), StatusCode::CONFLICT),
        Err(AppError::Invalid(errors)) => (first(&errors), StatusCode::UNPROCESSABLE_ENTITY),
        Err(other) => return Err(other.into()),
    };
    let step = respond::load_step(&state.ctx, response_id, None).await?;
    let outcome = step.finished_outcome().filter(|_| step.form.definition().slug == slug).ok_or(AppError::NotFound)?;
    Ok(render_ending(&state, &step, outcome, wants_fragment(&headers), tz.as_deref(), message, status).await)
}

fn first(errors: &[FieldError]) -> Option<String> {
    errors.first().map(|e| e.message.clone())
}

/// GET /f/{slug}/r/{id}/booking.ics: the meeting as a calendar file.
pub async fn download_ics(
    State(state): State<AppState>,
    Path((_slug, response_id)): Path<(String, Uuid)>,
) -> Result<Response, PageError> {
    let booking_id = booking_changes::response_booking(&state.ctx, response_id).await?.ok_or(AppError::NotFound)?;
    let ics = booking_changes::ics_of(&state.ctx, Some(&state.secret), booking_id).await?;
    Ok(ics_response(ics))
}

pub(super) fn ics_response(ics: String) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"meeting.ics\""),
        (header::CACHE_CONTROL, "no-store"),
    ];
    (headers, ics).into_response()
}

/// A zone name from a query or form, when it is a known one.
pub(super) fn known_zone(tz: Option<&str>) -> Option<String> {
    tz.and_then(|t| engine::parse_time_zone(t).ok()).map(|z| z.name().to_owned())
}
