//! The Tier 1 booking rate on the analytics page, against a seeded set of
//! leads on two versions whose meetings are known.

use scraper::{Html, Selector};
use serde_json::json;

use crate::api_support::{Api, token};
use crate::booking_helpers::booking_app;
use crate::helpers::TestApp;

/// Finishes a Tier 1 response and, when asked, books its first offered slot.
async fn tier1(app: &TestApp, api: &Api, email: &str, book: bool) -> Option<String> {
    let path = app.finish_tier1(email).await;
    let response = path.rsplit('/').next().unwrap();
    if !book {
        return None;
    }
    let offer = api.get(&format!("/api/v1/responses/{response}/booking")).await;
    let slot = offer.body["offer"]["days"][0]["slots"][0].clone();
    let body = json!({"rep_id": slot["rep_id"], "start": slot["start"]});
    let booked = api.post(&format!("/api/v1/responses/{response}/booking"), body).await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    Some(booked.body["id"].as_str().unwrap().to_string())
}

/// Each row of the booking-rate table: (row key, Tier 1 leads, booked, cancelled, rate).
fn rates(page: &Html) -> Vec<(String, String, String, String, String)> {
    let rows = Selector::parse("#booking-rate tr[data-booking-rate]").unwrap();
    let cell = |row: &scraper::ElementRef, figure: &str| {
        let selector = Selector::parse(&format!("[data-figure={figure}]")).unwrap();
        row.select(&selector).next().unwrap().text().collect::<String>().trim().to_string()
    };
    page.select(&rows)
        .map(|row| {
            let key = row.value().attr("data-booking-rate").unwrap().to_string();
            (key, cell(&row, "tier1-leads"), cell(&row, "booked"), cell(&row, "cancelled"), cell(&row, "booking-rate"))
        })
        .collect()
}

fn row(key: &str, leads: &str, booked: &str, cancelled: &str, rate: &str) -> (String, String, String, String, String) {
    (key.into(), leads.into(), booked.into(), cancelled.into(), rate.into())
}

#[tokio::test]
async fn the_tier1_booking_rate_counts_booked_tier1_leads_per_version_against_a_known_set() {
    let (app, team) = booking_app(|_| {}).await;
    let api = Api { token: token(&app, &team, &["read", "write"]).await, app: app.clone() };
    // Version 1: four Tier 1 leads, three book, one of them cancels; a Tier 2 lead does not count.
    tier1(&app, &api, "a@one.example", true).await;
    tier1(&app, &api, "b@two.example", true).await;
    let cancelled = tier1(&app, &api, "c@three.example", true).await.unwrap();
    tier1(&app, &api, "d@four.example", false).await;
    app.finish_tier2("e@five.example").await;
    assert_eq!(api.post(&format!("/api/v1/bookings/{cancelled}/cancel"), json!({})).await.status, 200);
    // Version 2: one Tier 1 lead, booked.
    let draft = api.get("/api/v1/forms/qualify/draft").await;
    let mut definition = draft.body["definition"].clone();
    definition["title"] = json!("Qualify 2");
    let saved = api
        .put("/api/v1/forms/qualify/draft", json!({"revision": draft.body["revision"], "definition": definition}))
        .await;
    let published = api.post("/api/v1/forms/qualify/publish", json!({"revision": saved.body["revision"]})).await;
    assert_eq!(published.body["version"], 2, "{}", published.body);
    tier1(&app, &api, "f@six.example", true).await;

    let marketer = app.login_as(&team.marketer).await;
    let all = marketer.get_html("/admin/analytics?form=qualify&version=all").await;
    assert_eq!(
        rates(&all),
        [row("1", "4", "2", "1", "50"), row("2", "1", "1", "0", "100"), row("all", "5", "3", "1", "60")]
    );
    let current = marketer.get_html("/admin/analytics?form=qualify").await;
    assert_eq!(rates(&current), [row("2", "1", "1", "0", "100")], "the live version alone, without a total");
    let first = marketer.get_html("/admin/analytics?form=qualify&version=1").await;
    assert_eq!(rates(&first), [row("1", "4", "2", "1", "50")]);
    let later = marketer.get_html("/admin/analytics?form=qualify&version=all&from=2026-11-19&to=2026-11-20").await;
    assert_eq!(rates(&later), [row("all", "0", "0", "0", "0")], "no lead in the range: nothing to divide");
}
