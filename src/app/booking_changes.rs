//! What the prospect sees of their booking (the ending page, the manage
//! page, the `.ics`), and the changes they make through the signed link:
//! cancel, and reschedule (the old slot frees in the same transaction).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::availability::{Availability, availability};
use super::booking::{BookResult, SlotChoice, describe, locked_calendar, manage_url, take_lead, valid_zone};
use super::booking_notices::{BookingAudience, BookingNotice, booking_ics, people, queue_booking_event};
use super::{AppError, Context};
use crate::config::SecretKey;
use crate::engine;
use crate::store::bookings::{BookingMove, BookingRecord};
use crate::store::leads::LeadRecord;
use crate::store::{self, StoreError};

/// The zone times are shown in before the prospect picks one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneGuess {
    pub zone: String,
    /// "your country", "Ana Alvarez's time zone" or "UTC".
    pub because: String,
}

/// The booking part of an ending page.
pub enum EndingBooking {
    /// A live meeting; `rep_zone` for the rep's side of the time.
    Booked { booking: BookingRecord, rep_zone: String },
    /// Slots to choose from (or nobody free); `cancelled` after a cancellation.
    Offer { availability: Availability, cancelled: bool, guess: ZoneGuess },
}

/// The ending's booking state for a finished response with a lead.
pub async fn ending_booking(ctx: &Context, response_id: Uuid) -> Result<Option<EndingBooking>, AppError> {
    let now = ctx.clock.now();
    let mut conn = ctx.db.read().await?;
    let response = store::responses::find_response(conn.conn(), response_id).await?.ok_or(AppError::NotFound)?;
    let Some(lead_id) = response.lead_id else { return Ok(None) };
    let lead = store::leads::find_lead(conn.conn(), lead_id).await?.ok_or(AppError::NotFound)?;
    if let Some(booking) = store::bookings::find_live_booking_of_lead(conn.conn(), lead_id).await? {
        let rep_zone = rep_zone(&mut conn, booking.user_id).await?;
        return Ok(Some(EndingBooking::Booked { booking, rep_zone }));
    }
    let latest = store::bookings::find_latest_booking_of_response(conn.conn(), response_id).await?;
    let availability = availability(&mut conn, &lead, lead.assigned_user_id, now, None).await?;
    let guess = guess_zone(&mut conn, &lead, &availability).await?;
    Ok(Some(EndingBooking::Offer { availability, cancelled: latest.is_some(), guess }))
}

async fn rep_zone(conn: &mut store::ReadConn, user_id: Uuid) -> Result<String, AppError> {
    let reps = store::routing::list_reps(conn.conn()).await?;
    Ok(reps.into_iter().find(|r| r.id == user_id.to_string()).map_or_else(|| "UTC".to_owned(), |r| r.time_zone))
}

/// The prospect's country when it has one zone, else the rep's zone.
async fn guess_zone(
    conn: &mut store::ReadConn,
    lead: &LeadRecord,
    availability: &Availability,
) -> Result<ZoneGuess, AppError> {
    let country = lead.fields.0.get("country").map(|c| c.trim().to_ascii_uppercase());
    if let Some(zone) = country.and_then(|c| COUNTRY_ZONES.iter().find(|(code, _)| *code == c).map(|(_, z)| *z)) {
        return Ok(ZoneGuess { zone: zone.to_owned(), because: "your country".to_owned() });
    }
    let rep = match availability {
        Availability::Slots { offers, .. } => offers.first().map(|o| o.rep_id),
        Availability::Nobody { .. } => lead.assigned_user_id,
    };
    let reps = store::routing::list_reps(conn.conn()).await?;
    Ok(match rep.and_then(|id| reps.into_iter().find(|r| r.id == id.to_string())) {
        Some(rep) => ZoneGuess { zone: rep.time_zone, because: format!("{}'s time zone", rep.name) },
        None => ZoneGuess { zone: "UTC".to_owned(), because: "UTC".to_owned() },
    })
}

