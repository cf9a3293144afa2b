//! Source quality: reps' verdicts per `utm_source` over a window, and the
//! per-source alert state that keeps an alert to once per window.

use chrono::{DateTime, Utc};

use super::{Conn, StoreError};
use crate::on_conn;

/// Reps' verdicts on one source's leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct VerdictCounts {
    /// Leads with a rep's verdict (accepted, or disqualified by a rep).
    pub judged: i64,
    pub disqualified: i64,
}

/// Verdicts on leads from `source` created since `since`. A rep's
/// disqualification carries a reason; the form's own does not count.
pub async fn count_verdicts(conn: Conn<'_>, source: &str, since: DateTime<Utc>) -> Result<VerdictCounts, StoreError> {
    // Reading a JSON field differs: json_extract on SQLite, ->> on PostgreSQL.
    const COUNTS: &str = "SELECT COUNT(*) AS judged, \
         COALESCE(SUM(CASE WHEN status = 'disqualified' THEN 1 ELSE 0 END), 0) AS disqualified FROM leads \
         WHERE created_at >= $2 AND ((status = 'disqualified' AND verdict_reason IS NOT NULL) OR accepted_at IS NOT NULL)";
    let counts = match conn {
        Conn::Sqlite(c) => {
            let sql = format!("{COUNTS} AND json_extract(hidden, '$.utm_source') = $1");
            sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql))
                .bind(source)
                .bind(since)
                .fetch_one(&mut *c)
                .await?
        }
        Conn::Postgres(c) => {
            let sql =
                format!("SELECT judged, CAST(disqualified AS BIGINT) FROM ({COUNTS} AND hidden->>'utm_source' = $1) t");
            sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql))
                .bind(source)
                .bind(since)
                .fetch_one(&mut *c)
                .await?
        }
    };
    Ok(VerdictCounts { judged: counts.0, disqualified: counts.1 })
}

/// Records an alert for `source` unless one fired after `quiet_since`;
/// true when this call fired it. One statement, so two instances checking
/// at once cannot both fire.
pub async fn claim_alert(
    conn: Conn<'_>,
    source: &str,
    counts: VerdictCounts,
    quiet_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let fired = on_conn!(conn, c => sqlx::query_scalar::<_, String>(
        "INSERT INTO source_alerts (source, last_fired_at, leads, disqualified) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (source) DO UPDATE SET last_fired_at = excluded.last_fired_at, leads = excluded.leads, \
         disqualified = excluded.disqualified WHERE source_alerts.last_fired_at <= $5 RETURNING source"
    )
    .bind(source)
    .bind(now)
    .bind(counts.judged)
    .bind(counts.disqualified)
    .bind(quiet_since)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(fired.is_some())
}

/// A source alert as shown on the analytics page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRecord {
    pub source: String,
    pub last_fired_at: DateTime<Utc>,
    pub leads: i64,
    pub disqualified: i64,
}

pub async fn list_alerts(conn: Conn<'_>, since: DateTime<Utc>) -> Result<Vec<AlertRecord>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, AlertRecord>(
        "SELECT source, last_fired_at, leads, disqualified FROM source_alerts WHERE last_fired_at >= $1 \
         ORDER BY last_fired_at DESC"
    )
    .bind(since)
    .fetch_all(&mut *c)
    .await)?)
}
