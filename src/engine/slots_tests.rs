use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};

use super::*;
use crate::engine::routing::Rep;
use crate::engine::working_hours::{DateRange, TimeRange, WeeklyHours};

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).single().expect("a valid UTC time")
}

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time")
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

/// Half-hour meetings, no buffer, no notice: only the hours matter.
fn plain() -> BookingSettings {
    BookingSettings { buffer_minutes: 0, minimum_notice_minutes: 0, daily_maximum: None, ..Default::default() }
}

fn meeting(start: DateTime<Utc>, minutes: i64) -> Busy {
    Busy { start, end: start + TimeDelta::minutes(minutes), counts_as_meeting: true }
}

fn block(start: DateTime<Utc>, minutes: i64) -> Busy {
    Busy { start, end: start + TimeDelta::minutes(minutes), counts_as_meeting: false }
}

fn starts(slots: &[Slot]) -> Vec<DateTime<Utc>> {
    slots.iter().map(|slot| slot.start).collect()
}

fn on_day(slots: &[Slot], day: NaiveDate) -> Vec<DateTime<Utc>> {
    slots.iter().filter(|slot| slot.start.date_naive() == day).map(|slot| slot.start).collect()
}

/// Wednesday 2026-11-18, 10:00 UTC.
fn wednesday_ten() -> DateTime<Utc> {
    utc(2026, 11, 18, 10, 0)
}

#[test]
fn default_settings_offer_half_hour_slots_two_hours_ahead_within_the_day() {
    let slots = free_slots(&rep_in("UTC"), &BookingSettings::default(), &[], wednesday_ten(), 100);
    let wednesday = on_day(&slots, date(2026, 11, 18));
    assert_eq!(wednesday.first(), Some(&utc(2026, 11, 18, 12, 0)), "two hours of notice");
    assert_eq!(wednesday.last(), Some(&utc(2026, 11, 18, 16, 30)), "the last one ends at 17:00");
    assert_eq!(wednesday.len(), 10);
    assert!(slots.iter().all(|slot| slot.end - slot.start == TimeDelta::minutes(30)));
    assert_eq!(on_day(&slots, date(2026, 11, 19)).first(), Some(&utc(2026, 11, 19, 9, 0)));
    assert!(on_day(&slots, date(2026, 11, 21)).is_empty(), "no hours on Saturday");
}

#[test]
fn the_buffer_keeps_slots_away_from_meetings_and_blocks() {
    let busy = [meeting(utc(2026, 11, 18, 13, 0), 30)];
    let slots = free_slots(&rep_in("UTC"), &BookingSettings::default(), &busy, wednesday_ten(), 100);
    let wednesday = on_day(&slots, date(2026, 11, 18));
    assert!(wednesday.contains(&utc(2026, 11, 18, 12, 0)), "ends 30 minutes before the meeting");
    assert!(!wednesday.contains(&utc(2026, 11, 18, 12, 30)), "would end right when the meeting starts");
    assert!(!wednesday.contains(&utc(2026, 11, 18, 13, 0)), "the meeting itself");
    assert!(!wednesday.contains(&utc(2026, 11, 18, 13, 30)), "would start right when the meeting ends");
    assert!(wednesday.contains(&utc(2026, 11, 18, 14, 0)));
    // Without a buffer, meetings may touch.
    let touching = free_slots(&rep_in("UTC"), &plain(), &busy, wednesday_ten(), 100);
    assert!(starts(&touching).contains(&utc(2026, 11, 18, 12, 30)));
    assert!(starts(&touching).contains(&utc(2026, 11, 18, 13, 30)));
    // A manual block of 13:05-13:25 also blocks 12:30 and 13:30 with a 10-minute buffer.
    let blocked = free_slots(
        &rep_in("UTC"),
        &BookingSettings::default(),
        &[block(utc(2026, 11, 18, 13, 5), 20)],
        wednesday_ten(),
        100,
    );
    let blocked = on_day(&blocked, date(2026, 11, 18));
    assert!(!blocked.contains(&utc(2026, 11, 18, 12, 30)));
    assert!(!blocked.contains(&utc(2026, 11, 18, 13, 30)));
    assert!(blocked.contains(&utc(2026, 11, 18, 14, 0)));
}

#[test]
fn minimum_notice_counts_from_now_not_from_the_hour() {
    let settings = BookingSettings { minimum_notice_minutes: 120, ..plain() };
    let slots = free_slots(&rep_in("UTC"), &settings, &[], utc(2026, 11, 18, 10, 5), 1);
    assert_eq!(starts(&slots), vec![utc(2026, 11, 18, 12, 30)], "12:00 is only 115 minutes away");
    let late = free_slots(&rep_in("UTC"), &settings, &[], utc(2026, 11, 18, 15, 1), 1);
    assert_eq!(starts(&late), vec![utc(2026, 11, 19, 9, 0)], "nothing left today");
}

