//! `/api/v1/forms`: forms, their published versions (with what each
//! changed), export, and lint. Creating forms and changing drafts are in
//! `form_drafts`, publishing in `form_publish`, test cases in `form_cases`.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{ApiQuery, PageParams, Reader, body_bytes, paginate};
use super::form_view::LintFinding;
use super::problem::{ApiProblem, Problems};
use crate::app::catalog;
use crate::engine::{self, FormDefinition};
use crate::store::{self, forms::FormRow};
use crate::web::AppState;

/// A form, without its definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// `active` or `archived`.
    pub status: String,
    /// The version prospects answer now; null before the first publish.
    pub published_version: Option<i32>,
}

impl From<FormRow> for FormSummary {
    fn from(f: FormRow) -> Self {
        FormSummary { id: f.id, slug: f.slug, title: f.title, status: f.status, published_version: f.published_version }
    }
}

/// A page of forms.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormList {
    pub items: Vec<FormSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// One published version with its definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormVersion {
    pub form: FormSummary,
    pub version: i32,
    /// The form definition (questions, scoring, lists, outcomes, settings), as exported.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
}

/// A published version, without its definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    pub version: i32,
    pub note: String,
    pub published_at: DateTime<Utc>,
    /// Who published it (null for versions leadgate published itself).
    pub published_by: Option<String>,
    /// What changed since the version that was live before, in words.
    pub changes: Vec<String>,
    /// For a rollback: the version whose definition it restored.
    pub restored_from: Option<i32>,
    /// This is the version prospects answer now.
    pub live: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    pub items: Vec<VersionSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many items (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListQuery {
    fn page(&self) -> PageParams {
        PageParams { limit: self.limit, cursor: self.cursor.clone() }
    }
}

/// List forms, newest first.
#[utoipa::path(get, path = "/api/v1/forms", tag = "forms", params(ListQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = FormList), Problems))]
pub async fn list_forms(
    State(state): State<AppState>,
    _caller: Reader,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<FormList>, ApiProblem> {
    let page = query.page();
    let limit = page.limit()?;
    let mut conn = state.ctx.db.read().await?;
    let rows = store::form_queries::list_form_page(conn.conn(), page.cursor_id("forms")?, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, "forms", |f| f.id.to_string());
    Ok(Json(FormList { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// The form at `slug` (any status, published or not).
pub(super) async fn form_by_slug(state: &AppState, slug: &str) -> Result<FormRow, ApiProblem> {
    let mut conn = state.ctx.db.read().await?;
    let form = store::form_queries::find_form_by_slug(conn.conn(), slug).await?;
    form.ok_or_else(|| ApiProblem::not_found("form"))
}

async fn version_definition(
    state: &AppState,
    form: &FormRow,
    version: Option<i32>,
) -> Result<(i32, FormDefinition), ApiProblem> {
    let version = version.or(form.published_version).ok_or_else(|| ApiProblem::not_found("published version"))?;
    let published = state.ctx.forms.version(&state.ctx.db, form.id, version).await;
    let published = published.map_err(|e| ApiProblem::from_app(e, "version"))?;
    Ok((version, published.definition().clone()))
}

pub(super) fn definition_json(definition: &FormDefinition) -> Result<serde_json::Value, ApiProblem> {
    serde_json::to_value(definition).map_err(|e| ApiProblem::from(crate::app::AppError::Internal(e.into())))
}

/// The published version of a form.
#[utoipa::path(get, path = "/api/v1/forms/{slug}", tag = "forms", params(("slug" = String, Path)),
    description = "Needs the read scope.",
    responses((status = 200, body = FormVersion), Problems))]
pub async fn get_form(
    State(state): State<AppState>,
    _caller: Reader,
    Path(slug): Path<String>,
) -> Result<Json<FormVersion>, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    let (version, definition) = version_definition(&state, &form, None).await?;
    Ok(Json(FormVersion { definition: definition_json(&definition)?, version, form: form.into() }))
}

/// The published versions of a form, newest first.
#[utoipa::path(get, path = "/api/v1/forms/{slug}/versions", tag = "forms", params(("slug" = String, Path), ListQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = VersionList), Problems))]
pub async fn list_versions(
    State(state): State<AppState>,
    _caller: Reader,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<VersionList>, ApiProblem> {
    let page = query.page();
    let limit = page.limit()?;
    let before = match page.cursor("versions")? {
        Some(key) => Some(
            key.parse::<i32>()
                .map_err(|_| ApiProblem::bad_request("cursor", "This cursor is not one this list gave out."))?,
        ),
        None => None,
    };
    let form = form_by_slug(&state, &slug).await?;
    let mut conn = state.ctx.db.read().await?;
    let rows = store::form_queries::list_version_page(conn.conn(), form.id, before, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, "versions", |v| v.version.to_string());
    let items = rows
        .into_iter()
        .map(|v| VersionSummary {
            live: Some(v.version) == form.published_version,
            version: v.version,
            note: v.note,
            published_at: v.published_at,
            published_by: v.published_by_name,
            changes: v.changes.0,
            restored_from: v.restored_from,
        })
        .collect();
    Ok(Json(VersionList { items, next_cursor }))
}

/// One published version of a form.
#[utoipa::path(get, path = "/api/v1/forms/{slug}/versions/{version}", tag = "forms",
    params(("slug" = String, Path), ("version" = String, Path, description = "A version number")),
    description = "Needs the read scope.",
    responses((status = 200, body = FormVersion), Problems))]
pub async fn get_version(
    State(state): State<AppState>,
    _caller: Reader,
    Path((slug, version)): Path<(String, String)>,
) -> Result<Json<FormVersion>, ApiProblem> {
    let version: i32 = version.parse().map_err(|_| ApiProblem::not_found("version"))?;
    let form = form_by_slug(&state, &slug).await?;
    let (version, definition) = version_definition(&state, &form, Some(version)).await?;
    Ok(Json(FormVersion { definition: definition_json(&definition)?, version, form: form.into() }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `yaml` (default) or `json`.
    #[param(inline)]
    pub format: Option<ExportFormat>,
    /// A published version (default: the current one).
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Yaml,
    Json,
}

impl From<ExportFormat> for catalog::ExportFormat {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Yaml => catalog::ExportFormat::Yaml,
            ExportFormat::Json => catalog::ExportFormat::Json,
        }
    }
}

/// The editor's export (`version: None` for the draft) as a download.
pub(super) async fn export_file(
    state: &AppState,
    form: &FormRow,
    version: Option<i32>,
    format: Option<ExportFormat>,
) -> Result<Response, ApiProblem> {
    let format = format.unwrap_or(ExportFormat::Yaml).into();
    let export = catalog::export_definition(&state.ctx, form.id, version, format).await;
    let export = export.map_err(|e| ApiProblem::from_app(e, "version"))?;
    let mut response = export.body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(export.content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.filename)) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A published definition as a file to keep in git (YAML or JSON).
#[utoipa::path(get, path = "/api/v1/forms/{slug}/export", tag = "forms", params(("slug" = String, Path), ExportQuery),
    description = "Needs the read scope. The file can be linted (`POST /api/v1/lint`) and imported again.",
    responses(
        (status = 200, description = "The definition file", content(
            (Object = "application/yaml"),
            (Object = "application/json"))),
        Problems))]
