//! Booking on the ending page: slots by day in the prospect's zone, one
//! booking per slot under concurrent clicks, buffers and the daily maximum
//! end to end, the other reps of the pool, and nobody free.

use chrono::{Duration, TimeZone, Utc};
use leadgate::engine::BookingSettings;

use crate::booking_helpers::{
    book, booking_app, ending, first_slot, live_bookings, no_hours, set_booking, slot_start, slots_on, texts,
};
use crate::helpers::{location, text_of};

fn utc(day: u32, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0).single().unwrap()
}

#[tokio::test]
async fn a_tier1_ending_lists_the_assigned_reps_slots_grouped_by_day_in_the_requested_zone() {
    let (app, team) = booking_app(|_| {}).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let page = ending(&app, &format!("{path}?tz=Asia/Kolkata")).await;
    assert_eq!(text_of(&page, ".shown-zone").as_deref(), Some("Asia/Kolkata"));
    let slots = slots_on(&page);
    assert_eq!(slots.len(), 24, "the next 24 slots");
    // Rita works 09:00-17:00 UTC; two hours of notice from 10:00 UTC: 12:00 UTC is 17:30 in Kolkata.
    assert_eq!((slots[0].date.as_str(), slots[0].day.as_str()), ("2026-11-18", "Wednesday 18 November"));
    assert_eq!(slots[0].time, "17:30");
    assert_eq!(slot_start(&slots[0].value), utc(18, 12, 0));
    assert!(slots[0].value.starts_with(&team.rita.id.to_string()), "the assigned rep's slot");
    let wednesday = slots.iter().filter(|s| s.date == "2026-11-18").count();
    assert_eq!(wednesday, 10, "12:00 to 16:30 UTC");
    let thursday = slots.iter().find(|s| s.date == "2026-11-19").unwrap();
    assert_eq!((thursday.day.as_str(), thursday.time.as_str()), ("Thursday 19 November", "14:30"));
    // Without a zone, the times are in the rep's zone, and the page says so.
    let plain = ending(&app, &path).await;
    assert_eq!(text_of(&plain, ".shown-zone").as_deref(), Some("UTC"));
    assert!(text_of(&plain, ".zone-note").unwrap().contains("Rita Rep's time zone"));
    assert_eq!(slots_on(&plain)[0].time, "12:00");
    // The zone list works without JavaScript: a GET form with the zone selected.
    assert!(!texts(&page, "form.zone-form select[name=tz] option[selected]").is_empty());
}

#[tokio::test]
async fn booking_a_slot_shows_the_confirmation_and_stores_exactly_one_booking() {
    let (app, team) = booking_app(|_| {}).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let slot = first_slot(&app, &path).await;
    let response = book(&app, &path, &slot.value, "Europe/Berlin").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), path);
    let page = ending(&app, &path).await;
    assert_eq!(text_of(&page, ".booking-confirmed h1").as_deref(), Some("Your meeting is booked"));
    assert_eq!(text_of(&page, ".booking-confirmed .when strong").as_deref(), Some("Wednesday 18 November 2026, 13:00"));
    assert_eq!(text_of(&page, ".booking-confirmed .rep").as_deref(), Some("Rita Rep"));
    assert!(slots_on(&page).is_empty(), "no more slots once booked");
    let bookings = live_bookings(&app).await;
    assert_eq!(bookings.len(), 1);
    assert_eq!((bookings[0].user_id, bookings[0].starts_at), (team.rita.id, utc(18, 12, 0)));
    assert_eq!(bookings[0].ends_at, utc(18, 12, 30));
    assert_eq!(bookings[0].prospect_zone, "Europe/Berlin");
    // Booking counts as acceptance: no fallback later.
    let lead = app.lead_of(&path).await;
    assert_eq!((lead.status.as_str(), lead.accept_by), ("accepted", None));
    let history = app.history(lead.id).await;
    assert!(history.iter().any(|h| h.reason == "accepted: meeting booked for Wed 2026-11-18 12:00 UTC"), "{history:?}");
    app.clock.advance(Duration::minutes(10));
    let ctx = leadgate::app::Context::new(app.db.clone(), app.clock.clone(), app.address.clone(), false);
    let fell_back = leadgate::app::routing::fire_overdue_fallbacks(&ctx).await.unwrap();
    assert_eq!(fell_back, 0, "a booked lead is not overdue");
    assert_eq!(app.lead_of(&path).await.assigned_user_id, Some(team.rita.id));
    // A second click books nothing more: the same meeting is shown.
    let again = book(&app, &path, &slot_value_at(&team.rita.id, utc(19, 9, 0)), "Europe/Berlin").await;
    assert_eq!(again.status(), 303);
    assert_eq!(live_bookings(&app).await.len(), 1);
    let live = app.notices("live", &team.rita.id.to_string()).await;
    assert!(live.iter().any(|n| n.event_type == "booking.created"), "the rep hears of it live");
}

