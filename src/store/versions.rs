//! Published versions: written once, never changed (the database refuses
//! updates and deletes), each with its author, note and what changed.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::engine::FormDefinition;
use crate::on_conn;

/// A version as the history lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRecord {
    pub version: i32,
    pub note: String,
    pub published_at: DateTime<Utc>,
    pub published_by_name: Option<String>,
    pub changes: Json<Vec<String>>,
    pub restored_from: Option<i32>,
}

/// A version about to be published.
pub struct NewVersion<'a> {
    pub form_id: Uuid,
    pub version: i32,
    pub definition: &'a FormDefinition,
    pub note: &'a str,
    pub published_by: Option<Uuid>,
    pub changes: &'a [String],
    pub restored_from: Option<i32>,
    pub now: DateTime<Utc>,
}

/// The number the next version of the form gets.
pub async fn next_version(conn: Conn<'_>, form_id: Uuid) -> Result<i32, StoreError> {
    let last = on_conn!(conn, c => sqlx::query_scalar::<_, Option<i32>>(
        "SELECT MAX(version) FROM form_versions WHERE form_id = $1"
    )
    .bind(form_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(last.unwrap_or(0) + 1)
}

/// Stores the version and makes it the one prospects get.
pub async fn insert_version(conn: Conn<'_>, new: NewVersion<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => {
        sqlx::query(
            "INSERT INTO form_versions (form_id, version, definition, note, published_at, published_by, changes, restored_from) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new.form_id)
        .bind(new.version)
        .bind(Json(new.definition))
        .bind(new.note)
        .bind(new.now)
        .bind(new.published_by)
        .bind(Json(new.changes))
        .bind(new.restored_from)
        .execute(&mut *c)
        .await
        .map_err(|e| conflict_on_unique(e, "this version was published by someone else meanwhile"))?;
        sqlx::query("UPDATE forms SET published_version = $2, updated_at = $3 WHERE id = $1")
            .bind(new.form_id)
            .bind(new.version)
            .bind(new.now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every version of a form, newest first.
pub async fn list_versions(conn: Conn<'_>, form_id: Uuid) -> Result<Vec<VersionRecord>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, VersionRecord>(
        "SELECT v.version, v.note, v.published_at, u.name AS published_by_name, v.changes, v.restored_from \
         FROM form_versions v LEFT JOIN users u ON u.id = v.published_by \
         WHERE v.form_id = $1 ORDER BY v.version DESC"
    )
    .bind(form_id)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}
