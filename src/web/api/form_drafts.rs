//! Creating forms and changing their drafts through the form editor's use
//! cases (`app::catalog`, `app::drafts`): create (title and slug, or a whole
//! definition), read the draft with its revision, replace it (refused with
//! 409 when it changed since that revision, naming who changed it), import
//! a definition file into it (lint first), and export it.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiQuery, Reader, Writer, body_bytes, parse_json};
use super::form_view::{DraftView, EditView, LintFinding};
use super::forms::{ExportFormat, definition_json, export_file, form_by_slug};
use super::problem::{ApiProblem, Problems};
use crate::app::catalog::{self, NewForm};
use crate::app::{AppError, drafts};
use crate::engine::{self, FormDefinition};
use crate::web::AppState;

/// A new form: a title and a slug (the draft starts as a small valid
/// form), or a whole definition (linted first; its slug is the address).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFormBody {
    pub title: Option<String>,
    /// The public address `/f/{slug}`: 1 to 64 lowercase letters, digits and dashes.
    pub slug: Option<String>,
    /// Instead of title and slug: the whole definition, as exported.
    #[schema(value_type = Option<Object>)]
    pub definition: Option<Box<FormDefinition>>,
}

/// The whole draft, replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// The draft's revision this change was made from (`revision` of `GET …/draft`).
    pub revision: i64,
    /// The definition; the form keeps its slug whatever this one names.
    #[schema(value_type = Object)]
    pub definition: Box<FormDefinition>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionQuery {
    /// The draft's revision the file replaces.
    pub revision: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `yaml` (default) or `json`.
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

/// Media types of a definition file.
const FILE_TYPES: [&str; 4] = ["application/json", "application/yaml", "application/x-yaml", "text/yaml"];

/// A use-case error of a draft change; a stale revision says what to do next.
pub(super) fn draft_problem(error: AppError) -> ApiProblem {
    match error {
        AppError::Conflict(message) if message.ends_with(drafts::STALE_ADVICE) => {
            let core = message.trim_end_matches(drafts::STALE_ADVICE);
            ApiProblem::conflict(format!("{core} Read the draft again and apply your change to its revision."))
        }
        other => ApiProblem::from_app(other, "form"),
    }
}

/// The draft of the form `form_id` as sent back.
pub(super) async fn draft_view(state: &AppState, form_id: uuid::Uuid) -> Result<DraftView, ApiProblem> {
    let form_state = drafts::load_form_state(&state.ctx, form_id).await.map_err(draft_problem)?;
    let last = drafts::draft_history(&state.ctx, form_id, 1).await?;
    let definition = &form_state.draft.definition;
    Ok(DraftView {
        form: super::forms::FormSummary {
            id: form_id,
            slug: form_state.draft.slug.clone(),
            title: definition.title.clone(),
            status: if form_state.archived { "archived" } else { "active" }.into(),
            published_version: form_state.published_version,
        },
        revision: form_state.draft.revision,
        has_unpublished_changes: form_state.has_unpublished_changes,
        definition: definition_json(definition)?,
        findings: LintFinding::all(&engine::lint(definition)),
        last_change: last.into_iter().next().map(EditView::from),
    })
}

fn created(view: DraftView) -> Response {
    let location = format!("/api/v1/forms/{}/draft", view.form.slug);
    let mut response = (StatusCode::CREATED, axum::Json(view)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The body of a definition file as text.
async fn file_text(request: Request, state: &AppState) -> Result<String, ApiProblem> {
    let bytes = body_bytes(request, state, &FILE_TYPES).await?;
    String::from_utf8(bytes.to_vec()).map_err(|_| ApiProblem::bad_request("body", "The body is not UTF-8 text."))
}

fn is_json(request: &Request) -> bool {
    let media = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    media.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json")
}

/// Creates a form; nothing is published until `POST …/publish`.
#[utoipa::path(post, path = "/api/v1/forms", tag = "forms",
    description = "Needs the write scope. As `application/json`: `{\"title\", \"slug\"}` (a starter draft: a work-email question and one outcome) \
        or `{\"definition\": {…}}`. As `application/yaml`: a definition file. A definition is linted first: errors refuse it (422, each finding named). \
        A slug another form uses is a 422 on `slug`.",
    request_body(description = "Title and slug, or a definition", content(
        (CreateFormBody = "application/json"),
        (Object = "application/yaml"))),
    responses((status = 201, body = DraftView, headers(("location" = String, description = "The new form's draft"))), Problems))]
pub async fn create_form(
    State(state): State<AppState>,
    Writer(caller): Writer,
    request: Request,
) -> Result<Response, ApiProblem> {
    let user = &caller.user;
    let form_id = if is_json(&request) {
        let bytes = body_bytes(request, &state, &["application/json"]).await?;
        let body: CreateFormBody = parse_json(&bytes)?;
        match (body.definition, body.title.is_some() || body.slug.is_some()) {
            (Some(_), true) => {
                return Err(ApiProblem::invalid("definition", "Send either a definition or a title and a slug."));
            }
            (Some(definition), false) => catalog::create_form_from_definition(&state.ctx, user, *definition).await,
            (None, _) => {
                let new = NewForm { title: body.title.unwrap_or_default(), slug: body.slug.unwrap_or_default() };
                catalog::create_form(&state.ctx, user, &new).await
            }
        }
    } else {
        let text = file_text(request, &state).await?;
        catalog::import_new_form(&state.ctx, user, &text).await
    };
    let form_id = form_id.map_err(draft_problem)?;
    Ok(created(draft_view(&state, form_id).await?))
}

/// The form's draft with its revision and lint findings.
#[utoipa::path(get, path = "/api/v1/forms/{slug}/draft", tag = "forms", params(("slug" = String, Path)),
    description = "Needs the read scope.",
    responses((status = 200, body = DraftView), Problems))]
