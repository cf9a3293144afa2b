//! Free meeting slots for booking. A Tier 1 prospect who finishes the form
//! sees the assigned rep's next free slots ([`free_slots`]), laid out by day
//! on the prospect's own clock ([`group_by_day`]), and books one; the store
//! re-checks the chosen start with [`is_bookable`] inside the booking
//! transaction. Pure: the store passes the rep, their [`BookingSettings`],
//! their busy time and the current instant.
//!
//! Slots are laid on the rep's wall clock. On each local day within the
//! horizon that the rep is not out of office, candidate starts come every
//! `slot_step_minutes` from the start of each working range. A start the
//! clocks skip (spring forward) is left out; a start that happens twice
//! (fall back) is offered at both instants. A meeting lasts its real length and
//! the rep's clock must read a time within the same working range for all
//! of it. A slot is offered when it starts no sooner than the minimum
//! notice, when the buffer around it touches no busy block, and when its
//! day has not reached the daily maximum of bookings. Within a day, a start
//! that falls inside an earlier offered slot is left out, so offered slots
//! never overlap.
//!
//! The store's unique key on a slot's start stops two bookings of the same
//! slot; neighbouring slots can still clash through the buffer, so the
//! booking transaction must hold the rep's lock while it calls
//! [`is_bookable`].

use std::collections::BTreeMap;
use std::iter::successors;
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::routing::{Rep, RoutingError};
use super::working_hours::{TimeRange, WeeklyHours, parse_time_zone, rep_zone};

const MEETING_MINUTES: RangeInclusive<u32> = 5..=480;
const STEP_MINUTES: RangeInclusive<u32> = 5..=240;
const HORIZON_DAYS: RangeInclusive<u32> = 1..=90;
const MAX_BUFFER_MINUTES: u32 = 240;
const MAX_NOTICE_MINUTES: u32 = 30 * 24 * 60;
const DAILY_MAXIMUM: RangeInclusive<u32> = 1..=48;

/// How a rep takes meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BookingSettings {
    /// Length of a meeting.
    pub meeting_minutes: u32,
    /// Free time needed before and after every meeting or busy block.
    pub buffer_minutes: u32,
    /// No slot starts sooner than this after now.
    pub minimum_notice_minutes: u32,
    /// Days offered, counting today, in the rep's zone.
    pub horizon_days: u32,
    /// Most bookings on one local day; `None` is unlimited.
    pub daily_maximum: Option<u32>,
    /// Candidate starts come this often from the start of each working range.
    pub slot_step_minutes: u32,
    /// Hours for meetings; `None` uses the rep's routing working hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<WeeklyHours>,
}

impl Default for BookingSettings {
    /// 30-minute meetings every half hour with 10 minutes either side, at
    /// least two hours ahead, up to six a day, over the next 14 days.
    fn default() -> Self {
        Self {
            meeting_minutes: 30,
            buffer_minutes: 10,
            minimum_notice_minutes: 120,
            horizon_days: 14,
            daily_maximum: Some(6),
            slot_step_minutes: 30,
            working_hours: None,
        }
    }
}

impl BookingSettings {
    /// Refuses lengths, steps, horizons, buffers and notices outside their
    /// limits, and working hours that end before they start.
    pub fn validate(&self) -> Result<(), SlotError> {
        let minutes = self.meeting_minutes;
        ensure(MEETING_MINUTES.contains(&minutes), SlotError::MeetingLength(minutes))?;
        let step = self.slot_step_minutes;
        ensure(STEP_MINUTES.contains(&step), SlotError::SlotStep(step))?;
        ensure(HORIZON_DAYS.contains(&self.horizon_days), SlotError::Horizon(self.horizon_days))?;
        ensure(self.buffer_minutes <= MAX_BUFFER_MINUTES, SlotError::Buffer(self.buffer_minutes))?;
        let notice = self.minimum_notice_minutes;
        ensure(notice <= MAX_NOTICE_MINUTES, SlotError::Notice(notice))?;
        if let Some(maximum) = self.daily_maximum {
            ensure(DAILY_MAXIMUM.contains(&maximum), SlotError::DailyMaximum(maximum))?;
        }
        self.working_hours.as_ref().map_or(Ok(()), WeeklyHours::validate).map_err(SlotError::from)
    }

