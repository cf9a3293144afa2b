//! The version history (note, who, when, what changed), rolling back to
//! an earlier version (published again as a new one), and exporting the
//! draft or any version as a YAML or JSON file.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::section::{Posted, shown_refusal};
use super::view::{CaseView, FindingView, FormNav, VersionView, VersionsPage, when};
use super::{editor, form_id, message_of, page};
use crate::app::auth::CurrentUser;
use crate::app::catalog::{self, ExportFormat};
use crate::app::drafts;
use crate::app::publishing::{self, PublishResult};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

#[derive(Deserialize)]
pub struct VersionsQuery {
    published: Option<i32>,
}

/// GET /admin/forms/{id}/versions
pub async fn show_versions(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<VersionsQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let id = form_id(&raw_id)?;
    let mut view = versions_page(&state, user, id).await?;
    if let Some(version) = query.published {
        view.message = Some(format!(
            "Version {version} is live. Responses already under way finish on the version they started with."
        ));
        // The warnings the publish let through, shown once more.
        let published = state.ctx.forms.version(&state.ctx.db, id, version).await?;
        view.warnings = FindingView::all(&crate::engine::lint(published.definition()));
    }
    Ok(page(&view, StatusCode::OK))
}

async fn versions_page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<VersionsPage, PageError> {
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let versions = publishing::list_versions(&state.ctx, id)
        .await?
        .into_iter()
        .map(|v| VersionView {
            live: Some(v.version) == form.published_version,
            version: v.version,
            note: v.note,
            when: when(v.published_at),
            who: v.published_by_name.unwrap_or_else(|| "leadgate".into()),
            changes: v.changes.0,
            restored_from: v.restored_from,
        })
        .collect();
    Ok(VersionsPage {
        user,
        nav: FormNav::new(&form, "versions"),
        versions,
        message: None,
        error: None,
        warnings: Vec::new(),
        failed_cases: Vec::new(),
        refusal: Vec::new(),
    })
}

/// POST /admin/forms/{id}/versions/{version}/rollback
pub async fn submit_rollback(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, version)): Path<(String, i32)>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let id = post.id;
    let note = post.body.get("note").unwrap_or_default();
    let result = publishing::roll_back(&state.ctx, &post.user, id, version, post.revision()?, note).await;
    let mut view = match result {
        Ok(PublishResult::Published { version: new, failed_cases, .. }) if failed_cases.is_empty() => {
            return Ok(Redirect::to(&format!("/admin/forms/{id}/versions?published={new}")).into_response());
        }
        Ok(PublishResult::Published { version: new, warnings, failed_cases }) => {
            let mut view = versions_page(&state, post.user, id).await?;
            view.message = Some(format!("Version {new} is live: it restores version {version}."));
            view.warnings = FindingView::all(&warnings);
            view.failed_cases = failed_cases.iter().map(CaseView::new).collect();
            return Ok(page(&view, StatusCode::OK));
        }
        Ok(PublishResult::Refused(refusal)) => {
            let mut view = versions_page(&state, post.user, id).await?;
            view.refusal = FindingView::all(&refusal.errors);
            view
        }
        Err(error) => {
            let (status, error) = shown_refusal(error)?;
            let mut view = versions_page(&state, post.user, id).await?;
            view.error = Some(message_of(error));
            return Ok(page(&view, status));
        }
    };
    view.message = None;
    Ok(page(&view, StatusCode::UNPROCESSABLE_ENTITY))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    version: Option<i32>,
}

/// GET /admin/forms/{id}/export?format=yaml|json&version=N: a download.
pub async fn export_definition(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    editor(&signed_in)?;
    let format = if query.format.as_deref() == Some("json") { ExportFormat::Json } else { ExportFormat::Yaml };
    let export = catalog::export_definition(&state.ctx, form_id(&raw_id)?, query.version, format).await?;
    let mut response = export.body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(export.content_type));
    let disposition = format!("attachment; filename=\"{}\"", export.filename);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
