//! Booking a meeting from the ending page, in one transaction with a
//! guarantee: one slot, one booking.
//!
//! The transaction locks the response and the lead, checks the chosen rep
//! may be booked (the assigned rep, or another eligible rep of the pool
//! when the assigned one has no free slot), locks that rep's calendar
//! (PostgreSQL `FOR UPDATE`; SQLite has one writer), reloads the busy time,
//! re-checks the start with the engine and inserts the booking; a partial
//! unique index on (rep, start) of live bookings is the last guard. A
//! loser gets [`BookResult::Taken`] and nothing is written.
//!
//! A booked lead is the rep's: the booking counts as acceptance (no
//! fallback to overflow minutes later, and the rep owns the account), and
//! when the slot was another rep's the lead moves to them with a history
//! line, both reps told.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::availability::{Availability, RepCalendar, Source, availability, bookable_calendars, load_calendar};
use super::booking_notices::{BookingAudience, BookingNotice, managers, people, queue_booking_event};
use super::notices::{self, Recipient};
use super::routing::lead_notice;
use super::{AppError, Context, signing};
use crate::config::SecretKey;
use crate::engine;
use crate::store::bookings::{BookingRecord, NewBooking};
use crate::store::leads::{AssignmentChange, LeadRecord, NewAssignment};
use crate::store::{self, StoreError, Tx};

/// How long after a meeting its manage link keeps working.
pub const LINK_DAYS_AFTER_MEETING: i64 = 7;

/// The slot a prospect chose.
#[derive(Debug, Clone)]
pub struct SlotChoice {
    pub rep_id: Uuid,
    pub start: DateTime<Utc>,
    /// The prospect's IANA zone, kept with the booking for their emails.
    pub zone: String,
}

/// What became of a booking attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookResult {
    Booked(Uuid),
    /// Someone else was faster (or the slot is no longer free).
    Taken,
    /// The lead already has this live booking: reschedule it instead.
    AlreadyBooked(Uuid),
}

