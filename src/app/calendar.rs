//! A rep's booking calendar page: meeting settings, meeting hours, time
//! zone, the iCalendar feed address and manual busy blocks, as typed on
//! the page (text read here, then checked and saved by
//! [`super::calendar_settings`]). A rep edits their own; managers and
//! admins edit anyone's.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use uuid::Uuid;

use super::auth::CurrentUser;
use super::calendar_settings::{add_block_at, check_change, editable_rep, store_change};
use super::{AppError, Context, FieldError};
use crate::engine::{self, BookingSettings, Rep, TimeRange, WeeklyHours};
use crate::store::calendars::{BusyBlockRecord, CalendarRecord};
use crate::store::{self, Tx};

/// Everything the calendar page shows.
pub struct CalendarView {
    pub rep_id: Uuid,
    pub rep: Rep,
    pub settings: BookingSettings,
    /// The hours meetings may fall in (own, or the routing hours).
    pub hours: WeeklyHours,
    pub feed: Option<CalendarRecord>,
    /// Manual blocks still to come.
    pub blocks: Vec<BusyBlockRecord>,
    /// Busy spans imported from the feed and still to come.
    pub feed_blocks: usize,
}

/// What was typed on the calendar page, every value as text.
#[derive(Debug, Clone, Default)]
pub struct CalendarInput {
    pub time_zone: String,
    pub meeting_minutes: String,
    pub buffer_minutes: String,
    pub minimum_notice_minutes: String,
    pub horizon_days: String,
    pub daily_maximum: String,
    pub slot_step_minutes: String,
    /// Monday first: "09:00-12:00, 13:00-17:00", empty for a day off.
    pub hours: [String; 7],
    /// The feed address as typed (empty: no feed); `None` keeps the saved
    /// one (a manager's page never shows a rep's address, so cannot resend it).
    pub feed_url: Option<String>,
}

/// A manual block as typed: a date and times on the rep's clock.
#[derive(Debug, Clone, Default)]
pub struct BlockInput {
    pub date: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

pub async fn calendar_view(ctx: &Context, user: &CurrentUser, rep_id: Uuid) -> Result<CalendarView, AppError> {
    let mut conn = ctx.db.read().await?;
    let rep = editable_rep(conn.conn(), user, rep_id).await?;
    if !store::bookings::list_profiled_reps(conn.conn()).await?.contains(&rep_id) {
        return Err(AppError::NotFound);
    }
    let feed = store::calendars::find_calendar(conn.conn(), rep_id).await?;
    let settings = feed.as_ref().map(|c| c.settings.0.clone()).unwrap_or_default();
    let all = store::calendars::list_busy_blocks(conn.conn(), rep_id, ctx.clock.now()).await?;
    let feed_blocks = all.iter().filter(|b| b.source == "feed").count();
    let blocks = all.into_iter().filter(|b| b.source == "manual").collect();
    let hours = settings.working_hours.clone().unwrap_or_else(|| rep.working_hours.clone());
    Ok(CalendarView { rep_id, rep, settings, hours, feed, blocks, feed_blocks })
}

/// The time zone a person reads times in: their rep profile's; `None`
/// for someone without one (their pages say UTC).
pub async fn time_zone_of(ctx: &Context, user: &CurrentUser) -> Result<Option<String>, AppError> {
    let mut conn = ctx.db.read().await?;
    let profile = store::routing_admin::find_rep_profile(conn.conn(), user.id).await?;
    Ok(profile.map(|rep| rep.time_zone))
}

/// True when `user` has a calendar of their own (a rep profile).
pub async fn has_own_calendar(ctx: &Context, user: &CurrentUser) -> Result<bool, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::bookings::list_profiled_reps(conn.conn()).await?.contains(&user.id))
}

/// Saves the page; every refused value is named in the error.
pub async fn save_calendar(
    ctx: &Context,
    user: &CurrentUser,
    rep_id: Uuid,
    input: &CalendarInput,
    allow_private_feeds: bool,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let settings = parse_settings(input, &mut errors);
    let change =
        check_change(&input.time_zone, settings, input.feed_url.as_deref(), allow_private_feeds, &mut errors).await;
    match change {
        Some(change) => store_change(ctx, user, rep_id, change).await,
        None => Err(AppError::Invalid(errors)),
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: name.to_owned(), message: message.into() }
}