#[test]
fn a_day_with_the_daily_maximum_of_meetings_offers_nothing_more() {
    let settings = BookingSettings { daily_maximum: Some(2), ..plain() };
    let busy = [meeting(utc(2026, 11, 18, 9, 0), 30), meeting(utc(2026, 11, 18, 15, 0), 30)];
    let slots = free_slots(&rep_in("UTC"), &settings, &busy, wednesday_ten(), 100);
    assert!(on_day(&slots, date(2026, 11, 18)).is_empty(), "two meetings already");
    assert_eq!(on_day(&slots, date(2026, 11, 19)).len(), 16, "Thursday is open");
    // Blocks are not meetings: they do not count towards the maximum.
    let blocks = [block(utc(2026, 11, 18, 9, 0), 30), block(utc(2026, 11, 18, 15, 0), 30)];
    let slots = free_slots(&rep_in("UTC"), &settings, &blocks, wednesday_ten(), 100);
    assert!(!on_day(&slots, date(2026, 11, 18)).is_empty());
}

#[test]
fn the_daily_maximum_counts_meetings_on_the_reps_own_date() {
    // 23:30 UTC on Wednesday is Thursday 08:30 in Tokyo.
    let mut rep = rep_in("Asia/Tokyo");
    rep.working_hours = WeeklyHours { days: std::array::from_fn(|_| vec![TimeRange::new(at(0, 0), at(0, 0))]) };
    let settings = BookingSettings { daily_maximum: Some(1), ..plain() };
    let busy = [meeting(utc(2026, 11, 18, 23, 30), 30)];
    let slots = free_slots(&rep, &settings, &busy, utc(2026, 11, 18, 10, 0), 500);
    let tokyo = |slot: &Slot| slot.start.with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
    assert!(slots.iter().any(|slot| tokyo(slot) == date(2026, 11, 18)), "Wednesday in Tokyo has no meeting");
    assert!(slots.iter().all(|slot| tokyo(slot) != date(2026, 11, 19)), "Thursday in Tokyo is full");
}

#[test]
fn days_out_of_office_and_beyond_the_horizon_offer_nothing() {
    let mut rep = rep_in("UTC");
    rep.out_of_office = vec![DateRange::new(date(2026, 11, 19), date(2026, 11, 19))];
    let settings = BookingSettings { horizon_days: 3, ..plain() };
    let slots = free_slots(&rep, &settings, &[], wednesday_ten(), 500);
    assert!(!on_day(&slots, date(2026, 11, 18)).is_empty());
    assert!(on_day(&slots, date(2026, 11, 19)).is_empty(), "out of office");
    assert!(!on_day(&slots, date(2026, 11, 20)).is_empty(), "the third day counts");
    assert!(slots.iter().all(|slot| slot.start < utc(2026, 11, 21, 0, 0)), "three days, counting today");
    let today_only = BookingSettings { horizon_days: 1, ..plain() };
    let slots = free_slots(&rep_in("UTC"), &today_only, &[], utc(2026, 11, 18, 16, 45), 10);
    assert!(slots.is_empty(), "the last slot of today has started and tomorrow is beyond the horizon");
}

#[test]
fn own_booking_hours_replace_the_routing_hours() {
    let mut hours = WeeklyHours { days: Default::default() };
    hours.days[2] = vec![TimeRange::new(at(14, 0), at(15, 0))];
    let settings = BookingSettings { working_hours: Some(hours), ..plain() };
    let slots = free_slots(&rep_in("UTC"), &settings, &[], wednesday_ten(), 100);
    let expected =
        [utc(2026, 11, 18, 14, 0), utc(2026, 11, 18, 14, 30), utc(2026, 11, 25, 14, 0), utc(2026, 11, 25, 14, 30)];
    assert_eq!(starts(&slots), expected, "Wednesdays 14:00-15:00 only, within 14 days");
}

#[test]
fn weekday_slots_follow_the_reps_clock_across_the_berlin_spring_change() {
    let rep = rep_in("Europe/Berlin");
    let slots = free_slots(&rep, &plain(), &[], utc(2026, 3, 27, 6, 0), 500);
    // Friday before the change: 09:00 in Berlin is 08:00 UTC.
    assert_eq!(on_day(&slots, date(2026, 3, 27)).first(), Some(&utc(2026, 3, 27, 8, 0)));
    assert_eq!(on_day(&slots, date(2026, 3, 27)).last(), Some(&utc(2026, 3, 27, 15, 30)));
    // Monday after: 09:00 in Berlin is 07:00 UTC.
    assert_eq!(on_day(&slots, date(2026, 3, 30)).first(), Some(&utc(2026, 3, 30, 7, 0)));
    assert_eq!(on_day(&slots, date(2026, 3, 30)).last(), Some(&utc(2026, 3, 30, 14, 30)));
}