    /// The hours meetings may fall in.
    fn hours<'a>(&'a self, rep: &'a Rep) -> &'a WeeklyHours {
        self.working_hours.as_ref().unwrap_or(&rep.working_hours)
    }
}

fn ensure(holds: bool, error: SlotError) -> Result<(), SlotError> {
    if holds { Ok(()) } else { Err(error) }
}

/// Why booking settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SlotError {
    /// The meeting length is outside its limits.
    #[error(
        "meetings of {0} min are not allowed; use {min} to {max} minutes",
        min = MEETING_MINUTES.start(),
        max = MEETING_MINUTES.end()
    )]
    MeetingLength(u32),
    /// The step between candidate starts is outside its limits.
    #[error(
        "slots every {0} min are not allowed; use a step of {min} to {max} minutes",
        min = STEP_MINUTES.start(),
        max = STEP_MINUTES.end()
    )]
    SlotStep(u32),
    /// The horizon is outside its limits.
    #[error(
        "offering {0} days ahead is not allowed; use {min} to {max} days",
        min = HORIZON_DAYS.start(),
        max = HORIZON_DAYS.end()
    )]
    Horizon(u32),
    /// The buffer is too long.
    #[error("a buffer of {0} min is too long; use at most {MAX_BUFFER_MINUTES} minutes")]
    Buffer(u32),
    /// The minimum notice is too long.
    #[error("a minimum notice of {0} min is too long; use at most 30 days ({MAX_NOTICE_MINUTES} minutes)")]
    Notice(u32),
    /// The daily maximum is outside its limits (no maximum is written as none).
    #[error(
        "a daily maximum of {0} meetings is not allowed; use {min} to {max}, or leave it empty for no limit",
        min = DAILY_MAXIMUM.start(),
        max = DAILY_MAXIMUM.end()
    )]
    DailyMaximum(u32),
    /// The booking hours are not valid working hours.
    #[error("booking hours: {0}")]
    WorkingHours(#[from] RoutingError),
}

/// Time the rep cannot meet: a booking, a manual block or a calendar event.
/// `end` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Busy {
    /// First instant taken.
    pub start: DateTime<Utc>,
    /// When it is over (not included).
    pub end: DateTime<Utc>,
    /// True for a booking, which counts towards the daily maximum; false
    /// for a manual block or a calendar event.
    pub counts_as_meeting: bool,
}

impl Busy {
    /// True when the block shares time with `[from, to)`.
    fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        from < self.end && self.start < to
    }
}

/// A meeting time that can be booked. `end` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    /// When the meeting starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

/// The slots of one day on the viewer's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayGroup {
    /// The viewer's local date.
    pub date: NaiveDate,
    /// The date for people, e.g. "Thursday 26 November".
    pub label: String,
    /// The day's slots, earliest first.
    pub slots: Vec<LocalSlot>,
}

/// One slot on the viewer's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalSlot {
    /// The slot's start, to send back when booking.
    pub start_utc: DateTime<Utc>,
    /// The viewer's wall time of the start, e.g. "09:30".
    pub time_label: String,
}

/// The rep's next free slots from `now`, earliest first, at most `limit`.
/// Inactive reps, and settings that [`BookingSettings::validate`] refuses,
/// give none.
pub fn free_slots(rep: &Rep, settings: &BookingSettings, busy: &[Busy], now: DateTime<Utc>, limit: usize) -> Vec<Slot> {
    let Some(planner) = Planner::new(rep, settings, busy, now) else {
        return Vec::new();
    };
    let mut slots = Vec::new();
    for date in planner.dates() {
        if slots.len() >= limit {
            break;
        }
        slots.extend(planner.day(date));
    }
    slots.truncate(limit);
    slots
}

