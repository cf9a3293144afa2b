//! Read-only form queries for the API: a form by slug, its published
//! versions, and pages of forms.

use uuid::Uuid;

use super::forms::FormRow;
use super::versions::VersionRecord;
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

/// Published versions (with who published them and what changed), newest
/// first, below `before`.
pub async fn list_version_page(
    conn: Conn<'_>,
    form_id: Uuid,
    before: Option<i32>,
    limit: i64,
) -> Result<Vec<VersionRecord>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, VersionRecord>(
        "SELECT v.version, v.note, v.published_at, u.name AS published_by_name, v.changes, v.restored_from \
         FROM form_versions v LEFT JOIN users u ON u.id = v.published_by \
         WHERE v.form_id = $1 AND ($2 IS NULL OR v.version < $2) ORDER BY v.version DESC LIMIT $3"
    )
    .bind(form_id)
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}
