//! Recording one poll of a rep's iCalendar feed: on success its events
//! replace the previous import as busy blocks; on failure the error is
//! kept for the rep and managers to see and the last good import stays in
//! use, so a broken feed never blocks booking.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::{AppError, Context};
use crate::engine;
use crate::store;
use crate::store::calendars::{FeedResult, NewBusyBlock};

/// Most busy spans kept from one feed.
pub const MAX_FEED_BLOCKS: usize = 5000;

/// Stores what fetching `feed_url` gave: the text, or why it failed.
pub async fn record_feed(
    ctx: &Context,
    user_id: Uuid,
    feed_url: &str,
    fetched: Result<String, String>,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let zone = {
        let mut conn = ctx.db.read().await?;
        let reps = store::routing::list_reps(conn.conn()).await?;
        let rep = reps.into_iter().find(|r| r.id == user_id.to_string());
        rep.and_then(|r| engine::parse_time_zone(&r.time_zone).ok()).unwrap_or(chrono_tz::Tz::UTC)
    };
    let (from, to) = (now - Duration::days(1), now + Duration::days(92));
    let read = fetched.and_then(|text| engine::read_feed(&text, zone, from, to).map_err(|e| e.to_string()));
    let mut tx = ctx.db.begin().await?;
    let error = read.as_ref().err().map(|e| format!("Could not read the calendar: {e}"));
    let events = read.as_ref().map_or(0, |r| r.busy.len().min(MAX_FEED_BLOCKS) as i32);
    let result = FeedResult { user_id, feed_url, error: error.as_deref(), events, now };
    let current = store::calendars::update_feed_result(tx.conn(), result).await?;
    if let (true, Ok(report)) = (current, &read) {
        store::calendars::delete_feed_blocks(tx.conn(), user_id).await?;
        for busy in report.busy.iter().take(MAX_FEED_BLOCKS) {
            let block =
                NewBusyBlock { user_id, source: "feed", starts_at: busy.start, ends_at: busy.end, note: "", now };
            store::calendars::insert_busy_block(tx.conn(), block).await?;
        }
    }
    tx.commit().await?;
    if let Some(error) = error {
        tracing::warn!(rep = %user_id, error, at = %Utc::now(), "calendar feed failed");
    }
    Ok(())
}
