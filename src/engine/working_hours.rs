//! When a rep works: weekly hours and out-of-office dates, both in the rep's
//! own time zone. Instants come in and go out as UTC; the wall clock of the
//! rep's zone decides, so daylight saving changes need no special care
//! except for local times that happen twice or not at all.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::routing::{Rep, RoutingError};

/// How far ahead [`next_working_start`] looks.
pub const LOOKAHEAD_DAYS: u64 = 14;

/// A span of local time within one day. `end` is exclusive; an `end` of
/// 00:00 means midnight at the end of the day. Write a night shift as two
/// ranges, one on each day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    /// First minute of work.
    pub start: NaiveTime,
    /// When work stops (not included).
    pub end: NaiveTime,
}

impl TimeRange {
    /// A range from `start` to `end`.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Self {
        Self { start, end }
    }

    /// True when the range runs to midnight at the end of the day.
    fn runs_to_midnight(&self) -> bool {
        self.end == NaiveTime::MIN
    }

    /// True when the range holds no time at all.
    pub fn is_empty(&self) -> bool {
        !self.runs_to_midnight() && self.end <= self.start
    }

    /// True when `time` is within the range.
    pub fn contains(&self, time: NaiveTime) -> bool {
        time >= self.start && (self.runs_to_midnight() || time < self.end)
    }

    /// Every minute of the range, from its start (empty ranges give none).
    fn minutes(&self) -> impl Iterator<Item = NaiveTime> + '_ {
        let length = if self.runs_to_midnight() {
            TimeDelta::days(1) - (self.start - NaiveTime::MIN)
        } else {
            self.end - self.start
        };
        (0..length.num_minutes().max(0)).map(|minute| self.start + TimeDelta::minutes(minute))
    }
}

/// Working hours for each day of the week, Monday first, in the rep's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday to Sunday; an empty day is a day off.
    pub days: [Vec<TimeRange>; 7],
}

impl Default for WeeklyHours {
    /// Monday to Friday, 09:00 to 17:00.
    fn default() -> Self {
        let office = TimeRange::new(at(9, 0), at(17, 0));
        let weekday = || vec![office];
        Self { days: [weekday(), weekday(), weekday(), weekday(), weekday(), Vec::new(), Vec::new()] }
    }
}

impl WeeklyHours {
    /// The ranges worked on this day of the week.
    pub fn on(&self, day: Weekday) -> &[TimeRange] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// True when this local day and time fall within working hours.
    pub fn contains(&self, day: Weekday, time: NaiveTime) -> bool {
        self.on(day).iter().any(|range| range.contains(time))
    }

    /// Refuses ranges that end before they start.
    pub fn validate(&self) -> Result<(), RoutingError> {
        let mut day = Weekday::Mon;
        for ranges in &self.days {
            if let Some(range) = ranges.iter().find(|range| range.is_empty()) {
                return Err(RoutingError::EmptyWorkingHours { day, start: range.start, end: range.end });
            }
            day = day.succ();
        }
        Ok(())
    }
}

/// Local dates from `start` to `end`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First day away.
    pub start: NaiveDate,
    /// Last day away (included).
    pub end: NaiveDate,
}

impl DateRange {
    /// The dates from `start` to `end`, both included.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Self {
        Self { start, end }
    }

    /// True when `date` is within the range.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// Refuses ranges that end before they start.
    pub fn validate(&self) -> Result<(), RoutingError> {
        if self.end < self.start {
            return Err(RoutingError::BackwardsDateRange { start: self.start, end: self.end });
        }
        Ok(())
    }
}

/// The time zone with this IANA name, e.g. "Europe/Berlin".
pub fn parse_time_zone(name: &str) -> Result<Tz, RoutingError> {
    name.trim().parse().map_err(|_| RoutingError::UnknownTimeZone(name.to_owned()))
}

/// The rep's zone; an unknown name (refused when reps are saved) is UTC.
pub(crate) fn rep_zone(rep: &Rep) -> Tz {
    parse_time_zone(&rep.time_zone).unwrap_or(Tz::UTC)
}

/// The rep's wall clock at `now`.
pub(crate) fn local_time(rep: &Rep, now: DateTime<Utc>) -> NaiveDateTime {
    now.with_timezone(&rep_zone(rep)).naive_local()
}

/// When the rep is out of office on their local date at `now`, the last day
/// of that absence (following back-to-back ranges); otherwise `None`.
pub fn out_of_office_until(rep: &Rep, now: DateTime<Utc>) -> Option<NaiveDate> {
    let today = local_time(rep, now).date();
    let covering = |date: NaiveDate| {
        rep.out_of_office.iter().filter(move |range| range.contains(date)).map(|range| range.end).max()
    };
    let mut until = covering(today)?;
    while let Some(later) = until.succ_opt().and_then(covering) {
        until = later;
    }
    Some(until)
}

/// True when `now` falls within the rep's working hours, read on the rep's
/// own wall clock (so 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC
/// in summer). Out-of-office dates are not considered here.
pub fn is_working(rep: &Rep, now: DateTime<Utc>) -> bool {
    let local = local_time(rep, now);
    rep.working_hours.contains(local.weekday(), local.time())
}

/// The first instant from `now` on, within [`LOOKAHEAD_DAYS`], at which the
/// rep is working on a day they are not out of office: `now` itself when
/// they are working now. `None` when no working hours fall in that window.
pub fn next_working_start(rep: &Rep, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = local_time(rep, now).date();
    if is_working(rep, now) && !is_away_on(rep, today) {
        return Some(now);
    }
    let zone = rep_zone(rep);
    let horizon = now + TimeDelta::days(LOOKAHEAD_DAYS as i64);
    (0..=LOOKAHEAD_DAYS)
        .filter_map(|offset| today.checked_add_days(Days::new(offset)))
        .filter(|&date| !is_away_on(rep, date))
        .flat_map(|date| {
            rep.working_hours.on(date.weekday()).iter().filter_map(move |range| range_start(&zone, date, range))
        })
        .filter(|&start| start > now && start <= horizon)
        .min()
}

fn is_away_on(rep: &Rep, date: NaiveDate) -> bool {
    rep.out_of_office.iter().any(|range| range.contains(date))
}

/// The instant a range begins on `date`. A start that happens twice (clocks
/// going back) is the first; a start skipped by clocks going forward is the
/// first minute of the range that exists.
fn range_start(zone: &Tz, date: NaiveDate, range: &TimeRange) -> Option<DateTime<Utc>> {
    range
        .minutes()
        .find_map(|time| match zone.from_local_datetime(&date.and_time(time)) {
            LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => Some(instant),
            LocalResult::None => None,
        })
        .map(|instant| instant.with_timezone(&Utc))
}

/// A readable local moment for reasons, e.g. "Mon 2026-03-30 09:00 Europe/Berlin".
pub(crate) fn describe_local(rep: &Rep, instant: DateTime<Utc>) -> String {
    let zone = rep_zone(rep);
    let local = instant.with_timezone(&zone);
    format!("{} {}", local.format("%a %Y-%m-%d %H:%M"), zone.name())
}

/// A time of day; panics on impossible values, so only for constants.
fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time of day")
}

#[cfg(test)]
#[path = "working_hours_tests.rs"]
mod tests;
