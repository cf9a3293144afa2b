//! Bookings through the API: a finished response's offer and booking one
//! of its slots (one slot, one booking under concurrent requests), the
//! bookings list with filters and cursor, and cancelling.

use serde_json::{Value, json};

use crate::api_support::{Api, Reply, token};
use crate::booking_helpers::booking_app;
use crate::helpers::{Team, TestApp};

async fn bookings_app() -> (TestApp, Team, Api) {
    let (app, team) = booking_app(|_| {}).await;
    let api = Api { token: token(&app, &team, &["read", "write"]).await, app: app.clone() };
    (app, team, api)
}

/// Finishes the fixture form as a Tier 1 buyer; returns the response id.
async fn tier1_response(app: &TestApp, email: &str) -> String {
    app.finish_tier1(email).await.rsplit('/').next().unwrap().to_string()
}

/// The first slot offered to a response: (rep id, start).
async fn first_offer(api: &Api, response: &str) -> (String, String) {
    let offer = api.get(&format!("/api/v1/responses/{response}/booking")).await;
    assert_eq!(offer.status, 200, "{}", offer.body);
    let slot = &offer.body["offer"]["days"][0]["slots"][0];
    (slot["rep_id"].as_str().unwrap().to_string(), slot["start"].as_str().unwrap().to_string())
}

async fn book(api: &Api, response: &str, rep: &str, start: &str) -> Reply {
    let body = json!({"rep_id": rep, "start": start, "zone": "Europe/Madrid"});
    api.post(&format!("/api/v1/responses/{response}/booking"), body).await
}

