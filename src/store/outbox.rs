//! The notice outbox: notices are written in the same transaction as the
//! event that causes them, then claimed and delivered by the worker.
//!
//! Claiming differs per backend: PostgreSQL skips rows another instance has
//! locked (`FOR UPDATE SKIP LOCKED`); SQLite has a single writer, so the
//! claiming `UPDATE` is already exclusive. Either way a claim is a lease
//! (`locked_until`): a worker killed mid-delivery frees its rows when the
//! lease ends, so delivery is at least once and never lost.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::on_conn;

/// A notice to write.
pub struct NewNotice<'a> {
    pub id: Uuid,
    pub event_type: &'a str,
    pub channel: &'a str,
    pub target: &'a str,
    pub payload: &'a serde_json::Value,
    pub now: DateTime<Utc>,
}

/// A stored notice.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRecord {
    pub id: Uuid,
    pub event_type: String,
    pub channel: String,
    pub target: String,
    pub payload: Json<serde_json::Value>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, event_type, channel, target, payload, status, attempts, last_error, created_at";

pub async fn insert_notice(conn: Conn<'_>, notice: NewNotice<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO outbox (id, event_type, channel, target, payload, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)"
    )
    .bind(notice.id)
    .bind(notice.event_type)
    .bind(notice.channel)
    .bind(notice.target)
    .bind(Json(notice.payload))
    .bind(notice.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes several notices in one statement (none when `notices` is empty).
pub async fn insert_notices(conn: Conn<'_>, notices: &[NewNotice<'_>]) -> Result<(), StoreError> {
    if notices.is_empty() {
        return Ok(());
    }
    let rows = (0..notices.len())
        .map(|i| {
            let n = i * 6;
            format!("(${}, ${}, ${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 6)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO outbox (id, event_type, channel, target, payload, next_attempt_at, created_at) VALUES {rows}"
    );
    on_conn!(conn, c => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for notice in notices {
            query = query
                .bind(notice.id)
                .bind(notice.event_type)
                .bind(notice.channel)
                .bind(notice.target)
                .bind(Json(notice.payload))
                .bind(notice.now);
        }
        query.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Claims up to `limit` due notices until `lease_until`, oldest first,
/// leaving those of the channels in `skip` (whose deliveries are full).
pub async fn claim_due(
    conn: Conn<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
    skip: &[&str],
) -> Result<Vec<NoticeRecord>, StoreError> {
    let skipped = if skip.is_empty() {
        String::new()
    } else {
        let names = (0..skip.len()).map(|i| format!("${}", i + 4)).collect::<Vec<_>>().join(", ");
        format!(" AND channel NOT IN ({names})")
    };
    let due = format!(
        "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (locked_until IS NULL OR locked_until <= $1){skipped} ORDER BY created_at LIMIT $3"
    );
    // PostgreSQL skips rows another instance is claiming; SQLite's single
    // writer already makes the UPDATE exclusive.
    let locking = if matches!(conn, Conn::Postgres(_)) { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!("UPDATE outbox SET locked_until = $2 WHERE id IN ({due}{locking}) RETURNING {COLUMNS}");
    let rows = on_conn!(conn, c => {
        let mut query = sqlx::query_as::<_, NoticeRecord>(sqlx::AssertSqlSafe(sql)).bind(now).bind(lease_until).bind(limit);
        for channel in skip {
            query = query.bind(*channel);
        }
        query.fetch_all(&mut *c).await
    })?;
    Ok(rows)
}

/// Records delivered notices, all in one statement (none when `ids` is empty).
pub async fn mark_delivered(conn: Conn<'_>, ids: &[Uuid], now: DateTime<Utc>) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = (0..ids.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "UPDATE outbox SET status = 'delivered', delivered_at = $1, attempts = attempts + 1, locked_until = NULL, \
         last_error = NULL WHERE id IN ({list})"
    );
    on_conn!(conn, c => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for id in ids {
            query = query.bind(*id);
        }
        query.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records a failed attempt: retry at `retry_at`, or dead-letter when None.
pub async fn mark_failed(
    conn: Conn<'_>,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let status = if retry_at.is_some() { "pending" } else { "dead" };
    on_conn!(conn, c => sqlx::query(
        "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, \
         next_attempt_at = COALESCE($4, next_attempt_at), locked_until = NULL WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(retry_at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Notices in one status, newest first.
pub async fn list_by_status(conn: Conn<'_>, status: &str, limit: i64) -> Result<Vec<NoticeRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = $1 ORDER BY created_at DESC LIMIT $2"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, NoticeRecord>(sql).bind(status).bind(limit).fetch_all(&mut *c).await)?)
}

/// Notices of one event for one channel (tests and the lead page).
pub async fn list_for_target(conn: Conn<'_>, channel: &str, target: &str) -> Result<Vec<NoticeRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox WHERE channel = $1 AND target = $2 ORDER BY created_at"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, NoticeRecord>(sql).bind(channel).bind(target).fetch_all(&mut *c).await)?)
}

/// Puts a dead notice back in the queue (the admin's "retry").
pub async fn retry_dead(conn: Conn<'_>, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, locked_until = NULL \
         WHERE id = $1 AND status = 'dead'"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// How many notices wait for delivery.
pub async fn count_pending(conn: Conn<'_>) -> Result<i64, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .fetch_one(&mut *c)
        .await)?)
}
