//! Reps' calendars: booking settings, the iCalendar feed and its last
//! result, and busy blocks (typed by hand, or read from the feed).

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::engine::BookingSettings;
use crate::on_conn;

/// A rep's stored calendar settings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarRecord {
    pub user_id: Uuid,
    pub settings: Json<BookingSettings>,
    pub feed_url: Option<String>,
    pub feed_checked_at: Option<DateTime<Utc>>,
    pub feed_ok_at: Option<DateTime<Utc>>,
    pub feed_error: Option<String>,
    pub feed_events: i32,
}

const CALENDAR_COLUMNS: &str = "user_id, settings, feed_url, feed_checked_at, feed_ok_at, feed_error, feed_events";

pub async fn find_calendar(conn: Conn<'_>, user_id: Uuid) -> Result<Option<CalendarRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {CALENDAR_COLUMNS} FROM rep_calendars WHERE user_id = $1"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, CalendarRecord>(sql).bind(user_id).fetch_optional(&mut *c).await)?)
}

/// Every calendar that has a feed, for the poller.
pub async fn list_feeds(conn: Conn<'_>) -> Result<Vec<CalendarRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {CALENDAR_COLUMNS} FROM rep_calendars WHERE feed_url IS NOT NULL ORDER BY feed_checked_at"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, CalendarRecord>(sql).fetch_all(&mut *c).await)?)
}

/// Saves settings and feed address; a changed address forgets the last result.
pub async fn upsert_calendar(
    conn: Conn<'_>,
    user_id: Uuid,
    settings: &BookingSettings,
    feed_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO rep_calendars (user_id, settings, feed_url, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, feed_url = excluded.feed_url, \
         feed_checked_at = CASE WHEN COALESCE(rep_calendars.feed_url, '') = COALESCE(excluded.feed_url, '') THEN rep_calendars.feed_checked_at END, \
         feed_ok_at = CASE WHEN COALESCE(rep_calendars.feed_url, '') = COALESCE(excluded.feed_url, '') THEN rep_calendars.feed_ok_at END, \
         feed_error = CASE WHEN COALESCE(rep_calendars.feed_url, '') = COALESCE(excluded.feed_url, '') THEN rep_calendars.feed_error END, \
         updated_at = excluded.updated_at"
    )
    .bind(user_id)
    .bind(Json(settings))
    .bind(feed_url)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The outcome of one poll of a feed.
pub struct FeedResult<'a> {
    pub user_id: Uuid,
    /// The address polled: a result for an address changed meanwhile is dropped.
    pub feed_url: &'a str,
    pub error: Option<&'a str>,
    pub events: i32,
    pub now: DateTime<Utc>,
}

/// Records a poll; returns false when the feed address changed meanwhile.
pub async fn update_feed_result(conn: Conn<'_>, result: FeedResult<'_>) -> Result<bool, StoreError> {
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE rep_calendars SET feed_checked_at = $3, feed_error = $4, \
         feed_ok_at = CASE WHEN $4 IS NULL THEN $3 ELSE feed_ok_at END, \
         feed_events = CASE WHEN $4 IS NULL THEN $5 ELSE feed_events END \
         WHERE user_id = $1 AND feed_url = $2"
    )
    .bind(result.user_id)
    .bind(result.feed_url)
    .bind(result.now)
    .bind(result.error)
    .bind(result.events)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// A stored busy block.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BusyBlockRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub source: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: String,
}

/// A block to store.
pub struct NewBusyBlock<'a> {
    pub user_id: Uuid,
    /// `manual` or `feed`.
    pub source: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: &'a str,
    pub now: DateTime<Utc>,
}

pub async fn insert_busy_block(conn: Conn<'_>, block: NewBusyBlock<'_>) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO busy_blocks (id, user_id, source, starts_at, ends_at, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id)
    .bind(block.user_id)
    .bind(block.source)
    .bind(block.starts_at)
    .bind(block.ends_at)
    .bind(block.note)
    .bind(block.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Removes one manual block of this rep; NotFound when there is none.
pub async fn delete_manual_block(conn: Conn<'_>, user_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    let deleted = on_conn!(conn, c => sqlx::query(
        "DELETE FROM busy_blocks WHERE id = $1 AND user_id = $2 AND source = 'manual'"
    )
    .bind(id)
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if deleted == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Forgets the feed's previous import (the caller inserts the new one in
/// the same transaction).
pub async fn delete_feed_blocks(conn: Conn<'_>, user_id: Uuid) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("DELETE FROM busy_blocks WHERE user_id = $1 AND source = 'feed'")
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A rep's blocks that end after `after`, earliest first.
pub async fn list_busy_blocks(
    conn: Conn<'_>,
    user_id: Uuid,
    after: DateTime<Utc>,
) -> Result<Vec<BusyBlockRecord>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, BusyBlockRecord>(
        "SELECT id, user_id, source, starts_at, ends_at, note FROM busy_blocks \
         WHERE user_id = $1 AND ends_at > $2 ORDER BY starts_at, id"
    )
    .bind(user_id)
    .bind(after)
    .fetch_all(&mut *c)
    .await)?)
}
