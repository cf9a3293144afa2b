//! Test cases kept with each form.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::engine::{Hidden, TestCase};
use crate::on_conn;

/// A stored test case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRecord {
    pub id: Uuid,
    pub name: String,
    pub answers: Json<BTreeMap<String, Vec<String>>>,
    pub hidden: Json<Hidden>,
    pub expected_outcome: String,
    pub expected_pool: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl CaseRecord {
    /// The case as the engine runs it.
    pub fn to_case(&self) -> TestCase {
        TestCase {
            name: self.name.clone(),
            answers: self.answers.0.clone(),
            hidden: self.hidden.0.clone(),
            expected_outcome: self.expected_outcome.clone(),
            expected_pool: self.expected_pool.clone(),
        }
    }
}

const CASE_COLUMNS: &str = "id, name, answers, hidden, expected_outcome, expected_pool, updated_at";

/// A form's test cases, by name.
pub async fn list_cases(conn: Conn<'_>, form_id: Uuid) -> Result<Vec<CaseRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM form_tests WHERE form_id = $1 ORDER BY name"));
    let rows = on_conn!(conn, c => sqlx::query_as::<_, CaseRecord>(sql).bind(form_id).fetch_all(&mut *c).await)?;
    Ok(rows)
}

/// One test case of a form.
pub async fn get_case(conn: Conn<'_>, form_id: Uuid, id: Uuid) -> Result<CaseRecord, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM form_tests WHERE form_id = $1 AND id = $2"));
    let row =
        on_conn!(conn, c => sqlx::query_as::<_, CaseRecord>(sql).bind(form_id).bind(id).fetch_one(&mut *c).await)?;
    Ok(row)
}

/// Adds the case, or replaces the one with this id.
pub async fn upsert_case(
    conn: Conn<'_>,
    form_id: Uuid,
    id: Uuid,
    case: &TestCase,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO form_tests (id, form_id, name, answers, hidden, expected_outcome, expected_pool, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         ON CONFLICT (id) DO UPDATE SET name = $3, answers = $4, hidden = $5, expected_outcome = $6, \
         expected_pool = $7, updated_at = $8"
    )
    .bind(id)
    .bind(form_id)
    .bind(&case.name)
    .bind(Json(&case.answers))
    .bind(Json(&case.hidden))
    .bind(&case.expected_outcome)
    .bind(&case.expected_pool)
    .bind(now)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))
    .map_err(|e| conflict_on_unique(e, "another test case of this form has this name"))?;
    Ok(())
}

pub async fn delete_case(conn: Conn<'_>, form_id: Uuid, id: Uuid) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("DELETE FROM form_tests WHERE form_id = $1 AND id = $2")
        .bind(form_id)
        .bind(id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Points the cases expecting outcome `old` at `new` (an outcome renamed).
pub async fn update_expected_outcome(conn: Conn<'_>, form_id: Uuid, old: &str, new: &str) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE form_tests SET expected_outcome = $3 WHERE form_id = $1 AND expected_outcome = $2"
    )
    .bind(form_id)
    .bind(old)
    .bind(new)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}
