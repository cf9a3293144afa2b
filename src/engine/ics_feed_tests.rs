use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).single().expect("a valid UTC time")
}

fn calendar(events: &[&str]) -> String {
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n");
    for event in events {
        text.push_str("BEGIN:VEVENT\r\n");
        text.push_str(&event.replace('\n', "\r\n"));
        text.push_str("\r\nEND:VEVENT\r\n");
    }
    text.push_str("END:VCALENDAR\r\n");
    text
}

/// Two weeks from Monday 2026-11-16.
fn read(text: &str) -> FeedReport {
    read_feed(text, Tz::Europe__Madrid, utc(2026, 11, 16, 0, 0), utc(2026, 11, 30, 0, 0)).unwrap()
}

fn span(start: DateTime<Utc>, end: DateTime<Utc>) -> FeedBusy {
    FeedBusy { start, end }
}

#[test]
fn utc_zoned_and_floating_times_become_busy_spans() {
    let report = read(&calendar(&[
        "UID:a\nDTSTART:20261118T100000Z\nDTEND:20261118T110000Z\nSUMMARY:Board",
        "UID:b\nDTSTART;TZID=America/New_York:20261118T090000\nDTEND;TZID=America/New_York:20261118T093000",
        "UID:c\nDTSTART:20261119T090000\nDURATION:PT45M",
        "UID:d\nDTSTART;TZID=W. Europe Standard Time:20261120T090000\nDTEND;TZID=W. Europe Standard Time:20261120T100000",
    ]));
    assert_eq!(
        report.busy,
        [
            span(utc(2026, 11, 18, 10, 0), utc(2026, 11, 18, 11, 0)),
            span(utc(2026, 11, 18, 14, 0), utc(2026, 11, 18, 14, 30)),
            span(utc(2026, 11, 19, 8, 0), utc(2026, 11, 19, 8, 45)),
            span(utc(2026, 11, 20, 8, 0), utc(2026, 11, 20, 9, 0)),
        ],
        "floating 09:00 is read on the Madrid clock; the Windows name is Berlin time"
    );
    assert_eq!((report.events, report.skipped), (4, 0));
}

#[test]
fn all_day_events_run_midnight_to_midnight_on_the_reps_clock() {
    let report = read(&calendar(&[
        "UID:a\nDTSTART;VALUE=DATE:20261123\nDTEND;VALUE=DATE:20261125",
        "UID:b\nDTSTART;VALUE=DATE:20261127",
    ]));
    assert_eq!(
        report.busy,
        [
            span(utc(2026, 11, 22, 23, 0), utc(2026, 11, 24, 23, 0)),
            span(utc(2026, 11, 26, 23, 0), utc(2026, 11, 27, 23, 0)),
        ]
    );
}

#[test]
fn cancelled_free_and_unreadable_events_are_skipped_and_counted() {
    let report = read(&calendar(&[
        "UID:a\nDTSTART:20261118T100000Z\nDTEND:20261118T110000Z\nSTATUS:CANCELLED",
        "UID:b\nDTSTART:20261118T120000Z\nDTEND:20261118T130000Z\nTRANSP:TRANSPARENT",
        "UID:c\nDTSTART:tomorrow\nDTEND:20261118T130000Z",
        "UID:d\nDTSTART:20261118T150000Z\nDTEND:20261118T160000Z\nBEGIN:VALARM\nTRIGGER:-PT15M\nEND:VALARM",
    ]));
    assert_eq!(report.busy, [span(utc(2026, 11, 18, 15, 0), utc(2026, 11, 18, 16, 0))], "the alarm is not an end");
    assert_eq!((report.events, report.skipped, report.unreadable), (4, 3, 1));
}

#[test]
fn events_outside_the_window_are_left_out() {
    let report = read(&calendar(&[
        "UID:a\nDTSTART:20261101T100000Z\nDTEND:20261101T110000Z",
        "UID:b\nDTSTART:20261215T100000Z\nDTEND:20261215T110000Z",
        "UID:c\nDTSTART:20261115T230000Z\nDTEND:20261116T010000Z",
    ]));
    assert_eq!(report.busy, [span(utc(2026, 11, 15, 23, 0), utc(2026, 11, 16, 1, 0))], "one overlaps the start");
}

#[test]
fn a_weekly_meeting_repeats_on_the_wall_clock_with_exceptions_and_overrides() {
    // Every Monday 10:00 in Berlin since October (before the clocks changed).
    let report = read(&calendar(&[
        "UID:sync\nDTSTART;TZID=Europe/Berlin:20261005T100000\nDTEND;TZID=Europe/Berlin:20261005T110000\n\
         RRULE:FREQ=WEEKLY;BYDAY=MO\nEXDATE;TZID=Europe/Berlin:20261116T100000",
        "UID:sync\nRECURRENCE-ID;TZID=Europe/Berlin:20261123T100000\n\
         DTSTART;TZID=Europe/Berlin:20261124T140000\nDTEND;TZID=Europe/Berlin:20261124T150000",
    ]));
    assert_eq!(
        report.busy,
        [span(utc(2026, 11, 24, 13, 0), utc(2026, 11, 24, 14, 0))],
        "the 16th is excepted and the 23rd moved to Tuesday 14:00 CET"
    );
    let later = read_feed(
        &calendar(&["UID:x\nDTSTART;TZID=Europe/Berlin:20261005T100000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=10"]),
        Tz::UTC,
        utc(2026, 10, 1, 0, 0),
        utc(2026, 10, 31, 0, 0),
    )
    .unwrap();
    let hours: Vec<u32> = later.busy.iter().map(|b| chrono::Timelike::hour(&b.start)).collect();
    assert_eq!(hours, [8, 8, 8, 9], "10:00 CEST, then 10:00 CET after 25 October");
}

#[test]
fn a_broken_rule_skips_only_its_event_and_text_that_is_no_calendar_is_refused() {
    let report = read(&calendar(&[
        "UID:a\nDTSTART:20261118T100000Z\nDTEND:20261118T110000Z\nRRULE:FREQ=SOMETIMES",
        "UID:b\nDTSTART:20261119T100000Z\nDTEND:20261119T110000Z",
    ]));
    assert_eq!(report.busy.len(), 1);
    assert_eq!(report.unreadable, 1);
    let error = read_feed("<html>Sign in</html>", Tz::UTC, utc(2026, 11, 16, 0, 0), utc(2026, 11, 30, 0, 0));
    assert_eq!(error, Err(FeedError::NotICalendar));
}

#[test]
fn durations_read_weeks_days_hours_and_minutes() {
    assert_eq!(parse_duration("PT1H30M"), Some(TimeDelta::minutes(90)));
    assert_eq!(parse_duration("P1DT2H"), Some(TimeDelta::hours(26)));
    assert_eq!(parse_duration("P2W"), Some(TimeDelta::weeks(2)));
    assert_eq!(parse_duration("-PT1H"), None);
    assert_eq!(parse_duration("PT"), Some(TimeDelta::zero()));
    assert_eq!(parse_duration("1H"), None);
}