fn starts(offer: &Value) -> Vec<String> {
    let days = offer["days"].as_array().unwrap();
    days.iter()
        .flat_map(|d| d["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn a_finished_tier1_response_sees_its_offer_books_a_slot_and_then_sees_the_meeting() {
    let (_app, team, api) = bookings_app().await;
    let response = tier1_response(&api.app, "cio@big.example").await;
    let offer = api.get(&format!("/api/v1/responses/{response}/booking?zone=America/New_York")).await;
    assert_eq!(offer.status, 200, "{}", offer.body);
    assert!(offer.body["booking"].is_null());
    let shown = &offer.body["offer"];
    assert_eq!((shown["zone"].clone(), shown["from_other_reps"].clone()), (json!("America/New_York"), json!(false)));
    let first = &shown["days"][0]["slots"][0];
    assert_eq!((first["start"].clone(), first["time"].clone()), (json!("2026-11-18T12:00:00Z"), json!("07:00")));
    assert_eq!(first["rep_id"], team.rita.id.to_string(), "the assigned rep's slots");
    assert_eq!(starts(shown).len(), 24, "as many as the ending shows");
    let booked = book(&api, &response, &team.rita.id.to_string(), "2026-11-18T12:00:00Z").await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let id = booked.body["id"].as_str().unwrap().to_string();
    assert_eq!(booked.headers["location"], format!("/api/v1/bookings/{id}").as_str());
    assert_eq!(
        (booked.body["status"].clone(), booked.body["prospect_zone"].clone()),
        (json!("confirmed"), json!("Europe/Madrid"))
    );
    assert_eq!(booked.body["ends_at"], "2026-11-18T12:30:00Z");
    assert_eq!(booked.body["prospect_email"], "cio@big.example");
    let now = api.get(&format!("/api/v1/responses/{response}/booking")).await;
    assert_eq!(now.body["booking"]["id"], id.as_str());
    assert!(now.body["offer"].is_null());
    let lead = api.get(&format!("/api/v1/leads/{}", booked.body["lead_id"].as_str().unwrap())).await;
    assert_eq!(lead.body["status"], "accepted", "a booking counts as the rep's acceptance");
    let twice = book(&api, &response, &team.rita.id.to_string(), "2026-11-18T13:00:00Z").await;
    twice.assert_problem(409, None);
    assert!(twice.body["detail"].as_str().unwrap().contains(&id), "{}", twice.body);
}

#[tokio::test]
async fn booking_refuses_what_the_ending_would_refuse() {
    let (app, team, api) = bookings_app().await;
    let response = tier1_response(&app, "cio@big.example").await;
    let rita = team.rita.id.to_string();
    let path = format!("/api/v1/responses/{response}/booking");
    let not_offered = book(&api, &response, &rita, "2026-11-18T12:10:00Z").await;
    not_offered.assert_problem(409, None);
    assert_eq!(starts(&not_offered.body["slots"])[0], "2026-11-18T12:00:00Z", "fresh slots come with the refusal");
    api.post(&path, json!({"rep_id": rita, "start": "2026-11-18T12:00:00Z", "zone": "Mars/Base"}))
        .await
        .assert_problem(422, Some("zone"));
    api.post(&path, json!({"rep_id": rita, "start": "noon"})).await.assert_problem(422, Some("start"));
    api.post(&path, json!({"rep_id": rita, "start": "2026-11-18T12:00:00Z", "seats": 2}))
        .await
        .assert_problem(422, Some("seats"));
    api.get(&format!("{path}?zone=Mars/Base")).await.assert_problem(400, Some("zone"));
    let tier2 = app.finish_tier2("ops@mid.example").await;
    let tier2 = tier2.rsplit('/').next().unwrap();
    api.get(&format!("/api/v1/responses/{tier2}/booking")).await.assert_problem(404, None);
    book(&api, tier2, &rita, "2026-11-18T12:00:00Z").await.assert_problem(404, None);
    let unfinished = app.new_browser().start_form("qualify", "", &["half@way.example"]).await;
    let unfinished = unfinished.rsplit('/').next().unwrap();
    api.get(&format!("/api/v1/responses/{unfinished}/booking")).await.assert_problem(404, None);
    api.get("/api/v1/responses/nope/booking").await.assert_problem(404, None);
    let reader = Api { token: token(&app, &team, &["read"]).await, app: app.clone() };
    assert_eq!(reader.get(&path).await.status, 200);
    book(&reader, &response, &rita, "2026-11-18T12:00:00Z").await.assert_problem(403, None);
}

#[tokio::test]
async fn twenty_concurrent_bookings_of_one_slot_give_exactly_one_booking_and_fresh_slots_to_the_others() {
    let (app, team, api) = bookings_app().await;
    // Sam is away, so every lead is Rita's and every offer starts at the same slot.
    app.update_rep(&team.sam, |r| {
        r.active = false;
        r.working_hours = leadgate::engine::WeeklyHours::default();
    })
    .await;
    let mut responses = Vec::new();
    for n in 0..20 {
        let response = tier1_response(&app, &format!("buyer{n}@big{n}.example")).await;
        assert_eq!(first_offer(&api, &response).await, (team.rita.id.to_string(), "2026-11-18T12:00:00Z".to_string()));
        responses.push(response);
    }
    let mut attempts = tokio::task::JoinSet::new();
    for response in responses {
        let (api, rita) = (api.clone(), team.rita.id.to_string());
        attempts.spawn(async move { book(&api, &response, &rita, "2026-11-18T12:00:00Z").await });
    }
    let replies: Vec<Reply> = attempts.join_all().await;
    let won: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(won.len(), 1, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    for lost in replies.iter().filter(|r| r.status != 201) {
        lost.assert_problem(409, None);
        let fresh = starts(&lost.body["slots"]);
        assert_eq!(fresh[0], "2026-11-18T13:00:00Z", "12:30 is inside the buffer of the meeting just booked");
        assert!(!fresh.contains(&"2026-11-18T12:00:00Z".to_string()));
    }
    let all = api.get(&format!("/api/v1/bookings?rep={}", team.rita.id)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 1, "one booking in the store");
}

#[tokio::test]
async fn bookings_are_listed_by_start_with_filters_and_a_cursor_and_cancelled_once() {
    let (app, team, api) = bookings_app().await;
    let mut ids = Vec::new();
    // Round robin: Rita, Sam, Rita; each books the first slot offered.
    for email in ["a@one.example", "b@two.example", "c@three.example"] {
        let response = tier1_response(&app, email).await;
        let (rep, start) = first_offer(&api, &response).await;
        let booked = book(&api, &response, &rep, &start).await;
        assert_eq!(booked.status, 201, "{}", booked.body);
        ids.push(booked.body["id"].as_str().unwrap().to_string());
    }
    let first = api.get("/api/v1/bookings?limit=2").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let page: Vec<&str> =
        first.body["items"].as_array().unwrap().iter().map(|b| b["starts_at"].as_str().unwrap()).collect();
    assert_eq!(page, ["2026-11-18T12:00:00Z", "2026-11-18T12:00:00Z"]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = api.get(&format!("/api/v1/bookings?limit=2&cursor={cursor}")).await;
    assert_eq!(second.body["items"][0]["id"], ids[2].as_str());
    assert_eq!(second.body["items"][0]["starts_at"], "2026-11-18T13:00:00Z");
    assert!(second.body["next_cursor"].is_null());
    let count = |reply: Reply| reply.body["items"].as_array().unwrap().len();
    assert_eq!(count(api.get(&format!("/api/v1/bookings?rep={}", team.rita.id)).await), 2);
    assert_eq!(count(api.get(&format!("/api/v1/bookings?rep={}", team.sam.id)).await), 1);
    assert_eq!(count(api.get("/api/v1/bookings?from=2026-11-18T12:30:00Z").await), 1);
    assert_eq!(count(api.get("/api/v1/bookings?to=2026-11-18T12:30:00Z").await), 2);
    assert_eq!(count(api.get("/api/v1/bookings?from=2026-11-19").await), 0);
    assert_eq!(count(api.get("/api/v1/bookings?to=2026-11-18").await), 3, "a date includes its whole day");
    let one = api.get(&format!("/api/v1/bookings/{}", ids[1])).await;
    assert_eq!(
        (one.body["rep_id"].clone(), one.body["rep_name"].clone()),
        (json!(team.sam.id.to_string()), json!("Sam Rep"))
    );
    let cancelled = api.post(&format!("/api/v1/bookings/{}/cancel", ids[1]), json!({})).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    api.post(&format!("/api/v1/bookings/{}/cancel", ids[1]), json!({})).await.assert_problem(409, None);
    let told = app.notices("live", &team.sam.id.to_string()).await;
    let notice = told.iter().find(|n| n.event_type == "booking.cancelled").expect("Sam is told");
    assert!(notice.payload.0.to_string().contains("cancelled by Ada Admin (API token tests)"), "{}", notice.payload.0);
    assert_eq!(count(api.get("/api/v1/bookings?status=cancelled").await), 1);
    assert_eq!(count(api.get("/api/v1/bookings?status=confirmed").await), 2);
    let response = one.body["response_id"].as_str().unwrap();
    let again = api.get(&format!("/api/v1/responses/{response}/booking")).await;
    assert!(again.body["booking"].is_null() && !starts(&again.body["offer"]).is_empty(), "it can book again");
    api.get("/api/v1/bookings?status=maybe").await.assert_problem(400, Some("status"));
    api.get("/api/v1/bookings?cursor=bm9wZQ").await.assert_problem(400, Some("cursor"));
    api.get("/api/v1/bookings?from=someday").await.assert_problem(400, Some("from"));
    api.get(&format!("/api/v1/bookings/{}", uuid::Uuid::now_v7())).await.assert_problem(404, None);
    api.post(&format!("/api/v1/bookings/{}/cancel", uuid::Uuid::now_v7()), json!({})).await.assert_problem(404, None);
    let writer = Api { token: token(&app, &team, &["write"]).await, app: app.clone() };
    writer.get("/api/v1/bookings").await.assert_problem(403, None);
    let reader = Api { token: token(&app, &team, &["read"]).await, app: app.clone() };
    reader.post(&format!("/api/v1/bookings/{}/cancel", ids[0]), json!({})).await.assert_problem(403, None);
}
