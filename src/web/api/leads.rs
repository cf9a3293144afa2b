//! `/api/v1/leads`: filtered lists, a lead with its score breakdown, answers
//! and history, and the disposition a CRM reports back (accepted,
//! disqualified with a reason, won with a value, lost).

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{ApiJson, ApiQuery, PageParams, Reader, Writer, paginate, path_id};
use super::lead_view::{LeadDetail, LeadSummary, detail_of};
use super::problem::{ApiProblem, Problems};
use crate::app::deals::{self, Deal};
use crate::app::inbox::{self, DISQUALIFY_REASONS};
use crate::store::{self, lead_queries::LeadFilter};
use crate::web::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
    /// Outcome id, e.g. `tier1`.
    pub outcome: Option<String>,
    /// The assigned rep's id.
    pub rep: Option<Uuid>,
    /// `utm_source` the lead came with.
    pub source: Option<String>,
    /// Created on or after: a date (YYYY-MM-DD) or an RFC 3339 time.
    pub created_from: Option<String>,
    /// Created before the end of this date, or before this RFC 3339 time.
    pub created_to: Option<String>,
    /// How many items (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A date (from its start, or `end_of_day`: to its end) or an RFC 3339 time.
pub(super) fn time_bound(
    field: &str,
    raw: Option<&str>,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, ApiProblem> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    if let Ok(time) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(time.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        ApiProblem::bad_request(field, "Give a date like 2026-11-18 or a time like 2026-11-18T10:00:00Z.")
    })?;
    let day = if end_of_day { day.succ_opt().unwrap_or(day) } else { day };
    Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
}

/// A page of leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadList {
    pub items: Vec<LeadSummary>,
    pub next_cursor: Option<String>,
}

/// Leads, newest first, filtered.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(LeadQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = LeadList), Problems))]
pub async fn list_leads(
    State(state): State<AppState>,
    _caller: Reader,
    ApiQuery(query): ApiQuery<LeadQuery>,
) -> Result<Json<LeadList>, ApiProblem> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() };
    let limit = page.limit()?;
    let filter = LeadFilter {
        form_id: None,
        outcome: query.outcome.clone(),
        rep: query.rep,
        source: query.source.clone(),
        created_from: time_bound("created_from", query.created_from.as_deref(), false)?,
        created_to: time_bound("created_to", query.created_to.as_deref(), true)?,
        before: page.cursor_id("leads")?,
    };
    let mut conn = state.ctx.db.read().await?;
    let rows = store::lead_queries::list_leads_filtered(conn.conn(), &filter, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, "leads", |l| l.lead.id.to_string());
    Ok(Json(LeadList { items: rows.iter().map(LeadSummary::from).collect(), next_cursor }))
}

/// A lead with its scores and their reasons, its answers and its history.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = String, Path)),
    description = "Needs the read scope.",
    responses((status = 200, body = LeadDetail), Problems))]
pub async fn get_lead(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
) -> Result<Json<LeadDetail>, ApiProblem> {
    let id = path_id(&id, "lead")?;
    Ok(Json(detail_of(&state, id).await?))
}

/// What became of a lead.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Accepted,
    Disqualified,
    Won,
    Lost,
}

/// A disposition: `accepted`; `disqualified` with a `reason` (and a `note`,
/// needed for `other`); `won` with `value` and `currency`; `lost`, optionally with them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionBody {
    pub status: Disposition,
    /// For disqualified: no_budget, no_authority, no_need, bad_timing, competitor, spam or other.
    pub reason: Option<String>,
    pub note: Option<String>,
    /// The deal value in the currency's main unit (12500.50).
    #[schema(minimum = 0)]
    pub value: Option<f64>,
    /// A three-letter code such as EUR.
    pub currency: Option<String>,
}

fn cents(value: Option<f64>) -> Result<Option<i64>, ApiProblem> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && (0.0..1e13).contains(&v) => Ok(Some((v * 100.0).round() as i64)),
        Some(_) => Err(ApiProblem::invalid("value", "Give the value as a number of at least 0.")),
    }
}

fn refuse_extras(body: &DispositionBody) -> Result<(), ApiProblem> {
    let deal = matches!(body.status, Disposition::Won | Disposition::Lost);
    if !deal && (body.value.is_some() || body.currency.is_some()) {
        return Err(ApiProblem::invalid(
            if body.value.is_some() { "value" } else { "currency" },
            "A value only goes with won or lost.",
        ));
    }
    if body.status != Disposition::Disqualified && (body.reason.is_some() || body.note.is_some()) {
        return Err(ApiProblem::invalid(
            if body.reason.is_some() { "reason" } else { "note" },
            "A reason only goes with disqualified.",
        ));
    }
    Ok(())
}

/// Records what became of the lead (the CRM's closed-won feedback, or a rep's verdict).
#[utoipa::path(patch, path = "/api/v1/leads/{id}/disposition", tag = "leads", params(("id" = String, Path)),
    description = "Needs the write scope. `accepted` needs an assigned lead (409 otherwise). Each disposition is kept in the lead's history.",
    request_body = DispositionBody,
    responses((status = 200, body = LeadDetail), Problems))]
pub async fn update_disposition(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DispositionBody>,
) -> Result<Json<LeadDetail>, ApiProblem> {
    let id = path_id(&id, "lead")?;
    refuse_extras(&body)?;
    let user = &caller.user;
    let result = match body.status {
        Disposition::Accepted => inbox::accept_lead(&state.ctx, user, id).await,
        Disposition::Disqualified => {
            let Some(reason) = body.reason.as_deref() else {
                let codes: Vec<&str> = DISQUALIFY_REASONS.iter().map(|(c, _)| *c).collect();
                return Err(ApiProblem::invalid("reason", format!("Give a reason: one of {}.", codes.join(", "))));
            };
            inbox::disqualify_lead(&state.ctx, user, id, reason, body.note.as_deref().unwrap_or_default()).await
        }
        Disposition::Won => {
            let value_cents =
                cents(body.value)?.ok_or_else(|| ApiProblem::invalid("value", "A won deal needs its value."))?;
            let currency = body
                .currency
                .as_deref()
                .ok_or_else(|| ApiProblem::invalid("currency", "Give the currency, such as EUR."))?;
            deals::record_deal(&state.ctx, user, id, Deal::Won { value_cents, currency }).await
        }
        Disposition::Lost => {
            let deal = Deal::Lost { value_cents: cents(body.value)?, currency: body.currency.as_deref() };
            deals::record_deal(&state.ctx, user, id, deal).await
        }
    };
    result.map_err(|e| ApiProblem::from_app(e, "lead"))?;
    Ok(Json(detail_of(&state, id).await?))
}
