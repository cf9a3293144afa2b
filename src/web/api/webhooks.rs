//! `/api/v1/webhooks`: endpoints (create, list, delete), a test delivery
//! through the outbox, and each endpoint's delivery log.

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
use crate::app::webhooks::{self, EndpointInput};
use crate::store::{self, webhooks::EndpointRecord};
use crate::web::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    /// Subscribed event types; empty means every event.
    pub events: Vec<String>,
    /// `standard` (Standard Webhooks JSON) or `chat` (`{"text": ...}`).
    pub format: String,
    pub allow_private: bool,
}

impl From<EndpointRecord> for WebhookView {
    fn from(e: EndpointRecord) -> Self {
        WebhookView { id: e.id, url: e.url, events: e.event_types.0, format: e.format, allow_private: e.allow_private }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<WebhookView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    #[default]
    Standard,
    Chat,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    /// http(s) address; private and loopback addresses are refused unless allowed.
    pub url: String,
    /// Event types to send (lead.assigned, lead.reassigned, lead.accepted, lead.disqualified, lead.unassigned, lead.nurture, lead.taken_back, lead.won, lead.lost, source.quality_alert, booking.created, booking.cancelled, booking.rescheduled, booking.unavailable); empty for every event.
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub format: BodyFormat,
    #[serde(default)]
    pub allow_private: bool,
}

/// A new endpoint and its signing secret (shown only here).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    pub webhook: WebhookView,
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestQueued {
    /// The notice id, sent as `webhook-id`.
    pub notice_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    pub notice_id: Uuid,
    /// The receiver's HTTP status; null when it did not answer.
    pub status: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryView>,
    pub next_cursor: Option<String>,
}

/// Webhook endpoints, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", params(ListQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = WebhookList), Problems))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    _caller: Reader,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<WebhookList>, ApiProblem> {
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() };
    let limit = page.limit()?;
    let before = page.cursor_id("webhooks")?;
    let mut conn = state.ctx.db.read().await?;
    let mut rows = store::webhooks::list_endpoints(conn.conn()).await?;
    rows.sort_by_key(|e| std::cmp::Reverse(e.id));
    let rows: Vec<EndpointRecord> =
        rows.into_iter().filter(|e| before.is_none_or(|b| e.id < b)).take(limit as usize + 1).collect();
    let (rows, next_cursor) = paginate(rows, limit, "webhooks", |e| e.id.to_string());
    Ok(Json(WebhookList { items: rows.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Adds an endpoint; the response carries its signing secret, once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    description = "Needs the write scope.",
    request_body = WebhookBody,
    responses((status = 201, body = WebhookCreated), Problems))]
pub async fn create_webhook(
    State(state): State<AppState>,
    _caller: Writer,
    ApiJson(body): ApiJson<WebhookBody>,
) -> Result<Response, ApiProblem> {
    let input = EndpointInput {
        url: body.url,
        event_types: body.events,
        chat_format: matches!(body.format, BodyFormat::Chat),
        allow_private: body.allow_private,
    };
    let (id, secret) = webhooks::create_endpoint(&state.ctx, input).await.map_err(|e| match e {
        crate::app::AppError::Invalid(mut fields) => {
            for f in &mut fields {
                if f.field == "events" || f.field == "event_types" {
                    f.field = "events".into();
                }
            }
            ApiProblem::from(crate::app::AppError::Invalid(fields))
        }
        other => ApiProblem::from(other),
    })?;
    let mut conn = state.ctx.db.read().await?;
    let record =
        store::webhooks::find_endpoint(conn.conn(), id).await?.ok_or_else(|| ApiProblem::not_found("webhook"))?;
    Ok((StatusCode::CREATED, Json(WebhookCreated { webhook: record.into(), secret })).into_response())
}

/// Removes an endpoint and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    description = "Needs the write scope.",
    responses((status = 204, description = "Removed"), Problems))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    _caller: Writer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiProblem> {
    let id = path_id(&id, "webhook")?;
    webhooks::delete_endpoint(&state.ctx, id).await.map_err(|e| ApiProblem::from_app(e, "webhook"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a signed `test` event to the endpoint through the outbox.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks", params(("id" = String, Path)),
    description = "Needs the write scope. The delivery shows in the endpoint's log.",
    responses((status = 202, body = TestQueued), Problems))]
pub async fn test_webhook(
    State(state): State<AppState>,
    _caller: Writer,
    Path(id): Path<String>,
) -> Result<Response, ApiProblem> {
    let id = path_id(&id, "webhook")?;
    let notice_id = webhooks::send_test(&state.ctx, id).await.map_err(|e| ApiProblem::from_app(e, "webhook"))?;
    Ok((StatusCode::ACCEPTED, Json(TestQueued { notice_id })).into_response())
}

/// The endpoint's delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = String, Path), ListQuery),
    description = "Needs the read scope.",
    responses((status = 200, body = DeliveryList), Problems))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<DeliveryList>, ApiProblem> {
    let id = path_id(&id, "webhook")?;
    let page = PageParams { limit: query.limit, cursor: query.cursor.clone() };
    let limit = page.limit()?;
    let before = page.cursor_id("deliveries")?;
    let mut conn = state.ctx.db.read().await?;
    store::webhooks::find_endpoint(conn.conn(), id).await?.ok_or_else(|| ApiProblem::not_found("webhook"))?;
    let rows = store::webhooks::list_delivery_page(conn.conn(), id, before, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, "deliveries", |d| d.id.to_string());
    let items = rows
        .into_iter()
        .map(|d| DeliveryView {
            id: d.id,
            notice_id: d.notice_id,
            status: d.status,
            duration_ms: d.duration_ms,
            error: d.error,
            at: d.created_at,
        })
        .collect();
    Ok(Json(DeliveryList { items, next_cursor }))
}
