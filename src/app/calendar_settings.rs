//! A rep's booking settings and manual busy blocks as typed values: the
//! calendar page (once it has read its text fields) and the API both save
//! through here, so both refuse the same values with the same words. A
//! rep changes their own; managers and admins anyone's.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::auth::CurrentUser;
use super::{AppError, Context, FieldError};
use crate::engine::{self, BookingSettings, Rep, SlotError};
use crate::notify::webhook;
use crate::store::calendars::{BusyBlockRecord, NewBusyBlock};
use crate::store::{self, Conn};

/// Longest manual busy block.
pub const MAX_BLOCK_DAYS: i64 = 90;
/// Longest note on a busy block.
pub const MAX_NOTE_CHARS: usize = 200;

/// Checked settings, ready to store.
#[derive(Debug, Clone)]
pub struct SettingsChange {
    /// A known IANA zone, as the engine names it.
    pub time_zone: String,
    pub settings: BookingSettings,
    /// The iCalendar feed (webcal:// read as https://), if any; `None`
    /// keeps the stored address (a manager saving a rep's calendar does
    /// not see the address, which is the rep's secret).
    pub feed_url: Option<Option<String>>,
}

/// The rep profile of `rep_id`, if `user` may change it.
pub(crate) async fn editable_rep(conn: Conn<'_>, user: &CurrentUser, rep_id: Uuid) -> Result<Rep, AppError> {
    if user.id != rep_id && !user.role.sees_all_leads() {
        return Err(AppError::Forbidden);
    }
    let reps = store::routing::list_reps(conn).await?;
    reps.into_iter().find(|r| r.id == rep_id.to_string()).ok_or(AppError::NotFound)
}

/// Checks the zone, the settings' limits (`None`: already refused by the
/// caller) and the feed address; adds one error per refused value.
pub async fn check_change(
    time_zone: &str,
    settings: Option<BookingSettings>,
    feed_url: Option<&str>,
    allow_private_feeds: bool,
    errors: &mut Vec<FieldError>,
) -> Option<SettingsChange> {
    let zone = engine::parse_time_zone(time_zone)
        .map(|z| z.name().to_owned())
        .map_err(|e| errors.push(field("time_zone", e.to_string())))
        .ok();
    let settings = settings.and_then(|settings| match settings.validate() {
        Ok(()) => Some(settings),
        Err(error) => {
            errors.push(field(slot_error_field(&error), capitalise(&error.to_string())));
            None
        }
    });
    let feed_url = match feed_url {
        Some(url) => Some(check_feed(url.trim(), allow_private_feeds, errors).await),
        None => None,
    };
    match (zone, settings) {
        (Some(time_zone), Some(settings)) if errors.is_empty() => {
            Some(SettingsChange { time_zone, settings, feed_url })
        }
        _ => None,
    }
}

/// Stores a checked change: the zone on the rep's profile, the settings
/// and feed on their calendar (hours equal to the routing hours follow them).
pub async fn store_change(
    ctx: &Context,
    user: &CurrentUser,
    rep_id: Uuid,
    mut change: SettingsChange,
) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    let mut rep = editable_rep(tx.conn(), user, rep_id).await?;
    if change.settings.working_hours.as_ref() == Some(&rep.working_hours) {
        change.settings.working_hours = None;
    }
    rep.time_zone = change.time_zone;
    store::routing::upsert_rep(tx.conn(), rep_id, &rep).await?;
    let feed = match change.feed_url {
        Some(typed) => typed,
        None => store::calendars::find_calendar(tx.conn(), rep_id).await?.and_then(|c| c.feed_url),
    };
    store::calendars::upsert_calendar(tx.conn(), rep_id, &change.settings, feed.as_deref(), ctx.clock.now()).await?;
    tx.commit().await?;
    ctx.wake_feeds.notify_one();
    Ok(())
}

/// Checks and saves typed settings; every refused value is named.
pub async fn save_settings(
    ctx: &Context,
    user: &CurrentUser,
    rep_id: Uuid,
    time_zone: &str,
    settings: BookingSettings,
    feed_url: Option<&str>,
    allow_private_feeds: bool,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    // A whole replacement: no address given means no feed.
    let feed_url = Some(feed_url.unwrap_or_default());
    let change = check_change(time_zone, Some(settings), feed_url, allow_private_feeds, &mut errors).await;
    match change {
        Some(change) => store_change(ctx, user, rep_id, change).await,
        None => Err(AppError::Invalid(errors)),
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: name.to_owned(), message: message.into() }
}

fn slot_error_field(error: &SlotError) -> &'static str {
    match error {
        SlotError::MeetingLength(_) => "meeting_minutes",
        SlotError::SlotStep(_) => "slot_step_minutes",
        SlotError::Horizon(_) => "horizon_days",
        SlotError::Buffer(_) => "buffer_minutes",
        SlotError::Notice(_) => "minimum_notice_minutes",
        SlotError::DailyMaximum(_) => "daily_maximum",
        SlotError::WorkingHours(_) => "hours",
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".").unwrap_or_default()
}

async fn check_feed(url: &str, allow_private: bool, errors: &mut Vec<FieldError>) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    let url = url.replacen("webcal://", "https://", 1);
    match webhook::check_target(&url, allow_private).await {
        Ok(()) if url.len() <= 2000 => Some(url),
        Ok(()) => {
            errors.push(field("feed_url", "This address is too long."));
            None
        }
        Err(error) => {
            errors.push(field("feed_url", error.to_string().replace("webhook", "calendar")));
            None
        }
    }
}

/// Adds a manual busy block from `start` to `end`; returns its id.
pub async fn add_block_at(
    ctx: &Context,
    user: &CurrentUser,
    rep_id: Uuid,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    note: &str,
) -> Result<Uuid, AppError> {
    let note = note.trim();
    let mut tx = ctx.db.begin().await?;
    editable_rep(tx.conn(), user, rep_id).await?;
    if end <= start {
        return Err(AppError::invalid("ends_at", "The block must end after it starts."));
    }
    if end - start > Duration::days(MAX_BLOCK_DAYS) {
        let message = format!("A block may last at most {MAX_BLOCK_DAYS} days; use out of office for longer absences.");
        return Err(AppError::invalid("ends_at", message));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::invalid("note", format!("Keep the note under {MAX_NOTE_CHARS} characters.")));
    }
    let block =
        NewBusyBlock { user_id: rep_id, source: "manual", starts_at: start, ends_at: end, note, now: ctx.clock.now() };
    let id = store::calendars::insert_busy_block(tx.conn(), block).await?;
    tx.commit().await?;
    Ok(id)
}

/// The rep's busy blocks still to come (manual and from the feed), earliest first.
pub async fn upcoming_blocks(
    ctx: &Context,
    user: &CurrentUser,
    rep_id: Uuid,
) -> Result<Vec<BusyBlockRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    editable_rep(conn.conn(), user, rep_id).await?;
    Ok(store::calendars::list_busy_blocks(conn.conn(), rep_id, ctx.clock.now()).await?)
}