#[test]
fn on_the_night_clocks_jump_forward_skipped_starts_are_left_out() {
    // 2026-03-29 in Berlin: 02:00 CET became 03:00 CEST.
    let rep = sunday_worker("Europe/Berlin", at(1, 0), at(5, 0));
    let slots = free_slots(&rep, &plain(), &[], utc(2026, 3, 28, 12, 0), 100);
    let night: Vec<_> = starts(&slots).into_iter().filter(|s| *s < utc(2026, 3, 30, 0, 0)).collect();
    let expected = [(0, 0), (0, 30), (1, 0), (1, 30), (2, 0), (2, 30)].map(|(h, m)| utc(2026, 3, 29, h, m));
    assert_eq!(night, expected, "01:00, 01:30 CET, then 03:00 to 04:30 CEST");
    // An hour-long meeting at 01:30 CET would run to 03:30 CEST, past a 03:00 end.
    let rep = sunday_worker("Europe/Berlin", at(1, 0), at(3, 0));
    let settings = BookingSettings { meeting_minutes: 60, ..plain() };
    let slots = free_slots(&rep, &settings, &[], utc(2026, 3, 28, 12, 0), 100);
    assert_eq!(starts(&slots).first(), Some(&utc(2026, 3, 29, 0, 0)));
    assert!(!starts(&slots).contains(&utc(2026, 3, 29, 0, 30)));
}

#[test]
fn on_the_night_clocks_fall_back_the_repeated_hour_is_offered_twice() {
    // 2026-11-01 in New York: 01:00-02:00 runs first in EDT, then in EST.
    let rep = sunday_worker("America/New_York", at(0, 0), at(3, 0));
    let slots = free_slots(&rep, &plain(), &[], utc(2026, 10, 31, 12, 0), 100);
    let night: Vec<_> = starts(&slots).into_iter().filter(|s| *s < utc(2026, 11, 2, 0, 0)).collect();
    let expected =
        [(4, 0), (4, 30), (5, 0), (5, 30), (6, 0), (6, 30), (7, 0), (7, 30)].map(|(h, m)| utc(2026, 11, 1, h, m));
    assert_eq!(night, expected, "four real hours of work, eight slots");
    let groups = group_by_day(&slots[..8], "America/New_York");
    let labels: Vec<_> = groups[0].slots.iter().map(|s| s.time_label.as_str()).collect();
    assert_eq!(
        labels,
        ["00:00", "00:30", "01:00 (EDT)", "01:30 (EDT)", "01:00 (EST)", "01:30 (EST)", "02:00", "02:30"],
        "the repeated wall times say which is which"
    );
}

#[test]
fn weekday_slots_follow_the_reps_clock_across_the_new_york_autumn_change() {
    let rep = rep_in("America/New_York");
    let slots = free_slots(&rep, &plain(), &[], utc(2026, 10, 30, 12, 0), 500);
    // Friday before: 09:00 EDT is 13:00 UTC; Monday after: 09:00 EST is 14:00 UTC.
    assert_eq!(on_day(&slots, date(2026, 10, 30)).first(), Some(&utc(2026, 10, 30, 13, 0)));
    assert_eq!(on_day(&slots, date(2026, 11, 2)).first(), Some(&utc(2026, 11, 2, 14, 0)));
    assert!(slots.iter().all(|slot| slot.start != utc(2026, 11, 2, 13, 0)));
}

#[test]
fn a_prospect_in_another_zone_sees_the_reps_slots_on_their_own_clock_and_dates() {
    let rep = rep_in("Europe/Madrid");
    let slots = free_slots(&rep, &plain(), &[], wednesday_ten(), 500);
    // Madrid's Wednesday 16:30 (15:30 UTC) is Thursday 04:30 in Auckland (UTC+13).
    let auckland = group_by_day(&slots, "Pacific/Auckland");
    let thursday = auckland.iter().find(|day| day.date == date(2026, 11, 19)).expect("a Thursday in Auckland");
    let last_madrid_wednesday = utc(2026, 11, 18, 15, 30);
    let shown = thursday.slots.iter().find(|s| s.start_utc == last_madrid_wednesday).expect("shown on Thursday");
    assert_eq!(shown.time_label, "04:30");
    assert_eq!(thursday.label, "Thursday 19 November");
    // In Kolkata (UTC+05:30) Madrid's 09:00 (08:00 UTC) reads 13:30.
    let kolkata = group_by_day(&slots, "Asia/Kolkata");
    let thursday = kolkata.iter().find(|day| day.date == date(2026, 11, 19)).unwrap();
    assert_eq!(thursday.slots[0].time_label, "13:30");
    assert_eq!(thursday.slots[0].start_utc, utc(2026, 11, 19, 8, 0));
    // Days come earliest first, and an unknown zone reads as UTC.
    assert!(kolkata.windows(2).all(|pair| pair[0].date < pair[1].date));
    let unknown = group_by_day(&slots, "Not/AZone");
    assert_eq!(unknown[0].slots[0].time_label, slots[0].start.format("%H:%M").to_string());
}

