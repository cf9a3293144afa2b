//! `/admin/forms`: the list with counts, creating, importing, duplicating,
//! archiving and restoring forms.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::builder::Errors;
use super::section::Posted;
use super::view::{FormRowView, FormsPage, status_label, when};
use super::{checked_body, done_message, editor, form_id, page};
use crate::app::auth::CurrentUser;
use crate::app::catalog::{self, NewForm};
use crate::app::{AppError, FieldError};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

#[derive(Deserialize)]
pub struct DoneQuery {
    pub(super) done: Option<String>,
}

impl DoneQuery {
    /// What the action that led here did, for the page to say.
    pub(super) fn message(&self) -> Option<String> {
        done_message(self.done.as_deref()).map(str::to_owned)
    }
}

/// GET /admin/forms
pub async fn show_forms(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let mut forms = forms_page(&state, user).await?;
    forms.message = query.message();
    Ok(page(&forms, StatusCode::OK))
}

async fn forms_page(state: &AppState, user: CurrentUser) -> Result<FormsPage, PageError> {
    let rows = catalog::list_forms(&state.ctx)
        .await?
        .into_iter()
        .map(|f| FormRowView {
            id: f.id.to_string(),
            status: status_label(f.status == "archived", f.published_version),
            archived: f.status == "archived",
            title: f.title,
            slug: f.slug,
            started: f.started,
            finished: f.finished,
            leads: f.leads,
            updated: when(f.updated_at),
        })
        .collect();
    Ok(FormsPage {
        user,
        rows,
        title: String::new(),
        slug: String::new(),
        errors: Errors::new(),
        import_text: String::new(),
        import_errors: Vec::new(),
        message: None,
        error: None,
    })
}

fn field_errors(errors: Vec<FieldError>) -> Errors {
    errors.into_iter().map(|e| (e.field, e.message)).collect()
}

/// POST /admin/forms: a new form from a title and an address.
pub async fn submit_create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    request: Request,
) -> Result<Response, PageError> {
    let form = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let new = NewForm {
        title: form.get("title").unwrap_or_default().into(),
        slug: form.get("slug").unwrap_or_default().into(),
    };
    match catalog::create_form(&state.ctx, &user, &new).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/forms/{id}?done=created")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut forms = forms_page(&state, user).await?;
            (forms.title, forms.slug, forms.errors) = (new.title, new.slug, field_errors(errors));
            Ok(page(&forms, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /admin/forms/import: a new form from a pasted or uploaded file.
pub async fn submit_import(
    State(state): State<AppState>,
    signed_in: SignedIn,
    request: Request,
) -> Result<Response, PageError> {
    let form = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let text = definition_text(form.get("file"), form.get("definition"));
    match catalog::import_new_form(&state.ctx, &user, &text).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/forms/{id}?done=imported")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut forms = forms_page(&state, user).await?;
            forms.import_errors = errors.into_iter().map(|e| describe(&e)).collect();
            forms.import_text = text;
            Ok(page(&forms, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other.into()),
    }
}

/// The uploaded file when one was chosen, else the pasted text.
pub(super) fn definition_text(file: Option<&str>, pasted: Option<&str>) -> String {
    match file.filter(|f| !f.trim().is_empty()) {
        Some(file) => file.to_owned(),
        None => pasted.unwrap_or_default().to_owned(),
    }
}

/// "question size: The question needs ..." (a lint finding or parse error).
pub(super) fn describe(error: &FieldError) -> String {
    if error.field == "definition" { error.message.clone() } else { format!("{}: {}", error.field, error.message) }
}

/// POST /admin/forms/{id}/duplicate
pub async fn submit_duplicate(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let new = NewForm {
        title: post.body.get("title").unwrap_or_default().into(),
        slug: post.body.get("slug").unwrap_or_default().into(),
    };
    match catalog::duplicate_form(&state.ctx, &post.user, post.id, &new).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/forms/{id}?done=created")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut forms = forms_page(&state, post.user).await?;
            let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            forms.error = Some(format!("The form was not duplicated: {}", messages.join(" ")));
            Ok(page(&forms, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /admin/forms/{id}/archive
pub async fn submit_archive(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    catalog::archive_form(&state.ctx, &post.user, post.id).await?;
    Ok(Redirect::to("/admin/forms?done=archived").into_response())
}

/// POST /admin/forms/{id}/restore
pub async fn submit_restore(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    catalog::restore_form(&state.ctx, &post.user, post.id).await?;
    Ok(Redirect::to("/admin/forms?done=restored").into_response())
}
