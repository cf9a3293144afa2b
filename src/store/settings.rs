//! Instance-wide settings kept in the database (shared by every instance).

use super::{Conn, StoreError};
use crate::on_conn;

/// Reads a setting.
pub async fn find_setting(conn: Conn<'_>, key: &str) -> Result<Option<String>, StoreError> {
    let value = on_conn!(conn, c => sqlx::query_scalar::<_, String>(
        "SELECT value FROM instance_settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(value)
}

/// Stores `value` unless the key is already set; returns the value that is set.
/// Two instances starting at once agree on the same value.
pub async fn insert_setting_once(conn: Conn<'_>, key: &str, value: &str) -> Result<String, StoreError> {
    let stored = on_conn!(conn, c => {
        sqlx::query("INSERT INTO instance_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&mut *c)
            .await?;
        sqlx::query_scalar::<_, String>("SELECT value FROM instance_settings WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(stored)
}
