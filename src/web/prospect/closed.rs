//! The page of an archived form: it takes no new responses, and says so
//! politely instead of a bare "not found". Responses already under way
//! keep working through their own step pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::app::{AppError, catalog};
use crate::web::AppState;
use crate::web::error::PageError;

#[derive(Template, WebTemplate)]
#[template(path = "prospect/closed.html")]
pub struct ClosedPage;

/// `error` as a page, unless the form at `slug` is archived: then 410 Gone
/// with the "closed" page.
pub async fn closed_or(state: &AppState, slug: &str, error: AppError) -> Result<Response, PageError> {
    if matches!(error, AppError::NotFound) && catalog::is_closed(&state.ctx, slug).await? {
        return Ok((StatusCode::GONE, ClosedPage).into_response());
    }
    Err(error.into())
}
