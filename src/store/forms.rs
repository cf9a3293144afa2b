//! Forms and their immutable published versions.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::engine::FormDefinition;
use crate::on_conn;

/// A form's published version, as the prospect pages need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublishedRef {
    pub form_id: Uuid,
    pub slug: String,
    pub version: i32,
}

/// A form as listed for people.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FormRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub published_version: Option<i32>,
    pub draft_revision: i64,
}

/// Creates a form with its first draft.
pub async fn insert_form(
    conn: Conn<'_>,
    id: Uuid,
    draft: &FormDefinition,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO forms (id, slug, title, draft, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)"
    )
    .bind(id)
    .bind(&draft.slug)
    .bind(&draft.title)
    .bind(Json(draft))
    .bind(now)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))
    .map_err(|e| conflict_on_unique(e, "a form with this slug already exists"))?;
    Ok(())
}

/// Stores `definition` as version `version` and makes it the published one.
pub async fn insert_published_version(
    conn: Conn<'_>,
    form_id: Uuid,
    version: i32,
    definition: &FormDefinition,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_conn!(conn, c => {
        sqlx::query(
            "INSERT INTO form_versions (form_id, version, definition, note, published_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(form_id)
        .bind(version)
        .bind(Json(definition))
        .bind(note)
        .bind(now)
        .execute(&mut *c)
        .await
        .map_err(|e| conflict_on_unique(e, "this version was published by someone else meanwhile"))?;
        sqlx::query("UPDATE forms SET published_version = $2, updated_at = $3 WHERE id = $1")
            .bind(form_id)
            .bind(version)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The published version of the active form at `slug`, if any.
pub async fn find_published_by_slug(conn: Conn<'_>, slug: &str) -> Result<Option<PublishedRef>, StoreError> {
    let row = on_conn!(conn, c => sqlx::query_as::<_, PublishedRef>(
        "SELECT id AS form_id, slug, published_version AS version FROM forms \
         WHERE slug = $1 AND status = 'active' AND published_version IS NOT NULL"
    )
    .bind(slug)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row)
}

/// One published version's definition.
pub async fn get_version_definition(conn: Conn<'_>, form_id: Uuid, version: i32) -> Result<FormDefinition, StoreError> {
    let Json(definition) = on_conn!(conn, c => sqlx::query_scalar::<_, Json<FormDefinition>>(
        "SELECT definition FROM form_versions WHERE form_id = $1 AND version = $2"
    )
    .bind(form_id)
    .bind(version)
    .fetch_one(&mut *c)
    .await)?;
    Ok(definition)
}

/// Every form, newest first.
pub async fn list_forms(conn: Conn<'_>) -> Result<Vec<FormRow>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, FormRow>(
        "SELECT id, slug, title, status, published_version, draft_revision FROM forms ORDER BY created_at DESC"
    )
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}

/// A form's working draft with its revision counter.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftRow {
    pub id: Uuid,
    pub slug: String,
    pub draft: Json<FormDefinition>,
    pub draft_revision: i64,
}

/// The draft of a form; `NotFound` when there is no such form.
pub async fn get_draft(conn: Conn<'_>, form_id: Uuid) -> Result<DraftRow, StoreError> {
    let row = on_conn!(conn, c => sqlx::query_as::<_, DraftRow>(
        "SELECT id, slug, draft, draft_revision FROM forms WHERE id = $1"
    )
    .bind(form_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(row)
}
