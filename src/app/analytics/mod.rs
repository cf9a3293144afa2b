//! Analytics per form and version over a date range: views, starts,
//! finishes and the funnel along the paths taken; the outcome distribution
//! against the healthy band; speed to lead; the Tier 1 booking rate;
//! reps' verdicts by source; and abandoned Tier 1 responses. Figures are computed here, in Rust, over the
//! bounded rows the store selects (bots excluded, and counted apart).

pub mod booking_rate;
mod figures;
pub mod stats;
pub mod tiers;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

pub use booking_rate::BookingRate;
pub use figures::{FunnelStep, GroupShare, OutcomeShare, SourceVerdicts, SpeedRow};

use super::forms::PublishedForm;
use super::{AppError, Context};
use crate::store::analytics::{ResponseFacts, Window};
use crate::store::forms::FormRow;
use crate::store::quality::AlertRecord;
use crate::store::{self};

/// Settings of the source-quality alert and the abandoned handoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyticsSettings {
    pub source_alert_threshold_percent: u32,
    pub source_alert_min_leads: u32,
    pub source_alert_window_days: u32,
    pub abandoned_after_minutes: u32,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        AnalyticsSettings {
            source_alert_threshold_percent: 50,
            source_alert_min_leads: 20,
            source_alert_window_days: 7,
            abandoned_after_minutes: 30,
        }
    }
}

/// Which figures: a form, a version (None: every version), days included.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub slug: String,
    pub version: Option<i32>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The default range: the last 30 days up to today.
pub fn default_range(now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let today = now.date_naive();
    (today - Duration::days(29), today)
}

/// An unfinished response that looked like the top tier.
#[derive(Debug, Clone)]
pub struct AbandonedRow {
    pub response_id: uuid::Uuid,
    pub last_answer_at: DateTime<Utc>,
    pub answered: usize,
    pub email: Option<String>,
    pub handed_to_sales: bool,
}

/// Every figure of the analytics page.
#[derive(Debug, Clone)]
pub struct Report {
    pub form: FormRow,
    pub query: ReportQuery,
    pub views: i64,
    pub starts: usize,
    pub finishes: usize,
    pub bots: usize,
    pub funnel: Vec<FunnelStep>,
    pub median_finish_seconds: Option<i64>,
    pub outcomes: Vec<OutcomeShare>,
    pub groups: Vec<GroupShare>,
    pub speed_overall: SpeedRow,
    pub speed_by_pool: Vec<SpeedRow>,
    pub speed_by_rep: Vec<SpeedRow>,
    pub fallbacks: i64,
    /// Per version with Tier 1 leads, then the total (when several).
    pub booking_rates: Vec<BookingRate>,
    pub verdicts: Vec<SourceVerdicts>,
    pub abandoned: Vec<AbandonedRow>,
    pub alerts: Vec<AlertRecord>,
}

/// The forms analytics can be shown for.
pub async fn list_forms(ctx: &Context) -> Result<Vec<FormRow>, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::forms::list_forms(conn.conn()).await?)
}

/// The window of a query, from the first day's start to the end of the last.
pub fn window(form_id: uuid::Uuid, query: &ReportQuery) -> Window {
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    Window { form_id, version: query.version, from: start(query.from), to: start(query.to) + Duration::days(1) }
}

/// Computes the report. Views counted in memory are written first.
pub async fn report(ctx: &Context, query: ReportQuery) -> Result<Report, AppError> {
    if query.to < query.from {
        return Err(AppError::invalid("to", "The end date must not be before the start date."));
    }
    ctx.views.flush(&ctx.db).await?;
    let mut conn = ctx.db.read().await?;
    let form = store::form_queries::find_form_by_slug(conn.conn(), &query.slug).await?.ok_or(AppError::NotFound)?;
    let shown_version = query.version.or(form.published_version).ok_or(AppError::NotFound)?;
    let w = window(form.id, &query);
    let views = store::views::sum_views(conn.conn(), form.id, query.version, query.from, query.to).await?;
    let responses = store::analytics::list_responses(conn.conn(), w).await?;
    let leads = store::analytics::list_leads(conn.conn(), w).await?;
    let idle_since = ctx.clock.now() - Duration::minutes(i64::from(ctx.analytics.abandoned_after_minutes));
    let idle = store::analytics::list_idle_responses(conn.conn(), form.id, idle_since, 200).await?;
    let alerts_since = ctx.clock.now() - Duration::days(i64::from(ctx.analytics.source_alert_window_days));
    let alerts = store::quality::list_alerts(conn.conn(), alerts_since).await?;
    drop(conn);
    let definition = ctx.forms.version(&ctx.db, form.id, shown_version).await?;
    let humans: Vec<&ResponseFacts> = responses.iter().filter(|r| !r.is_bot).collect();
    let finished: Vec<&ResponseFacts> = humans.iter().copied().filter(|r| r.status == "finished").collect();
    let durations: Vec<i64> =
        finished.iter().filter_map(|r| Some((r.finished_at? - r.started_at).num_seconds())).collect();
    let (outcomes, groups) = figures::outcome_shares(definition.definition(), &finished);
    let (speed_overall, speed_by_pool, speed_by_rep) = figures::speed(&leads);
    let booking_rates = tier1_booking_rates(ctx, form.id, &leads).await?;
    Ok(Report {
        views,
        starts: humans.len(),
        finishes: finished.len(),
        bots: responses.len() - humans.len(),
        funnel: figures::funnel(definition.definition(), &humans),
        median_finish_seconds: stats::median(&durations),
        outcomes,
        groups,
        speed_overall,
        speed_by_pool,
        speed_by_rep,
        fallbacks: leads.iter().map(|l| l.fallbacks).sum(),
        booking_rates,
        verdicts: figures::verdicts(&leads),
        abandoned: abandoned_rows(ctx, &idle).await?,
        alerts,
        form,
        query,
    })
}

/// The booking rate, each lead judged by the version it answered.
async fn tier1_booking_rates(
    ctx: &Context,
    form_id: uuid::Uuid,
    leads: &[crate::store::analytics::LeadFacts],
) -> Result<Vec<BookingRate>, AppError> {
    let versions: std::collections::BTreeSet<i32> = leads.iter().map(|l| l.version).collect();
    let mut forms = Vec::new();
    for version in versions {
        forms.push(ctx.forms.version(&ctx.db, form_id, version).await?);
    }
    let definitions = forms.iter().map(|f| (f.version, f.definition())).collect();
    Ok(booking_rate::booking_rates(leads, &definitions))
}

async fn abandoned_rows(ctx: &Context, idle: &[ResponseFacts]) -> Result<Vec<AbandonedRow>, AppError> {
    let mut rows = Vec::new();
    for response in idle {
        let form: Arc<PublishedForm> = ctx.forms.version(&ctx.db, response.form_id, response.version).await?;
        if !super::abandoned::is_abandoned_top_tier(&form, response) {
            continue;
        }
        let email = form
            .compiled
            .lead_fields(&response.answers)
            .into_iter()
            .find(|(field, _)| field.as_str() == "email")
            .map(|(_, value)| value);
        rows.push(AbandonedRow {
            response_id: response.id,
            last_answer_at: response.updated_at,
            answered: response.answers.0.len(),
            email,
            handed_to_sales: response.lead_id.is_some() && response.abandoned_at.is_some(),
        });
    }
    Ok(rows)
}
