//! A rep's manual busy blocks through the API (`app::calendar_settings`):
//! listed with the ones read from their calendar feed, added, removed.
//! No slot is offered that touches one, with the buffer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{ApiJson, ApiQuery, PageParams, Reader, Writer, paginate, path_id};
use super::forms::ListQuery;
use super::problem::{ApiProblem, Problems};
use crate::app::{calendar, calendar_settings};
use crate::store::calendars::BusyBlockRecord;
use crate::web::AppState;

/// Time a rep cannot meet.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusyBlockView {
    pub id: Uuid,
    /// `manual` (added by hand or through the API) or `feed` (read from the rep's calendar feed).
    pub source: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: String,
}

impl From<BusyBlockRecord> for BusyBlockView {
    fn from(b: BusyBlockRecord) -> Self {
        BusyBlockView { id: b.id, source: b.source, starts_at: b.starts_at, ends_at: b.ends_at, note: b.note }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BusyBlockList {
    pub items: Vec<BusyBlockView>,
    pub next_cursor: Option<String>,
}

/// A new manual busy block.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusyBlockBody {
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`, at most 90 days later.
    pub ends_at: DateTime<Utc>,
    /// At most 200 characters.
    #[serde(default)]
    pub note: String,
}

/// The rep's busy blocks still to come, earliest first.
#[utoipa::path(get, path = "/api/v1/reps/{id}/busy-blocks", tag = "reps", params(("id" = String, Path), ListQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = BusyBlockList), Problems))]
pub async fn list_busy_blocks(
    State(state): State<AppState>,
    Reader(caller): Reader,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<BusyBlockList>, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() };
    let limit = page.limit()?;
    let after = page.cursor_id("busy-blocks")?;
    let blocks = calendar_settings::upcoming_blocks(&state.ctx, &caller.user, rep_id).await;
    let blocks = blocks.map_err(|e| ApiProblem::from_app(e, "rep"))?;
    // Blocks come by start; the cursor is the last one's id, found again in the same order.
    let start = after.map_or(0, |a| blocks.iter().position(|b| b.id == a).map_or(blocks.len(), |i| i + 1));
    let rows: Vec<BusyBlockRecord> = blocks.into_iter().skip(start).take(limit as usize + 1).collect();
    let (rows, next_cursor) = paginate(rows, limit, "busy-blocks", |b| b.id.to_string());
    Ok(Json(BusyBlockList { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Adds a manual busy block: no slot is offered that touches it (with the buffer).
#[utoipa::path(post, path = "/api/v1/reps/{id}/busy-blocks", tag = "reps", params(("id" = String, Path)),
    description = "Needs the write scope.",
    request_body = BusyBlockBody,
    responses((status = 201, body = BusyBlockView), Problems))]
pub async fn create_busy_block(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BusyBlockBody>,
) -> Result<Response, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let span = (body.starts_at, body.ends_at);
    let block_id = calendar_settings::add_block_at(&state.ctx, &caller.user, rep_id, span, &body.note).await;
    let block_id = block_id.map_err(|e| ApiProblem::from_app(e, "rep"))?;
    let view = BusyBlockView {
        id: block_id,
        source: "manual".into(),
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        note: body.note.trim().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Removes a manual busy block (feed blocks follow the feed).
#[utoipa::path(delete, path = "/api/v1/reps/{id}/busy-blocks/{block_id}", tag = "reps",
    params(("id" = String, Path), ("block_id" = String, Path)),
    description = "Needs the write scope.",
    responses((status = 204, description = "Removed"), Problems))]
pub async fn delete_busy_block(
    State(state): State<AppState>,
    Writer(caller): Writer,
    Path((id, block_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let block_id = path_id(&block_id, "busy block")?;
    calendar::delete_block(&state.ctx, &caller.user, rep_id, block_id)
        .await
        .map_err(|e| ApiProblem::from_app(e, "busy block"))?;
    Ok(StatusCode::NO_CONTENT)
}
