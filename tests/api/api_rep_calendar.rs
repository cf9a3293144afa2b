//! A rep's calendar through the API: booking settings (the calendar page's
//! checks), busy blocks, and free slots by day in a zone, the same the
//! prospect is offered. Rita and Sam work weekdays 09:00-17:00 UTC; the
//! clock stands on Wednesday 2026-11-18, 10:00 UTC.

use serde_json::{Value, json};

use crate::api_support::{Api, problem_fields, token};
use crate::booking_helpers::{booking_app, first_slot, slot_start};
use crate::helpers::{Team, TestApp};

async fn calendar_app() -> (TestApp, Team, Api) {
    let (app, team) = booking_app(|_| {}).await;
    let api = Api { token: token(&app, &team, &["read", "write"]).await, app: app.clone() };
    (app, team, api)
}

/// The slot starts of each day, as `(date, ["HH:MM", ...])`.
fn days(reply: &Value) -> Vec<(String, Vec<String>)> {
    reply["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let times =
                d["slots"].as_array().unwrap().iter().map(|s| s["time"].as_str().unwrap().to_string()).collect();
            (d["date"].as_str().unwrap().to_string(), times)
        })
        .collect()
}

/// "HH:MM" every half hour from `from` to `to`, both included (within one day).
fn times(from: &str, to: &str) -> Vec<String> {
    let parse = |t: &str| chrono::NaiveTime::parse_from_str(t, "%H:%M").unwrap();
    let (start, end) = (parse(from), parse(to));
    let count = (end - start).num_minutes() / 30;
    (0..=count).map(|n| (start + chrono::Duration::minutes(30 * n)).format("%H:%M").to_string()).collect()
}

#[tokio::test]
async fn availability_lists_the_free_slots_by_day_on_the_asked_clock() {
    let (app, team, api) = calendar_app().await;
    let path = format!("/api/v1/reps/{}/availability?from=2026-11-18&days=2&zone=Asia/Tokyo", team.rita.id);
    let tokyo = api.get(&path).await;
    assert_eq!(tokyo.status, 200, "{}", tokyo.body);
    assert_eq!((tokyo.body["zone"].clone(), tokyo.body["to"].clone()), (json!("Asia/Tokyo"), json!("2026-11-19")));
    // Two hours' notice from 10:00 UTC: Wednesday 12:00-16:30 UTC is 21:00-01:30 in Tokyo.
    let mut thursday = times("00:00", "01:30");
    thursday.extend(times("18:00", "23:30"));
    assert_eq!(
        days(&tokyo.body),
        [("2026-11-18".to_string(), times("21:00", "23:30")), ("2026-11-19".to_string(), thursday)]
    );
    let first = &tokyo.body["days"][0]["slots"][0];
    assert_eq!(
        (first["start"].clone(), first["end"].clone()),
        (json!("2026-11-18T12:00:00Z"), json!("2026-11-18T12:30:00Z"))
    );
    assert_eq!(first["rep_id"], team.rita.id.to_string());
    // The same first slot a Tier 1 prospect routed to Rita is offered on the ending page.
    let ending = app.finish_tier1("cio@big.example").await;
    let offered = first_slot(&app, &ending).await;
    assert_eq!(slot_start(&offered.value).to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "2026-11-18T12:00:00Z");
    let utc = api.get(&format!("/api/v1/reps/{}/availability", team.rita.id)).await;
    assert_eq!(utc.body["zone"], "UTC", "the rep's own zone by default");
    assert_eq!(utc.body["from"], "2026-11-18");
    assert_eq!(days(&utc.body).len(), 5, "Wednesday to Friday and Monday, Tuesday of the 7 days");
    api.get(&format!("/api/v1/reps/{}/availability?zone=Mars/Base", team.rita.id))
        .await
        .assert_problem(400, Some("zone"));
    api.get(&format!("/api/v1/reps/{}/availability?days=40", team.rita.id)).await.assert_problem(400, Some("days"));
    api.get(&format!("/api/v1/reps/{}/availability?from=soon", team.rita.id)).await.assert_problem(400, Some("from"));
    api.get(&format!("/api/v1/reps/{}/availability?from=", team.rita.id)).await.assert_problem(400, Some("from"));
    api.get(&format!("/api/v1/reps/{}/availability", team.marketer.id)).await.assert_problem(404, None);
    api.get("/api/v1/reps/x/availability").await.assert_problem(404, None);
}

