//! `/admin/analytics`: per form and version, over a date range (default the
//! last 30 days); CSV exports of its leads and responses. For admins,
//! marketers and managers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::charts::{BarChart, Row, bar_chart};
use crate::app::analytics::stats::format_seconds;
use crate::app::analytics::{self, Report, ReportQuery};
use crate::app::auth::{CurrentUser, Role};
use crate::app::{AppError, export};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// Who reads analytics.
pub const ANALYTICS_ROLES: [Role; 3] = [Role::Admin, Role::Marketer, Role::Manager];

#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsParams {
    form: Option<String>,
    /// A version number, or `all`.
    version: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

pub struct FormOption {
    pub slug: String,
    pub title: String,
    pub selected: bool,
    /// Never published: there is nothing to count yet.
    pub draft_only: bool,
}

/// The chosen form has no published version: why the page has no figures.
pub struct Unpublished {
    pub title: String,
    /// The form's editor, for those who may publish it.
    pub editor_url: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/analytics.html")]
pub struct AnalyticsPage {
    pub user: CurrentUser,
    pub forms: Vec<FormOption>,
    pub version: String,
    pub from: String,
    pub to: String,
    /// A refused filter: (field, message), shown beside that field.
    pub error: Option<(String, String)>,
    pub unpublished: Option<Unpublished>,
    pub report: Option<Report>,
    pub funnel_chart: Option<BarChart>,
    pub outcome_chart: Option<BarChart>,
    pub export_query: String,
}

impl AnalyticsPage {
    /// The message for a refused filter field.
    pub fn err(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn duration(&self, seconds: &Option<i64>) -> String {
        seconds.map(format_seconds).unwrap_or_else(|| "–".into())
    }

    /// All routed leads, then each pool, then each rep.
    pub fn speed_rows(&self) -> Vec<&crate::app::analytics::SpeedRow> {
        let Some(r) = &self.report else { return Vec::new() };
        std::iter::once(&r.speed_overall).chain(&r.speed_by_pool).chain(&r.speed_by_rep).collect()
    }

    pub fn cents(&self, cents: &i64) -> String {
        crate::app::deals::format_cents(*cents)
    }
}

/// Which version the person asked for.
enum VersionChoice {
    Published,
    All,
    Number(i32),
}

fn parse_query(
    params: &AnalyticsParams,
    slug: String,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(ReportQuery, VersionChoice), AppError> {
    let (default_from, default_to) = analytics::default_range(now);
    let date = |field: &str, raw: &Option<String>, default: NaiveDate| match raw
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => Ok(default),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| AppError::invalid(field, "Enter a date like 2026-11-18.")),
    };
    let choice = match params.version.as_deref().map(str::trim) {
        None | Some("") | Some("current") => VersionChoice::Published,
        Some("all") => VersionChoice::All,
        Some(n) => VersionChoice::Number(
            n.parse().map_err(|_| AppError::invalid("version", "Choose a version number or all."))?,
        ),
    };
    let from = date("from", &params.from, default_from)?;
    let to = date("to", &params.to, default_to)?;
    Ok((ReportQuery { slug, version: None, from, to }, choice))
}

/// GET /admin/analytics
pub async fn show_analytics(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<AnalyticsParams>,
) -> Result<Response, PageError> {
    let user = signed_in.require(&ANALYTICS_ROLES)?.clone();
    let forms = analytics::list_forms(&state.ctx).await?;
    let slug = params.form.clone().or_else(|| forms.first().map(|f| f.slug.clone())).unwrap_or_default();
    let options = forms
        .iter()
        .map(|f| FormOption {
            slug: f.slug.clone(),
            title: f.title.clone(),
            selected: f.slug == slug,
            draft_only: f.published_version.is_none(),
        })
        .collect();
    let mut page = AnalyticsPage {
        user,
        forms: options,
        version: params.version.clone().unwrap_or_default(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        error: None,
        unpublished: None,
        report: None,
        funnel_chart: None,
        outcome_chart: None,
        export_query: String::new(),
    };
    if slug.is_empty() {
        return Ok(page.into_response());
    }
    let Some(form) = forms.iter().find(|f| f.slug == slug) else {
        let message = "There is no form at that address: choose one of the forms listed.";
        page.error = Some(("form".into(), message.into()));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let Some(latest) = form.published_version else {
        let may_edit = crate::web::admin::EDITOR_ROLES.contains(&page.user.role);
        let editor_url = may_edit.then(|| format!("/admin/forms/{}", form.id));
        page.unpublished = Some(Unpublished { title: form.title.clone(), editor_url });
        return Ok(page.into_response());
    };
    let result = match parse_query(&params, slug, state.ctx.clock.now()) {
        Ok((_, VersionChoice::Number(n))) if !(1..=latest).contains(&n) => Err(AppError::invalid(
            "version",
            format!("This form has versions 1 to {latest}: choose one of them, or all."),
        )),
        Ok((query, choice)) => analytics::report(&state.ctx, resolve(&state, query, choice).await?).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(report) => {
            fill(&mut page, report);
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            page.error = errors.into_iter().next().map(|e| (e.field, e.message));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// Fills in the version: the published one unless another (or all) was asked for.
async fn resolve(state: &AppState, mut query: ReportQuery, choice: VersionChoice) -> Result<ReportQuery, PageError> {
    query.version = match choice {
        VersionChoice::All => None,
        VersionChoice::Number(n) => Some(n),
        VersionChoice::Published => {
            let mut conn = state.ctx.db.read().await.map_err(PageError::from)?;
            let form = crate::store::form_queries::find_form_by_slug(conn.conn(), &query.slug).await?;
            form.and_then(|f| f.published_version)
        }
    };
    Ok(query)
}

fn fill(page: &mut AnalyticsPage, report: Report) {
    page.from = report.query.from.to_string();
    page.to = report.query.to.to_string();
    page.version = report.query.version.map(|v| v.to_string()).unwrap_or_else(|| "all".into());
    page.export_query =
        format!("form={}&version={}&from={}&to={}", report.query.slug, page.version, page.from, page.to);
    let max_reached = report.funnel.iter().map(|s| s.reached).max().unwrap_or(0) as f64;
    let funnel_rows = report
        .funnel
        .iter()
        .map(|s| Row {
            label: s.label.clone(),
            value: s.reached as f64,
            part: s.stopped as f64,
            text: format!("{} reached, {} stopped ({}%)", s.reached, s.stopped, s.drop_off_percent()),
            band: None,
        })
        .collect();
    page.funnel_chart =
        Some(bar_chart("Responses reaching each question; the darker part stopped there", funnel_rows, max_reached));
    let outcome_rows = report
        .groups
        .iter()
        .map(|g| Row {
            label: g.group.label().to_string(),
            value: g.percent,
            part: 0.0,
            text: format!("{}% ({}), healthy {}–{}%", g.percent, g.count, g.band.0, g.band.1),
            band: Some((f64::from(g.band.0), f64::from(g.band.1))),
        })
        .collect();
    page.outcome_chart =
        Some(bar_chart("Share of finished responses, with the usual healthy band behind", outcome_rows, 100.0));
    page.report = Some(report);
}

fn csv_response(body: String, name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn export_query(state: &AppState, params: &AnalyticsParams) -> Result<ReportQuery, PageError> {
    let slug = params.form.clone().ok_or_else(|| PageError(AppError::invalid("form", "Choose a form.")))?;
    let (query, choice) = parse_query(params, slug, state.ctx.clock.now())?;
    resolve(state, query, choice).await
}

/// GET /admin/analytics/leads.csv
pub async fn export_leads(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<AnalyticsParams>,
) -> Result<Response, PageError> {
    signed_in.require(&ANALYTICS_ROLES)?;
    let query = export_query(&state, &params).await?;
    let body = export::leads_csv(&state.ctx, &query).await?;
    Ok(csv_response(body, &format!("{}-leads-{}-{}.csv", query.slug, query.from, query.to)))
}

/// GET /admin/analytics/responses.csv
pub async fn export_responses(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<AnalyticsParams>,
) -> Result<Response, PageError> {
    signed_in.require(&ANALYTICS_ROLES)?;
    let query = export_query(&state, &params).await?;
    let body = export::responses_csv(&state.ctx, &query).await?;
    Ok(csv_response(body, &format!("{}-responses-{}-{}.csv", query.slug, query.from, query.to)))
}
