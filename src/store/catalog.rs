//! The list of forms with their counts, and a form's status (active or
//! archived).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::on_conn;

/// A form in the list, with what has come in through it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FormSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub published_version: Option<i32>,
    pub draft_revision: i64,
    pub updated_at: DateTime<Utc>,
    pub started: i64,
    pub finished: i64,
    pub leads: i64,
}

/// Every form with its response and lead counts, active ones first.
pub async fn list_form_summaries(conn: Conn<'_>) -> Result<Vec<FormSummary>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, FormSummary>(
        "SELECT f.id, f.slug, f.title, f.status, f.published_version, f.draft_revision, f.updated_at, \
         (SELECT COUNT(*) FROM responses r WHERE r.form_id = f.id) AS started, \
         (SELECT COUNT(*) FROM responses r WHERE r.form_id = f.id AND r.status = 'finished') AS finished, \
         (SELECT COUNT(*) FROM leads l WHERE l.form_id = f.id) AS leads \
         FROM forms f ORDER BY f.status ASC, f.created_at DESC"
    )
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}

/// Sets a form's status ('active' or 'archived').
pub async fn update_status(conn: Conn<'_>, form_id: Uuid, status: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let changed = on_conn!(conn, c => sqlx::query("UPDATE forms SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(form_id)
        .bind(status)
        .bind(now)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The status of the form at `slug`, if there is one.
pub async fn find_status_by_slug(conn: Conn<'_>, slug: &str) -> Result<Option<String>, StoreError> {
    let status = on_conn!(conn, c => sqlx::query_scalar::<_, String>("SELECT status FROM forms WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(status)
}