pub async fn export_form(
    State(state): State<AppState>,
    _caller: Reader,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    let version = query.version.or(form.published_version).ok_or_else(|| ApiProblem::not_found("published version"))?;
    export_file(&state, &form, Some(version), query.format).await
}

/// What lint found.
#[derive(Debug, Serialize, ToSchema)]
pub struct LintReport {
    /// True when there are no errors (warnings do not block publishing).
    pub publishable: bool,
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<LintFinding>,
}

/// Lints a definition sent as JSON or YAML; nothing is stored.
#[utoipa::path(post, path = "/api/v1/lint", tag = "forms",
    description = "Needs the read scope (nothing changes). Send the definition as `application/json` or `application/yaml`; a definition that cannot be read at all is a 422 naming the line and field.",
    request_body(description = "A form definition", content(
        (Object = "application/json"),
        (Object = "application/yaml"))),
    responses((status = 200, body = LintReport), Problems))]
pub async fn lint_definition(
    State(state): State<AppState>,
    _caller: Reader,
    request: Request,
) -> Result<Json<LintReport>, ApiProblem> {
    let is_yaml =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("yaml"));
    let bytes =
        body_bytes(request, &state, &["application/json", "application/yaml", "application/x-yaml", "text/yaml"])
            .await?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| ApiProblem::bad_request("body", "The body is not UTF-8 text."))?;
    let parsed = if is_yaml { engine::parse_definition_yaml(text) } else { engine::parse_definition_json(text) };
    let definition = parsed.map_err(|e| ApiProblem::invalid("definition", e.to_string()))?;
    let findings = engine::lint(&definition);
    let errors = findings.iter().filter(|f| f.is_error()).count();
    Ok(Json(LintReport {
        publishable: errors == 0,
        errors,
        warnings: findings.len() - errors,
        findings: LintFinding::all(&findings),
    }))
}