fn slot_value_at(rep: &uuid::Uuid, start: chrono::DateTime<Utc>) -> String {
    format!("{rep}_{}", start.timestamp())
}

#[tokio::test]
async fn fifty_prospects_clicking_one_slot_at_once_make_exactly_one_booking() {
    let (app, team) = booking_app(|_| {}).await;
    app.update_rep(&team.sam, |r| r.active = false).await; // every lead goes to Rita
    let mut paths = Vec::new();
    for n in 0..50 {
        paths.push(app.finish_tier1(&format!("buyer{n}@company{n}.example")).await);
    }
    for path in &paths {
        assert_eq!(app.lead_of(path).await.assigned_user_id, Some(team.rita.id));
    }
    let slot = slot_value_at(&team.rita.id, utc(18, 14, 0));
    let attempts = paths.iter().map(|path| {
        let (browser, path, slot) = (app.new_browser(), path.clone(), slot.clone());
        tokio::spawn(async move {
            let response = book(&browser, &path, &slot, "UTC").await;
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        })
    });
    let results: Vec<(u16, String)> =
        futures_util::future::join_all(attempts).await.into_iter().map(|r| r.unwrap()).collect();
    let won = results.iter().filter(|(status, _)| *status == 303).count();
    let lost: Vec<&String> = results.iter().filter(|(status, _)| *status == 409).map(|(_, body)| body).collect();
    assert_eq!((won, lost.len()), (1, 49), "statuses: {:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    for body in lost {
        let page = scraper::Html::parse_document(body);
        assert!(text_of(&page, ".booking-message").unwrap().contains("someone booked that time"));
        let fresh = slots_on(&page);
        assert!(!fresh.is_empty(), "the loser sees fresh slots");
        assert!(fresh.iter().all(|s| s.value != slot), "without the taken one");
    }
    let bookings = live_bookings(&app).await;
    assert_eq!(bookings.len(), 1);
    assert_eq!(bookings[0].starts_at, utc(18, 14, 0));
}

#[tokio::test]
async fn a_booked_slot_and_its_buffer_disappear_for_the_next_prospect() {
    let (app, _team) = booking_app(|_| {}).await;
    let first = app.finish_tier1("a@one.example").await;
    let second = app.finish_tier1("b@two.example").await; // round robin: Sam
    let third = app.finish_tier1("c@three.example").await; // Rita again
    let taken = first_slot(&app, &first).await;
    assert_eq!(book(&app, &first, &taken.value, "UTC").await.status(), 303);
    let rita_next = slots_on(&ending(&app, &third).await);
    let starts: Vec<_> = rita_next.iter().map(|s| slot_start(&s.value)).collect();
    assert!(!starts.contains(&utc(18, 12, 0)), "the booked slot is gone");
    assert!(!starts.contains(&utc(18, 12, 30)), "the 10-minute buffer after the meeting");
    assert_eq!(starts[0], utc(18, 13, 0));
    // Sam's calendar is his own: his 12:00 is still free.
    assert_eq!(slot_start(&first_slot(&app, &second).await.value), utc(18, 12, 0));
}

#[tokio::test]
async fn the_daily_maximum_moves_the_next_prospect_to_another_day() {
    let (app, team) = booking_app(|_| {}).await;
    set_booking(&app, &team.rita, BookingSettings { daily_maximum: Some(1), ..Default::default() }).await;
    let first = app.finish_tier1("a@one.example").await;
    app.finish_tier1("b@two.example").await;
    let third = app.finish_tier1("c@three.example").await;
    let taken = first_slot(&app, &first).await;
    assert_eq!(book(&app, &first, &taken.value, "UTC").await.status(), 303);
    let next = slots_on(&ending(&app, &third).await);
    assert!(next.iter().all(|s| s.date != "2026-11-18"), "Wednesday is full");
    assert_eq!(slot_start(&next[0].value), utc(19, 9, 0));
    // Posting a Wednesday slot anyway is refused with fresh slots.
    let refused = book(&app, &third, &slot_value_at(&team.rita.id, utc(18, 15, 0)), "UTC").await;
    assert_eq!(refused.status(), 409);
}

