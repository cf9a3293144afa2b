//! Named lists (competitor domains, job-title words, countries...): add,
//! rename, change and delete (refused while a condition uses the list).

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::list::DoneQuery;
use super::refused_status;
use super::view::FormNav;
use super::view_editors::{EditChrome, ListView, ListsPage};
use super::{checked_body, done_message, edit_context, editor, form_id, message_of, page, posted_revision};
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts;
use crate::app::editor as edits;
use crate::engine::list_references;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// GET /admin/forms/{id}/lists
pub async fn show_lists(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let mut view = lists_page(&state, user, form_id(&raw_id)?).await?;
    view.chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    Ok(page(&view, StatusCode::OK))
}

async fn lists_page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<ListsPage, PageError> {
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let def = &form.draft.definition;
    let lists = def
        .lists
        .iter()
        .map(|(name, entries)| ListView {
            name: name.clone(),
            entries: entries.join("\n"),
            used_by: list_references(def, name),
        })
        .collect();
    Ok(ListsPage {
        chrome: EditChrome::new(user, FormNav::new(&form, "lists")),
        lists,
        failed: None,
        new_name: String::new(),
        new_entries: String::new(),
    })
}

/// POST /admin/forms/{id}/lists: adds a list, or saves one (`original`).
pub async fn submit_list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let original = body.get("original").filter(|o| !o.is_empty());
    let name = body.get("name").unwrap_or_default();
    let entries: Vec<String> = body.get("entries").unwrap_or_default().lines().map(str::to_owned).collect();
    let revision = posted_revision(&body)?;
    let at = edit_context(&state, &user, id, revision);
    match edits::save_list(at, original, name, entries).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}/lists?done=saved")).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let mut view = lists_page(&state, user, id).await?;
            let typed = body.get("entries").unwrap_or_default().to_owned();
            match original {
                Some(original) => {
                    if let Some(list) = view.lists.iter_mut().find(|l| l.name == original) {
                        list.entries = typed;
                    }
                }
                None => (view.new_name, view.new_entries) = (name.to_owned(), typed),
            }
            view.failed = Some(original.unwrap_or_default().to_owned());
            view.chrome = match error {
                AppError::Conflict(message) => EditChrome { error: Some(message), revision, ..view.chrome },
                other => EditChrome { revision, ..view.chrome }.refused(other),
            };
            Ok(page(&view, status))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /admin/forms/{id}/lists/delete (the list named `original`).
pub async fn submit_delete_list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let name = body.get("original").unwrap_or_default();
    let at = edit_context(&state, &user, id, posted_revision(&body)?);
    match edits::delete_list(at, name).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}/lists?done=deleted")).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let mut view = lists_page(&state, user, id).await?;
            view.chrome.error = Some(message_of(error));
            Ok(page(&view, status))
        }
        Err(other) => Err(other.into()),
    }
}
