//! API tokens: only a SHA-256 of each token is stored, with its scopes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::on_conn;

/// A stored token (never the token itself).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRecord {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    /// Comma-separated scopes: `read`, `write`.
    pub scopes: String,
    pub created_by: Uuid,
    pub creator_name: String,
    /// The creator's role now (a token acts only while it is admin).
    pub creator_role: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub struct NewToken<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub scopes: &'a str,
    pub created_by: Uuid,
    pub now: DateTime<Utc>,
}

pub async fn insert_token(conn: Conn<'_>, t: NewToken<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO api_tokens (id, name, token_hash, prefix, scopes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(t.id)
    .bind(t.name)
    .bind(t.token_hash)
    .bind(t.prefix)
    .bind(t.scopes)
    .bind(t.created_by)
    .bind(t.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| conflict_on_unique(e, "this token exists already"))?;
    Ok(())
}

const SELECT: &str = "SELECT t.id, t.name, t.prefix, t.scopes, t.created_by, u.name AS creator_name, u.role AS creator_role, \
     t.created_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.created_by";

/// The live (not revoked) token with this hash, whose creator is still active.
pub async fn find_live_token(conn: Conn<'_>, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, TokenRecord>(sql).bind(token_hash).fetch_optional(&mut *c).await)?)
}

pub async fn list_tokens(conn: Conn<'_>) -> Result<Vec<TokenRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY t.id DESC"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, TokenRecord>(sql).fetch_all(&mut *c).await)?)
}

/// Records use, at most once a minute per token (keeps writes off most requests).
pub async fn update_last_used(conn: Conn<'_>, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)"
    )
    .bind(id)
    .bind(now)
    .bind(now - chrono::Duration::minutes(1))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revokes a token; NotFound when there is no such live token.
pub async fn update_revoked(conn: Conn<'_>, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}
