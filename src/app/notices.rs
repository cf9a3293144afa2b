//! Notices about lead events, written in the caller's transaction so that
//! an event and its notices commit together (nothing acknowledged is lost).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppError;
use crate::store::outbox::NewNotice;
use crate::store::{self, Tx};

/// What a notice says about a lead: enough for a rep to act without
/// opening leadgate, and a link to the lead.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct LeadNotice {
    pub lead_id: Uuid,
    pub email: Option<String>,
    pub name: String,
    pub company: Option<String>,
    pub tier: String,
    pub outcome: String,
    pub fit: i32,
    pub intent: i32,
    pub fit_reasons: Vec<ReasonLine>,
    pub intent_reasons: Vec<ReasonLine>,
    pub answers: Vec<AnswerLine>,
    pub utm: std::collections::BTreeMap<String, String>,
    pub assigned_to: Option<String>,
    pub reason: String,
    pub link: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ReasonLine {
    pub points: i32,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AnswerLine {
    pub question: String,
    pub answer: String,
}

/// One person to tell.
pub struct Recipient {
    pub user_id: Uuid,
    pub email: String,
}

/// Queues `event_type` about the lead for each recipient on every channel
/// (live inbox always; email when configured), plus one per subscribed
/// webhook endpoint. Returns the notice ids.
pub async fn queue_lead_event(
    tx: &mut Tx,
    event_type: &str,
    notice: &LeadNotice,
    recipients: &[Recipient],
    email_enabled: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, AppError> {
    let payload = serde_json::json!({ "type": event_type, "lead": notice });
    let mut ids = Vec::new();
    for recipient in recipients {
        let live = recipient.user_id.to_string();
        ids.push(queue(tx, event_type, "live", &live, &payload, now).await?);
        if email_enabled {
            ids.push(queue(tx, event_type, "email", &recipient.email, &payload, now).await?);
        }
    }
    // One webhook notice per subscribed endpoint, so each retries on its own.
    let endpoints = store::webhooks::list_endpoints(tx.conn()).await?;
    for endpoint in endpoints.iter().filter(|e| e.wants(event_type)) {
        ids.push(queue(tx, event_type, "webhook", &endpoint.id.to_string(), &payload, now).await?);
    }
    Ok(ids)
}

async fn queue(
    tx: &mut Tx,
    event_type: &str,
    channel: &str,
    target: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let notice = NewNotice { id, event_type, channel, target, payload, now };
    store::outbox::insert_notice(tx.conn(), notice).await?;
    Ok(id)
}

/// Queues an event that is not about one lead (a source-quality alert, a
/// webhook test): `data` and a one-line `summary` go to each recipient
/// (live, and email when configured) and to every subscribed webhook, or
/// only to `only_endpoint` when given.
pub struct EventNotice<'a> {
    pub event_type: &'a str,
    pub summary: &'a str,
    pub data: serde_json::Value,
    pub recipients: &'a [Recipient],
    pub only_endpoint: Option<Uuid>,
}

pub async fn queue_event(
    tx: &mut Tx,
    event: EventNotice<'_>,
    email_enabled: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, AppError> {
    let payload = serde_json::json!({ "type": event.event_type, "summary": event.summary, "data": event.data });
    let mut ids = Vec::new();
    for recipient in event.recipients {
        ids.push(queue(tx, event.event_type, "live", &recipient.user_id.to_string(), &payload, now).await?);
        if email_enabled {
            ids.push(queue(tx, event.event_type, "email", &recipient.email, &payload, now).await?);
        }
    }
    let endpoints = store::webhooks::list_endpoints(tx.conn()).await?;
    let chosen = endpoints.iter().filter(|e| match event.only_endpoint {
        Some(id) => e.id == id,
        None => e.wants(event.event_type),
    });
    for endpoint in chosen {
        ids.push(queue(tx, event.event_type, "webhook", &endpoint.id.to_string(), &payload, now).await?);
    }
    Ok(ids)
}
