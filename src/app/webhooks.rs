//! Outgoing webhook endpoints, configured by admins.

use uuid::Uuid;

use super::{AppError, Context};
use crate::notify::webhook;
use crate::store::{self, webhooks::NewEndpoint};

/// Events a webhook can subscribe to.
pub const EVENT_TYPES: [&str; 14] = [
    "lead.assigned",
    "lead.reassigned",
    "lead.accepted",
    "lead.disqualified",
    "lead.unassigned",
    "lead.nurture",
    "lead.taken_back",
    "lead.won",
    "lead.lost",
    "source.quality_alert",
    "booking.created",
    "booking.cancelled",
    "booking.rescheduled",
    "booking.unavailable",
];

/// What an admin typed to add an endpoint.
#[derive(Debug, Clone, Default, validator::Validate)]
pub struct EndpointInput {
    #[validate(url(message = "Enter the full address, starting with https://."), length(max = 2000))]
    pub url: String,
    pub event_types: Vec<String>,
    pub chat_format: bool,
    pub allow_private: bool,
}

/// Adds an endpoint after checking its address; returns its id and secret.
pub async fn create_endpoint(ctx: &Context, input: EndpointInput) -> Result<(Uuid, String), AppError> {
    validator::Validate::validate(&input)?;
    let url = input.url.trim().to_string();
    if let Some(unknown) = input.event_types.iter().find(|e| !EVENT_TYPES.contains(&e.as_str())) {
        return Err(AppError::invalid("events", format!("Unknown event type {unknown}.")));
    }
    webhook::check_target(&url, input.allow_private).await.map_err(|e| AppError::invalid("url", e.to_string()))?;
    let secret = webhook::generate_secret();
    let id = Uuid::now_v7();
    let mut tx = ctx.db.begin().await?;
    let endpoint = NewEndpoint {
        id,
        url: &url,
        secret: &secret,
        event_types: &input.event_types,
        format: if input.chat_format { "chat" } else { "standard" },
        allow_private: input.allow_private,
        now: ctx.clock.now(),
    };
    store::webhooks::insert_endpoint(tx.conn(), endpoint).await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// Queues a `test` event for one endpoint through the outbox (signed and
/// logged like any other delivery); returns the notice id.
pub async fn send_test(ctx: &Context, endpoint_id: Uuid) -> Result<Uuid, AppError> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    store::webhooks::find_endpoint(tx.conn(), endpoint_id).await?.ok_or(AppError::NotFound)?;
    let event = super::notices::EventNotice {
        event_type: "test",
        summary: "Test delivery from leadgate",
        data: serde_json::json!({ "message": "This is a test delivery from leadgate.", "sent_at": now }),
        recipients: &[],
        only_endpoint: Some(endpoint_id),
    };
    let ids = super::notices::queue_event(&mut tx, event, false, now).await?;
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    ids.first().copied().ok_or(AppError::NotFound)
}

/// Removes an endpoint and its delivery log.
pub async fn delete_endpoint(ctx: &Context, endpoint_id: Uuid) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    store::webhooks::delete_endpoint(tx.conn(), endpoint_id).await?;
    tx.commit().await?;
    Ok(())
}
