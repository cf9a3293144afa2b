//! Notices about lead events, written in the caller's transaction so that
//! an event and its notices commit together (nothing acknowledged is lost).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppError;
use crate::store::outbox::NewNotice;
use crate::store::webhooks::EndpointRecord;
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
    let endpoints = store::webhooks::list_endpoints(tx.conn()).await?;
    let event = LeadEvent { event_type, notice, recipients, email_enabled };
    queue_lead_event_to(tx, event, &endpoints, now).await
}

/// A lead event and whom it goes to.
pub struct LeadEvent<'a> {
    pub event_type: &'a str,
    pub notice: &'a LeadNotice,
    pub recipients: &'a [Recipient],
    pub email_enabled: bool,
}

/// As [`queue_lead_event`], with the webhook endpoints already read: every
/// notice of the event is written in one statement.
pub async fn queue_lead_event_to(
    tx: &mut Tx,
    event: LeadEvent<'_>,
    endpoints: &[EndpointRecord],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, AppError> {
    let LeadEvent { event_type, notice, recipients, email_enabled } = event;
    let payload = serde_json::json!({ "type": event_type, "lead": notice });
    let mut targets: Vec<(&str, String)> = Vec::new();
    for recipient in recipients {
        targets.push(("live", recipient.user_id.to_string()));
        if email_enabled {
            targets.push(("email", recipient.email.clone()));
        }
    }
    // One webhook notice per subscribed endpoint, so each retries on its own.
    for endpoint in endpoints.iter().filter(|e| e.wants(event_type)) {
        targets.push(("webhook", endpoint.id.to_string()));
    }
    write_notices(tx, event_type, &payload, &targets, now).await
}

/// The outbox channel of work the worker does itself (named by the
/// notice's event type), retried and dead-lettered as notices are.
pub const TASK_CHANNEL: &str = "task";

/// Queues the task `task` about `subject` (its target), done after the commit.
pub async fn queue_task(tx: &mut Tx, task: &str, subject: Uuid, now: DateTime<Utc>) -> Result<Uuid, AppError> {
    let payload = serde_json::json!({ "type": task, "subject": subject });
    let ids = write_notices(tx, task, &payload, &[(TASK_CHANNEL, subject.to_string())], now).await?;
    Ok(ids[0])
}

/// Writes one notice of `event_type` per (channel, target), all in one
/// statement; returns their ids.
async fn write_notices(
    tx: &mut Tx,
    event_type: &str,
    payload: &serde_json::Value,
    targets: &[(&str, String)],
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, AppError> {
    let notices: Vec<NewNotice> = targets
        .iter()
        .map(|(channel, target)| NewNotice { id: Uuid::now_v7(), event_type, channel, target, payload, now })
        .collect();
    store::outbox::insert_notices(tx.conn(), &notices).await?;
    Ok(notices.iter().map(|n| n.id).collect())
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
    let mut targets: Vec<(&str, String)> = Vec::new();
    for recipient in event.recipients {
        targets.push(("live", recipient.user_id.to_string()));
        if email_enabled {
            targets.push(("email", recipient.email.clone()));
        }
    }
    let endpoints = store::webhooks::list_endpoints(tx.conn()).await?;
    let chosen = endpoints.iter().filter(|e| match event.only_endpoint {
        Some(id) => e.id == id,
        None => e.wants(event.event_type),
    });
    targets.extend(chosen.map(|endpoint| ("webhook", endpoint.id.to_string())));
    write_notices(tx, event.event_type, &payload, &targets, now).await
}
