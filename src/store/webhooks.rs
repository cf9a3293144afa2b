//! Outgoing webhook endpoints and their delivery log.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::on_conn;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EndpointRecord {
    pub id: Uuid,
    pub url: String,
    pub secret: String,
    pub event_types: Json<Vec<String>>,
    pub format: String,
    pub allow_private: bool,
    pub active: bool,
}

impl EndpointRecord {
    /// Subscribed to `event_type` (an empty list means every event).
    pub fn wants(&self, event_type: &str) -> bool {
        self.active && (self.event_types.0.is_empty() || self.event_types.0.iter().any(|e| e == event_type))
    }
}

pub struct NewEndpoint<'a> {
    pub id: Uuid,
    pub url: &'a str,
    pub secret: &'a str,
    pub event_types: &'a [String],
    pub format: &'a str,
    pub allow_private: bool,
    pub now: DateTime<Utc>,
}

pub async fn insert_endpoint(conn: Conn<'_>, e: NewEndpoint<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, secret, event_types, format, allow_private, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(e.id)
    .bind(e.url)
    .bind(e.secret)
    .bind(Json(e.event_types))
    .bind(e.format)
    .bind(e.allow_private)
    .bind(e.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

const COLUMNS: &str = "id, url, secret, event_types, format, allow_private, active";

pub async fn list_endpoints(conn: Conn<'_>) -> Result<Vec<EndpointRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM webhook_endpoints ORDER BY created_at"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, EndpointRecord>(sql).fetch_all(&mut *c).await)?)
}

pub async fn find_endpoint(conn: Conn<'_>, id: Uuid) -> Result<Option<EndpointRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, EndpointRecord>(sql).bind(id).fetch_optional(&mut *c).await)?)
}

pub struct DeliveryLog<'a> {
    pub notice_id: Uuid,
    pub endpoint_id: Uuid,
    pub status: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<&'a str>,
    pub now: DateTime<Utc>,
}

pub async fn insert_delivery(conn: Conn<'_>, d: DeliveryLog<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO webhook_deliveries (id, notice_id, endpoint_id, status, duration_ms, error, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(Uuid::now_v7())
    .bind(d.notice_id)
    .bind(d.endpoint_id)
    .bind(d.status)
    .bind(d.duration_ms)
    .bind(d.error)
    .bind(d.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRecord {
    pub notice_id: Uuid,
    pub status: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn list_deliveries(conn: Conn<'_>, endpoint_id: Uuid, limit: i64) -> Result<Vec<DeliveryRecord>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, DeliveryRecord>(
        "SELECT notice_id, status, duration_ms, error, created_at FROM webhook_deliveries \
         WHERE endpoint_id = $1 ORDER BY created_at DESC LIMIT $2"
    )
    .bind(endpoint_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}

/// Removes an endpoint and its delivery log; NotFound when there is none.
pub async fn delete_endpoint(conn: Conn<'_>, id: Uuid) -> Result<(), StoreError> {
    let changed = on_conn!(conn, c => {
        sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1").bind(id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1").bind(id).execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// A delivery with its id, for paging through the log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryEntry {
    pub id: Uuid,
    pub notice_id: Uuid,
    pub status: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An endpoint's deliveries, newest first, below `before` (ids are time-ordered).
pub async fn list_delivery_page(
    conn: Conn<'_>,
    endpoint_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DeliveryEntry>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, DeliveryEntry>(
        "SELECT id, notice_id, status, duration_ms, error, created_at FROM webhook_deliveries \
         WHERE endpoint_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    )
    .bind(endpoint_id)
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}
