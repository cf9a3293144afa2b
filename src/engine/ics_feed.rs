//! Reading a rep's iCalendar feed into busy time. Pure: the caller fetches
//! the text and passes the rep's zone and the window that matters.
//!
//! What counts: every VEVENT that is not CANCELLED and not TRANSPARENT
//! ("free"). Times may be UTC (`Z`), carry a TZID (an IANA name, or one of
//! the common Windows names Outlook writes), be floating (read on the
//! rep's clock), or be all-day dates (midnight to midnight on the rep's
//! clock). The end comes from DTEND, else DURATION, else one day for an
//! all-day event; a timed event without either takes no time.
//!
//! Recurring events (RRULE, RDATE, EXDATE) are expanded within the window,
//! at most [`MAX_INSTANCES`] per event; an instance moved or cancelled by
//! an override (same UID with RECURRENCE-ID) is replaced by the override.
//! VTIMEZONE definitions are not read: the TZID name decides. An event
//! that cannot be read is skipped and counted, never fatal.

use std::collections::HashSet;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};

use super::ics_lines::{ContentLine, parse_line, unfold};

/// Most instances read from one recurring event.
pub const MAX_INSTANCES: u16 = 500;

/// One busy span read from a feed. `end` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedBusy {
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

/// What a feed held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedReport {
    /// Busy spans within the window, earliest first.
    pub busy: Vec<FeedBusy>,
    /// VEVENTs read.
    pub events: usize,
    /// Events left out: cancelled, free, or unreadable.
    pub skipped: usize,
    /// Events that could not be read (also counted in `skipped`).
    pub unreadable: usize,
}

/// Why a feed could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The text is not an iCalendar file.
    #[error("the address did not return an iCalendar file (no BEGIN:VCALENDAR)")]
    NotICalendar,
}

/// The busy spans of `text` that overlap `[from, to)`; floating times and
/// all-day dates are read in `zone` (the rep's).
pub fn read_feed(text: &str, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<FeedReport, FeedError> {
    let events = collect_events(text)?;
    let overridden: HashSet<(String, DateTime<Utc>)> =
        events.iter().filter_map(|e| Some((e.uid.clone(), moment(e.get("RECURRENCE-ID")?, zone)?.utc()))).collect();
    let mut report = FeedReport { events: events.len(), ..FeedReport::default() };
    for event in &events {
        if !event.is_busy() {
            report.skipped += 1;
            continue;
        }
        match spans(event, zone, from, to, &overridden) {
            Some(spans) => report.busy.extend(spans),
            None => {
                report.skipped += 1;
                report.unreadable += 1;
            }
        }
    }
    report.busy.retain(|b| b.start < to && from < b.end && b.start < b.end);
    report.busy.sort();
    report.busy.dedup();
    Ok(report)
}

/// One VEVENT's properties (nested components such as VALARM left out).
struct Event {
    uid: String,
    lines: Vec<ContentLine>,
}

impl Event {
    fn get(&self, name: &str) -> Option<&ContentLine> {
        self.lines.iter().find(|line| line.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ContentLine> + 'a {
        self.lines.iter().filter(move |line| line.name == name)
    }

    /// Not cancelled, and not marked free.
    fn is_busy(&self) -> bool {
        let is = |name: &str, value: &str| self.get(name).is_some_and(|l| l.value.trim().eq_ignore_ascii_case(value));
        !is("STATUS", "CANCELLED") && !is("TRANSP", "TRANSPARENT")
    }
}

fn collect_events(text: &str) -> Result<Vec<Event>, FeedError> {
    let lines: Vec<ContentLine> = unfold(text).iter().filter_map(|l| parse_line(l)).collect();
    let begins = |line: &ContentLine, what: &str| line.name == "BEGIN" && line.value.trim().eq_ignore_ascii_case(what);
    if !lines.iter().any(|line| begins(line, "VCALENDAR")) {
        return Err(FeedError::NotICalendar);
    }
    let mut events = Vec::new();
    let mut current: Option<Vec<ContentLine>> = None;
    let mut nested = 0usize;
    for line in lines {
        match (&mut current, line.name.as_str()) {
            (None, "BEGIN") if begins(&line, "VEVENT") => current = Some(Vec::new()),
            (Some(_), "BEGIN") => nested += 1,
            (Some(_), "END") if nested > 0 => nested -= 1,
            (Some(_), "END") => {
                let lines = current.take().unwrap_or_default();
                let uid = lines.iter().find(|l| l.name == "UID").map(|l| l.value.trim().to_owned()).unwrap_or_default();
                events.push(Event { uid, lines });
            }
            (Some(lines), _) if nested == 0 => lines.push(line),
            _ => {}
        }
    }
    Ok(events)
}

/// A DTSTART-like value: an all-day date, or an instant in a zone.
#[derive(Debug, Clone, Copy)]
enum Moment {
    Date(NaiveDate, Tz),
    At(DateTime<Tz>),
}

impl Moment {
    fn zoned(self) -> Option<DateTime<Tz>> {
        match self {
            Moment::At(at) => Some(at),
            Moment::Date(date, zone) => first_instant(zone, date.and_hms_opt(0, 0, 0)?),
        }
    }

    fn utc(self) -> DateTime<Utc> {
        self.zoned().map_or(DateTime::<Utc>::MIN_UTC, |at| at.with_timezone(&Utc))
    }
}

/// Reads a date or date-time value with its TZID / VALUE parameters.
fn moment(line: &ContentLine, zone: Tz) -> Option<Moment> {
    let value = line.value.trim();
    let value = value.split(',').next()?.trim();
    if line.param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE")) || value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d").ok().map(|d| Moment::Date(d, zone));
    }
    if let Some(utc) = value.strip_suffix(['Z', 'z']) {
        let naive = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Moment::At(Tz::UTC.from_utc_datetime(&naive)));
    }
    let naive = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?;
    let zone = line.param("TZID").map_or(zone, |tzid| zone_named(tzid, zone));
    first_instant(zone, naive).map(Moment::At)
}

