//! The JSON shape of leads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::problem::ApiProblem;
use crate::app::deals::format_cents;
use crate::store::{self, lead_queries::LeadWithDeal};
use crate::web::AppState;

/// A lead in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadSummary {
    pub id: Uuid,
    pub email: Option<String>,
    pub form_id: Uuid,
    /// Outcome id and its tier label.
    pub outcome: String,
    pub tier: String,
    pub fit: i32,
    pub intent: i32,
    /// new, assigned, accepted, disqualified, unassigned or nurture.
    pub status: String,
    pub rep: Option<RepRef>,
    pub pool: Option<String>,
    /// Lead fields from the answers (email, company, job_title, ...).
    pub fields: BTreeMap<String, String>,
    /// UTM and other hidden fields.
    pub hidden: BTreeMap<String, String>,
    pub submissions: i32,
    pub created_at: DateTime<Utc>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// A rep's disqualification reason, or the form's.
    pub verdict_reason: Option<String>,
    pub deal: Option<DealView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepRef {
    pub id: Uuid,
    pub name: Option<String>,
}

/// Won or lost, as reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealView {
    /// `won` or `lost`.
    pub status: String,
    /// Decimal amount as text ("12500.50"), exact.
    pub value: Option<String>,
    pub currency: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<&LeadWithDeal> for LeadSummary {
    fn from(row: &LeadWithDeal) -> Self {
        let l = &row.lead;
        LeadSummary {
            id: l.id,
            email: l.email.clone(),
            form_id: row.form_id,
            outcome: l.outcome_id.clone(),
            tier: l.tier.clone(),
            fit: l.fit,
            intent: l.intent,
            status: l.status.clone(),
            rep: l.assigned_user_id.map(|id| RepRef { id, name: l.assignee_name.clone() }),
            pool: l.pool.clone(),
            fields: l.fields.0.clone(),
            hidden: l.hidden.0.clone(),
            submissions: l.submissions,
            created_at: l.created_at,
            assigned_at: l.assigned_at,
            accepted_at: l.accepted_at,
            verdict_reason: l.verdict_reason.clone().or_else(|| l.disqualified_reason.clone()),
            deal: row.deal_status.clone().map(|status| DealView {
                status,
                value: row.deal_value_cents.map(format_cents),
                currency: row.deal_currency.clone(),
                closed_at: row.closed_at,
            }),
        }
    }
}

/// A lead with why it scored as it did, what was answered and what happened.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadDetail {
    #[serde(flatten)]
    pub lead: LeadSummary,
    pub fit_breakdown: Vec<ScoreLine>,
    pub intent_breakdown: Vec<ScoreLine>,
    pub answers: Vec<AnswerLine>,
    pub history: Vec<HistoryLine>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreLine {
    pub points: i32,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerLine {
    pub question: String,
    pub answer: String,
}

/// One event of the lead's assignment history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryLine {
    /// routed, fallback, overflow, accepted, disqualified, won, lost, abandoned, ...
    pub kind: String,
    pub reason: String,
    pub rep: Option<String>,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// Loads the whole lead.
pub async fn detail_of(state: &AppState, id: Uuid) -> Result<LeadDetail, ApiProblem> {
    let (row, history, response) = {
        let mut conn = state.ctx.db.read().await?;
        let row = store::lead_queries::find_lead_with_deal(conn.conn(), id)
            .await?
            .ok_or_else(|| ApiProblem::not_found("lead"))?;
        let history = store::leads::list_assignments(conn.conn(), id).await?;
        let response = store::responses::find_response(conn.conn(), row.lead.response_id).await?;
        (row, history, response)
    };
    let answers = match response {
        Some(r) => {
            let form = state.ctx.forms.version(&state.ctx.db, r.form_id, r.version).await?;
            let evaluation = form.compiled.evaluate(&r.answers, &r.hidden);
            crate::app::respond::answer_lines(&form, &evaluation)
        }
        None => Vec::new(),
    };
    let lines = |items: &[crate::engine::ScoreItem]| {
        items.iter().map(|i| ScoreLine { points: i.points, reason: i.reason.clone() }).collect()
    };
    Ok(LeadDetail {
        fit_breakdown: lines(&row.lead.breakdown.0.fit),
        intent_breakdown: lines(&row.lead.breakdown.0.intent),
        answers: answers.into_iter().map(|a| AnswerLine { question: a.question, answer: a.answer }).collect(),
        history: history
            .into_iter()
            .map(|h| HistoryLine {
                kind: h.kind,
                reason: h.reason,
                rep: h.user_name,
                by: h.actor_name,
                at: h.created_at,
            })
            .collect(),
        lead: LeadSummary::from(&row),
    })
}
