//! How booking reads: the ending in each state (times offered, booked,
//! nobody free), meetings on the signed-in person's clock with the zone
//! named, and a rep's calendar feed address kept from everyone but the rep.

use scraper::Html;

use crate::booking_helpers::{book, booking_app, ending, first_slot, no_hours, set_booking, texts};
use crate::helpers::{TestApp, text_of};

/// The ending's headings and whether the outcome's own text is shown.
fn headings(page: &Html) -> (Vec<String>, Vec<String>, bool) {
    (texts(page, ".ending h1"), texts(page, ".ending h2"), text_of(page, ".ending .message").is_some())
}

#[tokio::test]
async fn with_times_offered_the_ending_text_stands_above_the_free_times() {
    let (app, _team) = booking_app(|_| {}).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let page = ending(&app, &path).await;
    let (h1, h2, message) = headings(&page);
    assert_eq!(h1, ["Let's talk"]);
    assert_eq!(h2, ["Book a time"]);
    assert!(message, "the outcome's message introduces the times");
    assert!(text_of(&page, ".booking-intro").is_some_and(|t| t.contains("one click books it")));
}

#[tokio::test]
async fn once_booked_the_confirmation_replaces_the_ending_text_about_choosing_a_time() {
    let (app, _team) = booking_app(|_| {}).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let slot = first_slot(&app, &path).await;
    assert_eq!(book(&app, &path, &slot.value, "UTC").await.status(), 303);
    let page = ending(&app, &path).await;
    let (h1, h2, message) = headings(&page);
    assert_eq!(h1, ["Your meeting is booked"], "one heading: the confirmation");
    assert!(h2.is_empty(), "{h2:?}");
    assert!(!message, "the text written for choosing a time is not shown above a booked meeting");
    assert_eq!(text_of(&page, "title").as_deref(), Some("Your meeting is booked · Qualify"));
    assert_eq!(
        page.select(&scraper::Selector::parse(".ending[data-step-title]").unwrap())
            .next()
            .and_then(|e| e.value().attr("data-step-title")),
        Some("Your meeting is booked"),
        "what an htmx swap announces"
    );
}

#[tokio::test]
async fn when_nobody_is_free_the_ending_says_who_will_call_and_offers_no_times() {
    let (app, team) = booking_app(|_| {}).await;
    set_booking(&app, &team.rita, no_hours()).await;
    set_booking(&app, &team.sam, no_hours()).await;
    let path = app.finish_tier1("cto@acme.example").await;
    let page = ending(&app, &path).await;
    let (h1, h2, message) = headings(&page);
    assert_eq!((h1, h2, message), (vec!["Let's talk".to_owned()], vec!["We will call you".to_owned()], true));
    assert!(texts(&page, ".ending").iter().all(|t| !t.contains("below")), "nothing points at times that are not there");
}

/// Rita reads her day in Paris; the manager has no time zone of their own.
async fn booked_in_paris() -> (TestApp, crate::helpers::Team, uuid::Uuid) {
    let (app, team) = booking_app(|_| {}).await;
    app.update_rep(&team.rita, |r| {
        r.time_zone = "Europe/Paris".into();
        r.working_hours = Default::default();
    })
    .await;
    let path = app.finish_tier1("cto@acme.example").await;
    let slot = first_slot(&app, &path).await;
    assert_eq!(book(&app, &path, &slot.value, "America/New_York").await.status(), 303);
    let lead = app.lead_of(&path).await;
    (app, team, lead.id)
}

#[tokio::test]
async fn a_rep_reads_meetings_on_their_own_clock_with_the_zone_named() {
    let (app, team, lead) = booked_in_paris().await;
    let booking = &crate::booking_helpers::live_bookings(&app).await[0];
    let paris = booking.starts_at.with_timezone(&chrono_tz::Europe::Paris);
    let rita = app.login_as(&team.rita).await;
    let list = rita.get_html("/inbox/bookings").await;
    let when = texts(&list, "table.bookings tbody td:first-child");
    let expected_start = paris.format("%a %-d %b %Y, %H:%M").to_string();
    assert_eq!(when.len(), 1);
    assert!(when[0].starts_with(&expected_start) && when[0].ends_with(" CET"), "{when:?} on Paris time");
    assert_eq!(text_of(&list, ".shown-zone").as_deref(), Some("Europe/Paris"));
    let page = rita.get_html(&format!("/inbox/leads/{lead}")).await;
    let meeting = text_of(&page, ".meeting .when").unwrap();
    assert!(meeting.starts_with(&expected_start) && meeting.ends_with("CET"), "{meeting}");
    assert!(texts(&page, "ol.history li").iter().all(|h| h.contains("CET")), "history on her clock too");
    assert_eq!(text_of(&page, ".shown-zone").as_deref(), Some("Europe/Paris"));
}