/// Books `choice` for the finished response; see the module docs.
pub async fn book_slot(
    ctx: &Context,
    key: &SecretKey,
    response_id: Uuid,
    choice: SlotChoice,
) -> Result<BookResult, AppError> {
    let now = ctx.clock.now();
    let zone = valid_zone(&choice.zone)?;
    let mut tx = ctx.db.begin().await?;
    let lead = booking_lead(ctx, &mut tx, response_id).await?;
    // The "taken" answers roll back explicitly: what they saw must be
    // durable before the prospect is told.
    if let Some(existing) = store::bookings::find_live_booking_of_lead(tx.conn(), lead.id).await? {
        tx.rollback().await?;
        return Ok(BookResult::AlreadyBooked(existing.id));
    }
    let first = lead.assigned_user_id;
    let Some(calendar) = locked_calendar(&mut tx, &lead, first, choice.rep_id, now, None).await? else {
        tx.rollback().await?;
        return Ok(BookResult::Taken);
    };
    if !calendar.is_bookable(now, choice.start) {
        tx.rollback().await?;
        return Ok(BookResult::Taken);
    }
    let id = Uuid::now_v7();
    let end = choice.start + Duration::minutes(i64::from(calendar.settings.meeting_minutes));
    let new = NewBooking {
        id,
        lead_id: lead.id,
        response_id,
        user_id: calendar.user_id,
        starts_at: choice.start,
        ends_at: end,
        prospect_zone: &zone,
        now,
    };
    match store::bookings::insert_booking(tx.conn(), new).await {
        Err(StoreError::Conflict(_)) => {
            tx.rollback().await?;
            return Ok(BookResult::Taken);
        }
        other => other?,
    }
    take_lead(ctx, &mut tx, &lead, &calendar, choice.start, now).await?;
    let booking = store::bookings::find_booking(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let notice = BookingNotice::new(&booking, &calendar.rep.time_zone);
    let reason = format!("meeting booked for {}", describe(&calendar.rep, choice.start));
    let manage = manage_url(ctx, key, &booking);
    let reps = people(&mut tx, &[calendar.user_id]).await?;
    let audience = BookingAudience { people: &reps, everyone: true, prospect_manage_url: Some(&manage) };
    queue_booking_event(ctx, &mut tx, "booking.created", &notice, &reason, audience, now).await?;
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(BookResult::Booked(id))
}

/// The lead of a finished response whose outcome offers booking, locked.
async fn booking_lead(ctx: &Context, tx: &mut Tx, response_id: Uuid) -> Result<LeadRecord, AppError> {
    let response =
        store::responses::find_response_for_update(tx.conn(), response_id).await?.ok_or(AppError::NotFound)?;
    let lead_id = response.lead_id.filter(|_| response.is_finished()).ok_or(AppError::NotFound)?;
    // Through this transaction: a second pooled connection could wait for
    // itself on PostgreSQL under load.
    let form = ctx.forms.version_in(tx.conn(), response.form_id, response.version).await?;
    let outcome = form.definition().outcomes.iter().find(|o| Some(&o.id) == response.outcome_id.as_ref());
    if !outcome.is_some_and(|o| o.ending.offer_booking) {
        return Err(AppError::NotFound);
    }
    store::leads::find_lead_for_update(tx.conn(), lead_id).await?.ok_or(AppError::NotFound)
}

/// The chosen rep's calendar, locked and read afresh, when the lead may
/// book it; `None` when it may not (the offer changed meanwhile).
pub(crate) async fn locked_calendar(
    tx: &mut Tx,
    lead: &LeadRecord,
    first: Option<Uuid>,
    chosen: Uuid,
    now: DateTime<Utc>,
    moving: Option<Uuid>,
) -> Result<Option<RepCalendar>, AppError> {
    let (calendars, _) = bookable_calendars(tx, lead, first, now, moving).await?;
    if !calendars.iter().any(|c| c.user_id == chosen) {
        return Ok(None);
    }
    store::bookings::lock_rep_calendar(tx.conn(), chosen).await?;
    let reps = store::routing::list_reps(tx.conn()).await?;
    load_calendar(tx, &reps, chosen, now, moving).await
}

/// Gives the lead to the meeting's rep (when it was someone else's) and
/// counts the booking as their acceptance.
pub(crate) async fn take_lead(
    ctx: &Context,
    tx: &mut Tx,
    lead: &LeadRecord,
    calendar: &RepCalendar,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let rep = calendar.user_id;
    let moved = lead.assigned_user_id != Some(rep);
    if moved {
        let change = AssignmentChange {
            lead_id: lead.id,
            status: "assigned",
            user_id: Some(rep),
            pool: None,
            accept_by: None,
            now,
        };
        store::leads::update_assignment(tx.conn(), change).await?;
        let why = format!("booking: slot with {}", calendar.rep.name);
        let entry =
            NewAssignment { lead_id: lead.id, user_id: Some(rep), kind: "booking", reason: &why, actor: None, now };
        store::leads::insert_assignment(tx.conn(), entry).await?;
        if let Some(previous) = lead.assigned_user_id {
            let notice = lead_notice(ctx, tx, lead.id, &why).await?;
            let told = people(tx, &[previous]).await?;
            notices::queue_lead_event(tx, "lead.taken_back", &notice, &told, ctx.email_enabled, now).await?;
        }
    }
    if moved || lead.status != "accepted" {
        store::leads::update_verdict(tx.conn(), lead.id, "accepted", None, now).await?;
        if let Some(account) = lead.account_id {
            store::routing::claim_account_owner(tx.conn(), account, rep).await?;
        }
        let why = format!("accepted: meeting booked for {}", describe(&calendar.rep, start));
        let entry =
            NewAssignment { lead_id: lead.id, user_id: Some(rep), kind: "accepted", reason: &why, actor: None, now };
        store::leads::insert_assignment(tx.conn(), entry).await?;
    }
    Ok(())
}

/// "Thu 2026-11-19 09:00 Europe/Madrid", on the rep's clock.
pub(crate) fn describe(rep: &engine::Rep, instant: DateTime<Utc>) -> String {
    let zone = engine::parse_time_zone(&rep.time_zone).unwrap_or(chrono_tz::Tz::UTC);
    format!("{} {}", instant.with_timezone(&zone).format("%a %Y-%m-%d %H:%M"), zone.name())
}

/// A zone the prospect chose: a known IANA name.
pub fn valid_zone(zone: &str) -> Result<String, AppError> {
    engine::parse_time_zone(zone)
        .map(|tz| tz.name().to_owned())
        .map_err(|_| AppError::invalid("tz", "Choose a time zone from the list."))
}

/// The signed link that lets the prospect cancel or reschedule, valid until
/// [`LINK_DAYS_AFTER_MEETING`] days after the meeting.
pub fn manage_url(ctx: &Context, key: &SecretKey, booking: &BookingRecord) -> String {
    let expires = booking.ends_at + Duration::days(LINK_DAYS_AFTER_MEETING);
    format!("{}/bookings/{}", ctx.base_url, manage_token(key, booking.id, expires))
}

/// `{booking id}.{expiry, unix seconds}.{signature}`.
pub fn manage_token(key: &SecretKey, booking_id: Uuid, expires: DateTime<Utc>) -> String {
    signing::sign(key, &format!("{booking_id}.{}", expires.timestamp()))
}

/// Why a manage link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not signed by this instance, or altered.
    Invalid,
    /// Genuine but past its expiry.
    Expired,
}

