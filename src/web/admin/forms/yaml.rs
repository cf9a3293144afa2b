//! Editing the whole draft as YAML or JSON (pasted or uploaded): an import
//! into the draft, refused with every problem listed when it does not
//! parse or has lint errors, and refused when the draft changed meanwhile.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::list::{DoneQuery, definition_text, describe};
use super::view::{FindingView, FormNav};
use super::view_editors::{EditChrome, YamlPage};
use super::{checked_body, done_message, editor, form_id, page, posted_revision, refused_status};
use crate::app::catalog;
use crate::app::{AppError, drafts};
use crate::engine;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// GET /admin/forms/{id}/yaml
pub async fn show_yaml(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(&raw_id)?).await?;
    let mut chrome = EditChrome::new(user, FormNav::new(&form, "yaml"));
    chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    let view = YamlPage {
        text: engine::to_yaml(&form.draft.definition),
        problems: Vec::new(),
        findings: FindingView::all(&engine::lint(&form.draft.definition)),
        chrome,
    };
    Ok(page(&view, StatusCode::OK))
}

/// POST /admin/forms/{id}/yaml
pub async fn submit_yaml(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let revision = posted_revision(&body)?;
    let expected = body.get("overwrite_revision").and_then(|r| r.parse().ok()).unwrap_or(revision);
    let text = definition_text(body.get("file"), body.get("definition"));
    match catalog::import_into_draft(&state.ctx, &user, id, expected, &text).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}/yaml?done=imported")).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let form = drafts::load_form_state(&state.ctx, id).await?;
            let chrome = EditChrome { revision, ..EditChrome::new(user, FormNav::new(&form, "yaml")) };
            let problems = match &error {
                AppError::Invalid(errors) => errors.iter().map(describe).collect(),
                _ => Vec::new(),
            };
            let chrome = match error {
                AppError::Conflict(_) => chrome.refused(error),
                _ => chrome,
            };
            let findings = FindingView::all(&engine::lint(&form.draft.definition));
            Ok(page(&YamlPage { chrome, text, problems, findings }, status))
        }
        Err(other) => Err(other.into()),
    }
}