#[tokio::test]
async fn busy_blocks_are_added_listed_and_removed_and_availability_leaves_them_out() {
    let (_app, team, api) = calendar_app().await;
    let blocks = format!("/api/v1/reps/{}/busy-blocks", team.rita.id);
    let body = json!({"starts_at": "2026-11-18T13:00:00Z", "ends_at": "2026-11-18T14:00:00Z", "note": "Dentist"});
    let created = api.post(&blocks, body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!((created.body["source"].clone(), created.body["note"].clone()), (json!("manual"), json!("Dentist")));
    let second = json!({"starts_at": "2026-11-19T09:00:00Z", "ends_at": "2026-11-19T10:00:00Z"});
    assert_eq!(api.post(&blocks, second).await.status, 201);
    let page = api.get(&format!("{blocks}?limit=1")).await;
    assert_eq!(page.body["items"][0]["note"], "Dentist", "earliest first");
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = api.get(&format!("{blocks}?limit=1&cursor={cursor}")).await;
    assert_eq!(rest.body["items"][0]["starts_at"], "2026-11-19T09:00:00Z");
    assert!(rest.body["next_cursor"].is_null());
    // With the 10-minute buffer, 12:30, 13:00, 13:30 and 14:00 touch the block.
    let path = format!("/api/v1/reps/{}/availability?days=1", team.rita.id);
    let wednesday = days(&api.get(&path).await.body);
    let expected: Vec<String> = ["12:00", "14:30", "15:00", "15:30", "16:00", "16:30"].map(String::from).into();
    assert_eq!(wednesday, [("2026-11-18".to_string(), expected)]);
    let backwards = json!({"starts_at": "2026-11-18T15:00:00Z", "ends_at": "2026-11-18T14:00:00Z"});
    api.post(&blocks, backwards).await.assert_problem(422, Some("ends_at"));
    let long_note =
        json!({"starts_at": "2026-11-18T15:00:00Z", "ends_at": "2026-11-18T16:00:00Z", "note": "x".repeat(201)});
    api.post(&blocks, long_note).await.assert_problem(422, Some("note"));
    api.post(&blocks, json!({"starts_at": "tomorrow", "ends_at": "2026-11-18T16:00:00Z"}))
        .await
        .assert_problem(422, Some("starts_at"));
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(api.delete(&format!("{blocks}/{id}")).await.status, 204);
    api.delete(&format!("{blocks}/{id}")).await.assert_problem(404, None);
    assert_eq!(days(&api.get(&path).await.body)[0].1.len(), 10, "the block's slots are free again");
    api.post(
        &format!("/api/v1/reps/{}/busy-blocks", team.marketer.id),
        json!({"starts_at": "2026-11-18T13:00:00Z", "ends_at": "2026-11-18T14:00:00Z"}),
    )
    .await
    .assert_problem(404, None);
}

fn settings(meeting: u32) -> Value {
    json!({
        "time_zone": "Europe/Madrid",
        "meeting_minutes": meeting,
        "buffer_minutes": 0,
        "minimum_notice_minutes": 60,
        "horizon_days": 14,
        "daily_maximum": null,
        "slot_step_minutes": 60,
        "hours": {"wed": [{"start": "13:00", "end": "16:00"}]},
        "feed_url": null
    })
}

#[tokio::test]
async fn booking_settings_are_read_and_replaced_with_the_calendar_pages_checks() {
    let (app, team, api) = calendar_app().await;
    let path = format!("/api/v1/reps/{}/booking-settings", team.sam.id);
    let before = api.get(&path).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!((before.body["meeting_minutes"].clone(), before.body["daily_maximum"].clone()), (json!(30), json!(6)));
    assert!(before.body["hours"].is_null(), "the routing hours apply");
    assert_eq!(before.body["effective_hours"]["mon"], json!([{"start": "09:00", "end": "17:00"}]));
    let saved = api.put(&path, settings(60)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["time_zone"], "Europe/Madrid");
    assert_eq!(saved.body["hours"]["wed"], json!([{"start": "13:00", "end": "16:00"}]));
    assert_eq!(saved.body["hours"]["mon"], json!([]));
    assert!(saved.body["daily_maximum"].is_null());
    // 13:00-16:00 in Madrid is 12:00-15:00 UTC; hourly meetings, an hour's notice from 10:00 UTC.
    let free = api.get(&format!("/api/v1/reps/{}/availability?days=7", team.sam.id)).await;
    assert_eq!(days(&free.body), [("2026-11-18".to_string(), ["13:00", "14:00", "15:00"].map(String::from).to_vec())]);
    let (status, page) = app.login_as(&team.sam).await.page(&format!("/inbox/calendar/{}", team.sam.id)).await;
    assert_eq!(status, 200);
    assert_eq!(
        crate::helpers::input_value(&page, "meeting_minutes").as_deref(),
        Some("60"),
        "the page shows what the API saved"
    );
    let mut bad = settings(2);
    bad["time_zone"] = json!("Mars/Base");
    let refused = api.put(&path, bad).await;
    refused.assert_problem(422, Some("meeting_minutes"));
    assert!(problem_fields(&refused).contains(&"time_zone".to_string()), "{}", refused.body);
    let errors = refused.body["errors"].as_array().unwrap();
    let meeting = errors.iter().find(|e| e["field"] == "meeting_minutes").unwrap();
    assert!(meeting["message"].as_str().unwrap().contains("5 to 480"), "the page's words: {meeting}");
    let mut hours = settings(60);
    hours["hours"] = json!({"mon": [{"start": "09:00", "end": "25:00"}]});
    api.put(&path, hours).await.assert_problem(422, Some("hours.mon[0].end"));
    let mut backwards = settings(60);
    backwards["hours"] = json!({"mon": [{"start": "17:00", "end": "09:00"}]});
    api.put(&path, backwards).await.assert_problem(422, Some("hours"));
    let mut feed = settings(60);
    feed["feed_url"] = json!("http://127.0.0.1/cal.ics");
    api.put(&path, feed).await.assert_problem(422, Some("feed_url"));
    let mut extra = settings(60);
    extra["colour"] = json!("blue");
    api.put(&path, extra).await.assert_problem(422, Some("colour"));
    let mut negative = settings(60);
    negative["buffer_minutes"] = json!(-5);
    api.put(&path, negative).await.assert_problem(422, Some("buffer_minutes"));
    assert_eq!(api.get(&path).await.body["meeting_minutes"], 60, "refused changes change nothing");
    let reader = Api { token: token(&app, &team, &["read"]).await, app: app.clone() };
    reader.put(&path, settings(30)).await.assert_problem(403, None);
    api.get(&format!("/api/v1/reps/{}/booking-settings", team.marketer.id)).await.assert_problem(404, None);
}
