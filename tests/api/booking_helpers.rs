//! Helpers for the booking tests: a team whose reps work Monday to Friday
//! 09:00-17:00 UTC, booking settings, and reading the slots of an ending.

use leadgate::engine::{BookingSettings, WeeklyHours};
use scraper::{Html, Selector};

use crate::helpers::{BRANCHING_FORM, Person, Team, TestApp, spawn_app_with};

/// The fixture form and the team; Rita and Sam work weekdays 09:00-17:00 UTC.
/// The manual clock stands on Wednesday 2026-11-18, 10:00 UTC.
pub async fn booking_app(customise: impl FnOnce(&mut leadgate::config::Settings)) -> (TestApp, Team) {
    let app = spawn_app_with(customise).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    for rep in [&team.rita, &team.sam] {
        app.update_rep(rep, |r| r.working_hours = WeeklyHours::default()).await;
    }
    (app, team)
}

/// Stores a rep's booking settings directly.
pub async fn set_booking(app: &TestApp, person: &Person, settings: BookingSettings) {
    let mut tx = app.db.begin().await.unwrap();
    leadgate::store::calendars::upsert_calendar(tx.conn(), person.id, &settings, None, app.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Booking settings whose meeting hours are empty: no slot ever.
pub fn no_hours() -> BookingSettings {
    BookingSettings { working_hours: Some(WeeklyHours { days: Default::default() }), ..Default::default() }
}

/// One offered slot as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownSlot {
    pub date: String,
    pub day: String,
    pub time: String,
    pub value: String,
    pub rep: String,
}

/// The slots on a page, in order.
pub fn slots_on(page: &Html) -> Vec<ShownSlot> {
    let days = Selector::parse("fieldset.slot-day").unwrap();
    let legend = Selector::parse("legend").unwrap();
    let button = Selector::parse("button.slot").unwrap();
    let mut out = Vec::new();
    for day in page.select(&days) {
        let label = day.select(&legend).next().map(|l| l.text().collect::<String>()).unwrap_or_default();
        for b in day.select(&button) {
            out.push(ShownSlot {
                date: day.value().attr("data-date").unwrap_or_default().to_owned(),
                day: label.trim().to_owned(),
                time: b.text().next().unwrap_or_default().trim().to_owned(),
                value: b.value().attr("value").unwrap_or_default().to_owned(),
                rep: b.value().attr("data-rep").unwrap_or_default().to_owned(),
            });
        }
    }
    out
}

/// The ending page of a finished response.
pub async fn ending(app: &TestApp, path: &str) -> Html {
    app.get_html(path).await
}

/// The value of the first slot offered at `path`.
pub async fn first_slot(app: &TestApp, path: &str) -> ShownSlot {
    slots_on(&ending(app, path).await).into_iter().next().expect("a slot is offered")
}

/// The start (unix seconds) encoded in a slot's value.
pub fn slot_start(value: &str) -> chrono::DateTime<chrono::Utc> {
    let seconds: i64 = value.split_once('_').unwrap().1.parse().unwrap();
    chrono::DateTime::from_timestamp(seconds, 0).unwrap()
}

/// Posts a slot choice from the ending at `path`.
pub async fn book(app: &TestApp, path: &str, slot: &str, tz: &str) -> reqwest::Response {
    app.post_form(&format!("{path}/book"), &[("slot", slot), ("tz", tz)]).await
}

/// Every live booking, soonest first.
pub async fn live_bookings(app: &TestApp) -> Vec<leadgate::store::bookings::BookingRecord> {
    let mut conn = app.db.read().await.unwrap();
    let since = app.clock.now() - chrono::Duration::days(30);
    leadgate::store::bookings::list_upcoming(conn.conn(), None, since, 1000).await.unwrap()
}

/// A selector's elements' text, trimmed.
pub fn texts(page: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector)
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The `href` of the first element matching `css`.
pub fn href(page: &Html, css: &str) -> Option<String> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector).next().and_then(|e| e.value().attr("href")).map(str::to_owned)
}
