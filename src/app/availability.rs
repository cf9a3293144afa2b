//! Whose free slots a lead is offered: the assigned rep's, or, when they
//! have none within their horizon, those of the other eligible reps of the
//! lead's pool. Read inside the booking transaction (after the locks) or on
//! a read connection for the ending page.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{AppError, Context};
use crate::engine::{self, BookingSettings, Busy, Rep, Slot};
use crate::store::leads::LeadRecord;
use crate::store::{self, Conn, ReadConn, Tx};

/// Most slots shown at once.
pub const SLOTS_SHOWN: usize = 24;

/// Something that lends a connection: a transaction or a read connection.
pub trait Source: Send {
    fn conn(&mut self) -> Conn<'_>;
}

impl Source for Tx {
    fn conn(&mut self) -> Conn<'_> {
        Tx::conn(self)
    }
}

impl Source for ReadConn {
    fn conn(&mut self) -> Conn<'_> {
        ReadConn::conn(self)
    }
}

/// One rep's calendar as the engine needs it.
pub struct RepCalendar {
    pub user_id: Uuid,
    pub rep: Rep,
    pub settings: BookingSettings,
    pub busy: Vec<Busy>,
}

impl RepCalendar {
    pub fn slots(&self, now: DateTime<Utc>, limit: usize) -> Vec<Slot> {
        engine::free_slots(&self.rep, &self.settings, &self.busy, now, limit)
    }

    pub fn is_bookable(&self, now: DateTime<Utc>, start: DateTime<Utc>) -> bool {
        engine::is_bookable(&self.rep, &self.settings, &self.busy, now, start)
    }
}

/// A slot offered with the rep it belongs to.
#[derive(Debug, Clone)]
pub struct Offer {
    pub rep_id: Uuid,
    pub rep_name: String,
    pub slot: Slot,
}

/// What a lead can book now.
#[derive(Debug, Clone)]
pub enum Availability {
    /// Free slots, earliest first; `from_other_reps` when the assigned rep
    /// had none and these belong to others in the pool.
    Slots { offers: Vec<Offer>, from_other_reps: bool },
    /// Nobody in the pool has a free slot within the horizon.
    Nobody { rep_name: Option<String>, call_at: Option<DateTime<Utc>>, rep_zone: Option<String> },
}

/// Loads a rep's calendar; `moving` is a booking left out of the busy time
/// (the one being rescheduled). `None` for a user without a rep profile.
pub async fn load_calendar(
    src: &mut impl Source,
    reps: &[Rep],
    user_id: Uuid,
    now: DateTime<Utc>,
    moving: Option<Uuid>,
) -> Result<Option<RepCalendar>, AppError> {
    let Some(rep) = reps.iter().find(|rep| rep.id == user_id.to_string()).cloned() else {
        return Ok(None);
    };
    let settings =
        store::calendars::find_calendar(src.conn(), user_id).await?.map(|c| c.settings.0).unwrap_or_default();
    // Meetings earlier today count towards the daily maximum.
    let since = now - Duration::days(2);
    let bookings = store::bookings::list_live_bookings_of(src.conn(), user_id, since).await?;
    let blocks = store::calendars::list_busy_blocks(src.conn(), user_id, since).await?;
    let mut busy: Vec<Busy> = bookings
        .iter()
        .filter(|b| Some(b.id) != moving)
        .map(|b| Busy { start: b.starts_at, end: b.ends_at, counts_as_meeting: true })
        .collect();
    busy.extend(blocks.iter().map(|b| Busy { start: b.starts_at, end: b.ends_at, counts_as_meeting: false }));
    Ok(Some(RepCalendar { user_id, rep, settings, busy }))
}

/// The people whose calendars a lead may book, best first: the first rep
/// (the meeting's rep when rescheduling, else the assigned rep) alone when
/// they have a free slot, else the other eligible members of the pool.
pub async fn bookable_calendars(
    src: &mut impl Source,
    lead: &LeadRecord,
    first: Option<Uuid>,
    now: DateTime<Utc>,
    moving: Option<Uuid>,
) -> Result<(Vec<RepCalendar>, bool), AppError> {
    let reps = store::routing::list_reps(src.conn()).await?;
    let profiled = store::bookings::list_profiled_reps(src.conn()).await?;
    if let Some(id) = first.filter(|id| profiled.contains(id))
        && let Some(calendar) = load_calendar(src, &reps, id, now, moving).await?
        && !calendar.slots(now, 1).is_empty()
    {
        return Ok((vec![calendar], false));
    }
    let pools = store::routing::list_pools(src.conn()).await?;
    let loads = store::routing::list_loads(src.conn()).await?;
    let load = |id: &str| loads.iter().find(|l| l.rep_id == id).map_or(0, |l| l.open_leads);
    let members =
        pools.iter().find(|p| Some(&p.name) == lead.pool.as_ref()).map(|p| p.members.clone()).unwrap_or_default();
    let mut calendars = Vec::new();
    for member in members {
        let Ok(id) = member.rep_id.parse::<Uuid>() else { continue };
        let eligible =
            reps.iter().any(|r| r.id == member.rep_id && engine::is_eligible(r, load(&r.id), now).is_eligible());
        if Some(id) == first || !profiled.contains(&id) || !eligible {
            continue;
        }
        if let Some(calendar) = load_calendar(src, &reps, id, now, moving).await? {
            calendars.push(calendar);
        }
    }
    Ok((calendars, true))
}

/// What the lead can book now, at most [`SLOTS_SHOWN`] slots; one rep per
/// start (the first in pool order).
pub async fn availability(
    src: &mut impl Source,
    lead: &LeadRecord,
    first: Option<Uuid>,
    now: DateTime<Utc>,
    moving: Option<Uuid>,
) -> Result<Availability, AppError> {
    let (calendars, from_other_reps) = bookable_calendars(src, lead, first, now, moving).await?;
    let mut offers: Vec<Offer> = Vec::new();
    for calendar in &calendars {
        for slot in calendar.slots(now, SLOTS_SHOWN) {
            if !offers.iter().any(|o| o.slot.start == slot.start) {
                offers.push(Offer { rep_id: calendar.user_id, rep_name: calendar.rep.name.clone(), slot });
            }
        }
    }
    offers.sort_by_key(|o| o.slot.start);
    offers.truncate(SLOTS_SHOWN);
    if !offers.is_empty() {
        return Ok(Availability::Slots { offers, from_other_reps });
    }
    let reps = store::routing::list_reps(src.conn()).await?;
    let rep = first.and_then(|id| reps.into_iter().find(|r| r.id == id.to_string()));
    Ok(Availability::Nobody {
        call_at: rep.as_ref().and_then(|r| engine::next_working_start(r, now)),
        rep_zone: rep.as_ref().map(|r| r.time_zone.clone()),
        rep_name: rep.map(|r| r.name),
    })
}

/// Every free slot of one rep from now to the end of their horizon, from
/// the same engine function the prospect's ending uses. NotFound for a
/// user without a rep profile.
pub async fn rep_free_slots(ctx: &Context, rep_id: Uuid) -> Result<(Rep, Vec<Slot>), AppError> {
    let now = ctx.clock.now();
    let mut conn = ctx.db.read().await?;
    if !store::bookings::list_profiled_reps(conn.conn()).await?.contains(&rep_id) {
        return Err(AppError::NotFound);
    }
    let reps = store::routing::list_reps(conn.conn()).await?;
    let calendar = load_calendar(&mut conn, &reps, rep_id, now, None).await?.ok_or(AppError::NotFound)?;
    let slots = calendar.slots(now, usize::MAX);
    Ok((calendar.rep, slots))
}
