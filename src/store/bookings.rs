//! Bookings: meetings prospects took on reps' calendars. The partial unique
//! indexes (one live booking per rep and start, one per lead) are the last
//! guard behind the booking transaction's lock on the rep.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::on_conn;

/// What a unique-key violation on a new or moved booking means.
pub const SLOT_TAKEN: &str = "this time was just taken";

/// A stored booking with the names people read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRecord {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub response_id: Uuid,
    pub user_id: Uuid,
    pub rep_name: String,
    pub rep_email: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub prospect_zone: String,
    pub status: String,
    pub sequence: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lead_email: Option<String>,
    pub lead_fields: Json<BTreeMap<String, String>>,
}

impl BookingRecord {
    pub fn is_live(&self) -> bool {
        self.status == "confirmed"
    }

    /// The prospect's name as typed, else their email.
    pub fn prospect_name(&self) -> String {
        let fields = &self.lead_fields.0;
        let name = [fields.get("first_name"), fields.get("last_name")]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() { self.lead_email.clone().unwrap_or_default() } else { name }
    }
}

const BOOKING_SELECT: &str = "SELECT b.id, b.lead_id, b.response_id, b.user_id, u.name AS rep_name, \
     u.email AS rep_email, b.starts_at, b.ends_at, b.prospect_zone, b.status, b.sequence, b.created_at, \
     b.updated_at, l.email AS lead_email, l.fields AS lead_fields \
     FROM bookings b JOIN users u ON u.id = b.user_id JOIN leads l ON l.id = b.lead_id";

/// A booking to store.
pub struct NewBooking<'a> {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub response_id: Uuid,
    pub user_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub prospect_zone: &'a str,
    pub now: DateTime<Utc>,
}

/// Stores a confirmed booking; [`SLOT_TAKEN`] when the rep's start or the
/// lead already has a live one.
pub async fn insert_booking(conn: Conn<'_>, booking: NewBooking<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO bookings (id, lead_id, response_id, user_id, starts_at, ends_at, prospect_zone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    )
    .bind(booking.id)
    .bind(booking.lead_id)
    .bind(booking.response_id)
    .bind(booking.user_id)
    .bind(booking.starts_at)
    .bind(booking.ends_at)
    .bind(booking.prospect_zone)
    .bind(booking.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| conflict_on_unique(e, SLOT_TAKEN))?;
    Ok(())
}

pub async fn find_booking(conn: Conn<'_>, id: Uuid) -> Result<Option<BookingRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{BOOKING_SELECT} WHERE b.id = $1"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, BookingRecord>(sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// The lead's live booking, if any.
pub async fn find_live_booking_of_lead(conn: Conn<'_>, lead_id: Uuid) -> Result<Option<BookingRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{BOOKING_SELECT} WHERE b.lead_id = $1 AND b.status = 'confirmed'"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, BookingRecord>(sql).bind(lead_id).fetch_optional(&mut *c).await)?)
}

/// The latest booking made from a response (live or cancelled).
pub async fn find_latest_booking_of_response(
    conn: Conn<'_>,
    response_id: Uuid,
) -> Result<Option<BookingRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE b.response_id = $1 ORDER BY b.created_at DESC, b.id DESC LIMIT 1"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, BookingRecord>(sql).bind(response_id).fetch_optional(&mut *c).await)?)
}

/// A rep's live bookings that end after `after` (busy time and the daily maximum).
pub async fn list_live_bookings_of(
    conn: Conn<'_>,
    user_id: Uuid,
    after: DateTime<Utc>,
) -> Result<Vec<BookingRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE b.user_id = $1 AND b.status = 'confirmed' AND b.ends_at > $2 ORDER BY b.starts_at"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, BookingRecord>(sql).bind(user_id).bind(after).fetch_all(&mut *c).await)?)
}

/// Live bookings ending after `after`, soonest first: one rep's, or everyone's.
pub async fn list_upcoming(
    conn: Conn<'_>,
    user_id: Option<Uuid>,
    after: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<BookingRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE b.status = 'confirmed' AND b.ends_at > $1 AND ($2 IS NULL OR b.user_id = $2) \
         ORDER BY b.starts_at LIMIT $3"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, BookingRecord>(sql)
        .bind(after)
        .bind(user_id)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?)
}

/// Cancels a live booking; false when it was not live.
pub async fn cancel_booking(conn: Conn<'_>, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE bookings SET status = 'cancelled', sequence = sequence + 1, updated_at = $2 \
         WHERE id = $1 AND status = 'confirmed'"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// A live booking's new time (and maybe rep).
pub struct BookingMove {
    pub id: Uuid,
    pub user_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// Moves a live booking; [`SLOT_TAKEN`] when the new start is taken.
pub async fn move_booking(conn: Conn<'_>, change: BookingMove) -> Result<(), StoreError> {
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE bookings SET user_id = $2, starts_at = $3, ends_at = $4, sequence = sequence + 1, updated_at = $5 \
         WHERE id = $1 AND status = 'confirmed'"
    )
    .bind(change.id)
    .bind(change.user_id)
    .bind(change.starts_at)
    .bind(change.ends_at)
    .bind(change.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| conflict_on_unique(e, SLOT_TAKEN))?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Serialises bookings on one rep's calendar across instances: on
/// PostgreSQL the rep's row is locked until the transaction ends, so the
/// busy time read next cannot change under us. SQLite's single writer
/// does this already.
pub async fn lock_rep_calendar(conn: Conn<'_>, user_id: Uuid) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = conn {
        sqlx::query("SELECT user_id FROM reps WHERE user_id = $1 FOR UPDATE")
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?;
    }
    Ok(())
}

/// Users who have a rep profile: only they have calendars to book.
pub async fn list_profiled_reps(conn: Conn<'_>) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_scalar::<_, Uuid>("SELECT user_id FROM reps").fetch_all(&mut *c).await)?)
}

/// Which bookings a list shows, and where the page starts.
#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    pub user_id: Option<Uuid>,
    /// `confirmed` or `cancelled`.
    pub status: Option<String>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// The (start, id) of the previous page's last booking.
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

/// Bookings by start (then id), earliest first, filtered.
pub async fn list_booking_page(
    conn: Conn<'_>,
    filter: &BookingFilter,
    limit: i64,
) -> Result<Vec<BookingRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{BOOKING_SELECT} WHERE ($1 IS NULL OR b.user_id = $1) AND ($2 IS NULL OR b.status = $2) \
         AND ($3 IS NULL OR b.starts_at >= $3) AND ($4 IS NULL OR b.starts_at < $4) \
         AND ($5 IS NULL OR b.starts_at > $5 OR (b.starts_at = $5 AND b.id > $6)) \
         ORDER BY b.starts_at, b.id LIMIT $7"
    ));
    let (after_start, after_id) = filter.after.unzip();
    Ok(on_conn!(conn, c => sqlx::query_as::<_, BookingRecord>(sql)
        .bind(filter.user_id)
        .bind(filter.status.as_deref())
        .bind(filter.from)
        .bind(filter.to)
        .bind(after_start)
        .bind(after_id)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?)
}