#[tokio::test]
async fn someone_without_a_time_zone_reads_meetings_in_utc_named_as_such() {
    let (app, team, lead) = booked_in_paris().await;
    let booking = &crate::booking_helpers::live_bookings(&app).await[0];
    let manager = app.login_as(&team.manager).await;
    let list = manager.get_html("/inbox/bookings").await;
    let when = texts(&list, "table.bookings tbody td:first-child");
    assert!(when[0].starts_with(&booking.starts_at.format("%a %-d %b %Y, %H:%M").to_string()), "{when:?}");
    assert!(when[0].ends_with(" UTC"), "{when:?}");
    assert_eq!(text_of(&list, ".shown-zone").as_deref(), Some("UTC"));
    assert!(texts(&list, "p.muted").iter().any(|t| t.contains("you have no time zone of your own")));
    assert!(texts(&list, "a[href='/inbox/calendar']").is_empty(), "no calendar of their own to link to");
    let page = manager.get_html(&format!("/inbox/leads/{lead}")).await;
    assert!(text_of(&page, ".meeting .when").unwrap().ends_with("UTC"));
}

const SECRET_FEED: &str = "https://127.0.0.1:9/private/cal-7f3a9c1e.ics";

/// Rita saves a feed (her browser) and the page as it is then.
async fn rita_with_a_feed() -> (TestApp, crate::helpers::Team) {
    let (app, team) = booking_app(|s| s.calendar_allow_private = true).await;
    let rita = app.login_as(&team.rita).await;
    let path = format!("/inbox/calendar/{}", team.rita.id);
    let mut pairs = crate::editor_support::form_fields(&rita.get_html(&path).await, "form.calendar-settings");
    crate::editor_support::set(&mut pairs, "feed_url", SECRET_FEED);
    let saved = rita.client.post(rita.url(&path)).form(&pairs).send().await.unwrap();
    assert_eq!(saved.status(), 303);
    (app, team)
}

async fn stored_feed(app: &TestApp, rep: uuid::Uuid) -> Option<String> {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::calendars::find_calendar(conn.conn(), rep).await.unwrap().and_then(|c| c.feed_url)
}

#[tokio::test]
async fn only_the_rep_sees_their_feed_address_and_others_see_its_host_and_state() {
    let (app, team) = rita_with_a_feed().await;
    let path = format!("/inbox/calendar/{}", team.rita.id);
    let rita = app.login_as(&team.rita).await;
    let own = rita.get_html(&path).await;
    assert_eq!(crate::helpers::input_value(&own, "feed_url").as_deref(), Some(SECRET_FEED));
    let manager = app.login_as(&team.manager).await;
    for page in [&path, "/inbox/bookings"] {
        let body = manager.get(page).await.text().await.unwrap();
        assert!(!body.contains("cal-7f3a9c1e"), "{page} shows the secret address");
        let html = Html::parse_document(&body);
        assert_eq!(texts(&html, ".feed-host"), ["127.0.0.1"], "{page} names the host");
        assert_eq!(texts(&html, ".feed-state").len(), 1, "{page} says how the feed is doing");
    }
    let page = manager.get_html(&path).await;
    assert!(texts(&page, "input[name=feed_url]").is_empty());
    assert!(text_of(&page, ".feed-masked").unwrap().contains("only Rita Rep sees"));
}

#[tokio::test]
async fn a_manager_saving_a_reps_calendar_keeps_the_unseen_feed_unless_asked_to_remove_it() {
    let (app, team) = rita_with_a_feed().await;
    let path = format!("/inbox/calendar/{}", team.rita.id);
    let manager = app.login_as(&team.manager).await;
    let mut pairs = crate::editor_support::form_fields(&manager.get_html(&path).await, "form.calendar-settings");
    crate::editor_support::set(&mut pairs, "meeting_minutes", "45");
    assert_eq!(manager.client.post(manager.url(&path)).form(&pairs).send().await.unwrap().status(), 303);
    assert_eq!(stored_feed(&app, team.rita.id).await.as_deref(), Some(SECRET_FEED), "kept");
    crate::editor_support::set(&mut pairs, "feed_remove", "yes");
    assert_eq!(manager.client.post(manager.url(&path)).form(&pairs).send().await.unwrap().status(), 303);
    assert_eq!(stored_feed(&app, team.rita.id).await, None, "removed when asked");
}
