use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use super::*;
use crate::engine::routing::{Rep, RoutingError};

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).single().expect("a valid UTC time")
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

fn rep_in(zone: &str) -> Rep {
    Rep {
        id: "ana".into(),
        name: "Ana".into(),
        active: true,
        territories: vec![],
        segments: vec![],
        seniority: None,
        languages: vec![],
        time_zone: zone.into(),
        working_hours: WeeklyHours::default(),
        capacity: None,
        out_of_office: vec![],
    }
}

/// A rep in `zone` who works only on Sundays, from `start` to `end`.
fn sunday_worker(zone: &str, start: NaiveTime, end: NaiveTime) -> Rep {
    let mut rep = rep_in(zone);
    rep.working_hours.days = Default::default();
    rep.working_hours.days[6] = vec![TimeRange::new(start, end)];
    rep
}

#[test]
fn default_hours_are_weekdays_nine_to_five() {
    let hours = WeeklyHours::default();
    assert!(hours.contains(Weekday::Mon, at(9, 0)));
    assert!(hours.contains(Weekday::Fri, at(16, 59)));
    assert!(!hours.contains(Weekday::Fri, at(17, 0)), "the end is exclusive");
    assert!(!hours.contains(Weekday::Tue, at(8, 59)));
    assert!(!hours.contains(Weekday::Sat, at(12, 0)));
}

#[test]
fn berlin_hours_follow_the_clock_change_of_2026_03_29() {
    let rep = rep_in("Europe/Berlin");
    // Friday before the change: 09:00 in Berlin is 08:00 UTC.
    assert!(!is_working(&rep, utc(2026, 3, 27, 7, 30)));
    assert!(is_working(&rep, utc(2026, 3, 27, 8, 0)));
    assert!(is_working(&rep, utc(2026, 3, 27, 15, 59)));
    assert!(!is_working(&rep, utc(2026, 3, 27, 16, 0)));
    // Monday after: 09:00 in Berlin is 07:00 UTC.
    assert!(is_working(&rep, utc(2026, 3, 30, 7, 30)));
    assert!(!is_working(&rep, utc(2026, 3, 30, 15, 0)));
    assert_eq!(next_working_start(&rep, utc(2026, 3, 28, 12, 0)), Some(utc(2026, 3, 30, 7, 0)));
}

#[test]
fn a_start_skipped_by_the_berlin_clock_change_begins_when_clocks_jump() {
    // 02:30 does not exist on 2026-03-29 in Berlin: 02:00 CET became 03:00 CEST.
    let rep = sunday_worker("Europe/Berlin", at(2, 30), at(4, 0));
    let start = next_working_start(&rep, utc(2026, 3, 28, 12, 0));
    assert_eq!(start, Some(utc(2026, 3, 29, 1, 0)));
    assert!(is_working(&rep, utc(2026, 3, 29, 1, 0)));
    assert!(!is_working(&rep, utc(2026, 3, 29, 0, 59)));
    assert!(!is_working(&rep, utc(2026, 3, 29, 2, 0)), "04:00 CEST");
    // Entirely inside the gap: no work that day, so next Sunday.
    let lost = sunday_worker("Europe/Berlin", at(2, 0), at(2, 30));
    assert_eq!(next_working_start(&lost, utc(2026, 3, 28, 12, 0)), Some(utc(2026, 4, 5, 0, 0)));
}

#[test]
fn new_york_hours_follow_the_clock_change_of_2026_11_01() {
    let rep = rep_in("America/New_York");
    // Friday before: 09:00 EDT is 13:00 UTC.
    assert!(is_working(&rep, utc(2026, 10, 30, 13, 30)));
    assert!(!is_working(&rep, utc(2026, 10, 30, 21, 0)), "17:00 EDT");
    // Monday after: 09:00 EST is 14:00 UTC.
    assert!(!is_working(&rep, utc(2026, 11, 2, 13, 30)));
    assert!(is_working(&rep, utc(2026, 11, 2, 14, 0)));
    assert!(is_working(&rep, utc(2026, 11, 2, 21, 30)), "16:30 EST");
    assert_eq!(next_working_start(&rep, utc(2026, 10, 31, 12, 0)), Some(utc(2026, 11, 2, 14, 0)));
}

#[test]
fn an_hour_that_happens_twice_in_new_york_counts_both_times() {
    // 01:00-02:00 runs twice on 2026-11-01: first EDT (05:00 UTC), then EST.
    let rep = sunday_worker("America/New_York", at(1, 0), at(1, 30));
    assert!(is_working(&rep, utc(2026, 11, 1, 5, 15)));
    assert!(!is_working(&rep, utc(2026, 11, 1, 5, 45)));
    assert!(is_working(&rep, utc(2026, 11, 1, 6, 15)));
    assert_eq!(
        next_working_start(&rep, utc(2026, 11, 1, 4, 0)),
        Some(utc(2026, 11, 1, 5, 0)),
        "the first of the two starts"
    );
}

