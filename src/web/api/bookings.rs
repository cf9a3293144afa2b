//! `/api/v1/bookings` (list with filters, get, cancel) and the headless
//! equivalent of the ending's booking: a finished response's offer and
//! booking one of its slots, through the same use case as the page
//! (`app::booking::book_slot`: one slot, one booking; the loser gets a
//! 409 problem with the slots still free).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::booking_view::{BookingView, SlotOffer};
use super::extract::{ApiJson, ApiQuery, PageParams, Reader, Writer, paginate, path_id};
use super::leads::time_bound;
use super::problem::{ApiProblem, Problems};
use crate::app::booking::{self, BookResult, SlotChoice};
use crate::app::booking_changes::{self, CancelResult, EndingBooking};
use crate::app::{AppError, respond};
use crate::store::{self, bookings::BookingFilter};
use crate::web::AppState;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    Confirmed,
    Cancelled,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingQuery {
    /// The rep's id.
    pub rep: Option<Uuid>,
    /// Starting on or after: a date (YYYY-MM-DD, UTC) or an RFC 3339 time.
    pub from: Option<String>,
    /// Starting before the end of this date, or before this RFC 3339 time.
    pub to: Option<String>,
    #[param(inline)]
    pub status: Option<BookingStatus>,
    /// How many items (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of bookings.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingList {
    pub items: Vec<BookingView>,
    pub next_cursor: Option<String>,
}

fn after_cursor(page: &PageParams) -> Result<Option<(DateTime<Utc>, Uuid)>, ApiProblem> {
    let bad = || ApiProblem::bad_request("cursor", "This cursor is not one this list gave out.");
    let Some(key) = page.cursor("bookings")? else { return Ok(None) };
    let (start, id) = key.split_once('|').ok_or_else(bad)?;
    let start = DateTime::parse_from_rfc3339(start).map_err(|_| bad())?.with_timezone(&Utc);
    Ok(Some((start, id.parse().map_err(|_| bad())?)))
}

/// Bookings by start time, earliest first, filtered.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "bookings", params(BookingQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = BookingList), Problems))]
pub async fn list_bookings(
    State(state): State<AppState>,
    _caller: Reader,
    ApiQuery(query): ApiQuery<BookingQuery>,
) -> Result<Json<BookingList>, ApiProblem> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() };
    let limit = page.limit()?;
    let filter = BookingFilter {
        user_id: query.rep,
        status: query.status.map(|s| if s == BookingStatus::Confirmed { "confirmed" } else { "cancelled" }.into()),
        from: time_bound("from", query.from.as_deref(), false)?,
        to: time_bound("to", query.to.as_deref(), true)?,
        after: after_cursor(&page)?,
    };
    let mut conn = state.ctx.db.read().await?;
    let rows = store::bookings::list_booking_page(conn.conn(), &filter, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, "bookings", |b| format!("{}|{}", b.starts_at.to_rfc3339(), b.id));
    Ok(Json(BookingList { items: rows.iter().map(BookingView::from).collect(), next_cursor }))
}

async fn booking_by_id(state: &AppState, id: Uuid) -> Result<BookingView, ApiProblem> {
    let mut conn = state.ctx.db.read().await?;
    let booking = store::bookings::find_booking(conn.conn(), id).await?;
    booking.as_ref().map(BookingView::from).ok_or_else(|| ApiProblem::not_found("booking"))
}

/// One booking.
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings", params(("id" = String, Path)),
    description = "Needs the read scope.",
    responses((status = 200, body = BookingView), Problems))]