fn parse_settings(input: &CalendarInput, errors: &mut Vec<FieldError>) -> Option<BookingSettings> {
    let mut number = |name: &str, text: &str| match text.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(field(name, "Enter a whole number."));
            None
        }
    };
    let meeting = number("meeting_minutes", &input.meeting_minutes);
    let buffer = number("buffer_minutes", &input.buffer_minutes);
    let notice = number("minimum_notice_minutes", &input.minimum_notice_minutes);
    let horizon = number("horizon_days", &input.horizon_days);
    let step = number("slot_step_minutes", &input.slot_step_minutes);
    let maximum = match input.daily_maximum.trim() {
        "" => Some(None),
        text => number("daily_maximum", text).map(Some),
    };
    let hours = parse_week(&input.hours, errors);
    Some(BookingSettings {
        meeting_minutes: meeting?,
        buffer_minutes: buffer?,
        minimum_notice_minutes: notice?,
        horizon_days: horizon?,
        daily_maximum: maximum?,
        slot_step_minutes: step?,
        working_hours: Some(hours?),
    })
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_week(days: &[String; 7], errors: &mut Vec<FieldError>) -> Option<WeeklyHours> {
    let mut week = WeeklyHours { days: Default::default() };
    let mut ok = true;
    for (index, text) in days.iter().enumerate() {
        match parse_day(text) {
            Some(ranges) => week.days[index] = ranges,
            None => {
                ok = false;
                let message = "Write hours like 09:00-17:00 or 09:00-12:00, 13:00-17:00; leave empty for a day off.";
                errors.push(field(&format!("hours_{}", DAY_NAMES[index]), message));
            }
        }
    }
    ok.then_some(week)
}

/// "09:00-12:00, 13:00-17:00" (an end of 00:00 is midnight); `None` when unreadable or backwards.
fn parse_day(text: &str) -> Option<Vec<TimeRange>> {
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (start, end) = part.split_once('-')?;
            let range = TimeRange::new(time(start)?, time(end)?);
            (!range.is_empty()).then_some(range)
        })
        .collect()
}

/// A day's ranges as the page writes them.
pub fn format_day(ranges: &[TimeRange]) -> String {
    ranges
        .iter()
        .map(|r| format!("{}-{}", r.start.format("%H:%M"), r.end.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds a manual busy block on the rep's clock.
pub async fn add_block(ctx: &Context, user: &CurrentUser, rep_id: Uuid, input: &BlockInput) -> Result<(), AppError> {
    let rep = {
        let mut conn = ctx.db.read().await?;
        editable_rep(conn.conn(), user, rep_id).await?
    };
    add_block_at(ctx, user, rep_id, block_times(&rep, input)?, &input.note).await.map(|_| ())
}

fn block_times(rep: &Rep, input: &BlockInput) -> Result<(chrono::DateTime<Utc>, chrono::DateTime<Utc>), AppError> {
    let zone = engine::parse_time_zone(&rep.time_zone).unwrap_or(chrono_tz::Tz::UTC);
    let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("date", "Enter the date as YYYY-MM-DD."))?;
    let time = |name: &str, text: &str| {
        NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| AppError::invalid(name, "Enter a time as HH:MM."))
    };
    let (from, to) = (time("from", &input.from)?, time("to", &input.to)?);
    let instant = |t: NaiveTime| zone.from_local_datetime(&date.and_time(t)).earliest().map(|i| i.with_timezone(&Utc));
    match (instant(from), instant(to)) {
        (Some(start), Some(end)) if start < end => Ok((start, end)),
        _ => Err(AppError::invalid("to", "The block must end after it starts, on the same day.")),
    }
}

pub async fn delete_block(ctx: &Context, user: &CurrentUser, rep_id: Uuid, block_id: Uuid) -> Result<(), AppError> {
    let mut tx: Tx = ctx.db.begin().await?;
    editable_rep(tx.conn(), user, rep_id).await?;
    store::calendars::delete_manual_block(tx.conn(), rep_id, block_id).await?;
    tx.commit().await?;
    Ok(())
}

/// One rep's calendar as managers see it in the overview.
pub struct CalendarSummary {
    pub rep_id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub calendar: Option<CalendarRecord>,
}

/// Every rep's calendar and feed status (managers and admins only).
pub async fn calendars_overview(ctx: &Context, user: &CurrentUser) -> Result<Vec<CalendarSummary>, AppError> {
    if !user.role.sees_all_leads() {
        return Err(AppError::Forbidden);
    }
    let mut conn = ctx.db.read().await?;
    let profiled = store::bookings::list_profiled_reps(conn.conn()).await?;
    let reps = store::routing::list_reps(conn.conn()).await?;
    let mut out = Vec::new();
    for rep in reps {
        let Some(id) = rep.id.parse::<Uuid>().ok().filter(|id| profiled.contains(id)) else { continue };
        let calendar = store::calendars::find_calendar(conn.conn(), id).await?;
        out.push(CalendarSummary { rep_id: id, name: rep.name, time_zone: rep.time_zone, calendar });
    }
    Ok(out)
}

/// Upcoming meetings: the rep's own, or everyone's for managers.
pub async fn upcoming_bookings(
    ctx: &Context,
    user: &CurrentUser,
) -> Result<Vec<store::bookings::BookingRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    let whose = (!user.role.sees_all_leads()).then_some(user.id);
    Ok(store::bookings::list_upcoming(conn.conn(), whose, ctx.clock.now(), 200).await?)
}
