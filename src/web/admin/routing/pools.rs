//! Pools: create (from the routing page), edit on the pool's page (every
//! button saves the whole pool with its change), delete.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::reps::SavedQuery;
use super::view::{PoolPage, overview_page};
use super::{Errors, ROUTING_ROLES};
use crate::app::AppError;
use crate::app::routing_admin::pools::{self, PoolAction, PoolForm};
use crate::app::routing_admin::{self};
use crate::web::AppState;
use crate::web::admin::field_errors::{parse_body, text};
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

pub async fn create_pool(
    State(state): State<AppState>,
    signed_in: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    let typed = PoolForm { members: Vec::new(), ..pool_form(&form) };
    match pools::create_pool(&state.ctx, &typed).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/routing/pools/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let overview = routing_admin::overview(&state.ctx).await?;
            let page = overview_page(signed_in.0, overview, typed, Errors(errors), state.ctx.clock.now());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn show_pool(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(pool_id): Path<Uuid>,
    Query(query): Query<SavedQuery>,
) -> Result<PoolPage, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let loaded = pools::load_pool(&state.ctx, pool_id).await?;
    let mut page = PoolPage::new(signed_in.0, pool_id.to_string(), loaded.form, loaded.people, &loaded.counts);
    page.saved = query.saved.is_some();
    Ok(page)
}

/// POST: `action` is save, up:N, down:N, remove:N or add.
pub async fn save_pool(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(pool_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    let mut typed = pool_form(&form);
    let applied = typed.apply(&pool_action(&form)).map_err(|e| AppError::Invalid(vec![e]));
    let result = match applied {
        Ok(()) => pools::save_pool(&state.ctx, pool_id, &typed).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/routing/pools/{pool_id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let loaded = pools::load_pool(&state.ctx, pool_id).await?;
            let mut page = PoolPage::new(signed_in.0, pool_id.to_string(), typed, loaded.people, &loaded.counts);
            page.errors = Errors(errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn delete_pool(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(pool_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    match pools::delete_pool(&state.ctx, pool_id).await {
        Ok(()) => Ok(Redirect::to("/admin/routing").into_response()),
        Err(AppError::Conflict(message)) => {
            let loaded = pools::load_pool(&state.ctx, pool_id).await?;
            let mut page = PoolPage::new(signed_in.0, pool_id.to_string(), loaded.form, loaded.people, &loaded.counts);
            page.conflict = Some(message);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn pool_form(form: &FormBody) -> PoolForm {
    let weights = form.all("weight");
    PoolForm {
        name: text(form, "name"),
        strategy: text(form, "strategy"),
        overflow: text(form, "overflow"),
        members: form
            .all("member")
            .into_iter()
            .zip(weights.into_iter().chain(std::iter::repeat(String::new())))
            .collect(),
    }
}

fn pool_action(form: &FormBody) -> PoolAction {
    let action = form.get("action").unwrap_or("save");
    let (verb, index) = action.split_once(':').unwrap_or((action, ""));
    let index = index.parse::<usize>().ok();
    match (verb, index) {
        ("up", Some(i)) => PoolAction::Up(i),
        ("down", Some(i)) => PoolAction::Down(i),
        ("remove", Some(i)) => PoolAction::Remove(i),
        ("add", _) => PoolAction::Add { rep_id: text(form, "add_member"), weight: text(form, "add_weight") },
        _ => PoolAction::Save,
    }
}