pub async fn get_booking(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiProblem> {
    Ok(Json(booking_by_id(&state, path_id(&id, "booking")?).await?))
}

/// Cancels a meeting: the rep hears at once, the prospect by email, webhooks get `booking.cancelled`.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "bookings", params(("id" = String, Path)),
    description = "Needs the write scope. 409 when it was cancelled already. The lead keeps its rep; the prospect can book again from the ending.",
    responses((status = 200, body = BookingView), Problems))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiProblem> {
    let id = path_id(&id, "booking")?;
    let result = booking_changes::cancel_booking_by(&state.ctx, id, &caller.user.name).await;
    match result.map_err(|e| ApiProblem::from_app(e, "booking"))? {
        CancelResult::Cancelled => Ok(Json(booking_by_id(&state, id).await?)),
        CancelResult::AlreadyCancelled => Err(ApiProblem::conflict("This meeting was cancelled already.")),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ZoneQuery {
    /// The IANA zone to lay the days out in; default a guess from the lead (its country, else the rep's zone).
    pub zone: Option<String>,
}

/// A finished response's meeting, or what it can book.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseBooking {
    /// The lead's live meeting, if it has one.
    pub booking: Option<BookingView>,
    /// What can be booked, when there is no live meeting.
    pub offer: Option<SlotOffer>,
}

/// Checks that the response is finished with an outcome that offers a meeting.
async fn booking_response(state: &AppState, id: Uuid) -> Result<(), ApiProblem> {
    let step = respond::load_step(&state.ctx, id, None).await.map_err(|e| ApiProblem::from_app(e, "response"))?;
    match step.finished_outcome() {
        Some(outcome) if outcome.ending.offer_booking => Ok(()),
        _ => Err(ApiProblem::not_found("finished response whose outcome offers a meeting")),
    }
}

const ZONE_MESSAGE: &str = "Give an IANA time zone such as Europe/Madrid.";

/// A zone from the request, when one was sent; `Err` when it is unknown.
fn zone_of(raw: Option<&str>) -> Result<Option<String>, ()> {
    match raw.map(str::trim).filter(|z| !z.is_empty()) {
        None => Ok(None),
        Some(zone) => booking::valid_zone(zone).map(Some).map_err(|_| ()),
    }
}

async fn response_booking(state: &AppState, id: Uuid, zone: Option<String>) -> Result<ResponseBooking, ApiProblem> {
    let ending =
        booking_changes::ending_booking(&state.ctx, id).await.map_err(|e| ApiProblem::from_app(e, "response"))?;
    Ok(match ending {
        Some(EndingBooking::Booked { booking, .. }) => {
            ResponseBooking { booking: Some(BookingView::from(&booking)), offer: None }
        }
        Some(EndingBooking::Offer { availability, guess, .. }) => {
            let zone = zone.unwrap_or(guess.zone);
            ResponseBooking { booking: None, offer: Some(SlotOffer::new(&availability, &zone)) }
        }
        None => return Err(ApiProblem::not_found("finished response whose outcome offers a meeting")),
    })
}

/// The meeting of a finished response, or the slots it can book (the ending's booking part).
#[utoipa::path(get, path = "/api/v1/responses/{id}/booking", tag = "bookings", params(("id" = String, Path), ZoneQuery),
    description = "Needs the read scope. The assigned rep's free slots, or other pool reps' when they have none (at most 24). \
        404 unless the response is finished with an outcome that offers a meeting.",
    responses((status = 200, body = ResponseBooking), Problems))]
pub async fn get_response_booking(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ZoneQuery>,
) -> Result<Json<ResponseBooking>, ApiProblem> {
    let id = path_id(&id, "response")?;
    let zone = zone_of(query.zone.as_deref()).map_err(|_| ApiProblem::bad_request("zone", ZONE_MESSAGE))?;
    booking_response(&state, id).await?;
    Ok(Json(response_booking(&state, id, zone).await?))
}

/// A slot of the offer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookBody {
    /// `rep_id` of the chosen slot.
    pub rep_id: Uuid,
    /// `start` of the chosen slot.
    pub start: DateTime<Utc>,
    /// The prospect's IANA zone, used in their emails (default UTC).
    pub zone: Option<String>,
}

/// Books one offered slot for a finished response.
#[utoipa::path(post, path = "/api/v1/responses/{id}/booking", tag = "bookings", params(("id" = String, Path)),
    description = "Needs the write scope. One slot, one booking, even under concurrent requests: a slot someone took first (or that is no \
        longer free) is a 409 problem carrying the slots still free in `slots`. 409 too when the lead already has a meeting. \
        Booking counts as the rep's acceptance; a slot of another pool rep moves the lead to them.",
    request_body = BookBody,
    responses((status = 201, body = BookingView, headers(("location" = String, description = "The booking"))), Problems))]
pub async fn book_slot(
    State(state): State<AppState>,
    _caller: Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BookBody>,
) -> Result<Response, ApiProblem> {
    let id = path_id(&id, "response")?;
    let zone = zone_of(body.zone.as_deref()).map_err(|_| ApiProblem::invalid("zone", ZONE_MESSAGE))?;
    booking_response(&state, id).await?;
    let choice =
        SlotChoice { rep_id: body.rep_id, start: body.start, zone: zone.clone().unwrap_or_else(|| "UTC".into()) };
    let result = booking::book_slot(&state.ctx, &state.secret, id, choice).await;
    match result.map_err(booking_problem)? {
        BookResult::Booked(booking_id) => {
            let view = booking_by_id(&state, booking_id).await?;
            let mut response = (StatusCode::CREATED, Json(view)).into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("/api/v1/bookings/{booking_id}")) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Ok(response)
        }
        BookResult::AlreadyBooked(existing) => Err(ApiProblem::conflict(format!(
            "This lead already has a meeting (booking {existing}); cancel it before booking another."
        ))),
        BookResult::Taken => {
            let mut problem = ApiProblem::conflict(
                "Someone booked that time a moment ago, or it is no longer free; `slots` has the times still free.",
            );
            problem.extras().slots = response_booking(&state, id, zone).await?.offer;
            Err(problem)
        }
    }
}

fn booking_problem(error: AppError) -> ApiProblem {
    match error {
        AppError::Invalid(_) => ApiProblem::invalid("zone", ZONE_MESSAGE),
        other => ApiProblem::from_app(other, "finished response whose outcome offers a meeting"),
    }
}
