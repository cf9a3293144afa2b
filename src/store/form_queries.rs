//! Read-only form queries for the API: a form by slug, its published
//! versions, and pages of forms.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::forms::FormRow;
use super::{Conn, StoreError};
use crate::on_conn;

pub async fn find_form_by_slug(conn: Conn<'_>, slug: &str) -> Result<Option<FormRow>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, FormRow>(
        "SELECT id, slug, title, status, published_version, draft_revision FROM forms WHERE slug = $1"
    )
    .bind(slug)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Forms by id (time-ordered), newest first, below `before`.
pub async fn list_form_page(conn: Conn<'_>, before: Option<Uuid>, limit: i64) -> Result<Vec<FormRow>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, FormRow>(
        "SELECT id, slug, title, status, published_version, draft_revision FROM forms \
         WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2"
    )
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}

/// One published version, without its definition.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub version: i32,
    pub note: String,
    pub published_at: DateTime<Utc>,
}

/// Published versions, newest first, below `before`.
pub async fn list_version_page(
    conn: Conn<'_>,
    form_id: Uuid,
    before: Option<i32>,
    limit: i64,
) -> Result<Vec<VersionRow>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, VersionRow>(
        "SELECT version, note, published_at FROM form_versions WHERE form_id = $1 AND ($2 IS NULL OR version < $2) \
         ORDER BY version DESC LIMIT $3"
    )
    .bind(form_id)
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}
