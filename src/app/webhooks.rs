//! Outgoing webhook endpoints, configured by admins.

use uuid::Uuid;

use super::{AppError, Context};
use crate::notify::webhook;
use crate::store::{self, webhooks::NewEndpoint};

/// Events a webhook can subscribe to.
pub const EVENT_TYPES: [&str; 11] = [
    "lead.assigned",
    "lead.reassigned",
    "lead.accepted",
    "lead.disqualified",
    "lead.unassigned",
    "lead.nurture",
    "lead.taken_back",
    "booking.created",
    "booking.cancelled",
    "booking.rescheduled",
    "booking.unavailable",
];

/// What an admin typed to add an endpoint.
#[derive(validator::Validate)]
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