pub async fn get_draft(
    State(state): State<AppState>,
    _caller: Reader,
    Path(slug): Path<String>,
) -> Result<axum::Json<DraftView>, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    Ok(axum::Json(draft_view(&state, form.id).await?))
}

/// Replaces the whole draft, when it is still at `revision`.
#[utoipa::path(put, path = "/api/v1/forms/{slug}/draft", tag = "forms", params(("slug" = String, Path)),
    description = "Needs the write scope. A draft may have lint errors while it is being worked on: they come back in `findings` \
        and block only publishing. 409 when the draft changed since `revision`, naming who changed it, when and what.",
    request_body = DraftBody,
    responses((status = 200, body = DraftView), Problems))]
pub async fn update_draft(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<DraftBody>,
) -> Result<axum::Json<DraftView>, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    drafts::save_draft(&state.ctx, &caller.user, form.id, body.revision, *body.definition)
        .await
        .map_err(draft_problem)?;
    Ok(axum::Json(draft_view(&state, form.id).await?))
}

/// Replaces the draft with a definition file, after the lint.
#[utoipa::path(post, path = "/api/v1/forms/{slug}/draft/import", tag = "forms", params(("slug" = String, Path), RevisionQuery),
    description = "Needs the write scope. Send the file as `application/yaml` or `application/json`. A file that cannot be read is a 422 on \
        `definition` naming the line; lint errors refuse it (422, each finding named); 409 when the draft changed since `revision`.",
    request_body(description = "A definition file", content(
        (Object = "application/json"),
        (Object = "application/yaml"))),
    responses((status = 200, body = DraftView), Problems))]
pub async fn import_draft(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<RevisionQuery>,
    request: Request,
) -> Result<axum::Json<DraftView>, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    let text = file_text(request, &state).await?;
    catalog::import_into_draft(&state.ctx, &caller.user, form.id, query.revision, &text)
        .await
        .map_err(draft_problem)?;
    Ok(axum::Json(draft_view(&state, form.id).await?))
}

/// The draft as a file (YAML or JSON).
#[utoipa::path(get, path = "/api/v1/forms/{slug}/draft/export", tag = "forms", params(("slug" = String, Path), FormatQuery),
    description = "Needs the read scope. Published versions export at `GET /api/v1/forms/{slug}/export?version=`.",
    responses(
        (status = 200, description = "The definition file", content(
            (Object = "application/yaml"),
            (Object = "application/json"))),
        Problems))]
pub async fn export_draft(
    State(state): State<AppState>,
    _caller: Reader,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<FormatQuery>,
) -> Result<Response, ApiProblem> {
    let form = form_by_slug(&state, &slug).await?;
    export_file(&state, &form, None, query.format).await
}
