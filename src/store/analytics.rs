//! Rows the analytics read: responses of a form in a date range, and the
//! leads they made with their assignment timings. Figures are computed in
//! `app::analytics`; here only the bounded selection.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::engine::{Answers, Hidden};
use crate::on_conn;

/// Most rows one analytics page reads (the window is bounded).
pub const MAX_ROWS: i64 = 100_000;

/// Which responses or leads: one form, optionally one version, a time range.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub form_id: Uuid,
    pub version: Option<i32>,
    pub from: DateTime<Utc>,
    /// Exclusive.
    pub to: DateTime<Utc>,
}

/// A response as the funnel needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResponseFacts {
    pub id: Uuid,
    pub form_id: Uuid,
    pub version: i32,
    pub status: String,
    pub answers: Json<Answers>,
    pub hidden: Json<Hidden>,
    pub current_question: Option<String>,
    pub running_outcome: Option<String>,
    pub is_bot: bool,
    pub outcome_id: Option<String>,
    pub lead_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub abandoned_at: Option<DateTime<Utc>>,
}

const RESPONSE_FACTS: &str = "SELECT id, form_id, version, status, answers, hidden, current_question, running_outcome, is_bot, \
     outcome_id, lead_id, started_at, updated_at, finished_at, abandoned_at FROM responses";

/// Responses started in the window, oldest first.
pub async fn list_responses(conn: Conn<'_>, w: Window) -> Result<Vec<ResponseFacts>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{RESPONSE_FACTS} WHERE form_id = $1 AND ($2 IS NULL OR version = $2) AND started_at >= $3 AND started_at < $4 \
         ORDER BY started_at, id LIMIT $5"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, ResponseFacts>(sql)
        .bind(w.form_id)
        .bind(w.version)
        .bind(w.from)
        .bind(w.to)
        .bind(MAX_ROWS)
        .fetch_all(&mut *c)
        .await)?)
}

/// Unfinished, human responses idle since `idle_since` whose running outcome
/// is one of `outcomes` (the top tier of their version), newest first.
pub async fn list_idle_responses(
    conn: Conn<'_>,
    form_id: Uuid,
    idle_since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ResponseFacts>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{RESPONSE_FACTS} WHERE form_id = $1 AND status = 'in_progress' AND NOT is_bot AND running_outcome IS NOT NULL \
         AND updated_at <= $2 ORDER BY updated_at DESC LIMIT $3"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, ResponseFacts>(sql)
        .bind(form_id)
        .bind(idle_since)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?)
}

/// Idle unfinished responses not yet considered for the abandoned handoff,
/// locked for this transaction. On PostgreSQL rows another instance holds
/// are skipped (as the routing fallback does), so each is handled once.
pub async fn claim_idle_responses(
    conn: Conn<'_>,
    idle_since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ResponseFacts>, StoreError> {
    let base = format!(
        "{RESPONSE_FACTS} WHERE status = 'in_progress' AND abandoned_at IS NULL AND NOT is_bot \
         AND running_outcome IS NOT NULL AND updated_at <= $1 ORDER BY updated_at LIMIT $2"
    );
    let rows = match conn {
        Conn::Sqlite(c) => {
            sqlx::query_as::<_, ResponseFacts>(sqlx::AssertSqlSafe(base))
                .bind(idle_since)
                .bind(limit)
                .fetch_all(&mut *c)
                .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_as::<_, ResponseFacts>(sqlx::AssertSqlSafe(format!("{base} FOR UPDATE SKIP LOCKED")))
                .bind(idle_since)
                .bind(limit)
                .fetch_all(&mut *c)
                .await?
        }
    };
    Ok(rows)
}

/// Marks a response as considered abandoned (with the lead it became, if any).
pub async fn mark_abandoned(
    conn: Conn<'_>,
    id: Uuid,
    lead_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE responses SET abandoned_at = $2, lead_id = COALESCE($3, lead_id), revision = revision + 1 \
         WHERE id = $1 AND status = 'in_progress' AND abandoned_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .bind(lead_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// A lead of the form with the timings speed-to-lead needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeadFacts {
    pub id: Uuid,
    pub outcome_id: String,
    pub status: String,
    pub pool: Option<String>,
    pub assignee_name: Option<String>,
    pub hidden: Json<Hidden>,
    pub verdict_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub first_assigned_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub fallbacks: i64,
    pub deal_status: Option<String>,
    pub deal_value_cents: Option<i64>,
    pub deal_currency: Option<String>,
    /// The version of the response that made the lead.
    pub version: i32,
    /// Confirmed meetings of the lead (at most one at a time).
    pub live_bookings: i64,
    /// Every meeting the lead booked, cancelled ones included.
    pub bookings: i64,
}

/// Leads of the form created in the window (the version is the one of the
/// response that made the lead).
pub async fn list_leads(conn: Conn<'_>, w: Window) -> Result<Vec<LeadFacts>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, LeadFacts>(
        "SELECT l.id, l.outcome_id, l.status, l.pool, u.name AS assignee_name, l.hidden, l.verdict_reason, l.created_at, \
         r.finished_at, \
         (SELECT MIN(a.created_at) FROM assignments a WHERE a.lead_id = l.id AND a.user_id IS NOT NULL) AS first_assigned_at, \
         l.accepted_at, \
         (SELECT COUNT(*) FROM assignments a WHERE a.lead_id = l.id AND a.kind = 'fallback') AS fallbacks, \
         l.deal_status, l.deal_value_cents, l.deal_currency, r.version, \
         (SELECT COUNT(*) FROM bookings b WHERE b.lead_id = l.id AND b.status = 'confirmed') AS live_bookings, \
         (SELECT COUNT(*) FROM bookings b WHERE b.lead_id = l.id) AS bookings \
         FROM leads l JOIN responses r ON r.id = l.response_id LEFT JOIN users u ON u.id = l.assigned_user_id \
         WHERE l.form_id = $1 AND ($2 IS NULL OR r.version = $2) AND l.created_at >= $3 AND l.created_at < $4 \
         ORDER BY l.created_at, l.id LIMIT $5"
    )
    .bind(w.form_id)
    .bind(w.version)
    .bind(w.from)
    .bind(w.to)
    .bind(MAX_ROWS)
    .fetch_all(&mut *c)
    .await)?)
}
