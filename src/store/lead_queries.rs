//! Leads for the API and exports: filtered lists with keyset pagination,
//! and the deal outcome (won or lost) reported back by a CRM.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::leads::{LEAD_SELECT, LeadRecord};
use super::{Conn, StoreError};
use crate::on_conn;

/// Which leads to list. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub form_id: Option<Uuid>,
    pub outcome: Option<String>,
    pub rep: Option<Uuid>,
    pub source: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub created_to: Option<DateTime<Utc>>,
    /// Only leads with an id below this one (ids are time-ordered).
    pub before: Option<Uuid>,
}

/// A lead with its deal outcome.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeadWithDeal {
    #[sqlx(flatten)]
    pub lead: LeadRecord,
    pub form_id: Uuid,
    pub deal_status: Option<String>,
    pub deal_value_cents: Option<i64>,
    pub deal_currency: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

const FILTERS: &str = "($1 IS NULL OR l.form_id = $1) AND ($2 IS NULL OR l.outcome_id = $2) \
     AND ($3 IS NULL OR l.assigned_user_id = $3) AND ($5 IS NULL OR l.created_at >= $5) \
     AND ($6 IS NULL OR l.created_at < $6) AND ($7 IS NULL OR l.id < $7)";

fn deal_select() -> String {
    LEAD_SELECT.replacen(
        "SELECT l.id,",
        "SELECT l.form_id, l.deal_status, l.deal_value_cents, l.deal_currency, l.closed_at, l.id,",
        1,
    )
}

/// Leads matching `filter`, newest first, at most `limit`.
pub async fn list_leads_filtered(
    conn: Conn<'_>,
    filter: &LeadFilter,
    limit: i64,
) -> Result<Vec<LeadWithDeal>, StoreError> {
    // Reading a JSON field differs: json_extract on SQLite, ->> on PostgreSQL.
    let source = match conn {
        Conn::Sqlite(_) => "($4 IS NULL OR json_extract(l.hidden, '$.utm_source') = $4)",
        Conn::Postgres(_) => "($4 IS NULL OR l.hidden->>'utm_source' = $4)",
    };
    let sql = format!("{} WHERE {FILTERS} AND {source} ORDER BY l.id DESC LIMIT $8", deal_select());
    let rows = on_conn!(conn, c => sqlx::query_as::<_, LeadWithDeal>(sqlx::AssertSqlSafe(sql))
        .bind(filter.form_id)
        .bind(filter.outcome.as_deref())
        .bind(filter.rep)
        .bind(filter.source.as_deref())
        .bind(filter.created_from)
        .bind(filter.created_to)
        .bind(filter.before)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows)
}

pub async fn find_lead_with_deal(conn: Conn<'_>, id: Uuid) -> Result<Option<LeadWithDeal>, StoreError> {
    let sql = format!("{} WHERE l.id = $1", deal_select());
    Ok(on_conn!(conn, c => sqlx::query_as::<_, LeadWithDeal>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?)
}

/// The deal outcome: `won` or `lost`, with its value in minor units.
pub struct DealChange<'a> {
    pub lead_id: Uuid,
    pub status: &'a str,
    pub value_cents: Option<i64>,
    pub currency: Option<&'a str>,
    pub now: DateTime<Utc>,
}

pub async fn update_deal(conn: Conn<'_>, d: DealChange<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE leads SET deal_status = $2, deal_value_cents = $3, deal_currency = $4, closed_at = $5, updated_at = $5, \
         accept_by = NULL WHERE id = $1"
    )
    .bind(d.lead_id)
    .bind(d.status)
    .bind(d.value_cents)
    .bind(d.currency)
    .bind(d.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
