//! A rep's calendar through the API: booking settings (checked by
//! `app::calendar_settings`, as the rep's calendar page is), manual busy
//! blocks, and free slots grouped by day in a zone, from the engine
//! function that makes the prospect's offer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::booking_view::{SlotDay, days_of};
use super::extract::{ApiJson, ApiQuery, PageParams, Reader, Writer, paginate, path_id};
use super::forms::ListQuery;
use super::problem::{ApiProblem, ProblemField, Problems};
use crate::app::{availability, calendar, calendar_settings};
use crate::engine::{self, BookingSettings, TimeRange, WeeklyHours};
use crate::store::calendars::BusyBlockRecord;
use crate::web::AppState;

/// One span of a day, `HH:MM` to `HH:MM` (an end of 00:00 is midnight).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursRange {
    #[schema(example = "09:00")]
    pub start: String,
    #[schema(example = "17:00")]
    pub end: String,
}

/// Meeting hours for each day of the week, on the rep's clock; an empty day is a day off.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[serde(default)]
    pub mon: Vec<HoursRange>,
    #[serde(default)]
    pub tue: Vec<HoursRange>,
    #[serde(default)]
    pub wed: Vec<HoursRange>,
    #[serde(default)]
    pub thu: Vec<HoursRange>,
    #[serde(default)]
    pub fri: Vec<HoursRange>,
    #[serde(default)]
    pub sat: Vec<HoursRange>,
    #[serde(default)]
    pub sun: Vec<HoursRange>,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl WeekHours {
    fn days(&self) -> [&Vec<HoursRange>; 7] {
        [&self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun]
    }

    fn from_weekly(hours: &WeeklyHours) -> WeekHours {
        let day = |i: usize| -> Vec<HoursRange> {
            hours.days[i]
                .iter()
                .map(|r| HoursRange {
                    start: r.start.format("%H:%M").to_string(),
                    end: r.end.format("%H:%M").to_string(),
                })
                .collect()
        };
        WeekHours { mon: day(0), tue: day(1), wed: day(2), thu: day(3), fri: day(4), sat: day(5), sun: day(6) }
    }

    /// The engine's hours; every unreadable time is named (`hours.mon[0].end`).
    fn to_weekly(&self, errors: &mut Vec<ProblemField>) -> WeeklyHours {
        let mut week = WeeklyHours { days: Default::default() };
        for (index, ranges) in self.days().into_iter().enumerate() {
            for (n, range) in ranges.iter().enumerate() {
                let mut time = |which: &str, text: &str| {
                    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
                        let field = format!("hours.{}[{n}].{which}", DAYS[index]);
                        errors.push(ProblemField { field, message: "Write a time as HH:MM, like 09:00.".into() });
                    })
                };
                if let (Ok(start), Ok(end)) = (time("start", &range.start), time("end", &range.end)) {
                    week.days[index].push(TimeRange::new(start, end));
                }
            }
        }
        week
    }
}

/// How a rep takes meetings.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingSettingsView {
    pub rep_id: Uuid,
    /// The rep's IANA time zone (hours are on this clock).
    pub time_zone: String,
    pub meeting_minutes: u32,
    /// Free time needed before and after every meeting or busy block.
    pub buffer_minutes: u32,
    /// No slot starts sooner than this after now.
    pub minimum_notice_minutes: u32,
    /// Days offered, counting today.
    pub horizon_days: u32,
    /// Most meetings on one day; null for no limit.
    pub daily_maximum: Option<u32>,
    /// Candidate starts come this often from the start of each range.
    pub slot_step_minutes: u32,
    /// The rep's own meeting hours; null when they follow their routing working hours.
    pub hours: Option<WeekHours>,
    /// The hours that apply (own, or the routing hours).
    pub effective_hours: WeekHours,
    /// The iCalendar feed whose busy time is left out, if any.
    pub feed_url: Option<String>,
    pub feed_checked_at: Option<DateTime<Utc>>,
    /// The feed's last read error; the last good import stays in use.
    pub feed_error: Option<String>,
}

/// New booking settings (every value is checked as on the rep's calendar page).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingSettingsBody {
    /// An IANA time zone such as Europe/Madrid.
    pub time_zone: String,
    /// 5 to 480.
    pub meeting_minutes: u32,
    /// At most 240.
    pub buffer_minutes: u32,
    /// At most 43200 (30 days).
    pub minimum_notice_minutes: u32,
    /// 1 to 90.
    pub horizon_days: u32,
    /// 1 to 48, or null for no limit.
    pub daily_maximum: Option<u32>,
    /// 5 to 240.
    pub slot_step_minutes: u32,
    /// Null (or left out) to follow the routing working hours.
    pub hours: Option<WeekHours>,
    /// An http(s) or webcal iCalendar address; null for none.
    pub feed_url: Option<String>,
}

