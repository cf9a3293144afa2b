//! View models for booking on the ending page and the manage page: slots
//! grouped by day on the prospect's clock, the zone they are shown in and
//! why, the confirmation.

use chrono::{DateTime, Utc};

use crate::app::availability::{Availability, Offer};
use crate::app::booking_changes::ZoneGuess;
use crate::engine::{self, Slot};
use crate::store::bookings::BookingRecord;

/// Zones offered in the "Show times in" list (the shown one is added when missing).
const COMMON_ZONES: [&str; 24] = [
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Pacific/Auckland",
];

/// One zone in the list.
pub struct ZoneOption {
    pub value: String,
    pub selected: bool,
}

/// One bookable time.
pub struct SlotButton {
    /// `{rep id}_{unix seconds}`, posted back as `slot`.
    pub value: String,
    pub time: String,
    pub rep_name: String,
}

/// A day's times.
pub struct DayView {
    pub label: String,
    pub date: String,
    pub slots: Vec<SlotButton>,
}

/// Free slots to choose from, with the zone controls.
pub struct SlotList {
    /// Where a chosen slot is posted.
    pub action: String,
    /// Where the "Show times in" form goes (GET).
    pub here: String,
    pub zone: String,
    /// Why this zone, e.g. "your country".
    pub because: String,
    /// The zone came from the address (chosen, or detected by the browser).
    pub chosen: bool,
    pub zones: Vec<ZoneOption>,
    pub days: Vec<DayView>,
    /// The slots are other reps' (the assigned rep had none).
    pub from_other_reps: bool,
    pub button_label: &'static str,
}

impl SlotList {
    pub fn new(
        offers: &[Offer],
        from_other_reps: bool,
        zone: &ZoneGuess,
        chosen: bool,
        urls: (String, String),
    ) -> Self {
        let slots: Vec<Slot> = offers.iter().map(|o| o.slot).collect();
        let days = engine::group_by_day(&slots, &zone.zone)
            .into_iter()
            .map(|day| DayView {
                label: day.label,
                date: day.date.to_string(),
                slots: day
                    .slots
                    .into_iter()
                    .filter_map(|s| {
                        let offer = offers.iter().find(|o| o.slot.start == s.start_utc)?;
                        let value = format!("{}_{}", offer.rep_id, s.start_utc.timestamp());
                        Some(SlotButton { value, time: s.time_label, rep_name: offer.rep_name.clone() })
                    })
                    .collect(),
            })
            .collect();
        let mut zones: Vec<ZoneOption> =
            COMMON_ZONES.iter().map(|z| ZoneOption { value: (*z).to_owned(), selected: *z == zone.zone }).collect();
        if !COMMON_ZONES.contains(&zone.zone.as_str()) {
            zones.insert(0, ZoneOption { value: zone.zone.clone(), selected: true });
        }
        SlotList {
            action: urls.0,
            here: urls.1,
            zone: zone.zone.clone(),
            because: zone.because.clone(),
            chosen,
            zones,
            days,
            from_other_reps,
            button_label: "Book",
        }
    }
}

/// A booked meeting as the prospect reads it.
pub struct BookedView {
    pub id: String,
    pub when: String,
    pub zone: String,
    pub rep_name: String,
    pub cancelled: bool,
    /// The invitation went out by email (email is configured).
    pub emailed: bool,
    pub ics_url: String,
    pub manage_url: Option<String>,
}

impl BookedView {
    pub fn new(booking: &BookingRecord, zone: &str, ics_url: String, manage_url: Option<String>) -> Self {
        BookedView {
            id: booking.id.to_string(),
            when: local(booking.starts_at, zone),
            zone: zone.to_owned(),
            rep_name: booking.rep_name.clone(),
            cancelled: !booking.is_live(),
            emailed: false,
            ics_url,
            manage_url,
        }
    }
}

/// "Thursday 19 November 2026, 09:00 to 09:30".
pub fn local(instant: DateTime<Utc>, zone: &str) -> String {
    crate::notify::booking_email::local(instant, zone)
}

/// The booking part of an ending page.
pub struct BookingSection {
    pub slots: Option<SlotList>,
    pub booked: Option<BookedView>,
    /// When nobody has a free slot: who calls, and when.
    pub call_text: Option<String>,
    /// A plain message above the slots (a slot was taken, a meeting cancelled).
    pub message: Option<String>,
}

/// The "someone will call" sentence when nobody has a free slot.
pub fn call_text(availability: &Availability, zone: &str) -> Option<String> {
    let Availability::Nobody { rep_name, call_at, .. } = availability else { return None };
    Some(match (rep_name, call_at) {
        (Some(name), Some(at)) => {
            format!("No meeting time is free right now. {name} will call you from {} ({zone}).", local(*at, zone))
        }
        (Some(name), None) => format!("No meeting time is free right now. {name} will call you as soon as possible."),
        _ => "No meeting time is free right now. Someone from our team will call you as soon as possible.".to_owned(),
    })
}