/// The booking id of a genuine, unexpired manage token.
pub fn read_manage_token(key: &SecretKey, token: &str, now: DateTime<Utc>) -> Result<Uuid, LinkError> {
    let message = signing::verify(key, token).ok_or(LinkError::Invalid)?;
    let (id, expires) = message.split_once('.').ok_or(LinkError::Invalid)?;
    let id: Uuid = id.parse().map_err(|_| LinkError::Invalid)?;
    let expires: i64 = expires.parse().map_err(|_| LinkError::Invalid)?;
    if now.timestamp() > expires { Err(LinkError::Expired) } else { Ok(id) }
}

/// The outbox task queued by a finish with a booking outcome.
pub const CHECK_AFTER_FINISH: &str = "booking.check";

/// Runs [`CHECK_AFTER_FINISH`] for a lead (the worker's delivery of the
/// task). When nobody in the pool has a free slot, the assigned rep (or,
/// without one, every manager) is told to call the lead. The calendars are
/// read on a read connection, so on SQLite the single writer never waits
/// for them; only the notice is written. Run twice, it at worst tells twice.
///
/// A finish only queues this task: the check reads several calendars, and
/// on PostgreSQL the finish holds routing locks until it commits.
pub async fn check_after_finish(ctx: &Context, lead_id: Uuid) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let (lead, availability) = {
        let mut conn = ctx.db.read().await?;
        let lead = store::leads::find_lead(conn.conn(), lead_id).await?.ok_or(AppError::NotFound)?;
        if store::bookings::find_live_booking_of_lead(conn.conn(), lead_id).await?.is_some() {
            return Ok(());
        }
        let availability = availability(&mut conn, &lead, lead.assigned_user_id, now, None).await?;
        (lead, availability)
    };
    let Availability::Nobody { rep_name, .. } = availability else {
        return Ok(());
    };
    let reason = match rep_name {
        Some(name) => format!("no free meeting slot in the pool: {name}, please call the lead"),
        None => "no free meeting slot in the pool: please call the lead".to_owned(),
    };
    let mut tx = ctx.db.begin().await?;
    let ids = match lead.assigned_user_id {
        Some(rep) => vec![rep],
        None => managers(&mut tx).await?,
    };
    let recipients: Vec<Recipient> = people(&mut tx, &ids).await?;
    let notice = lead_notice(ctx, &mut tx, lead_id, &reason).await?;
    notices::queue_lead_event(&mut tx, "booking.unavailable", &notice, &recipients, ctx.email_enabled, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Reads on either a transaction or a read connection.
pub async fn availability_for(
    src: &mut impl Source,
    lead: &LeadRecord,
    now: DateTime<Utc>,
) -> Result<Availability, AppError> {
    availability(src, lead, lead.assigned_user_id, now, None).await
}
