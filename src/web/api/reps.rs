//! `/api/v1/reps`: the people leads are routed to, with their routing
//! profile (territories, segments, languages, hours' time zone, capacity).

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{ApiQuery, PageParams, Reader, paginate, path_id};
use super::forms::ListQuery;
use super::problem::{ApiProblem, Problems};
use crate::engine::Rep;
use crate::store::{self, users::UserRecord};
use crate::web::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RepView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// rep, manager or admin (managers and admins can be a pool's overflow).
    pub role: String,
    /// Takes leads now (the person and the profile are active).
    pub active: bool,
    pub territories: Vec<String>,
    pub segments: Vec<String>,
    pub seniority: Option<String>,
    pub languages: Vec<String>,
    pub time_zone: String,
    /// Most open leads at once; null for no limit.
    pub capacity: Option<u32>,
    /// Pools the rep is a member of.
    pub pools: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepList {
    pub items: Vec<RepView>,
    pub next_cursor: Option<String>,
}

async fn all_reps(state: &AppState) -> Result<Vec<RepView>, ApiProblem> {
    let mut conn = state.ctx.db.read().await?;
    let reps = store::routing::list_reps(conn.conn()).await?;
    let users = store::users::list_users(conn.conn()).await?;
    let pools = store::routing::list_pools(conn.conn()).await?;
    let mut views: Vec<RepView> = reps
        .into_iter()
        .filter_map(|rep| {
            let user = users.iter().find(|u| u.id.to_string() == rep.id)?;
            let in_pools =
                pools.iter().filter(|p| p.members.iter().any(|m| m.rep_id == rep.id)).map(|p| p.name.clone()).collect();
            Some(view(rep, user, in_pools))
        })
        .collect();
    views.sort_by_key(|r| r.id);
    Ok(views)
}

fn view(rep: Rep, user: &UserRecord, pools: Vec<String>) -> RepView {
    RepView {
        id: user.id,
        name: rep.name,
        email: user.email.clone(),
        role: user.role.clone(),
        active: rep.active,
        territories: rep.territories,
        segments: rep.segments,
        seniority: rep.seniority,
        languages: rep.languages,
        time_zone: rep.time_zone,
        capacity: rep.capacity,
        pools,
    }
}

/// Reps (and the managers and admins who can take overflow), by id.
#[utoipa::path(get, path = "/api/v1/reps", tag = "reps", params(ListQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = RepList), Problems))]
pub async fn list_reps(
    State(state): State<AppState>,
    _caller: Reader,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<RepList>, ApiProblem> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() };
    let limit = page.limit()?;
    let after = page.cursor_id("reps")?;
    let rows: Vec<RepView> = all_reps(&state)
        .await?
        .into_iter()
        .filter(|r| after.is_none_or(|a| r.id > a))
        .take(limit as usize + 1)
        .collect();
    let (items, next_cursor) = paginate(rows, limit, "reps", |r| r.id.to_string());
    Ok(Json(RepList { items, next_cursor }))
}

/// One rep.
#[utoipa::path(get, path = "/api/v1/reps/{id}", tag = "reps", params(("id" = String, Path)),
    description = "Needs the read scope.",
    responses((status = 200, body = RepView), Problems))]
pub async fn get_rep(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
) -> Result<Json<RepView>, ApiProblem> {
    let id = path_id(&id, "rep")?;
    let rep = all_reps(&state).await?.into_iter().find(|r| r.id == id);
    rep.map(Json).ok_or_else(|| ApiProblem::not_found("rep"))
}