/// Countries with a single time zone, as the demo form's options name them.
const COUNTRY_ZONES: [(&str, &str); 14] = [
    ("GB", "Europe/London"),
    ("IE", "Europe/Dublin"),
    ("DE", "Europe/Berlin"),
    ("FR", "Europe/Paris"),
    ("NL", "Europe/Amsterdam"),
    ("ES", "Europe/Madrid"),
    ("IT", "Europe/Rome"),
    ("SE", "Europe/Stockholm"),
    ("CH", "Europe/Zurich"),
    ("IN", "Asia/Kolkata"),
    ("JP", "Asia/Tokyo"),
    ("SG", "Asia/Singapore"),
    ("BE", "Europe/Brussels"),
    ("AT", "Europe/Vienna"),
];

/// A booking and what the manage page offers.
pub struct ManagePage {
    pub booking: BookingRecord,
    pub rep_zone: String,
    /// Slots to move to (live bookings only).
    pub availability: Option<Availability>,
}

/// The booking behind a manage link, with fresh slots to move it to.
pub async fn manage_page(ctx: &Context, booking_id: Uuid) -> Result<ManagePage, AppError> {
    let now = ctx.clock.now();
    let mut conn = ctx.db.read().await?;
    let booking = store::bookings::find_booking(conn.conn(), booking_id).await?.ok_or(AppError::NotFound)?;
    let rep_zone = rep_zone(&mut conn, booking.user_id).await?;
    let availability = if booking.is_live() {
        let lead = store::leads::find_lead(conn.conn(), booking.lead_id).await?.ok_or(AppError::NotFound)?;
        let mut offer = availability(&mut conn, &lead, Some(booking.user_id), now, Some(booking.id)).await?;
        if let Availability::Slots { offers, .. } = &mut offer {
            // Moving to the meeting's own time is no move.
            offers.retain(|o| !(o.rep_id == booking.user_id && o.slot.start == booking.starts_at));
        }
        Some(offer)
    } else {
        None
    };
    Ok(ManagePage { booking, rep_zone, availability })
}

/// The booking's `.ics`, with the manage link when `key` is given.
pub async fn ics_of(ctx: &Context, key: Option<&SecretKey>, booking_id: Uuid) -> Result<String, AppError> {
    let mut conn = ctx.db.read().await?;
    let booking = store::bookings::find_booking(conn.conn(), booking_id).await?.ok_or(AppError::NotFound)?;
    let zone = rep_zone(&mut conn, booking.user_id).await?;
    let mut notice = BookingNotice::new(&booking, &zone);
    notice.manage_url = key.map(|key| manage_url(ctx, key, &booking));
    Ok(booking_ics(&notice, booking.updated_at))
}

/// Whether a cancel did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelResult {
    Cancelled,
    AlreadyCancelled,
}

/// Cancels the booking; the rep hears on every channel, the prospect by email.
pub async fn cancel_booking(ctx: &Context, booking_id: Uuid) -> Result<CancelResult, AppError> {
    cancel_booking_by(ctx, booking_id, "the prospect").await
}

/// Cancels the booking as `by` says who did ("the prospect", "Ada (API token CRM)").
pub async fn cancel_booking_by(ctx: &Context, booking_id: Uuid, by: &str) -> Result<CancelResult, AppError> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let booking = store::bookings::find_booking(tx.conn(), booking_id).await?.ok_or(AppError::NotFound)?;
    store::leads::find_lead_for_update(tx.conn(), booking.lead_id).await?;
    if !store::bookings::cancel_booking(tx.conn(), booking_id, now).await? {
        // What this answer rests on must be durable before it is given.
        tx.rollback().await?;
        return Ok(CancelResult::AlreadyCancelled);
    }
    let cancelled = store::bookings::find_booking(tx.conn(), booking_id).await?.ok_or(AppError::NotFound)?;
    let zone = rep_zone_in(&mut tx, booking.user_id).await?;
    let reason = format!("meeting of {} cancelled by {by}", when(&zone, booking.starts_at));
    let reps = people(&mut tx, &[booking.user_id]).await?;
    let audience = BookingAudience { people: &reps, everyone: true, prospect_manage_url: None };
    let notice = BookingNotice::new(&cancelled, &zone);
    queue_booking_event(ctx, &mut tx, "booking.cancelled", &notice, &reason, audience, now).await?;
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(CancelResult::Cancelled)
}

