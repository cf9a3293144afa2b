//! A rep's calendar: the settings page (validation, CSRF, who may edit)
//! and the iCalendar feed (its events become busy time; a failing feed is
//! reported and booking goes on with the last good import).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use scraper::Html;

use crate::booking_helpers::{book, booking_app, ending, first_slot, slot_start, slots_on, texts};
use crate::helpers::{TestApp, input_value, location, text_of};

fn utc(day: u32, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0).single().unwrap()
}

/// Serves one calendar at `/cal.ics` on 127.0.0.1, or fails on demand.
#[derive(Clone)]
struct FeedServer {
    url: String,
    answer: Arc<Mutex<(StatusCode, String)>>,
}

impl FeedServer {
    async fn start(body: &str) -> FeedServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cal.ics", listener.local_addr().unwrap());
        let answer = Arc::new(Mutex::new((StatusCode::OK, body.to_owned())));
        let shared = answer.clone();
        let app = axum::Router::new().route(
            "/cal.ics",
            axum::routing::get(move || {
                let shared = shared.clone();
                async move { shared.lock().unwrap().clone() }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FeedServer { url, answer }
    }

    fn fail(&self) {
        *self.answer.lock().unwrap() = (StatusCode::INTERNAL_SERVER_ERROR, "calendar backend down".into());
    }
}

/// A board meeting on Wednesday 12:00-13:00 UTC, and a free (transparent) event.
const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:board\r\nDTSTART:20261118T120000Z\r\nDTEND:20261118T130000Z\r\nSUMMARY:Board\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:lunch\r\nDTSTART:20261118T140000Z\r\nDTEND:20261118T150000Z\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// The calendar form's fields as stored now, with `changes` applied.
async fn calendar_form(browser: &TestApp, rep: uuid::Uuid, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let page = browser.get_html(&format!("/inbox/calendar/{rep}")).await;
    let selector = scraper::Selector::parse("form.calendar-settings input").unwrap();
    let mut pairs: Vec<(String, String)> = page
        .select(&selector)
        .filter_map(|i| Some((i.value().attr("name")?.to_owned(), i.value().attr("value").unwrap_or("").to_owned())))
        .collect();
    for (name, value) in changes {
        match pairs.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = (*value).to_owned(),
            None => pairs.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    pairs
}

async fn save(browser: &TestApp, rep: uuid::Uuid, pairs: &[(String, String)]) -> reqwest::Response {
    browser.client.post(browser.url(&format!("/inbox/calendar/{rep}"))).form(pairs).send().await.unwrap()
}

async fn feed_state(app: &TestApp, rep: uuid::Uuid) -> leadgate::store::calendars::CalendarRecord {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::calendars::find_calendar(conn.conn(), rep).await.unwrap().expect("a calendar")
}

#[tokio::test]
async fn feed_events_become_busy_time_and_a_failing_feed_is_reported_while_booking_goes_on() {
    let (app, team) = booking_app(|s| {
        s.calendar_allow_private = true;
        s.calendar_poll_every = Duration::from_millis(200);
    })
    .await;
    let feed = FeedServer::start(FEED).await;
    let rita = app.login_as(&team.rita).await;
    let pairs = calendar_form(&rita, team.rita.id, &[("feed_url", &feed.url)]).await;
    let saved = save(&rita, team.rita.id, &pairs).await;
    assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());
    app.wait_until("the feed is read", || async { feed_state(&app, team.rita.id).await.feed_ok_at.is_some() }).await;
    assert_eq!(feed_state(&app, team.rita.id).await.feed_events, 1, "the free event is not busy");
    let path = app.finish_tier1("cto@acme.example").await;
    let starts: Vec<_> = slots_on(&ending(&app, &path).await).iter().map(|s| slot_start(&s.value)).collect();
    // Busy 12:00-13:00 with a 10-minute buffer: the first slot is 13:30; 14:00 (free event) is offered.
    assert_eq!(starts[0], utc(18, 13, 30));
    assert!(starts.contains(&utc(18, 14, 0)));
    let page = rita.get_html(&format!("/inbox/calendar/{}", team.rita.id)).await;
    assert!(text_of(&page, ".feed-status").unwrap().contains("busy times read: 1"));

    feed.fail();
    app.wait_until("the failure is recorded", || async { feed_state(&app, team.rita.id).await.feed_error.is_some() })
        .await;
    let page = rita.get_html(&format!("/inbox/calendar/{}", team.rita.id)).await;
    assert!(text_of(&page, ".feed-error").unwrap().contains("500"), "the rep sees why");
    let manager = app.login_as(&team.manager).await;
    let overview = manager.get_html("/inbox/bookings").await;
    assert!(texts(&overview, "table.calendars .feed-error").iter().any(|t| t.contains("500")), "managers see it too");
    // The last good import still counts, and booking works.
    let slot = first_slot(&app, &path).await;
    assert_eq!(slot_start(&slot.value), utc(18, 13, 30));
    assert_eq!(book(&app, &path, &slot.value, "UTC").await.status(), 303);
}

#[tokio::test]
async fn a_feed_on_a_private_address_is_refused_unless_allowed() {
    let (app, team) = booking_app(|_| {}).await;
    let feed = FeedServer::start(FEED).await;
    let rita = app.login_as(&team.rita).await;
    let pairs = calendar_form(&rita, team.rita.id, &[("feed_url", &feed.url)]).await;
    let refused = save(&rita, team.rita.id, &pairs).await;
    assert_eq!(refused.status(), 422);
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert!(text_of(&page, "#feed_url-error").unwrap().contains("private"), "the field says why");
    assert_eq!(input_value(&page, "feed_url").as_deref(), Some(feed.url.as_str()), "what was typed is kept");
}

#[tokio::test]
async fn the_calendar_page_refuses_bad_values_with_422_and_keeps_what_was_typed() {
    let (app, team) = booking_app(|_| {}).await;
    let rita = app.login_as(&team.rita).await;
    let changes = [("meeting_minutes", "half an hour"), ("hours_mon", "9 to 5"), ("buffer_minutes", "15")];
    let pairs = calendar_form(&rita, team.rita.id, &changes).await;
    let response = save(&rita, team.rita.id, &pairs).await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(text_of(&page, "#meeting_minutes-error").as_deref(), Some("Enter a whole number."));
    assert!(text_of(&page, "#hours_mon-error").unwrap().contains("09:00-17:00"));
    assert_eq!(input_value(&page, "meeting_minutes").as_deref(), Some("half an hour"));
    assert_eq!(input_value(&page, "hours_mon").as_deref(), Some("9 to 5"));
    assert_eq!(input_value(&page, "buffer_minutes").as_deref(), Some("15"), "valid values are kept too");
    let too_long = calendar_form(&rita, team.rita.id, &[("meeting_minutes", "600")]).await;
    let response = save(&rita, team.rita.id, &too_long).await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert!(text_of(&page, "#meeting_minutes-error").unwrap().contains("5 to 480 minutes"));
    // A good save: 45-minute meetings, Wednesdays only from 14:00, in Berlin.
    let good = [("meeting_minutes", "45"), ("hours_wed", "14:00-17:00"), ("time_zone", "Europe/Berlin")];
    let pairs = calendar_form(&rita, team.rita.id, &good).await;
    let saved = save(&rita, team.rita.id, &pairs).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("/inbox/calendar/{}?saved=1", team.rita.id));
    let path = app.finish_tier1("cto@acme.example").await;
    let slot = slot_start(&first_slot(&app, &path).await.value);
    assert_eq!(slot, utc(18, 13, 0), "14:00 in Berlin is 13:00 UTC");
    let booked = book(&app, &path, &first_slot(&app, &path).await.value, "UTC").await;
    assert_eq!(booked.status(), 303);
    let meeting = &crate::booking_helpers::live_bookings(&app).await[0];
    assert_eq!(meeting.ends_at - meeting.starts_at, chrono::Duration::minutes(45));
}

#[tokio::test]
async fn the_calendar_page_needs_the_csrf_token_and_a_rep_cannot_edit_another_reps() {
    let (app, team) = booking_app(|_| {}).await;
    let rita = app.login_as(&team.rita).await;
    let mut pairs = calendar_form(&rita, team.rita.id, &[("meeting_minutes", "60")]).await;
    pairs.retain(|(name, _)| name != "csrf");
    assert_eq!(save(&rita, team.rita.id, &pairs).await.status(), 403, "no CSRF token");
    let with_token = calendar_form(&rita, team.rita.id, &[("meeting_minutes", "60")]).await;
    assert_eq!(save(&rita, team.sam.id, &with_token).await.status(), 403, "Sam's calendar is not Rita's");
    assert_eq!(rita.get(&format!("/inbox/calendar/{}", team.sam.id)).await.status(), 403);
    let block = [("csrf", input_value(&rita.get_html("/inbox/bookings").await, "csrf").unwrap())];
    let block: Vec<(&str, &str)> = block.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(rita.post_form(&format!("/inbox/calendar/{}/blocks", team.sam.id), &block).await.status(), 403);
    // A manager may edit anyone's.
    let manager = app.login_as(&team.manager).await;
    let pairs = calendar_form(&manager, team.sam.id, &[("meeting_minutes", "60")]).await;
    assert_eq!(save(&manager, team.sam.id, &pairs).await.status(), 303);
    assert_eq!(feed_state(&app, team.sam.id).await.settings.0.meeting_minutes, 60);
    let mut conn = app.db.read().await.unwrap();
    let rita_calendar = leadgate::store::calendars::find_calendar(conn.conn(), team.rita.id).await.unwrap();
    assert!(rita_calendar.is_none(), "the refused posts saved nothing");
}

#[tokio::test]
async fn a_manual_busy_block_hides_the_slots_it_covers() {
    let (app, team) = booking_app(|_| {}).await;
    let rita = app.login_as(&team.rita).await;
    let path = format!("/inbox/calendar/{}", team.rita.id);
    let bad = rita
        .post_with_csrf(&path, &format!("{path}/blocks"), &[("date", "18/11"), ("from", "12:00"), ("to", "14:00")])
        .await;
    assert_eq!(bad.status(), 422);
    let page = Html::parse_document(&bad.text().await.unwrap());
    assert!(text_of(&page, ".block-form .field-error").unwrap().contains("YYYY-MM-DD"));
    assert_eq!(input_value(&page, "date").as_deref(), Some("18/11"));
    let good = [("date", "2026-11-18"), ("from", "12:00"), ("to", "14:00"), ("note", "Dentist")];
    assert_eq!(rita.post_with_csrf(&path, &format!("{path}/blocks"), &good).await.status(), 303);
    let lead = app.finish_tier1("cto@acme.example").await;
    assert_eq!(slot_start(&first_slot(&app, &lead).await.value), utc(18, 14, 30), "after the block and its buffer");
    let page = rita.get_html(&path).await;
    assert!(texts(&page, "ul.blocks li").iter().any(|t| t.contains("Dentist")));
}

#[tokio::test]
async fn the_inbox_lists_upcoming_bookings_and_the_lead_page_shows_its_meeting() {
    let (app, team) = booking_app(|_| {}).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let slot = first_slot(&app, &path).await;
    assert_eq!(book(&app, &path, &slot.value, "UTC").await.status(), 303);
    let rita = app.login_as(&team.rita).await;
    let list = rita.get_html("/inbox/bookings").await;
    let rows = texts(&list, "table.bookings tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("Wed 18 Nov 2026, 12:00–12:30 UTC"), "{rows:?}");
    let sam = app.login_as(&team.sam).await;
    assert!(texts(&sam.get_html("/inbox/bookings").await, "table.bookings tbody tr").is_empty(), "Sam sees only his");
    let manager = app.login_as(&team.manager).await;
    assert_eq!(texts(&manager.get_html("/inbox/bookings").await, "table.bookings tbody tr").len(), 1);
    let lead = app.lead_of(&path).await;
    let page = rita.get_html(&format!("/inbox/leads/{}", lead.id)).await;
    assert!(text_of(&page, ".meeting").unwrap().contains("with Rita Rep"));
}
