//! The form's title, introduction and behaviour switches.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::list::DoneQuery;
use super::section::{Posted, draft_to_edit, shown_refusal};
use super::view_editors::{EditChrome, SettingsPage};
use super::{form_id, page};
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
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let def = &form.draft.definition;
    let chrome = EditChrome { message: query.message(), ..EditChrome::new(user, &form, "settings") };
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
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let at = post.saving_at(&state)?;
    let get = |name: &str| post.body.get(name).unwrap_or_default().to_owned();
    let (title, intro, min_seconds) = (get("title"), get("intro"), get("min_seconds"));
    let hand_abandoned = post.body.get("hand_abandoned").is_some();
    let result = match min_seconds.trim().parse::<u32>() {
        Ok(seconds) => {
            let settings = FormSettings {
                min_seconds_before_first_answer: seconds,
                hand_abandoned_tier1_to_sales: hand_abandoned,
            };
            edits::save_settings(at, &title, Some(intro.clone()), settings).await.map(|_| ())
        }
        Err(_) => Err(AppError::invalid("min_seconds", "Enter whole seconds, like 2 (0 turns the check off).")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/forms/{}/settings?done=saved", post.id)).into_response()),
        Err(error) => {
            let (status, error) = shown_refusal(error)?;
            let form = drafts::load_form_state(&state.ctx, post.id).await?;
            let chrome = post.chrome(&form, "settings")?.refused(error);
            Ok(page(&SettingsPage { title, intro, min_seconds, hand_abandoned, chrome }, status))
        }
    }
}