async fn settings_view(
    state: &AppState,
    caller: &crate::app::auth::CurrentUser,
    rep_id: Uuid,
) -> Result<BookingSettingsView, ApiProblem> {
    let view = calendar::calendar_view(&state.ctx, caller, rep_id).await.map_err(|e| ApiProblem::from_app(e, "rep"))?;
    let s = &view.settings;
    Ok(BookingSettingsView {
        rep_id,
        time_zone: view.rep.time_zone.clone(),
        meeting_minutes: s.meeting_minutes,
        buffer_minutes: s.buffer_minutes,
        minimum_notice_minutes: s.minimum_notice_minutes,
        horizon_days: s.horizon_days,
        daily_maximum: s.daily_maximum,
        slot_step_minutes: s.slot_step_minutes,
        hours: s.working_hours.as_ref().map(WeekHours::from_weekly),
        effective_hours: WeekHours::from_weekly(&view.hours),
        feed_url: view.feed.as_ref().and_then(|f| f.feed_url.clone()),
        feed_checked_at: view.feed.as_ref().and_then(|f| f.feed_checked_at),
        feed_error: view.feed.as_ref().and_then(|f| f.feed_error.clone()),
    })
}

/// A rep's booking settings.
#[utoipa::path(get, path = "/api/v1/reps/{id}/booking-settings", tag = "reps", params(("id" = String, Path)),
    description = "Needs the read scope. 404 for someone without a rep profile.",
    responses((status = 200, body = BookingSettingsView), Problems))]
pub async fn get_booking_settings(
    State(state): State<AppState>,
    Reader(caller): Reader,
    Path(id): Path<String>,
) -> Result<Json<BookingSettingsView>, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    Ok(Json(settings_view(&state, &caller.user, rep_id).await?))
}

/// Replaces a rep's booking settings.
#[utoipa::path(put, path = "/api/v1/reps/{id}/booking-settings", tag = "reps", params(("id" = String, Path)),
    description = "Needs the write scope. Every refused value is a 422 naming it (`meeting_minutes`, `hours.mon[0].end`, `time_zone`, `feed_url`…), \
        with the calendar page's words. A saved feed is read at once.",
    request_body = BookingSettingsBody,
    responses((status = 200, body = BookingSettingsView), Problems))]
pub async fn update_booking_settings(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BookingSettingsBody>,
) -> Result<Json<BookingSettingsView>, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let mut errors = Vec::new();
    let working_hours = body.hours.as_ref().map(|h| h.to_weekly(&mut errors));
    if !errors.is_empty() {
        return Err(ApiProblem::invalid_fields(errors));
    }
    let settings = BookingSettings {
        meeting_minutes: body.meeting_minutes,
        buffer_minutes: body.buffer_minutes,
        minimum_notice_minutes: body.minimum_notice_minutes,
        horizon_days: body.horizon_days,
        daily_maximum: body.daily_maximum,
        slot_step_minutes: body.slot_step_minutes,
        working_hours,
    };
    let allow_private = state.settings.calendar_allow_private;
    let feed = body.feed_url.as_deref();
    calendar_settings::save_settings(&state.ctx, &caller.user, rep_id, &body.time_zone, settings, feed, allow_private)
        .await
        .map_err(|e| ApiProblem::from_app(e, "rep"))?;
    Ok(Json(settings_view(&state, &caller.user, rep_id).await?))
}

/// Time a rep cannot meet.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusyBlockView {
    pub id: Uuid,
    /// `manual` (added by hand or through the API) or `feed` (read from the rep's calendar feed).
    pub source: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: String,
}