#[tokio::test]
async fn when_the_assigned_rep_has_no_slot_another_reps_slot_moves_the_lead_to_them() {
    let (app, team) = booking_app(|_| {}).await;
    set_booking(&app, &team.rita, no_hours()).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let lead = app.lead_of(&path).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    let page = ending(&app, &path).await;
    assert!(text_of(&page, ".other-reps").is_some(), "the page says these are colleagues' times");
    let slots = slots_on(&page);
    assert!(slots.iter().all(|s| s.rep == "Sam Rep"), "{slots:?}");
    assert_eq!(book(&app, &path, &slots[0].value, "UTC").await.status(), 303);
    let lead = app.lead(lead.id).await;
    assert_eq!((lead.assigned_user_id, lead.status.as_str()), (Some(team.sam.id), "accepted"));
    let history = app.history(lead.id).await;
    assert!(history.iter().any(|h| h.kind == "booking" && h.reason == "booking: slot with Sam Rep"), "{history:?}");
    let rita = app.notices("live", &team.rita.id.to_string()).await;
    assert!(rita.iter().any(|n| n.event_type == "lead.taken_back"), "Rita is told the lead moved");
    let sam = app.notices("live", &team.sam.id.to_string()).await;
    assert!(sam.iter().any(|n| n.event_type == "booking.created"), "Sam is told of the meeting");
    assert_eq!(live_bookings(&app).await[0].user_id, team.sam.id);
}

#[tokio::test]
async fn when_nobody_in_the_pool_is_free_the_ending_says_who_will_call_and_the_rep_is_told() {
    let (app, team) = booking_app(|_| {}).await;
    set_booking(&app, &team.rita, no_hours()).await;
    set_booking(&app, &team.sam, no_hours()).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let page = ending(&app, &path).await;
    assert!(slots_on(&page).is_empty());
    let call = text_of(&page, ".booking-call").expect("who will call");
    // Rita works from 09:00 UTC; it is Wednesday 10:00 UTC, so she calls now.
    assert!(call.contains("Rita Rep will call you from Wednesday 18 November 2026, 10:00 (UTC)"), "{call}");
    let told = || async {
        let live = app.notices("live", &team.rita.id.to_string()).await;
        live.into_iter().filter(|n| n.event_type == "booking.unavailable").collect::<Vec<_>>()
    };
    app.wait_until("the booking check after the finish", || async { !told().await.is_empty() }).await;
    // The check is done: a second worker round tells nobody again.
    app.wait_until("the check delivered", || async {
        app.notices("task", &lead_id(&app, &path).await).await.iter().all(|n| n.status == "delivered")
    })
    .await;
    let unavailable = told().await;
    assert_eq!(unavailable.len(), 1, "one notice, after the finish");
    assert!(unavailable[0].payload.0["lead"]["reason"].as_str().unwrap().contains("please call the lead"));
}

#[tokio::test]
async fn a_slot_that_is_not_offered_or_a_bad_zone_is_refused_without_a_booking() {
    let (app, team) = booking_app(|_| {}).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let off_grid = book(&app, &path, &slot_value_at(&team.rita.id, utc(18, 12, 10)), "UTC").await;
    assert_eq!(off_grid.status(), 409);
    let not_assigned = book(&app, &path, &slot_value_at(&team.sam.id, utc(18, 12, 0)), "UTC").await;
    assert_eq!(not_assigned.status(), 409, "Sam's slots are not offered while Rita has some");
    let slot = first_slot(&app, &path).await;
    let bad_zone = book(&app, &path, &slot.value, "Mars/Base").await;
    assert_eq!(bad_zone.status(), 422);
    let garbage = book(&app, &path, "not-a-slot", "UTC").await;
    assert_eq!(garbage.status(), 422);
    assert!(live_bookings(&app).await.is_empty());
    // A Tier 2 ending offers no booking at all.
    let tier2 = app.finish_tier2("mid@corp.example").await;
    assert!(slots_on(&ending(&app, &tier2).await).is_empty());
    assert_eq!(book(&app, &tier2, &slot.value, "UTC").await.status(), 404);
}

#[tokio::test]
async fn the_last_answer_sent_by_htmx_with_the_browsers_zone_shows_the_slots_on_that_clock() {
    let (app, _team) = booking_app(|_| {}).await;
    let browser = app.new_browser();
    let path = browser.start_form("qualify", "", &["cto@acme.example"]).await;
    for (question, value) in [("company_size", "large"), ("procurement", "yes"), ("timeline", "now")] {
        browser.answer_ok(&path, question, &[value]).await;
    }
    let pairs = [("question", "consent"), ("answer", "yes"), ("tz", "Asia/Tokyo")];
    let response =
        browser.client.post(browser.url(&path)).header("hx-request", "true").form(&pairs).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(text_of(&page, ".shown-zone").as_deref(), Some("Asia/Tokyo"));
    assert_eq!(slots_on(&page)[0].time, "21:00", "12:00 UTC on the Tokyo clock");
    let marker = scraper::Selector::parse("[data-tz-chosen=\"true\"]").unwrap();
    assert!(page.select(&marker).next().is_some(), "app.js need not fetch the list again");
}

async fn lead_id(app: &crate::helpers::TestApp, path: &str) -> String {
    app.lead_of(path).await.id.to_string()
}
