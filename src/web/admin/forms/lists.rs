//! Named lists (competitor domains, job-title words, countries...): add,
//! rename, change and delete (refused while a condition uses the list).

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::section::{Posted, Section, after_edit, shown_refusal};
use super::view_editors::{EditChrome, ListView, ListsPage};
use super::{form_id, page};
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts;
use crate::app::editor as edits;
use crate::engine::list_references;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// The named lists conditions test against.
pub struct Lists;

/// GET /admin/forms/{id}/lists, and the page a refused delete shows again.
impl Section for Lists {
    const PATH: &'static str = "lists";
    type Page = ListsPage;

    async fn page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<ListsPage, PageError> {
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
            chrome: EditChrome::new(user, &form, "lists"),
            lists,
            failed: None,
            new_name: String::new(),
            new_entries: String::new(),
        })
    }

    fn chrome(page: &mut ListsPage) -> &mut EditChrome {
        &mut page.chrome
    }
}

/// POST /admin/forms/{id}/lists: adds a list, or saves one (`original`).
pub async fn submit_list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let (id, body) = (post.id, &post.body);
    let original = body.get("original").filter(|o| !o.is_empty());
    let name = body.get("name").unwrap_or_default();
    let entries: Vec<String> = body.get("entries").unwrap_or_default().lines().map(str::to_owned).collect();
    let revision = post.revision()?;
    let result = edits::save_list(post.at(&state)?, original, name, entries).await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}/lists?done=saved")).into_response()),
        Err(error) => {
            let (status, error) = shown_refusal(error)?;
            let mut view = Lists::page(&state, post.user, id).await?;
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
    }
}

/// POST /admin/forms/{id}/lists/delete (the list named `original`).
pub async fn submit_delete_list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let result = edits::delete_list(post.at(&state)?, post.body.get("original").unwrap_or_default()).await;
    after_edit::<Lists, _>(&state, post, result, "deleted").await
}
