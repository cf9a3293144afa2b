//! What the editor's sections share, so that each section's handlers say
//! only what is particular to it: the draft a GET shows, an edit as
//! posted, the answer after an edit (a redirect, or the page again with
//! why it was refused), and the show, move and delete handlers of the
//! sections with a list page of their own.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::list::DoneQuery;
use super::view_editors::EditChrome;
use super::{checked_body, edit_context, editor, form_id, html, message_of, page, posted_revision, refused_status};
use super::{see_other, wants_fragment};
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts::{self, Draft, FormState};
use crate::app::editor::{EditContext, Move};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

/// For a GET: the signed-in editor and the draft of the form in the path.
pub(super) async fn draft_to_edit(
    state: &AppState,
    signed_in: &SignedIn,
    raw_id: &str,
) -> Result<(CurrentUser, FormState), PageError> {
    let user = editor(signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(raw_id)?).await?;
    Ok((user, form))
}

/// An item's index from its number in the address, which counts from 1.
pub(super) fn item_index(number: usize) -> Result<usize, PageError> {
    number.checked_sub(1).ok_or(PageError(AppError::NotFound))
}

/// A refusal a page shows again (typing that does not validate, or a
/// stale draft), with its status; any other error is the error page.
pub(super) fn shown_refusal(error: AppError) -> Result<(StatusCode, AppError), PageError> {
    match error {
        AppError::Invalid(_) | AppError::Conflict(_) => Ok((refused_status(&error), error)),
        other => Err(other.into()),
    }
}

/// An edit as posted about one form: the body (role and CSRF checked),
/// who sent it, and the headers its answer depends on.
pub(super) struct Posted {
    pub id: Uuid,
    pub user: CurrentUser,
    pub body: FormBody,
    pub headers: HeaderMap,
}

impl Posted {
    pub async fn read(state: &AppState, signed_in: &SignedIn, id: Uuid, request: Request) -> Result<Posted, PageError> {
        let headers = request.headers().clone();
        let body = checked_body(state, signed_in, request).await?;
        let user = editor(signed_in)?;
        Ok(Posted { id, user, body, headers })
    }

    /// The draft revision the page was made from.
    pub fn revision(&self) -> Result<i64, PageError> {
        posted_revision(&self.body)
    }

    /// The revision a save is checked against: the newer one "Save mine
    /// over theirs" overwrites, else the page's own.
    pub fn saving_revision(&self) -> Result<i64, PageError> {
        let revision = self.revision()?;
        Ok(self.overwrite().unwrap_or(revision))
    }

    fn overwrite(&self) -> Option<i64> {
        self.body.get("overwrite_revision").and_then(|r| r.parse().ok())
    }

    /// The edit, at the page's revision.
    pub fn at<'a>(&'a self, state: &'a AppState) -> Result<EditContext<'a>, PageError> {
        Ok(edit_context(state, &self.user, self.id, self.revision()?))
    }

    /// The save, at the revision it is checked against.
    pub fn saving_at<'a>(&'a self, state: &'a AppState) -> Result<EditContext<'a>, PageError> {
        Ok(edit_context(state, &self.user, self.id, self.saving_revision()?))
    }

    /// Which way a move goes.
    pub fn direction(&self) -> Move {
        if self.body.get("direction") == Some("up") { Move::Up } else { Move::Down }
    }

    /// The builder button pressed ("save" when none); none at all when the
    /// post overwrites a newer draft, which is always a save.
    pub fn builder_action(&self) -> Option<&str> {
        self.overwrite().is_none().then(|| self.body.get("action").unwrap_or("save"))
    }

    /// An edit page's chrome around what was posted, at the page's revision.
    pub fn chrome(&self, form: &FormState, tab: &'static str) -> Result<EditChrome, PageError> {
        Ok(EditChrome { revision: self.revision()?, ..EditChrome::new(self.user.clone(), form, tab) })
    }

    /// An edit page again: whole, or for htmx only its editor form.
    pub fn respond(&self, view: &impl EditorPage, status: StatusCode) -> Response {
        html(if wants_fragment(&self.headers) { view.render_editor() } else { view.render() }, status)
    }

    /// After a save: 303 to `url`, or for htmx a client-side redirect.
    pub fn see_other(&self, url: &str) -> Response {
        see_other(&self.headers, url)
    }
}

/// A page with an `editor` block, which htmx swaps on its own.
pub(super) trait EditorPage: Template {
    fn render_editor(&self) -> askama::Result<String>;
}

/// An editor section with a list page of its own (scoring rules,
/// outcomes, named lists), which a refused edit made from it shows again.
pub(super) trait Section {
    /// The section's address after `/admin/forms/{id}/`.
    const PATH: &'static str;
    type Page: Template;

    /// The list page of form `id`'s draft.
    fn page(
        state: &AppState,
        user: CurrentUser,
        id: Uuid,
    ) -> impl Future<Output = Result<Self::Page, PageError>> + Send;

    fn chrome(page: &mut Self::Page) -> &mut EditChrome;
}

/// A section whose items are numbered from 1 in the address: edited on a
/// builder page, moved and deleted from the list.
pub(super) trait Numbered: Section {
    /// A post of the item's page (`None`: a new item): a builder button
    /// shows the page again, a save stores the item.
    fn save(
        state: AppState,
        signed_in: SignedIn,
        id: Uuid,
        number: Option<usize>,
        request: Request,
    ) -> impl Future<Output = Result<Response, PageError>> + Send;

    fn move_item(
        at: EditContext<'_>,
        index: usize,
        direction: Move,
    ) -> impl Future<Output = Result<Draft, AppError>> + Send;

    fn delete_item(at: EditContext<'_>, index: usize) -> impl Future<Output = Result<Draft, AppError>> + Send;
}

/// GET the section's list page, saying what the edit that led there did.
pub(super) async fn show<S: Section>(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let mut view = S::page(&state, user, form_id(&raw_id)?).await?;
    S::chrome(&mut view).message = query.message();
    Ok(page(&view, StatusCode::OK))
}

/// POST `{section}/new`.
pub(super) async fn submit_new<S: Numbered>(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    S::save(state, signed_in, form_id(&raw_id)?, None, request).await
}

/// POST `{section}/{number}`.
pub(super) async fn submit_item<S: Numbered>(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    item_index(number)?;
    S::save(state, signed_in, form_id(&raw_id)?, Some(number), request).await
}

/// POST `{section}/{number}/move`: one place up or down.
pub(super) async fn move_item<S: Numbered>(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let at = post.at(&state)?;
    let result = S::move_item(at, item_index(number)?, post.direction()).await;
    after_edit::<S, _>(&state, post, result, "saved").await
}

/// POST `{section}/{number}/delete`.
pub(super) async fn delete_item<S: Numbered>(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let at = post.at(&state)?;
    let result = S::delete_item(at, item_index(number)?).await;
    after_edit::<S, _>(&state, post, result, "deleted").await
}

/// After an edit made from the section's list page: back to it saying
/// `done`, or the page again with why the edit was refused.
pub(super) async fn after_edit<S: Section, T>(
    state: &AppState,
    post: Posted,
    result: Result<T, AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{}/{}?done={done}", post.id, S::PATH)).into_response()),
        Err(error) => {
            let (status, error) = shown_refusal(error)?;
            let mut view = S::page(state, post.user, post.id).await?;
            S::chrome(&mut view).error = Some(message_of(error));
            Ok(page(&view, status))
        }
    }
}
