//! Responses: one prospect's pass through a form, saved at every step.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::engine::{Answers, Hidden};
use crate::on_conn;

/// When each answer was given (consent time is kept this way too).
pub type AnswerTimes = BTreeMap<String, DateTime<Utc>>;

/// A stored response.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResponseRecord {
    pub id: Uuid,
    pub form_id: Uuid,
    pub version: i32,
    pub status: String,
    pub answers: Json<Answers>,
    pub answer_times: Json<AnswerTimes>,
    pub hidden: Json<Hidden>,
    pub is_bot: bool,
    pub bot_reason: Option<String>,
    pub embedded: bool,
    pub outcome_id: Option<String>,
    pub lead_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Goes up by one with every change (see `app::hot`).
    pub revision: i64,
}

impl ResponseRecord {
    pub fn is_finished(&self) -> bool {
        self.status == "finished"
    }

    /// An empty in-progress response (unit tests).
    #[cfg(test)]
    pub fn for_tests(id: Uuid, revision: i64) -> ResponseRecord {
        ResponseRecord {
            id,
            form_id: Uuid::nil(),
            version: 1,
            status: "in_progress".into(),
            answers: Json(Answers::new()),
            answer_times: Json(AnswerTimes::new()),
            hidden: Json(Hidden::new()),
            is_bot: false,
            bot_reason: None,
            embedded: false,
            outcome_id: None,
            lead_id: None,
            started_at: Utc::now(),
            finished_at: None,
            revision,
        }
    }
}

/// What a new response starts with.
pub struct NewResponse<'a> {
    pub id: Uuid,
    pub form_id: Uuid,
    pub version: i32,
    pub hidden: &'a Hidden,
    pub embedded: bool,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub now: DateTime<Utc>,
}

/// The running state written after every answer.
pub struct Progress<'a> {
    pub answers: &'a Answers,
    pub answer_times: &'a AnswerTimes,
    pub current_question: Option<&'a str>,
    pub fit: i32,
    pub intent: i32,
    pub running_outcome: Option<&'a str>,
    pub bot_reason: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Inserts a new response; `Conflict` when one with this id exists (the
/// first page was sent again).
pub async fn insert_response(conn: Conn<'_>, new: NewResponse<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO responses (id, form_id, version, answers, answer_times, hidden, embedded, client_ip, user_agent, started_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
    )
    .bind(new.id)
    .bind(new.form_id)
    .bind(new.version)
    .bind(Json(Answers::new()))
    .bind(Json(AnswerTimes::new()))
    .bind(Json(new.hidden))
    .bind(new.embedded)
    .bind(new.client_ip)
    .bind(new.user_agent)
    .bind(new.now)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))
    .map_err(|e| conflict_on_unique(e, "this response was started already"))?;
    Ok(())
}

const RESPONSE_COLUMNS: &str = "id, form_id, version, status, answers, answer_times, hidden, is_bot, bot_reason, \
     embedded, outcome_id, lead_id, started_at, finished_at, revision";

/// The stored revision of a response (None: no such response).
pub async fn revision_of(conn: Conn<'_>, id: Uuid) -> Result<Option<i64>, StoreError> {
    let sql = "SELECT revision FROM responses WHERE id = $1";
    Ok(on_conn!(conn, c => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_optional(&mut *c).await)?)
}

pub async fn find_response(conn: Conn<'_>, id: Uuid) -> Result<Option<ResponseRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {RESPONSE_COLUMNS} FROM responses WHERE id = $1"));
    let row = on_conn!(conn, c => sqlx::query_as::<_, ResponseRecord>(sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// Loads a response inside a write transaction, locking its row on
/// PostgreSQL so concurrent answers to one response apply one after another
/// (SQLite's single writer already serialises them).
pub async fn find_response_for_update(conn: Conn<'_>, id: Uuid) -> Result<Option<ResponseRecord>, StoreError> {
    let row = match conn {
        Conn::Sqlite(c) => {
            let sql = sqlx::AssertSqlSafe(format!("SELECT {RESPONSE_COLUMNS} FROM responses WHERE id = $1"));
            sqlx::query_as::<_, ResponseRecord>(sql).bind(id).fetch_optional(&mut *c).await?
        }
        Conn::Postgres(c) => {
            let sql = sqlx::AssertSqlSafe(format!("SELECT {RESPONSE_COLUMNS} FROM responses WHERE id = $1 FOR UPDATE"));
            sqlx::query_as::<_, ResponseRecord>(sql).bind(id).fetch_optional(&mut *c).await?
        }
    };
    Ok(row)
}

/// Saves the running state of an unfinished response. A bot flag, once set, stays.
/// Returns false when the response was finished meanwhile.
pub async fn update_progress(conn: Conn<'_>, id: Uuid, p: Progress<'_>) -> Result<bool, StoreError> {
    save_progress(conn, id, None, p).await
}

/// As [`update_progress`], only while the response is at `seen_revision`:
/// false when it was changed since it was read.
pub async fn update_progress_at(
    conn: Conn<'_>,
    id: Uuid,
    seen_revision: i64,
    p: Progress<'_>,
) -> Result<bool, StoreError> {
    save_progress(conn, id, Some(seen_revision), p).await
}

async fn save_progress(
    conn: Conn<'_>,
    id: Uuid,
    seen_revision: Option<i64>,
    p: Progress<'_>,
) -> Result<bool, StoreError> {
    let result = on_conn!(conn, c => sqlx::query(
        "UPDATE responses SET answers = $2, answer_times = $3, current_question = $4, fit = $5, intent = $6, \
         running_outcome = $7, is_bot = (is_bot OR $8 IS NOT NULL), bot_reason = COALESCE(bot_reason, $8), updated_at = $9, \
         revision = revision + 1 \
         WHERE id = $1 AND status = 'in_progress' AND ($10 IS NULL OR revision = $10)"
    )
    .bind(id)
    .bind(Json(p.answers))
    .bind(Json(p.answer_times))
    .bind(p.current_question)
    .bind(p.fit)
    .bind(p.intent)
    .bind(p.running_outcome)
    .bind(p.bot_reason)
    .bind(p.now)
    .bind(seen_revision)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// Marks the response finished exactly once: false when it already was.
pub async fn mark_finished(
    conn: Conn<'_>,
    id: Uuid,
    outcome_id: &str,
    lead_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = on_conn!(conn, c => sqlx::query(
        "UPDATE responses SET status = 'finished', outcome_id = $2, lead_id = $3, finished_at = $4, updated_at = $4, \
         revision = revision + 1 \
         WHERE id = $1 AND status = 'in_progress'"
    )
    .bind(id)
    .bind(outcome_id)
    .bind(lead_id)
    .bind(now)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}
