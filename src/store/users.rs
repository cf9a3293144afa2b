//! People who sign in, and their sessions.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::on_conn;

/// A stored user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
}

/// A session joined with its user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub now: DateTime<Utc>,
}

pub async fn insert_user(conn: Conn<'_>, user: NewUser<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(user.id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.role)
    .bind(user.password_hash)
    .bind(user.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| conflict_on_unique(e, "a user with this email already exists"))?;
    Ok(())
}

const USER_COLUMNS: &str = "id, email, name, role, password_hash, active";

pub async fn find_user_by_email(conn: Conn<'_>, email: &str) -> Result<Option<UserRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, UserRecord>(sql).bind(email).fetch_optional(&mut *c).await)?)
}

pub async fn list_users(conn: Conn<'_>) -> Result<Vec<UserRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, UserRecord>(sql).fetch_all(&mut *c).await)?)
}

pub async fn update_password(conn: Conn<'_>, email: &str, password_hash: &str) -> Result<(), StoreError> {
    let changed = on_conn!(conn, c => sqlx::query("UPDATE users SET password_hash = $2 WHERE email = $1")
        .bind(email)
        .bind(password_hash)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub async fn insert_session(
    conn: Conn<'_>,
    token_hash: &str,
    user_id: Uuid,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The live session for a token hash, with its active user.
pub async fn find_session(
    conn: Conn<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRecord>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, SessionRecord>(
        "SELECT s.user_id, u.email, u.name, u.role, s.csrf_token, s.expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)?)
}

pub async fn delete_session(conn: Conn<'_>, token_hash: &str) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a user (password reset).
pub async fn delete_sessions_of(conn: Conn<'_>, email: &str) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE email = $1)")
        .bind(email)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
