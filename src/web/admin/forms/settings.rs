//! The form's title, introduction and behaviour switches.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::builder::Errors;
use super::list::DoneQuery;
use super::view::FormNav;
use super::view_editors::{EditChrome, SettingsPage};
use super::{checked_body, done_message, edit_context, editor, form_id, page, posted_revision, refused_status};
use crate::app::AppError;
use crate::app::drafts;
use crate::app::editor as edits;
use crate::engine::FormSettings;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// GET /admin/forms/{id}/settings
pub async fn show_settings(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(&raw_id)?).await?;
    let def = &form.draft.definition;
    let mut chrome = EditChrome::new(user, FormNav::new(&form, "settings"));
    chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    let view = SettingsPage {
        title: def.title.clone(),
        intro: def.intro.clone().unwrap_or_default(),
        min_seconds: def.settings.min_seconds_before_first_answer.to_string(),
        hand_abandoned: def.settings.hand_abandoned_tier1_to_sales,
        chrome,
    };
    Ok(page(&view, StatusCode::OK))
}

/// POST /admin/forms/{id}/settings
pub async fn submit_settings(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let revision = posted_revision(&body)?;
    let overwrite = body.get("overwrite_revision").and_then(|r| r.parse::<i64>().ok());
    let get = |name: &str| body.get(name).unwrap_or_default().to_owned();
    let (title, intro, min_seconds) = (get("title"), get("intro"), get("min_seconds"));
    let hand_abandoned = body.get("hand_abandoned").is_some();
    let result = match min_seconds.trim().parse::<u32>() {
        Ok(seconds) => {
            let settings = FormSettings {
                min_seconds_before_first_answer: seconds,
                hand_abandoned_tier1_to_sales: hand_abandoned,
            };
            let at = edit_context(&state, &user, id, overwrite.unwrap_or(revision));
            edits::save_settings(at, &title, Some(intro.clone()), settings).await.map(|_| ())
        }
        Err(_) => Err(AppError::invalid("min_seconds", "Enter whole seconds, like 2 (0 turns the check off).")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/forms/{id}/settings?done=saved")).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let form = drafts::load_form_state(&state.ctx, id).await?;
            let chrome = EditChrome {
                revision,
                errors: Errors::new(),
                ..EditChrome::new(user, FormNav::new(&form, "settings"))
            };
            let view = SettingsPage { title, intro, min_seconds, hand_abandoned, chrome: chrome.refused(error) };
            Ok(page(&view, status))
        }
        Err(other) => Err(other.into()),
    }
}
