//! Email and webhook delivery of one notice from the outbox.

use std::time::Instant;

use askama::Template;
use uuid::Uuid;

use super::email::{EmailMessage, Mailer};
use super::webhook::{self, BodyFormat, Delivery, Endpoint};
use crate::app::Context;
use crate::app::notices::LeadNotice;
use crate::store::{self, outbox::NoticeRecord, webhooks::DeliveryLog};

/// The outgoing channels this instance can use.
#[derive(Clone)]
pub struct Channels {
    pub mailer: Option<std::sync::Arc<Mailer>>,
    pub http: reqwest::Client,
}

#[derive(Template)]
#[template(path = "email/lead.txt")]
struct LeadEmailText<'a> {
    summary: &'a str,
    lead: &'a LeadNotice,
}

#[derive(Template)]
#[template(path = "email/lead.html")]
struct LeadEmailHtml<'a> {
    summary: &'a str,
    lead: &'a LeadNotice,
}

#[derive(Template)]
#[template(path = "email/event.html")]
struct EventEmail<'a> {
    summary: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/event.txt")]
struct EventEmailText<'a, 'b> {
    page: &'b EventEmail<'a>,
}

impl Channels {
    pub async fn send_email(&self, notice: &NoticeRecord) -> Result<(), String> {
        let mailer = self.mailer.as_ref().ok_or("email is not configured (LEADGATE_SMTP_URL)")?;
        if notice.payload.0.get("booking").is_some() {
            let message = super::booking_email::booking_email(notice)?;
            return mailer.send(&message).await.map_err(|e| e.to_string());
        }
        if notice.payload.0.get("lead").is_none() {
            return self.send_event_email(mailer, notice).await;
        }
        let lead: LeadNotice = serde_json::from_value(notice.payload.0["lead"].clone()).map_err(|e| e.to_string())?;
        let summary = super::worker::summary(&notice.event_type, &notice.payload.0);
        let text = LeadEmailText { summary: &summary, lead: &lead }.render().map_err(|e| e.to_string())?;
        let html = LeadEmailHtml { summary: &summary, lead: &lead }.render().map_err(|e| e.to_string())?;
        let message = EmailMessage {
            to: notice.target.clone(),
            subject: summary.clone(),
            text,
            html,
            attachments: Vec::new(),
            message_id: notice.id.to_string(),
        };
        mailer.send(&message).await.map_err(|e| e.to_string())
    }

    /// An email for an event that is not about one lead (its summary and data).
    async fn send_event_email(&self, mailer: &Mailer, notice: &NoticeRecord) -> Result<(), String> {
        let summary = super::worker::summary(&notice.event_type, &notice.payload.0);
        let link = notice.payload.0.pointer("/data/link").and_then(|v| v.as_str()).unwrap_or_default();
        let page = EventEmail { summary: &summary, link };
        let message = EmailMessage {
            to: notice.target.clone(),
            subject: summary.clone(),
            text: EventEmailText { page: &page }.render().map_err(|e| e.to_string())?,
            html: page.render().map_err(|e| e.to_string())?,
            attachments: Vec::new(),
            message_id: notice.id.to_string(),
        };
        mailer.send(&message).await.map_err(|e| e.to_string())
    }

    pub async fn send_webhook(&self, ctx: &Context, notice: &NoticeRecord) -> Result<(), String> {
        let endpoint_id: Uuid = notice.target.parse().map_err(|_| "webhook notice without an endpoint".to_string())?;
        let record = {
            let mut conn = ctx.db.read().await.map_err(|e| e.to_string())?;
            store::webhooks::find_endpoint(conn.conn(), endpoint_id).await.map_err(|e| e.to_string())?
        };
        let Some(record) = record.filter(|r| r.active) else {
            return Ok(()); // The endpoint was removed: nothing left to deliver to.
        };
        let endpoint = Endpoint {
            url: record.url.clone(),
            secret: record.secret.clone(),
            format: if record.format == "chat" { BodyFormat::Chat } else { BodyFormat::Standard },
            allow_private: record.allow_private,
        };
        let summary = super::worker::summary(&notice.event_type, &notice.payload.0);
        let id = notice.id.to_string();
        // Booking events carry the booking and the lead; lead events the
        // lead; other events (alerts, tests) their own data.
        let payload = &notice.payload.0;
        let data = match (payload.get("booking"), payload.get("lead")) {
            (Some(booking), _) => serde_json::json!({ "booking": booking, "lead": payload["lead"] }),
            (None, Some(lead)) => lead.clone(),
            (None, None) => payload.get("data").cloned().unwrap_or(serde_json::Value::Null),
        };
        let delivery = Delivery {
            notice_id: &id,
            event_type: &notice.event_type,
            // The wire timestamp is the real send time: receivers compare it
            // with their own clocks to refuse replays.
            timestamp: chrono::Utc::now(),
            data: &data,
            summary: &summary,
        };
        let started = Instant::now();
        let result = webhook::deliver(&self.http, &endpoint, &delivery).await;
        let log = match &result {
            Ok(report) => (Some(i32::from(report.status)), None),
            Err(error) => (None, Some(error.to_string())),
        };
        let entry = DeliveryLog {
            notice_id: notice.id,
            endpoint_id,
            status: log.0,
            duration_ms: started.elapsed().as_millis() as i64,
            error: log.1.as_deref(),
            now: ctx.clock.now(),
        };
        if let Ok(mut tx) = ctx.db.begin().await {
            let logged = store::webhooks::insert_delivery(tx.conn(), entry).await;
            if logged.is_ok() {
                let _ = tx.commit().await;
            }
        }
        result.map(|_| ()).map_err(|e| e.to_string())
    }
}