/// True when a slot starting exactly at `start` is offered at `now` (with
/// no limit): the check to repeat inside the booking transaction.
pub fn is_bookable(
    rep: &Rep,
    settings: &BookingSettings,
    busy: &[Busy],
    now: DateTime<Utc>,
    start: DateTime<Utc>,
) -> bool {
    let Some(planner) = Planner::new(rep, settings, busy, now) else {
        return false;
    };
    let date = start.with_timezone(&planner.zone).date_naive();
    planner.dates().any(|offered| offered == date) && planner.day(date).iter().any(|slot| slot.start == start)
}

/// Slots grouped by local date in `viewer_zone` (the prospect's IANA zone;
/// an unknown name is UTC), days and slots earliest first.
pub fn group_by_day(slots: &[Slot], viewer_zone: &str) -> Vec<DayGroup> {
    let zone = parse_time_zone(viewer_zone).unwrap_or(Tz::UTC);
    let mut sorted = slots.to_vec();
    sorted.sort();
    let mut days: BTreeMap<NaiveDate, Vec<LocalSlot>> = BTreeMap::new();
    for slot in sorted {
        let local = slot.start.with_timezone(&zone);
        let time_label = time_label(&zone, &local);
        days.entry(local.date_naive()).or_default().push(LocalSlot { start_utc: slot.start, time_label });
    }
    days.into_iter().map(|(date, slots)| DayGroup { date, label: day_label(date), slots }).collect()
}

/// "09:30"; a wall time the viewer's clock reads twice (fall back) also
/// names its offset, "01:30 (EDT)" and "01:30 (EST)", so the two differ.
fn time_label(zone: &Tz, local: &DateTime<Tz>) -> String {
    let wall = local.format("%H:%M").to_string();
    match zone.from_local_datetime(&local.naive_local()) {
        LocalResult::Ambiguous(..) => format!("{wall} ({})", local.format("%Z")),
        _ => wall,
    }
}

/// "Thursday 26 November".
fn day_label(date: NaiveDate) -> String {
    date.format("%A %-d %B").to_string()
}

/// Works out one rep's slots for one moment.
struct Planner<'a> {
    rep: &'a Rep,
    settings: &'a BookingSettings,
    busy: &'a [Busy],
    zone: Tz,
    /// The rep's local date at now.
    today: NaiveDate,
    /// The first instant a slot may start.
    earliest: DateTime<Utc>,
}

impl<'a> Planner<'a> {
    /// `None` when the rep offers nothing: inactive, or settings refused.
    fn new(rep: &'a Rep, settings: &'a BookingSettings, busy: &'a [Busy], now: DateTime<Utc>) -> Option<Self> {
        if !rep.active || settings.validate().is_err() {
            return None;
        }
        let zone = rep_zone(rep);
        let today = now.with_timezone(&zone).date_naive();
        let earliest = now + minutes(settings.minimum_notice_minutes);
        Some(Self { rep, settings, busy, zone, today, earliest })
    }

