//! `/admin/routing`: reps and their hours, pools and their members, and
//! routing rules, for managers and admins (others get 403). Every POST
//! checks the CSRF token; a refused form comes back with 422, the message
//! beside its field and what was typed kept.

mod pools;
mod reps;
mod rules;
mod view;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};

use crate::app::auth::Role;
use crate::app::routing_admin::{self, pools::PoolForm};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use view::{RoutingPage, overview_page};

use super::field_errors::Errors;

/// Who changes routing.
pub const ROUTING_ROLES: [Role; 2] = [Role::Admin, Role::Manager];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/routing", get(show_routing))
        .route("/admin/routing/reps/{user_id}", get(reps::show_rep).post(reps::save_rep))
        .route("/admin/routing/pools", post(pools::create_pool))
        .route("/admin/routing/pools/{pool_id}", get(pools::show_pool).post(pools::save_pool))
        .route("/admin/routing/pools/{pool_id}/delete", post(pools::delete_pool))
        .route("/admin/routing/rules", post(rules::create_rule))
        .route("/admin/routing/rules/new", get(rules::show_new_rule))
        .route("/admin/routing/rules/{rule_id}", get(rules::show_rule).post(rules::save_rule))
        .route("/admin/routing/rules/{rule_id}/move", post(rules::move_rule))
        .route("/admin/routing/rules/{rule_id}/delete", post(rules::delete_rule))
}

async fn show_routing(State(state): State<AppState>, signed_in: SignedIn) -> Result<RoutingPage, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let overview = routing_admin::overview(&state.ctx).await?;
    let new_pool = PoolForm { strategy: "round_robin".into(), ..Default::default() };
    Ok(overview_page(signed_in.0, overview, new_pool, Errors::default(), state.ctx.clock.now()))
}