/// Every value of a list property such as EXDATE (comma-separated).
fn moments(line: &ContentLine, zone: Tz) -> Vec<Moment> {
    line.value
        .split(',')
        .filter_map(|value| moment(&ContentLine { value: value.to_owned(), ..line.clone() }, zone))
        .collect()
}

/// The first instant a wall time exists at or after (a time skipped by a
/// clock change moves forward by the jump).
fn first_instant(zone: Tz, wall: NaiveDateTime) -> Option<DateTime<Tz>> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
        LocalResult::None => zone.from_local_datetime(&(wall + TimeDelta::hours(1))).earliest(),
    }
}

/// An IANA zone, or a Windows zone name as Outlook writes it; anything else
/// is read as the rep's zone.
fn zone_named(tzid: &str, fallback: Tz) -> Tz {
    let name = tzid.trim().trim_start_matches('/');
    if let Ok(zone) = name.parse::<Tz>() {
        return zone;
    }
    WINDOWS_ZONES.iter().find(|(windows, _)| windows.eq_ignore_ascii_case(name)).map_or(fallback, |(_, iana)| *iana)
}

const WINDOWS_ZONES: [(&str, Tz); 16] = [
    ("UTC", Tz::UTC),
    ("GMT Standard Time", Tz::Europe__London),
    ("W. Europe Standard Time", Tz::Europe__Berlin),
    ("Romance Standard Time", Tz::Europe__Paris),
    ("Central Europe Standard Time", Tz::Europe__Budapest),
    ("Central European Standard Time", Tz::Europe__Warsaw),
    ("E. Europe Standard Time", Tz::Europe__Chisinau),
    ("FLE Standard Time", Tz::Europe__Kiev),
    ("Eastern Standard Time", Tz::America__New_York),
    ("Central Standard Time", Tz::America__Chicago),
    ("Mountain Standard Time", Tz::America__Denver),
    ("Pacific Standard Time", Tz::America__Los_Angeles),
    ("India Standard Time", Tz::Asia__Kolkata),
    ("Tokyo Standard Time", Tz::Asia__Tokyo),
    ("Singapore Standard Time", Tz::Asia__Singapore),
    ("AUS Eastern Standard Time", Tz::Australia__Sydney),
];

/// The event's spans within the window; `None` when it cannot be read.
fn spans(
    event: &Event,
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    overridden: &HashSet<(String, DateTime<Utc>)>,
) -> Option<Vec<FeedBusy>> {
    let start = moment(event.get("DTSTART")?, zone)?;
    let length = length(event, start, zone)?;
    let is_master = event.get("RECURRENCE-ID").is_none();
    let recurs = is_master && (event.get("RRULE").is_some() || event.get("RDATE").is_some());
    let starts = if recurs { occurrences(event, start, zone, from - length.longest(), to)? } else { vec![start] };
    let spans = starts
        .into_iter()
        .filter(|s| !(recurs && overridden.contains(&(event.uid.clone(), s.utc()))))
        .filter_map(|s| length.span_from(s))
        .collect();
    Some(spans)
}

