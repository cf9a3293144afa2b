//! Leads and accounts: the finished, deduplicated records.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError};
use crate::engine::{Handoff, Hidden, ScoreItem};
use crate::on_conn;

/// Everything a finished response writes onto its lead.
pub struct LeadUpsert<'a> {
    pub new_id: Uuid,
    pub email: Option<&'a str>,
    pub account_id: Option<Uuid>,
    pub form_id: Uuid,
    pub response_id: Uuid,
    pub fields: &'a BTreeMap<String, String>,
    pub fit: i32,
    pub intent: i32,
    pub breakdown: &'a Breakdown,
    pub outcome_id: &'a str,
    pub tier: &'a str,
    pub handoff: &'a Handoff,
    pub disqualified_reason: Option<&'a str>,
    pub hidden: &'a Hidden,
    pub now: DateTime<Utc>,
}

/// Both score breakdowns, kept with the lead so anyone can see why.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Breakdown {
    pub fit: Vec<ScoreItem>,
    pub intent: Vec<ScoreItem>,
}

/// A stored lead.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeadRecord {
    pub id: Uuid,
    pub email: Option<String>,
    pub account_id: Option<Uuid>,
    pub response_id: Uuid,
    pub fields: Json<BTreeMap<String, String>>,
    pub fit: i32,
    pub intent: i32,
    pub breakdown: Json<Breakdown>,
    pub outcome_id: String,
    pub tier: String,
    pub handoff: Json<Handoff>,
    pub disqualified_reason: Option<String>,
    pub hidden: Json<Hidden>,
    pub submissions: i32,
    pub created_at: DateTime<Utc>,
}

/// The account for a company domain, created on first sight.
pub async fn upsert_account(
    conn: Conn<'_>,
    domain: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let id = on_conn!(conn, c => {
        sqlx::query("INSERT INTO accounts (id, domain, created_at) VALUES ($1, $2, $3) ON CONFLICT (domain) DO NOTHING")
            .bind(Uuid::now_v7())
            .bind(domain)
            .bind(now)
            .execute(&mut *c)
            .await?;
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM accounts WHERE domain = $1")
            .bind(domain)
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(id)
}

/// Creates the lead, or updates the lead with the same normalised email
/// (the latest submission's scores and outcome win; the count goes up).
pub async fn upsert_lead(conn: Conn<'_>, lead: LeadUpsert<'_>) -> Result<Uuid, StoreError> {
    let id = on_conn!(conn, c => sqlx::query_scalar::<_, Uuid>(
        "INSERT INTO leads (id, email, account_id, form_id, response_id, fields, fit, intent, breakdown, outcome_id, tier, \
         handoff, disqualified_reason, hidden, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
         ON CONFLICT (email) DO UPDATE SET account_id = excluded.account_id, form_id = excluded.form_id, \
         response_id = excluded.response_id, fields = excluded.fields, fit = excluded.fit, intent = excluded.intent, \
         breakdown = excluded.breakdown, outcome_id = excluded.outcome_id, tier = excluded.tier, handoff = excluded.handoff, \
         disqualified_reason = excluded.disqualified_reason, hidden = excluded.hidden, \
         submissions = leads.submissions + 1, updated_at = excluded.updated_at \
         RETURNING id"
    )
    .bind(lead.new_id)
    .bind(lead.email)
    .bind(lead.account_id)
    .bind(lead.form_id)
    .bind(lead.response_id)
    .bind(Json(lead.fields))
    .bind(lead.fit)
    .bind(lead.intent)
    .bind(Json(lead.breakdown))
    .bind(lead.outcome_id)
    .bind(lead.tier)
    .bind(Json(lead.handoff))
    .bind(lead.disqualified_reason)
    .bind(Json(lead.hidden))
    .bind(lead.now)
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

pub async fn find_lead(conn: Conn<'_>, id: Uuid) -> Result<Option<LeadRecord>, StoreError> {
    let row = on_conn!(conn, c => sqlx::query_as::<_, LeadRecord>(
        "SELECT id, email, account_id, response_id, fields, fit, intent, breakdown, outcome_id, tier, handoff, \
         disqualified_reason, hidden, submissions, created_at FROM leads WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row)
}

/// Leads, newest first (the inbox and API page through these later).
pub async fn list_leads(conn: Conn<'_>, limit: i64) -> Result<Vec<LeadRecord>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, LeadRecord>(
        "SELECT id, email, account_id, response_id, fields, fit, intent, breakdown, outcome_id, tier, handoff, \
         disqualified_reason, hidden, submissions, created_at FROM leads ORDER BY updated_at DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}
