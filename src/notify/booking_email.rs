//! Booking emails: to the prospect (their time, the manage link) and to
//! the rep (their time, the lead), each with the meeting's `.ics`.

use askama::Template;
use chrono::{DateTime, Utc};

use super::email::{Attachment, EmailMessage};
use crate::app::booking_notices::{BookingNotice, booking_ics};
use crate::app::notices::LeadNotice;
use crate::engine;
use crate::store::outbox::NoticeRecord;

/// What a booking email says, already in the reader's words and zone.
pub struct BookingMail {
    pub headline: String,
    pub when: String,
    pub zone: String,
    pub previous: Option<String>,
    pub with_whom: String,
    pub cancelled: bool,
    pub manage_url: Option<String>,
    pub lead_link: Option<String>,
    pub lead_line: String,
}

#[derive(Template)]
#[template(path = "email/booking.txt")]
struct BookingText<'a> {
    mail: &'a BookingMail,
}

#[derive(Template)]
#[template(path = "email/booking.html")]
struct BookingHtml<'a> {
    mail: &'a BookingMail,
}

/// "Thursday 19 November 2026, 09:00" in `zone`.
pub fn local(instant: DateTime<Utc>, zone: &str) -> String {
    let zone = engine::parse_time_zone(zone).unwrap_or(chrono_tz::Tz::UTC);
    instant.with_timezone(&zone).format("%A %-d %B %Y, %H:%M").to_string()
}

/// The email for one booking notice.
pub fn booking_email(notice: &NoticeRecord) -> Result<EmailMessage, String> {
    let payload = &notice.payload.0;
    let booking: BookingNotice = serde_json::from_value(payload["booking"].clone()).map_err(|e| e.to_string())?;
    let lead: LeadNotice = serde_json::from_value(payload["lead"].clone()).map_err(|e| e.to_string())?;
    let for_prospect = payload["audience"] == "prospect";
    let zone = if for_prospect { &booking.prospect_zone } else { &booking.rep_zone };
    let cancelled = booking.status != "confirmed";
    let when = local(booking.start, zone);
    let what = match (notice.event_type.as_str(), cancelled) {
        (_, true) => "Cancelled",
        ("booking.rescheduled", _) => "Moved",
        _ => "Booked",
    };
    let headline = if for_prospect {
        format!("{what}: your meeting with {} on {when}", booking.rep_name)
    } else {
        super::worker::summary(&notice.event_type, payload)
    };
    let company = lead.company.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
    let mail = BookingMail {
        headline: headline.clone(),
        when,
        zone: zone.clone(),
        previous: booking.previous_start.map(|p| local(p, zone)),
        with_whom: if for_prospect { booking.rep_name.clone() } else { format!("{}{company}", booking.prospect_name) },
        cancelled,
        manage_url: booking.manage_url.clone().filter(|_| for_prospect && !cancelled),
        lead_link: (!for_prospect).then(|| lead.link.clone()),
        lead_line: format!("{} · fit {} · intent {}", lead.tier, lead.fit, lead.intent),
    };
    let text = BookingText { mail: &mail }.render().map_err(|e| e.to_string())?;
    let html = BookingHtml { mail: &mail }.render().map_err(|e| e.to_string())?;
    let method = if cancelled { "CANCEL" } else { "REQUEST" };
    let ics = Attachment {
        filename: "invite.ics".into(),
        content_type: format!("text/calendar; charset=utf-8; method={method}"),
        bytes: booking_ics(&BookingNotice { manage_url: mail.manage_url.clone(), ..booking }, notice.created_at)
            .into_bytes(),
    };
    Ok(EmailMessage {
        to: notice.target.clone(),
        subject: headline,
        text,
        html,
        attachments: vec![ics],
        message_id: notice.id.to_string(),
    })
}

/// One line about a booking notice, for the live inbox, chat webhooks and
/// the rep's email subject: "Meeting booked: Ada Lovelace (BigCorp), Tier 1,
/// Thursday 19 November 2026, 09:00 Europe/Madrid, with Ana Alvarez".
pub fn booking_summary(event_type: &str, payload: &serde_json::Value) -> Option<String> {
    let booking: BookingNotice = serde_json::from_value(payload.get("booking")?.clone()).ok()?;
    let what = match (event_type, booking.status.as_str()) {
        ("booking.rescheduled", "confirmed") => "Meeting moved",
        ("booking.created", _) => "Meeting booked",
        _ => "Meeting cancelled",
    };
    let text = |pointer: &str| payload.pointer(pointer).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let company = text("/lead/company");
    let who = if company.is_empty() {
        booking.prospect_name.clone()
    } else {
        format!("{} ({company})", booking.prospect_name)
    };
    let when = local(booking.start, &booking.rep_zone);
    Some(format!("{what}: {who}, {}, {when} {}, with {}", text("/lead/tier"), booking.rep_zone, booking.rep_name))
}
