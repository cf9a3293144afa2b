//! Scoring rules: the list (move, delete) and one rule's edit page with
//! its reason, points and condition builder. Rules are numbered from 1 in
//! the address; the draft revision makes a stale number harmless.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use uuid::Uuid;

use super::builder_catalog::Catalog;
use super::builder_view::{BuilderView, condition_text};
use super::list::DoneQuery;
use super::rule_forms::{RuleForm, WHEN};
use super::view::FormNav;
use super::view_editors::{EditChrome, RulePage, RuleRowView, RulesPage};
use super::{checked_body, done_message, edit_context, editor, form_id, html, page, posted_revision, see_other};
use super::{message_of, refused_status, wants_fragment};
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts::{self, FormState};
use crate::app::editor::{self as edits, Move};
use crate::engine::points;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// GET /admin/forms/{id}/scoring
pub async fn show_rules(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let mut view = rules_page(&state, user, form_id(&raw_id)?).await?;
    view.chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    Ok(page(&view, StatusCode::OK))
}

async fn rules_page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<RulesPage, PageError> {
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let def = &form.draft.definition;
    let catalog = Catalog::for_form(def, false);
    let count = def.scoring.len();
    let rules = def
        .scoring
        .iter()
        .enumerate()
        .map(|(i, rule)| RuleRowView {
            number: i + 1,
            reason: rule.reason.clone(),
            points: points(rule.fit, rule.intent),
            when: condition_text(Some(&rule.when), &catalog),
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    Ok(RulesPage { chrome: EditChrome::new(user, FormNav::new(&form, "scoring")), rules })
}

/// GET /admin/forms/{id}/scoring/new
pub async fn show_new_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(&raw_id)?).await?;
    let typed = RuleForm::new_rule(&Catalog::for_form(&form.draft.definition, false));
    let view = rule_page(EditChrome::new(user, FormNav::new(&form, "scoring")), &form, None, typed);
    Ok(page(&view, StatusCode::OK))
}

/// GET /admin/forms/{id}/scoring/{number}
pub async fn show_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(&raw_id)?).await?;
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let rule = form.draft.definition.scoring.get(index).ok_or(AppError::NotFound)?;
    let mut chrome = EditChrome::new(user, FormNav::new(&form, "scoring"));
    chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    Ok(page(&rule_page(chrome, &form, Some(number), RuleForm::from_rule(rule)), StatusCode::OK))
}

fn rule_page(chrome: EditChrome, form: &FormState, number: Option<usize>, typed: RuleForm) -> RulePage {
    let catalog = Catalog::for_form(&form.draft.definition, false);
    let base = format!("/admin/forms/{}/scoring", form.draft.form_id);
    RulePage {
        action: number.map(|n| format!("{base}/{n}")).unwrap_or_else(|| format!("{base}/new")),
        heading: number.map(|n| format!("Scoring rule {n}")).unwrap_or_else(|| "New scoring rule".into()),
        builder: BuilderView::new(&typed.when, WHEN, &catalog, &chrome.errors),
        reason: typed.reason,
        fit: typed.fit,
        intent: typed.intent,
        chrome,
    }
}

/// POST /admin/forms/{id}/scoring/new
pub async fn submit_new_rule(
    state: State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    save(state, signed_in, form_id(&raw_id)?, None, request).await
}

/// POST /admin/forms/{id}/scoring/{number}
pub async fn submit_rule(
    state: State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    number.checked_sub(1).ok_or(PageError(AppError::NotFound))?;
    save(state, signed_in, form_id(&raw_id)?, Some(number), request).await
}

/// A builder button re-renders; a save stores the rule.
async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    id: Uuid,
    number: Option<usize>,
    request: Request,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let catalog = Catalog::for_form(&form.draft.definition, false);
    let mut typed = RuleForm::parse(&body);
    let revision = posted_revision(&body)?;
    let overwrite = body.get("overwrite_revision").and_then(|r| r.parse::<i64>().ok());
    let chrome = EditChrome { revision, ..EditChrome::new(user.clone(), FormNav::new(&form, "scoring")) };
    if overwrite.is_none() && typed.apply(body.get("action").unwrap_or("save"), &catalog) {
        return Ok(respond(&headers, rule_page(chrome, &form, number, typed), StatusCode::OK));
    }
    let rule = match typed.to_rule(&catalog) {
        Ok(rule) => rule,
        Err(errors) => {
            let view = rule_page(EditChrome { errors, ..chrome }, &form, number, typed);
            return Ok(respond(&headers, view, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let at = edit_context(&state, &user, id, overwrite.unwrap_or(revision));
    match edits::save_rule(at, number.map(|n| n - 1), rule).await {
        Ok(draft) => {
            let saved = number.unwrap_or(draft.definition.scoring.len());
            Ok(see_other(&headers, &format!("/admin/forms/{id}/scoring/{saved}?done=saved")))
        }
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let chrome = chrome.refused(error);
            Ok(respond(&headers, rule_page(chrome, &form, number, typed), status))
        }
        Err(other) => Err(other.into()),
    }
}

fn respond(headers: &HeaderMap, view: RulePage, status: StatusCode) -> Response {
    let rendered = if wants_fragment(headers) {
        askama::Template::render(&view.as_editor())
    } else {
        askama::Template::render(&view)
    };
    html(rendered, status)
}

/// POST /admin/forms/{id}/scoring/{number}/move
pub async fn submit_move_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let direction = if body.get("direction") == Some("up") { Move::Up } else { Move::Down };
    let at = edit_context(&state, &user, id, posted_revision(&body)?);
    let index = number.checked_sub(1).ok_or(PageError(AppError::NotFound))?;
    let result = edits::move_rule(at, index, direction).await;
    after_list_edit(&state, user, id, result, "saved").await
}

/// POST /admin/forms/{id}/scoring/{number}/delete
pub async fn submit_delete_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let at = edit_context(&state, &user, id, posted_revision(&body)?);
    let index = number.checked_sub(1).ok_or(PageError(AppError::NotFound))?;
    let result = edits::delete_rule(at, index).await;
    after_list_edit(&state, user, id, result, "deleted").await
}

async fn after_list_edit(
    state: &AppState,
    user: CurrentUser,
    id: Uuid,
    result: Result<drafts::Draft, AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(axum::response::IntoResponse::into_response(Redirect::to(&format!(
            "/admin/forms/{id}/scoring?done={done}"
        )))),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let mut view = rules_page(state, user, id).await?;
            view.chrome.error = Some(message_of(error));
            Ok(page(&view, status))
        }
        Err(other) => Err(other.into()),
    }
}
