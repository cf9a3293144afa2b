//! Notices about bookings, written in the booking's transaction: the rep
//! hears on every channel (live inbox, email with the `.ics`), the
//! prospect gets an email with the `.ics` and a manage link, and webhooks
//! subscribed to `booking.created` / `booking.cancelled` /
//! `booking.rescheduled` get the booking and the lead.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::notices::{LeadNotice, Recipient};
use super::routing::lead_notice;
use super::{AppError, Context};
use crate::store::bookings::BookingRecord;
use crate::store::outbox::NewNotice;
use crate::store::{self, Tx};

/// The booking part of a notice payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingNotice {
    pub booking_id: Uuid,
    /// The iCalendar UID, the same for every version of the meeting.
    pub uid: String,
    pub sequence: i32,
    /// `confirmed` or `cancelled`.
    pub status: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The start before a reschedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_start: Option<DateTime<Utc>>,
    pub rep_id: Uuid,
    pub rep_name: String,
    pub rep_email: String,
    pub rep_zone: String,
    pub prospect_name: String,
    pub prospect_email: Option<String>,
    pub prospect_zone: String,
    /// The signed cancel / reschedule link: only in the prospect's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_url: Option<String>,
}

/// The UID of a booking's calendar event.
pub fn booking_uid(booking_id: Uuid) -> String {
    format!("booking-{booking_id}@leadgate")
}

impl BookingNotice {
    pub fn new(booking: &BookingRecord, rep_zone: &str) -> Self {
        BookingNotice {
            booking_id: booking.id,
            uid: booking_uid(booking.id),
            sequence: booking.sequence,
            status: booking.status.clone(),
            start: booking.starts_at,
            end: booking.ends_at,
            previous_start: None,
            rep_id: booking.user_id,
            rep_name: booking.rep_name.clone(),
            rep_email: booking.rep_email.clone(),
            rep_zone: rep_zone.to_owned(),
            prospect_name: booking.prospect_name(),
            prospect_email: booking.lead_email.clone(),
            prospect_zone: booking.prospect_zone.clone(),
            manage_url: None,
        }
    }
}

/// Who a booking notice is for.
pub struct BookingAudience<'a> {
    /// Reps (and anyone else signed in) told on the live inbox and by email.
    pub people: &'a [Recipient],
    /// Email the prospect and tell the webhooks too (not for a notice that
    /// only concerns a rep, such as losing a moved meeting).
    pub everyone: bool,
    /// The manage link for the prospect's email.
    pub prospect_manage_url: Option<&'a str>,
}

/// Queues `event_type` (booking.*) for the audience and the subscribed
/// webhooks, with the lead as it is now.
pub async fn queue_booking_event(
    ctx: &Context,
    tx: &mut Tx,
    event_type: &str,
    booking: &BookingNotice,
    reason: &str,
    audience: BookingAudience<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let lead_id =
        store::bookings::find_booking(tx.conn(), booking.booking_id).await?.ok_or(AppError::NotFound)?.lead_id;
    let lead = lead_notice(ctx, tx, lead_id, reason).await?;
    let payload = |audience: &str, booking: &BookingNotice| payload(event_type, audience, booking, &lead);
    let for_reps = payload("rep", booking);
    for person in audience.people {
        queue(tx, event_type, "live", &person.user_id.to_string(), &for_reps, now).await?;
        if ctx.email_enabled {
            queue(tx, event_type, "email", &person.email, &for_reps, now).await?;
        }
    }
    if !audience.everyone {
        return Ok(());
    }
    if let (true, Some(email)) = (ctx.email_enabled, booking.prospect_email.as_deref()) {
        let with_link =
            BookingNotice { manage_url: audience.prospect_manage_url.map(str::to_owned), ..booking.clone() };
        queue(tx, event_type, "email", email, &payload("prospect", &with_link), now).await?;
    }
    let endpoints = store::webhooks::list_endpoints(tx.conn()).await?;
    for endpoint in endpoints.iter().filter(|e| e.wants(event_type)) {
        queue(tx, event_type, "webhook", &endpoint.id.to_string(), &for_reps, now).await?;
    }
    Ok(())
}

fn payload(event_type: &str, audience: &str, booking: &BookingNotice, lead: &LeadNotice) -> serde_json::Value {
    serde_json::json!({ "type": event_type, "audience": audience, "booking": booking, "lead": lead })
}

async fn queue(
    tx: &mut Tx,
    event_type: &str,
    channel: &str,
    target: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let notice = NewNotice { id: Uuid::now_v7(), event_type, channel, target, payload, now };
    store::outbox::insert_notice(tx.conn(), notice).await?;
    Ok(())
}

/// The active people with these ids, as notice recipients.
pub async fn people(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<Recipient>, AppError> {
    let users = store::users::list_users(tx.conn()).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && ids.contains(&u.id))
        .map(|u| Recipient { user_id: u.id, email: u.email })
        .collect())
}

/// Active managers and admins.
pub async fn managers(tx: &mut Tx) -> Result<Vec<Uuid>, AppError> {
    let users = store::users::list_users(tx.conn()).await?;
    Ok(users.into_iter().filter(|u| u.active && (u.role == "manager" || u.role == "admin")).map(|u| u.id).collect())
}

/// The meeting as an iCalendar file, stamped `stamp` (the version's time).
pub fn booking_ics(booking: &BookingNotice, stamp: DateTime<Utc>) -> String {
    let summary = format!("Meeting: {} and {}", booking.prospect_name, booking.rep_name);
    let mut description = format!("A meeting with {} booked through leadgate.", booking.rep_name);
    if let Some(url) = &booking.manage_url {
        description.push_str(&format!("\nTo cancel or reschedule: {url}"));
    }
    let prospect_email = booking.prospect_email.as_deref().unwrap_or_default();
    crate::engine::meeting_ics(&crate::engine::IcsMeeting {
        uid: &booking.uid,
        sequence: u32::try_from(booking.sequence).unwrap_or_default(),
        cancelled: booking.status != "confirmed",
        stamp,
        start: booking.start,
        end: booking.end,
        summary: &summary,
        description: &description,
        organizer: crate::engine::IcsPerson { name: &booking.rep_name, email: &booking.rep_email },
        attendee: crate::engine::IcsPerson { name: &booking.prospect_name, email: prospect_email },
        url: booking.manage_url.as_deref(),
    })
}
