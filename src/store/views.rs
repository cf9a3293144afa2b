//! First-page views per form, version and day (counted in memory, flushed
//! in batches: see `app::views`).

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::on_conn;

/// Adds `views` to the day's count.
pub async fn add_views(
    conn: Conn<'_>,
    form_id: Uuid,
    version: i32,
    day: NaiveDate,
    views: i64,
) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO form_views (form_id, version, day, views) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (form_id, version, day) DO UPDATE SET views = form_views.views + excluded.views"
    )
    .bind(form_id)
    .bind(version)
    .bind(day.format("%Y-%m-%d").to_string())
    .bind(views)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Views from `from` to `to` (both days included); every version when None.
pub async fn sum_views(
    conn: Conn<'_>,
    form_id: Uuid,
    version: Option<i32>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, StoreError> {
    let total = on_conn!(conn, c => sqlx::query_scalar::<_, Option<i64>>(
        "SELECT CAST(SUM(views) AS BIGINT) FROM form_views WHERE form_id = $1 AND ($2 IS NULL OR version = $2) \
         AND day >= $3 AND day <= $4"
    )
    .bind(form_id)
    .bind(version)
    .bind(from.format("%Y-%m-%d").to_string())
    .bind(to.format("%Y-%m-%d").to_string())
    .fetch_one(&mut *c)
    .await)?;
    Ok(total.unwrap_or(0))
}
