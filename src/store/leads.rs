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
    pub status: String,
    pub assigned_user_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub pool: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub accept_by: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub verdict_reason: Option<String>,
}

/// The account for a company domain, created on first sight.
pub async fn upsert_account(conn: Conn<'_>, domain: &str, now: DateTime<Utc>) -> Result<Uuid, StoreError> {
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

pub(crate) const LEAD_SELECT: &str = "SELECT l.id, l.email, l.account_id, l.response_id, l.fields, l.fit, l.intent, l.breakdown, \
     l.outcome_id, l.tier, l.handoff, l.disqualified_reason, l.hidden, l.submissions, l.created_at, l.status, \
     l.assigned_user_id, u.name AS assignee_name, l.pool, l.assigned_at, l.accept_by, l.accepted_at, l.verdict_reason \
     FROM leads l LEFT JOIN users u ON u.id = l.assigned_user_id";

pub async fn find_lead(conn: Conn<'_>, id: Uuid) -> Result<Option<LeadRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!("{LEAD_SELECT} WHERE l.id = $1"));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, LeadRecord>(sql).bind(id).fetch_optional(&mut *c).await)?)
}

/// Locks the lead row for a change of assignment (PostgreSQL); SQLite's
/// single writer already serialises.
pub async fn find_lead_for_update(conn: Conn<'_>, id: Uuid) -> Result<Option<LeadRecord>, StoreError> {
    match conn {
        Conn::Sqlite(c) => find_lead(Conn::Sqlite(c), id).await,
        Conn::Postgres(c) => {
            sqlx::query("SELECT id FROM leads WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(&mut *c).await?;
            find_lead(Conn::Postgres(c), id).await
        }
    }
}

/// A rep's leads, newest first.
pub async fn list_leads_of(conn: Conn<'_>, user_id: Uuid, limit: i64) -> Result<Vec<LeadRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LEAD_SELECT} WHERE l.assigned_user_id = $1 ORDER BY l.assigned_at DESC LIMIT $2"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, LeadRecord>(sql).bind(user_id).bind(limit).fetch_all(&mut *c).await)?)
}

/// Every lead for managers: unassigned ones first, then newest first.
pub async fn list_all_leads(conn: Conn<'_>, limit: i64) -> Result<Vec<LeadRecord>, StoreError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LEAD_SELECT} ORDER BY CASE WHEN l.status = 'unassigned' THEN 0 ELSE 1 END, l.updated_at DESC LIMIT $1"
    ));
    Ok(on_conn!(conn, c => sqlx::query_as::<_, LeadRecord>(sql).bind(limit).fetch_all(&mut *c).await)?)
}

/// A change of the lead's assignment and status.
pub struct AssignmentChange<'a> {
    pub lead_id: Uuid,
    pub status: &'a str,
    pub user_id: Option<Uuid>,
    pub pool: Option<&'a str>,
    pub accept_by: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

pub async fn update_assignment(conn: Conn<'_>, change: AssignmentChange<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE leads SET status = $2, assigned_user_id = $3, pool = COALESCE($4, pool), \
         assigned_at = CASE WHEN $3 IS NULL THEN NULL ELSE $6 END, accept_by = $5, accepted_at = NULL, updated_at = $6 \
         WHERE id = $1"
    )
    .bind(change.lead_id)
    .bind(change.status)
    .bind(change.user_id)
    .bind(change.pool)
    .bind(change.accept_by)
    .bind(change.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A rep's verdict: accepted, or disqualified with a reason.
pub async fn update_verdict(
    conn: Conn<'_>,
    lead_id: Uuid,
    status: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "UPDATE leads SET status = $2, verdict_reason = $3, accept_by = NULL, \
         accepted_at = CASE WHEN $2 = 'accepted' THEN $4 ELSE accepted_at END, updated_at = $4 WHERE id = $1"
    )
    .bind(lead_id)
    .bind(status)
    .bind(reason)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One line of a lead's assignment history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRecord {
    pub user_id: Option<Uuid>,
    pub user_name: Option<String>,
    pub kind: String,
    pub reason: String,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub struct NewAssignment<'a> {
    pub lead_id: Uuid,
    pub user_id: Option<Uuid>,
    pub kind: &'a str,
    pub reason: &'a str,
    pub actor: Option<Uuid>,
    pub now: DateTime<Utc>,
}

pub async fn insert_assignment(conn: Conn<'_>, a: NewAssignment<'_>) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO assignments (id, lead_id, user_id, kind, reason, actor_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(Uuid::now_v7())
    .bind(a.lead_id)
    .bind(a.user_id)
    .bind(a.kind)
    .bind(a.reason)
    .bind(a.actor)
    .bind(a.now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn list_assignments(conn: Conn<'_>, lead_id: Uuid) -> Result<Vec<AssignmentRecord>, StoreError> {
    Ok(on_conn!(conn, c => sqlx::query_as::<_, AssignmentRecord>(
        "SELECT a.user_id, u.name AS user_name, a.kind, a.reason, actor.name AS actor_name, a.created_at \
         FROM assignments a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN users actor ON actor.id = a.actor_user_id \
         WHERE a.lead_id = $1 ORDER BY a.created_at, a.id"
    )
    .bind(lead_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// Whether any assigned lead is past its acceptance deadline: a read, so
/// the worker takes a write only when there is a fallback to fire.
pub async fn any_overdue(conn: Conn<'_>, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let sql =
        "SELECT EXISTS (SELECT 1 FROM leads WHERE status = 'assigned' AND accept_by IS NOT NULL AND accept_by <= $1)";
    Ok(on_conn!(conn, c => sqlx::query_scalar::<_, bool>(sql).bind(now).fetch_one(&mut *c).await)?)
}

/// Leads not accepted in time, locked for the fallback. On PostgreSQL rows
/// another instance is handling are skipped, so each fallback fires once.
pub async fn claim_overdue(conn: Conn<'_>, now: DateTime<Utc>, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    let base = "SELECT id FROM leads WHERE status = 'assigned' AND accept_by IS NOT NULL AND accept_by <= $1 \
                ORDER BY accept_by LIMIT $2";
    let ids = match conn {
        Conn::Sqlite(c) => sqlx::query_scalar::<_, Uuid>(base).bind(now).bind(limit).fetch_all(&mut *c).await?,
        Conn::Postgres(c) => {
            let sql = sqlx::AssertSqlSafe(format!("{base} FOR UPDATE SKIP LOCKED"));
            sqlx::query_scalar::<_, Uuid>(sql).bind(now).bind(limit).fetch_all(&mut *c).await?
        }
    };
    Ok(ids)
}