#[test]
fn a_step_shorter_than_the_meeting_never_offers_overlapping_slots() {
    let settings = BookingSettings { slot_step_minutes: 15, meeting_minutes: 45, ..plain() };
    let busy = [block(utc(2026, 11, 18, 12, 0), 10)];
    let slots = free_slots(&rep_in("UTC"), &settings, &busy, wednesday_ten(), 20);
    assert!(slots.windows(2).all(|pair| pair[0].end <= pair[1].start), "{slots:?}");
    // 12:15 is the first start after the block on the quarter-hour grid.
    assert!(starts(&slots).contains(&utc(2026, 11, 18, 12, 15)));
}

#[test]
fn is_bookable_accepts_exactly_the_offered_starts() {
    let settings = BookingSettings::default();
    let busy = [meeting(utc(2026, 11, 18, 14, 0), 30)];
    let rep = rep_in("UTC");
    let now = wednesday_ten();
    for slot in free_slots(&rep, &settings, &busy, now, 200) {
        assert!(is_bookable(&rep, &settings, &busy, now, slot.start), "{slot:?}");
    }
    assert!(!is_bookable(&rep, &settings, &busy, now, utc(2026, 11, 18, 12, 10)), "off the grid");
    assert!(!is_bookable(&rep, &settings, &busy, now, utc(2026, 11, 18, 14, 0)), "taken");
    assert!(!is_bookable(&rep, &settings, &busy, now, utc(2026, 11, 18, 13, 30)), "within the buffer");
    assert!(!is_bookable(&rep, &settings, &busy, now, utc(2026, 11, 18, 11, 0)), "too soon");
    assert!(!is_bookable(&rep, &settings, &busy, now, utc(2026, 12, 16, 9, 0)), "beyond the horizon");
    assert!(!is_bookable(&rep, &settings, &busy, now, utc(2026, 11, 21, 10, 0)), "Saturday");
}

#[test]
fn inactive_reps_and_refused_settings_offer_nothing() {
    let mut rep = rep_in("UTC");
    rep.active = false;
    assert!(free_slots(&rep, &BookingSettings::default(), &[], wednesday_ten(), 10).is_empty());
    let broken = BookingSettings { meeting_minutes: 0, ..Default::default() };
    assert!(free_slots(&rep_in("UTC"), &broken, &[], wednesday_ten(), 10).is_empty());
    assert!(!is_bookable(&rep_in("UTC"), &broken, &[], wednesday_ten(), utc(2026, 11, 18, 12, 0)));
}

#[test]
fn validation_names_the_setting_and_its_limits() {
    let check = |settings: BookingSettings| settings.validate().unwrap_err().to_string();
    assert_eq!(BookingSettings::default().validate(), Ok(()));
    assert_eq!(
        check(BookingSettings { meeting_minutes: 600, ..Default::default() }),
        "meetings of 600 min are not allowed; use 5 to 480 minutes"
    );
    assert!(check(BookingSettings { slot_step_minutes: 1, ..Default::default() }).contains("5 to 240"));
    assert!(check(BookingSettings { horizon_days: 0, ..Default::default() }).contains("1 to 90 days"));
    assert!(check(BookingSettings { buffer_minutes: 500, ..Default::default() }).contains("at most 240"));
    assert!(check(BookingSettings { minimum_notice_minutes: 50_000, ..Default::default() }).contains("30 days"));
    assert!(check(BookingSettings { daily_maximum: Some(0), ..Default::default() }).contains("leave it empty"));
    let mut hours = WeeklyHours::default();
    hours.days[0] = vec![TimeRange::new(at(17, 0), at(9, 0))];
    let error = check(BookingSettings { working_hours: Some(hours), ..Default::default() });
    assert!(error.starts_with("booking hours: Mon"), "{error}");
}

#[test]
fn settings_read_from_json_fill_missing_values_with_the_defaults() {
    let settings: BookingSettings = serde_json::from_str(r#"{"meeting_minutes": 45}"#).unwrap();
    assert_eq!(settings, BookingSettings { meeting_minutes: 45, ..Default::default() });
    assert!(serde_json::from_str::<BookingSettings>(r#"{"meeting_length": 45}"#).is_err(), "typos are refused");
}

#[test]
fn the_limit_caps_the_number_of_slots() {
    let slots = free_slots(&rep_in("UTC"), &plain(), &[], wednesday_ten(), 5);
    assert_eq!(slots.len(), 5);
    assert!(slots.windows(2).all(|pair| pair[0].start < pair[1].start));
}
