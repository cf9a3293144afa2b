//! Drafts: the editable definition of a form, saved with compare-and-set on
//! its revision, and the short history line written with every save.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::engine::FormDefinition;
use crate::on_conn;

/// A form with its draft, as the editor loads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub draft: Json<FormDefinition>,
    pub draft_revision: i64,
    pub published_version: Option<i32>,
}

const DRAFT_COLUMNS: &str = "id, slug, title, status, draft, draft_revision, published_version";

/// The form and its draft.
pub async fn get_draft(conn: Conn<'_>, form_id: Uuid) -> Result<DraftRow, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {DRAFT_COLUMNS} FROM forms WHERE id = $1"));
    let row = on_conn!(conn, c => sqlx::query_as::<_, DraftRow>(sql).bind(form_id).fetch_one(&mut *c).await)?;
    Ok(row)
}

/// Loads the form inside a write transaction, locking its row on
/// PostgreSQL so publishes of one form happen one after another (SQLite's
/// single writer already serialises them).
pub async fn get_draft_for_update(conn: Conn<'_>, form_id: Uuid) -> Result<DraftRow, StoreError> {
    let row = match conn {
        Conn::Sqlite(c) => {
            let sql = sqlx::AssertSqlSafe(format!("SELECT {DRAFT_COLUMNS} FROM forms WHERE id = $1"));
            sqlx::query_as::<_, DraftRow>(sql).bind(form_id).fetch_one(&mut *c).await?
        }
        Conn::Postgres(c) => {
            let sql = sqlx::AssertSqlSafe(format!("SELECT {DRAFT_COLUMNS} FROM forms WHERE id = $1 FOR UPDATE"));
            sqlx::query_as::<_, DraftRow>(sql).bind(form_id).fetch_one(&mut *c).await?
        }
    };
    Ok(row)
}

/// Replaces the draft when its revision is still `expected`; returns false
/// (and changes nothing) when someone saved in between.
pub async fn update_draft(
    conn: Conn<'_>,
    form_id: Uuid,
    expected: i64,
    draft: &FormDefinition,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE forms SET draft = $3, title = $4, draft_revision = draft_revision + 1, updated_at = $5 \
         WHERE id = $1 AND draft_revision = $2"
    )
    .bind(form_id)
    .bind(expected)
    .bind(Json(draft))
    .bind(&draft.title)
    .bind(now)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// A history line: who saved which revision of the draft, and what changed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EditRecord {
    pub revision: i64,
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub summary: String,
    pub created_at: DateTime<Utc>,
}

/// What one save of the draft writes to the history.
pub struct NewEdit<'a> {
    pub form_id: Uuid,
    /// The revision the save created.
    pub revision: i64,
    pub user_id: Option<Uuid>,
    pub summary: &'a str,
    pub now: DateTime<Utc>,
}

pub async fn insert_edit(conn: Conn<'_>, edit: NewEdit<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO form_edits (id, form_id, revision, user_id, summary, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(Uuid::now_v7())
    .bind(edit.form_id)
    .bind(edit.revision)
    .bind(edit.user_id)
    .bind(edit.summary)
    .bind(edit.now)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The latest history lines of a form's draft, newest first.
pub async fn list_edits(conn: Conn<'_>, form_id: Uuid, limit: i64) -> Result<Vec<EditRecord>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, EditRecord>(
        "SELECT e.revision, e.user_id, u.name AS user_name, e.summary, e.created_at FROM form_edits e \
         LEFT JOIN users u ON u.id = e.user_id WHERE e.form_id = $1 ORDER BY e.revision DESC LIMIT $2"
    )
    .bind(form_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}
