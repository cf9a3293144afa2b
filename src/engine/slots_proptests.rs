//! Property tests: whatever the zone, hours, settings, busy time and the
//! moment (around both clock changes of 2026), offered slots never overlap,
//! never come sooner than the notice, keep the buffer from every busy
//! block, respect the daily maximum, and each one passes `is_bookable`.

use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use proptest::collection::vec;
use proptest::prelude::*;

use super::{BookingSettings, Busy, free_slots, is_bookable};
use crate::engine::routing::Rep;
use crate::engine::working_hours::{TimeRange, WeeklyHours, rep_zone};

const ZONES: [&str; 5] = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];

fn moment() -> impl Strategy<Value = DateTime<Utc>> {
    // Days before the spring change in Europe and the autumn change in the US.
    let bases = [Utc.with_ymd_and_hms(2026, 3, 26, 0, 0, 0), Utc.with_ymd_and_hms(2026, 10, 29, 0, 0, 0)];
    (prop::sample::select(bases.map(|b| b.single().unwrap()).to_vec()), 0i64..(4 * 24 * 60))
        .prop_map(|(base, minutes)| base + TimeDelta::minutes(minutes))
}

fn hours() -> impl Strategy<Value = WeeklyHours> {
    let range = (0u32..48, 1u32..20).prop_map(|(start, length)| {
        let time = |half: u32| NaiveTime::from_hms_opt((half / 2) % 24, (half % 2) * 30, 0).unwrap();
        let end = if start + length >= 48 { 0 } else { start + length };
        TimeRange::new(time(start), time(end))
    });
    prop_oneof![
        Just(WeeklyHours::default()),
        vec(vec(range, 0..3), 7).prop_map(|days| WeeklyHours { days: days.try_into().expect("seven days") }),
    ]
}

fn settings() -> impl Strategy<Value = BookingSettings> {
    (1u32..13, 0u32..7, 0u32..50, 1u32..6, prop::option::of(1u32..4), 1u32..13).prop_map(
        |(meeting, buffer, notice, horizon, daily_maximum, step)| BookingSettings {
            meeting_minutes: meeting * 10,
            buffer_minutes: buffer * 10,
            minimum_notice_minutes: notice * 15,
            horizon_days: horizon,
            daily_maximum,
            slot_step_minutes: step * 5,
            working_hours: None,
        },
    )
}

fn busy(now: DateTime<Utc>) -> impl Strategy<Value = Vec<Busy>> {
    vec((0i64..(6 * 24 * 4), 1i64..16, any::<bool>()), 0..12).prop_map(move |blocks| {
        blocks
            .into_iter()
            .map(|(quarter, length, counts_as_meeting)| {
                let start = now - TimeDelta::hours(12) + TimeDelta::minutes(quarter * 15);
                Busy { start, end: start + TimeDelta::minutes(length * 15), counts_as_meeting }
            })
            .collect()
    })
}

fn case() -> impl Strategy<Value = (Rep, BookingSettings, Vec<Busy>, DateTime<Utc>)> {
    (prop::sample::select(ZONES.to_vec()), hours(), settings(), moment()).prop_flat_map(
        |(zone, hours, settings, now)| {
            let rep = Rep {
                id: "r".into(),
                name: "R".into(),
                active: true,
                territories: vec![],
                segments: vec![],
                seniority: None,
                languages: vec![],
                time_zone: zone.into(),
                working_hours: hours,
                capacity: None,
                out_of_office: vec![],
            };
            (Just(rep), Just(settings), busy(now), Just(now))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn offered_slots_are_free_ordered_and_bookable((rep, settings, busy, now) in case()) {
        let slots = free_slots(&rep, &settings, &busy, now, 400);
        let notice = TimeDelta::minutes(i64::from(settings.minimum_notice_minutes));
        let buffer = TimeDelta::minutes(i64::from(settings.buffer_minutes));
        let length = TimeDelta::minutes(i64::from(settings.meeting_minutes));
        for pair in slots.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "overlap: {:?}", pair);
        }
        for slot in &slots {
            prop_assert_eq!(slot.end - slot.start, length);
            prop_assert!(slot.start >= now + notice, "too soon: {:?}", slot);
            for block in &busy {
                let clear = block.end <= slot.start - buffer || slot.end + buffer <= block.start;
                prop_assert!(clear, "{:?} touches {:?} within the buffer", slot, block);
            }
            prop_assert!(is_bookable(&rep, &settings, &busy, now, slot.start), "not bookable: {:?}", slot);
        }
    }

    #[test]
    fn no_slot_falls_on_a_full_day_or_beyond_the_horizon((rep, settings, busy, now) in case()) {
        let zone = rep_zone(&rep);
        let today = now.with_timezone(&zone).date_naive();
        let last = today + chrono::Days::new(u64::from(settings.horizon_days) - 1);
        for slot in free_slots(&rep, &settings, &busy, now, 400) {
            let day = slot.start.with_timezone(&zone).date_naive();
            prop_assert!(today <= day && day <= last, "{:?} outside {}..={}", slot, today, last);
            if let Some(maximum) = settings.daily_maximum {
                let booked = busy
                    .iter()
                    .filter(|b| b.counts_as_meeting && b.start.with_timezone(&zone).date_naive() == day)
                    .count();
                prop_assert!(booked < maximum as usize, "{:?} on a day with {} meetings", slot, booked);
            }
        }
    }
}