    /// The local dates within the horizon that the rep is not away.
    fn dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        (0..u64::from(self.settings.horizon_days))
            .map_while(|offset| self.today.checked_add_days(Days::new(offset)))
            .filter(|&date| !self.rep.out_of_office.iter().any(|away| away.contains(date)))
    }

    /// The offered slots of one local date, earliest first.
    fn day(&self, date: NaiveDate) -> Vec<Slot> {
        if self.is_full(date) {
            return Vec::new();
        }
        let mut candidates: Vec<Slot> = (self.settings.hours(self.rep).on(date.weekday()).iter())
            .flat_map(|range| self.range_slots(date, range))
            .filter(|slot| self.is_free(slot))
            .collect();
        candidates.sort();
        without_overlaps(candidates)
    }

    /// True when the date already has the daily maximum of bookings.
    fn is_full(&self, date: NaiveDate) -> bool {
        let Some(maximum) = self.settings.daily_maximum else {
            return false;
        };
        let on_date = |busy: &&Busy| busy.start.with_timezone(&self.zone).date_naive() == date;
        let booked = self.busy.iter().filter(|busy| busy.counts_as_meeting).filter(on_date).count();
        booked >= maximum as usize
    }

    /// The slots that fit within one working range on `date`, ignoring
    /// notice, busy time and the daily maximum.
    fn range_slots(&self, date: NaiveDate, range: &TimeRange) -> Vec<Slot> {
        let Some((from, to)) = wall_bounds(date, range) else {
            return Vec::new();
        };
        let step = minutes(self.settings.slot_step_minutes);
        let length = minutes(self.settings.meeting_minutes);
        successors(Some(from), |wall| wall.checked_add_signed(step))
            .take_while(|wall| *wall < to)
            .flat_map(|wall| instants(&self.zone, wall))
            .map(|start| Slot { start, end: start + length })
            .filter(|slot| stays_within(&self.zone, slot, from, to))
            .collect()
    }

    /// True when the slot starts late enough and its buffer touches no busy
    /// block.
    fn is_free(&self, slot: &Slot) -> bool {
        let buffer = minutes(self.settings.buffer_minutes);
        let (from, to) = (slot.start - buffer, slot.end + buffer);
        slot.start >= self.earliest && !self.busy.iter().any(|busy| busy.overlaps(from, to))
    }
}

/// Keeps, from slots sorted by start, each one that starts after the last
/// kept one ends (which also drops duplicates).
fn without_overlaps(sorted: Vec<Slot>) -> Vec<Slot> {
    let mut kept: Vec<Slot> = Vec::with_capacity(sorted.len());
    for slot in sorted {
        if kept.last().is_none_or(|last| last.end <= slot.start) {
            kept.push(slot);
        }
    }
    kept
}

/// A working range on `date` as local wall-clock bounds, the end exclusive;
/// `None` only at the very end of the calendar.
fn wall_bounds(date: NaiveDate, range: &TimeRange) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let end_date = if range.end == NaiveTime::MIN { date.succ_opt()? } else { date };
    Some((date.and_time(range.start), end_date.and_time(range.end)))
}

/// Every instant the zone's clock reads `wall`: none when the clocks skip
/// it (spring forward), both when it happens twice (fall back), so the
/// hour that repeats is bookable twice like any other working hour.
fn instants(zone: &Tz, wall: NaiveDateTime) -> Vec<DateTime<Utc>> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(instant) => vec![instant.with_timezone(&Utc)],
        LocalResult::Ambiguous(first, second) => vec![first.with_timezone(&Utc), second.with_timezone(&Utc)],
        LocalResult::None => Vec::new(),
    }
}

/// True when the zone's clock reads a time in `[from, to)` throughout the
/// slot. Without a clock change inside the slot (zones never change twice
/// within a few hours) the wall clock simply runs from the start; across a
/// change every minute is read.
fn stays_within(zone: &Tz, slot: &Slot, from: NaiveDateTime, to: NaiveDateTime) -> bool {
    let wall = |instant: DateTime<Utc>| instant.with_timezone(zone).naive_local();
    let last = slot.end - TimeDelta::seconds(1);
    let start = wall(slot.start);
    if start - slot.start.naive_utc() == wall(last) - last.naive_utc() {
        return from <= start && start + (slot.end - slot.start) <= to;
    }
    let minute_starts = successors(Some(slot.start), |instant| Some(*instant + TimeDelta::minutes(1)))
        .take_while(|instant| *instant < slot.end);
    minute_starts.chain([last]).all(|instant| (from..to).contains(&wall(instant)))
}

fn minutes(count: u32) -> TimeDelta {
    TimeDelta::minutes(i64::from(count))
}

#[cfg(test)]
#[path = "slots_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "slots_proptests.rs"]
mod proptests;
