//! Editing the whole draft as YAML or JSON (pasted or uploaded): an import
//! into the draft, refused with every problem listed when it does not
//! parse or has lint errors, and refused when the draft changed meanwhile.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::list::{DoneQuery, definition_text, describe};
use super::section::{Posted, draft_to_edit, shown_refusal};
use super::view::FindingView;
use super::view_editors::{EditChrome, YamlPage};
use super::{form_id, page};
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
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let chrome = EditChrome { message: query.message(), ..EditChrome::new(user, &form, "yaml") };
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
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let id = post.id;
    let expected = post.saving_revision()?;
    let text = definition_text(post.body.get("file"), post.body.get("definition"));
    match catalog::import_into_draft(&state.ctx, &post.user, id, expected, &text).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}/yaml?done=imported")).into_response()),
        Err(error) => {
            let (status, error) = shown_refusal(error)?;
            let form = drafts::load_form_state(&state.ctx, id).await?;
            let chrome = post.chrome(&form, "yaml")?;
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
    }
}
