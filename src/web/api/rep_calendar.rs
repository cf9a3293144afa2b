//! A rep's booking settings through the API, checked by
//! `app::calendar_settings` as the rep's calendar page is. Busy blocks are
//! in `busy_blocks`, free slots in `rep_availability`.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{ApiJson, Reader, Writer, path_id};
use super::problem::{ApiProblem, ProblemField, Problems};
use crate::app::auth::CurrentUser;
use crate::app::{calendar, calendar_settings};
use crate::engine::{BookingSettings, TimeRange, WeeklyHours};
use crate::web::AppState;

/// One span of a day, `HH:MM` to `HH:MM` (an end of 00:00 is midnight).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursRange {
    #[schema(example = "09:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    #[schema(example = "17:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
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
    #[schema(minimum = 5, maximum = 480)]
    pub meeting_minutes: u32,
    /// Free time needed before and after every meeting or busy block.
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_minutes: u32,
    /// No slot starts sooner than this after now (at most 30 days).
    #[schema(minimum = 0, maximum = 43200)]
    pub minimum_notice_minutes: u32,
    /// Days offered, counting today.
    #[schema(minimum = 1, maximum = 90)]
    pub horizon_days: u32,
    /// Most meetings on one day, or null for no limit.
    #[schema(minimum = 1, maximum = 48)]
    pub daily_maximum: Option<u32>,
    /// Candidate starts come this often from the start of each range.
    #[schema(minimum = 5, maximum = 240)]
    pub slot_step_minutes: u32,
    /// Null (or left out) to follow the routing working hours.
    pub hours: Option<WeekHours>,
    /// An http(s) or webcal iCalendar address; null for none.
    pub feed_url: Option<String>,
}

async fn settings_view(
    state: &AppState,
    caller: &CurrentUser,
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