#[test]
fn next_start_is_now_while_working_and_skips_days_away() {
    let mut rep = rep_in("UTC");
    let wednesday_noon = utc(2026, 3, 18, 12, 0);
    assert_eq!(next_working_start(&rep, wednesday_noon), Some(wednesday_noon));
    rep.out_of_office = vec![DateRange::new(date(2026, 3, 18), date(2026, 3, 19))];
    assert_eq!(next_working_start(&rep, wednesday_noon), Some(utc(2026, 3, 20, 9, 0)));
    rep.out_of_office = vec![DateRange::new(date(2026, 3, 18), date(2026, 4, 30))];
    assert_eq!(next_working_start(&rep, wednesday_noon), None, "beyond 14 days");
    rep.working_hours.days = Default::default();
    rep.out_of_office.clear();
    assert_eq!(next_working_start(&rep, wednesday_noon), None, "no hours at all");
}

#[test]
fn a_start_exactly_fourteen_days_ahead_is_found() {
    let mut rep = rep_in("UTC");
    rep.out_of_office = vec![DateRange::new(date(2026, 3, 18), date(2026, 3, 31))];
    let now = utc(2026, 3, 18, 9, 0);
    assert_eq!(next_working_start(&rep, now), Some(utc(2026, 4, 1, 9, 0)));
}

#[test]
fn out_of_office_runs_on_the_reps_own_date() {
    let mut tokyo = rep_in("Asia/Tokyo");
    tokyo.out_of_office = vec![DateRange::new(date(2026, 3, 19), date(2026, 3, 19))];
    // 16:00 UTC on the 18th is 01:00 on the 19th in Tokyo.
    assert_eq!(out_of_office_until(&tokyo, utc(2026, 3, 18, 16, 0)), Some(date(2026, 3, 19)));
    assert_eq!(out_of_office_until(&tokyo, utc(2026, 3, 18, 14, 0)), None);
    assert_eq!(out_of_office_until(&tokyo, utc(2026, 3, 19, 15, 0)), None);
}

#[test]
fn back_to_back_absences_report_the_last_day() {
    let mut rep = rep_in("UTC");
    rep.out_of_office = vec![
        DateRange::new(date(2026, 3, 20), date(2026, 3, 24)),
        DateRange::new(date(2026, 3, 16), date(2026, 3, 19)),
        DateRange::new(date(2026, 3, 26), date(2026, 3, 27)),
    ];
    assert_eq!(out_of_office_until(&rep, utc(2026, 3, 17, 10, 0)), Some(date(2026, 3, 24)));
}

#[test]
fn a_range_ending_at_midnight_runs_to_the_end_of_the_day() {
    let evening = TimeRange::new(at(18, 0), NaiveTime::MIN);
    assert!(evening.contains(at(23, 59)));
    assert!(!evening.contains(at(17, 59)));
    assert!(!evening.is_empty());
    assert!(TimeRange::new(at(18, 0), at(6, 0)).is_empty());
    let rep = sunday_worker("UTC", at(22, 0), NaiveTime::MIN);
    assert_eq!(next_working_start(&rep, utc(2026, 3, 22, 12, 0)), Some(utc(2026, 3, 22, 22, 0)));
}

#[test]
fn an_unknown_zone_counts_as_utc_and_is_refused_by_validation() {
    let rep = rep_in("Mars/Olympus_Mons");
    assert!(is_working(&rep, utc(2026, 3, 18, 9, 0)));
    assert!(!is_working(&rep, utc(2026, 3, 18, 8, 59)));
    let error = rep.validate().unwrap_err();
    assert_eq!(error, RoutingError::UnknownTimeZone("Mars/Olympus_Mons".into()));
    assert!(error.to_string().contains("not a known time zone"), "{error}");
    assert!(parse_time_zone(" Asia/Tokyo ").is_ok());
}

#[test]
fn validation_refuses_backwards_ranges() {
    let mut rep = rep_in("Europe/Berlin");
    assert_eq!(rep.validate(), Ok(()));
    rep.working_hours.days[2] = vec![TimeRange::new(at(22, 0), at(6, 0))];
    let error = rep.validate().unwrap_err();
    assert_eq!(
        error.to_string(),
        "Wed: working hours 22:00-06:00 end before they start; split night shifts into two days"
    );
    rep.working_hours = WeeklyHours::default();
    rep.out_of_office = vec![DateRange::new(date(2026, 3, 20), date(2026, 3, 19))];
    assert_eq!(
        rep.validate().unwrap_err().to_string(),
        "out of office from 2026-03-20 to 2026-03-19: the last day is before the first"
    );
}

#[test]
fn hours_read_from_json_accept_minutes_without_seconds() {
    let range: TimeRange = serde_json::from_str(r#"{"start": "08:30", "end": "12:00"}"#).unwrap();
    assert_eq!(range, TimeRange::new(at(8, 30), at(12, 0)));
    let hours = WeeklyHours::default();
    let json = serde_json::to_string(&hours).unwrap();
    assert_eq!(serde_json::from_str::<WeeklyHours>(&json).unwrap(), hours);
}

#[test]
fn local_moments_read_well_in_reasons() {
    let rep = rep_in("Europe/Berlin");
    assert_eq!(describe_local(&rep, utc(2026, 3, 30, 7, 0)), "Mon 2026-03-30 09:00 Europe/Berlin");
}