impl From<BusyBlockRecord> for BusyBlockView {
    fn from(b: BusyBlockRecord) -> Self {
        BusyBlockView { id: b.id, source: b.source, starts_at: b.starts_at, ends_at: b.ends_at, note: b.note }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BusyBlockList {
    pub items: Vec<BusyBlockView>,
    pub next_cursor: Option<String>,
}

/// A new manual busy block.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusyBlockBody {
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`, at most 90 days later.
    pub ends_at: DateTime<Utc>,
    /// At most 200 characters.
    #[serde(default)]
    pub note: String,
}

/// The rep's busy blocks still to come, earliest first.
#[utoipa::path(get, path = "/api/v1/reps/{id}/busy-blocks", tag = "reps", params(("id" = String, Path), ListQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = BusyBlockList), Problems))]
pub async fn list_busy_blocks(
    State(state): State<AppState>,
    Reader(caller): Reader,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<BusyBlockList>, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() };
    let limit = page.limit()?;
    let after = page.cursor_id("busy-blocks")?;
    let blocks = calendar_settings::upcoming_blocks(&state.ctx, &caller.user, rep_id).await;
    let blocks = blocks.map_err(|e| ApiProblem::from_app(e, "rep"))?;
    // Blocks come by start; the cursor is the last one's id, found again in the same order.
    let start = after.map_or(0, |a| blocks.iter().position(|b| b.id == a).map_or(blocks.len(), |i| i + 1));
    let rows: Vec<BusyBlockRecord> = blocks.into_iter().skip(start).take(limit as usize + 1).collect();
    let (rows, next_cursor) = paginate(rows, limit, "busy-blocks", |b| b.id.to_string());
    Ok(Json(BusyBlockList { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Adds a manual busy block: no slot is offered that touches it (with the buffer).
#[utoipa::path(post, path = "/api/v1/reps/{id}/busy-blocks", tag = "reps", params(("id" = String, Path)),
    description = "Needs the write scope.",
    request_body = BusyBlockBody,
    responses((status = 201, body = BusyBlockView), Problems))]
pub async fn create_busy_block(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BusyBlockBody>,
) -> Result<Response, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let span = (body.starts_at, body.ends_at);
    let block_id = calendar_settings::add_block_at(&state.ctx, &caller.user, rep_id, span, &body.note).await;
    let block_id = block_id.map_err(|e| ApiProblem::from_app(e, "rep"))?;
    let view = BusyBlockView {
        id: block_id,
        source: "manual".into(),
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        note: body.note.trim().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Removes a manual busy block (feed blocks follow the feed).
#[utoipa::path(delete, path = "/api/v1/reps/{id}/busy-blocks/{block_id}", tag = "reps",
    params(("id" = String, Path), ("block_id" = String, Path)),
    description = "Needs the write scope.",
    responses((status = 204, description = "Removed"), Problems))]
pub async fn delete_busy_block(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path((id, block_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let block_id = path_id(&block_id, "busy block")?;
    calendar::delete_block(&state.ctx, &caller.user, rep_id, block_id)
        .await
        .map_err(|e| ApiProblem::from_app(e, "busy block"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The first day (YYYY-MM-DD) in `zone`; default today there.
    pub from: Option<String>,
    /// How many days (1 to 31, default 7).
    #[param(minimum = 1, maximum = 31)]
    pub days: Option<u32>,
    /// The IANA zone days and times are on; default the rep's.
    pub zone: Option<String>,
}

/// A rep's free slots, by day.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepAvailability {
    pub rep_id: Uuid,
    pub zone: String,
    pub from: NaiveDate,
    /// The last day included.
    pub to: NaiveDate,
    /// Days with at least one free slot, earliest first.
    pub days: Vec<SlotDay>,
}

/// The rep's free meeting slots over some days, grouped by day in a zone.
#[utoipa::path(get, path = "/api/v1/reps/{id}/availability", tag = "reps", params(("id" = String, Path), AvailabilityQuery),
    description = "Needs the read scope. The same free slots a prospect is offered (meeting hours, buffer, notice, daily maximum, busy \
        blocks, the feed and booked meetings), within the rep's horizon. 400 on `zone`, `from` or `days` when unreadable.",
    responses((status = 200, body = RepAvailability), Problems))]
pub async fn get_availability(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AvailabilityQuery>,
) -> Result<Json<RepAvailability>, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let (rep, slots) =
        availability::rep_free_slots(&state.ctx, rep_id).await.map_err(|e| ApiProblem::from_app(e, "rep"))?;
    let zone = match query.zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
        Some(zone) => engine::parse_time_zone(zone).map_err(|e| ApiProblem::bad_request("zone", e.to_string()))?,
        None => engine::parse_time_zone(&rep.time_zone).unwrap_or(chrono_tz::Tz::UTC),
    };
    let days = query.days.unwrap_or(7);
    if !(1..=31).contains(&days) {
        return Err(ApiProblem::bad_request("days", "Give 1 to 31 days."));
    }
    let from = match query.from.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| ApiProblem::bad_request("from", "Give a date like 2026-11-18."))?,
        None => state.ctx.clock.now().with_timezone(&zone).date_naive(),
    };
    let to = from.checked_add_days(Days::new(u64::from(days) - 1)).unwrap_or(from);
    let offers: Vec<_> = slots
        .into_iter()
        .filter(|s| (from..=to).contains(&s.start.with_timezone(&zone).date_naive()))
        .map(|s| (rep_id, rep.name.clone(), s))
        .collect();
    let days = days_of(&offers, zone.name());
    Ok(Json(RepAvailability { rep_id, zone: zone.name().to_owned(), from, to, days }))
}