/// Moves a live booking to `choice` in one transaction.
pub async fn reschedule_booking(
    ctx: &Context,
    key: &SecretKey,
    booking_id: Uuid,
    choice: SlotChoice,
) -> Result<BookResult, AppError> {
    let now = ctx.clock.now();
    valid_zone(&choice.zone)?;
    let mut tx = ctx.db.begin().await?;
    let before = store::bookings::find_booking(tx.conn(), booking_id).await?.ok_or(AppError::NotFound)?;
    let lead = store::leads::find_lead_for_update(tx.conn(), before.lead_id).await?.ok_or(AppError::NotFound)?;
    if !before.is_live() {
        tx.rollback().await?;
        return Err(AppError::Conflict("This meeting was cancelled; book a new one from the form.".into()));
    }
    let first = Some(before.user_id);
    let calendar = locked_calendar(&mut tx, &lead, first, choice.rep_id, now, Some(booking_id)).await?;
    let Some(calendar) = calendar.filter(|c| c.is_bookable(now, choice.start)) else {
        tx.rollback().await?;
        return Ok(BookResult::Taken);
    };
    let end = choice.start + chrono::Duration::minutes(i64::from(calendar.settings.meeting_minutes));
    let change = BookingMove { id: booking_id, user_id: calendar.user_id, starts_at: choice.start, ends_at: end, now };
    match store::bookings::move_booking(tx.conn(), change).await {
        Err(StoreError::Conflict(_)) => {
            tx.rollback().await?;
            return Ok(BookResult::Taken);
        }
        other => other?,
    }
    take_lead(ctx, &mut tx, &lead, &calendar, choice.start, now).await?;
    let after = store::bookings::find_booking(tx.conn(), booking_id).await?.ok_or(AppError::NotFound)?;
    let mut notice = BookingNotice::new(&after, &calendar.rep.time_zone);
    notice.previous_start = Some(before.starts_at);
    let reason = format!("meeting moved to {}", describe(&calendar.rep, choice.start));
    let manage = manage_url(ctx, key, &after);
    let reps = people(&mut tx, &[calendar.user_id]).await?;
    let audience = BookingAudience { people: &reps, everyone: true, prospect_manage_url: Some(&manage) };
    queue_booking_event(ctx, &mut tx, "booking.rescheduled", &notice, &reason, audience, now).await?;
    if before.user_id != calendar.user_id {
        // The previous rep's calendar drops the meeting.
        let old_zone = rep_zone_in(&mut tx, before.user_id).await?;
        let old = BookingNotice {
            status: "cancelled".into(),
            rep_id: before.user_id,
            rep_name: before.rep_name.clone(),
            rep_email: before.rep_email.clone(),
            rep_zone: old_zone,
            ..notice.clone()
        };
        let told = people(&mut tx, &[before.user_id]).await?;
        let audience = BookingAudience { people: &told, everyone: false, prospect_manage_url: None };
        queue_booking_event(ctx, &mut tx, "booking.cancelled", &old, &reason, audience, now).await?;
    }
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(BookResult::Booked(booking_id))
}

async fn rep_zone_in(tx: &mut store::Tx, user_id: Uuid) -> Result<String, AppError> {
    let reps = store::routing::list_reps(tx.conn()).await?;
    Ok(reps.into_iter().find(|r| r.id == user_id.to_string()).map_or_else(|| "UTC".to_owned(), |r| r.time_zone))
}

fn when(zone: &str, instant: DateTime<Utc>) -> String {
    let zone = engine::parse_time_zone(zone).unwrap_or(chrono_tz::Tz::UTC);
    format!("{} {}", instant.with_timezone(&zone).format("%a %Y-%m-%d %H:%M"), zone.name())
}

/// The booking to show for a response: the lead's live one, else the
/// response's latest (maybe cancelled).
pub async fn response_booking(ctx: &Context, response_id: Uuid) -> Result<Option<Uuid>, AppError> {
    let mut conn = ctx.db.read().await?;
    let response = store::responses::find_response(conn.conn(), response_id).await?.ok_or(AppError::NotFound)?;
    if let Some(lead_id) = response.lead_id
        && let Some(live) = store::bookings::find_live_booking_of_lead(conn.conn(), lead_id).await?
    {
        return Ok(Some(live.id));
    }
    Ok(store::bookings::find_latest_booking_of_response(conn.conn(), response_id).await?.map(|b| b.id))
}

/// The lead's live booking, for the inbox.
pub async fn lead_booking(ctx: &Context, lead_id: Uuid) -> Result<Option<BookingRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::bookings::find_live_booking_of_lead(conn.conn(), lead_id).await?)
}