/// How long an event lasts: whole days for all-day events (so a day stays
/// midnight to midnight across clock changes), real time otherwise.
#[derive(Debug, Clone, Copy)]
enum Length {
    Days(u64),
    Time(TimeDelta),
}

impl Length {
    fn longest(self) -> TimeDelta {
        match self {
            Length::Days(days) => TimeDelta::days(days as i64 + 1),
            Length::Time(time) => time,
        }
    }

    fn span_from(self, start: Moment) -> Option<FeedBusy> {
        let begin = start.zoned()?;
        let end = match (self, start) {
            (Length::Days(days), Moment::Date(date, zone)) => {
                Moment::Date(date.checked_add_days(Days::new(days))?, zone).zoned()?
            }
            (Length::Days(days), Moment::At(at)) => at + TimeDelta::days(days as i64),
            (Length::Time(time), _) => begin + time,
        };
        Some(FeedBusy { start: begin.with_timezone(&Utc), end: end.with_timezone(&Utc) })
    }
}

fn length(event: &Event, start: Moment, zone: Tz) -> Option<Length> {
    if let Some(end) = event.get("DTEND").and_then(|line| moment(line, zone)) {
        return Some(match (start, end) {
            (Moment::Date(first, _), Moment::Date(last, _)) => Length::Days((last - first).num_days().max(1) as u64),
            _ => Length::Time(end.zoned()? - start.zoned()?),
        });
    }
    if let Some(duration) = event.get("DURATION") {
        return parse_duration(duration.value.trim()).map(Length::Time);
    }
    Some(match start {
        Moment::Date(..) => Length::Days(1),
        Moment::At(_) => Length::Time(TimeDelta::zero()),
    })
}

/// `P1W`, `P1D`, `PT1H30M`, `P1DT2H`; a negative duration is refused.
fn parse_duration(text: &str) -> Option<TimeDelta> {
    let body = text.strip_prefix('+').unwrap_or(text).strip_prefix(['P', 'p'])?;
    let (mut total, mut number) = (TimeDelta::zero(), String::new());
    for c in body.chars() {
        match c.to_ascii_uppercase() {
            'T' => {}
            d if d.is_ascii_digit() => number.push(d),
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                total += match unit {
                    'W' => TimeDelta::weeks(n),
                    'D' => TimeDelta::days(n),
                    'H' => TimeDelta::hours(n),
                    'M' => TimeDelta::minutes(n),
                    'S' => TimeDelta::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    number.is_empty().then_some(total)
}

/// The starts of a recurring event from `from` to `to`, with EXDATEs
/// removed and RDATEs added.
fn occurrences(event: &Event, start: Moment, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Vec<Moment>> {
    let recurrence_zone = rrule::Tz::Tz(match start {
        Moment::At(at) => at.timezone(),
        Moment::Date(_, zone) => zone,
    });
    let dt_start = start.zoned()?.with_timezone(&recurrence_zone);
    let mut set = RRuleSet::new(dt_start);
    for line in event.all("RRULE") {
        let rule: RRule<Unvalidated> = line.value.trim().parse().ok()?;
        set = set.rrule(rule.validate(dt_start).ok()?);
    }
    for line in event.all("RDATE") {
        set = moments(line, zone)
            .into_iter()
            .filter_map(Moment::zoned)
            .fold(set, |s, d| s.rdate(d.with_timezone(&recurrence_zone)));
    }
    for line in event.all("EXDATE") {
        set = moments(line, zone)
            .into_iter()
            .filter_map(Moment::zoned)
            .fold(set, |s, d| s.exdate(d.with_timezone(&recurrence_zone)));
    }
    let found =
        set.after(from.with_timezone(&recurrence_zone)).before(to.with_timezone(&recurrence_zone)).all(MAX_INSTANCES);
    Some(
        found
            .dates
            .into_iter()
            .map(|at| match start {
                Moment::Date(_, zone) => Moment::Date(at.with_timezone(&zone).date_naive(), zone),
                Moment::At(first) => Moment::At(at.with_timezone(&first.timezone())),
            })
            .collect(),
    )
}

#[cfg(test)]
#[path = "ics_feed_tests.rs"]
mod tests;
