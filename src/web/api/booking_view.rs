//! The JSON shapes of booking: free slots grouped by day on a viewer's
//! clock (the engine's `group_by_day`, as on the ending page), and a
//! booking as a CRM reads it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::availability::{Availability, Offer};
use crate::engine::{self, Slot};
use crate::store::bookings::BookingRecord;

/// A time that can be booked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotView {
    /// Send it back with `start` to book.
    pub rep_id: Uuid,
    pub rep_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The start on the viewer's clock, e.g. "09:30" (a repeated hour names its offset: "01:30 (EDT)").
    pub time: String,
}

/// The slots of one day on the viewer's clock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotDay {
    /// The viewer's local date.
    pub date: NaiveDate,
    /// E.g. "Thursday 19 November".
    pub label: String,
    pub slots: Vec<SlotView>,
}

/// What a finished response can book now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotOffer {
    /// The IANA zone the days and times are on.
    pub zone: String,
    /// The assigned rep had no free time: these are other reps' of the lead's pool.
    pub from_other_reps: bool,
    /// Empty when nobody in the pool has a free slot within their horizon.
    pub days: Vec<SlotDay>,
    /// When nobody is free: when the assigned rep next works (they are told to call).
    pub call_at: Option<DateTime<Utc>>,
}

/// Groups slots (each with its rep; one per start) by day in `zone`.
pub fn days_of(offers: &[(Uuid, String, Slot)], zone: &str) -> Vec<SlotDay> {
    let by_start: BTreeMap<DateTime<Utc>, &(Uuid, String, Slot)> = offers.iter().map(|o| (o.2.start, o)).collect();
    let slots: Vec<Slot> = offers.iter().map(|(_, _, s)| *s).collect();
    engine::group_by_day(&slots, zone)
        .into_iter()
        .map(|day| SlotDay {
            date: day.date,
            label: day.label,
            slots: day
                .slots
                .into_iter()
                .filter_map(|local| {
                    let (rep_id, rep_name, slot) = by_start.get(&local.start_utc)?;
                    let (rep_id, rep_name) = (*rep_id, rep_name.clone());
                    Some(SlotView { rep_id, rep_name, start: slot.start, end: slot.end, time: local.time_label })
                })
                .collect(),
        })
        .collect()
}

impl SlotOffer {
    pub fn new(availability: &Availability, zone: &str) -> SlotOffer {
        match availability {
            Availability::Slots { offers, from_other_reps } => {
                let offers: Vec<(Uuid, String, Slot)> =
                    offers.iter().map(|o: &Offer| (o.rep_id, o.rep_name.clone(), o.slot)).collect();
                SlotOffer {
                    zone: zone.to_owned(),
                    from_other_reps: *from_other_reps,
                    days: days_of(&offers, zone),
                    call_at: None,
                }
            }
            Availability::Nobody { call_at, .. } => {
                SlotOffer { zone: zone.to_owned(), from_other_reps: false, days: Vec::new(), call_at: *call_at }
            }
        }
    }
}

/// A meeting on a rep's calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingView {
    pub id: Uuid,
    /// `confirmed` or `cancelled`.
    pub status: String,
    pub rep_id: Uuid,
    pub rep_name: String,
    pub rep_email: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub lead_id: Uuid,
    pub response_id: Uuid,
    /// The prospect's name as typed, else their email.
    pub prospect_name: String,
    pub prospect_email: Option<String>,
    /// The IANA zone the prospect booked in.
    pub prospect_zone: String,
    /// Bumped by every change (the `.ics` SEQUENCE).
    pub sequence: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&BookingRecord> for BookingView {
    fn from(b: &BookingRecord) -> Self {
        BookingView {
            id: b.id,
            status: b.status.clone(),
            rep_id: b.user_id,
            rep_name: b.rep_name.clone(),
            rep_email: b.rep_email.clone(),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            lead_id: b.lead_id,
            response_id: b.response_id,
            prospect_name: b.prospect_name(),
            prospect_email: b.lead_email.clone(),
            prospect_zone: b.prospect_zone.clone(),
            sequence: b.sequence,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}
