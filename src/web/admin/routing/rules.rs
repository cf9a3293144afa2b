//! Routing rules: add, edit, move up or down, delete.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::view::RulePage;
use super::{Errors, ROUTING_ROLES};
use crate::app::auth::CurrentUser;
use crate::app::routing_admin::rules::{self, RuleForm};
use crate::app::{AppError, Context};
use crate::web::AppState;
use crate::web::admin::field_errors::{parse_body, text};
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

async fn page(
    ctx: &Context,
    user: CurrentUser,
    id: Option<Uuid>,
    form: RuleForm,
    errors: Errors,
) -> Result<RulePage, PageError> {
    let choices = rules::choices(ctx).await?;
    Ok(RulePage { user, id: id.map(|i| i.to_string()), form, pools: choices.pools, handoffs: choices.handoffs, errors })
}

pub async fn show_new_rule(State(state): State<AppState>, signed_in: SignedIn) -> Result<RulePage, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    page(&state.ctx, signed_in.0, None, RuleForm::default(), Errors::default()).await
}

pub async fn show_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
) -> Result<RulePage, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = rules::load_rule(&state.ctx, rule_id).await?;
    page(&state.ctx, signed_in.0, Some(rule_id), form, Errors::default()).await
}

pub async fn create_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    let typed = rule_form(&form);
    let result = rules::create_rule(&state.ctx, &typed).await;
    respond(&state.ctx, signed_in.0, None, typed, result).await
}

pub async fn save_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    let typed = rule_form(&form);
    let result = rules::save_rule(&state.ctx, rule_id, &typed).await;
    respond(&state.ctx, signed_in.0, Some(rule_id), typed, result).await
}

async fn respond(
    ctx: &Context,
    user: CurrentUser,
    id: Option<Uuid>,
    typed: RuleForm,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to("/admin/routing").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = page(ctx, user, id, typed, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// POST with `direction` up or down.
pub async fn move_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    rules::move_rule(&state.ctx, rule_id, form.get("direction") == Some("up")).await?;
    Ok(Redirect::to("/admin/routing").into_response())
}

pub async fn delete_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    rules::delete_rule(&state.ctx, rule_id).await?;
    Ok(Redirect::to("/admin/routing").into_response())
}

fn rule_form(form: &FormBody) -> RuleForm {
    RuleForm {
        name: text(form, "name"),
        handoff: text(form, "handoff"),
        condition: text(form, "condition"),
        pool: text(form, "pool"),
    }
}
