//! Reading finished responses back for replay against a draft: the stored
//! answers and hidden fields with the outcome they got and their lead.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::engine::{Answers, Hidden};
use crate::on_conn;

/// A finished response with what it led to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FinishedResponse {
    pub id: Uuid,
    pub version: i32,
    pub answers: Json<Answers>,
    pub hidden: Json<Hidden>,
    pub outcome_id: Option<String>,
    pub lead_id: Option<Uuid>,
    pub email: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The last `limit` finished responses of a form (any version), newest
/// first; bots are left out, as they never become leads.
pub async fn list_last_finished(
    conn: Conn<'_>,
    form_id: Uuid,
    limit: i64,
) -> Result<Vec<FinishedResponse>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, FinishedResponse>(
        "SELECT r.id, r.version, r.answers, r.hidden, r.outcome_id, r.lead_id, l.email, r.finished_at \
         FROM responses r LEFT JOIN leads l ON l.id = r.lead_id \
         WHERE r.form_id = $1 AND r.status = 'finished' AND r.is_bot = FALSE \
         ORDER BY r.finished_at DESC, r.id DESC LIMIT $2"
    )
    .bind(form_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}
