//! `/inbox/calendar/{rep}`: a rep's booking settings, meeting hours, feed
//! and busy blocks (their own; managers and admins anyone's), and
//! `/inbox/bookings`: upcoming meetings (and, for managers, every rep's
//! calendar feed status).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::calendar_view::{BookingRow, BookingsPage, CalendarPage, CalendarRow, CalendarsPage};
use super::handlers::INBOX_ROLES;
use crate::app::AppError;
use crate::app::calendar::{self, BlockInput, CalendarInput};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;
use crate::web::local_time::LocalClock;

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// GET /inbox/calendar: my own calendar; without one, the reps' calendars
/// (managers, admins) or why there is none yet.
pub async fn show_my_calendar(State(state): State<AppState>, signed_in: SignedIn) -> Result<Response, PageError> {
    let user = signed_in.require(&INBOX_ROLES)?.clone();
    if calendar::has_own_calendar(&state.ctx, &user).await? {
        return Ok(Redirect::to(&format!("/inbox/calendar/{}", user.id)).into_response());
    }
    let clock = LocalClock::of_person(calendar::time_zone_of(&state.ctx, &user).await?.as_deref());
    let calendars = if user.role.sees_all_leads() {
        calendar::calendars_overview(&state.ctx, &user).await?.iter().map(|c| CalendarRow::new(c, &clock)).collect()
    } else {
        Vec::new()
    };
    Ok(CalendarsPage { user, zone: clock.zone_name(), own_zone: clock.is_own(), calendars }.into_response())
}

/// GET /inbox/calendar/{rep_id}
pub async fn show_calendar(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rep_id): Path<Uuid>,
    Query(query): Query<SavedQuery>,
) -> Result<CalendarPage, PageError> {
    let user = signed_in.require(&INBOX_ROLES)?.clone();
    let view = calendar::calendar_view(&state.ctx, &user, rep_id).await?;
    let mut page = CalendarPage::new(user, &view);
    page.saved = query.saved.is_some();
    Ok(page)
}

fn checked_form(signed_in: &SignedIn, body: &Bytes) -> Result<FormBody, PageError> {
    signed_in.require(&INBOX_ROLES)?;
    let form = FormBody::parse(body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    signed_in.check_csrf(&form)?;
    Ok(form)
}

fn calendar_input(form: &FormBody) -> CalendarInput {
    let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    CalendarInput {
        time_zone: text("time_zone"),
        meeting_minutes: text("meeting_minutes"),
        buffer_minutes: text("buffer_minutes"),
        minimum_notice_minutes: text("minimum_notice_minutes"),
        horizon_days: text("horizon_days"),
        daily_maximum: text("daily_maximum"),
        slot_step_minutes: text("slot_step_minutes"),
        hours: days.map(|day| text(&format!("hours_{day}"))),
        // No field: the page kept someone else's address unseen; keep it unless removed.
        feed_url: form
            .get("feed_url")
            .map(str::to_owned)
            .or_else(|| (form.get("feed_remove") == Some("yes")).then(String::new)),
    }
}

/// POST /inbox/calendar/{rep_id}: 303 when saved, 422 with the messages
/// and everything typed when not.
pub async fn save_calendar(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rep_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = checked_form(&signed_in, &body)?;
    let input = calendar_input(&form);
    let allow_private = state.settings.calendar_allow_private;
    match calendar::save_calendar(&state.ctx, &signed_in.0, rep_id, &input, allow_private).await {
        Ok(()) => Ok(Redirect::to(&format!("/inbox/calendar/{rep_id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = calendar::calendar_view(&state.ctx, &signed_in.0, rep_id).await?;
            let mut page = CalendarPage::new(signed_in.0.clone(), &view);
            page.set_input(input);
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /inbox/calendar/{rep_id}/blocks
pub async fn add_block(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rep_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = checked_form(&signed_in, &body)?;
    let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
    let input = BlockInput { date: text("date"), from: text("from"), to: text("to"), note: text("note") };
    match calendar::add_block(&state.ctx, &signed_in.0, rep_id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/inbox/calendar/{rep_id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = calendar::calendar_view(&state.ctx, &signed_in.0, rep_id).await?;
            let mut page = CalendarPage::new(signed_in.0.clone(), &view);
            page.block = input;
            page.block_error = errors.into_iter().next().map(|e| (e.field, e.message));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /inbox/calendar/{rep_id}/blocks/{block_id}/delete
pub async fn delete_block(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((rep_id, block_id)): Path<(Uuid, Uuid)>,
    body: Bytes,
) -> Result<Response, PageError> {
    checked_form(&signed_in, &body)?;
    calendar::delete_block(&state.ctx, &signed_in.0, rep_id, block_id).await?;
    Ok(Redirect::to(&format!("/inbox/calendar/{rep_id}")).into_response())
}

/// GET /inbox/bookings
pub async fn show_bookings(State(state): State<AppState>, signed_in: SignedIn) -> Result<BookingsPage, PageError> {
    let user = signed_in.require(&INBOX_ROLES)?.clone();
    let clock = LocalClock::of_person(calendar::time_zone_of(&state.ctx, &user).await?.as_deref());
    let bookings = calendar::upcoming_bookings(&state.ctx, &user).await?;
    let sees_all = user.role.sees_all_leads();
    let calendars = if sees_all { calendar::calendars_overview(&state.ctx, &user).await? } else { Vec::new() };
    Ok(BookingsPage {
        rows: bookings.iter().map(|b| BookingRow::new(b, &clock)).collect(),
        calendars: calendars.iter().map(|c| CalendarRow::new(c, &clock)).collect(),
        zone: clock.zone_name(),
        own_zone: clock.is_own(),
        has_calendar: calendar::has_own_calendar(&state.ctx, &user).await?,
        sees_all,
        user,
    })
}
