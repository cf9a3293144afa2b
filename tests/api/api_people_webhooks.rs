//! `/api/v1/reps` and `/api/v1/webhooks` (create, list, delete, test-send,
//! delivery log).

use serde_json::json;

use crate::api_support::api_app;
use crate::receivers::WebhookReceiver;

#[tokio::test]
async fn reps_are_listed_by_page_with_their_pools_and_read_one_by_one() {
    let (_app, team, api) = api_app().await;
    let first = api.get("/api/v1/reps?limit=2").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let rest = api.get(&format!("/api/v1/reps?limit=10&cursor={cursor}")).await;
    let all: Vec<serde_json::Value> =
        first.body["items"].as_array().unwrap().iter().chain(rest.body["items"].as_array().unwrap()).cloned().collect();
    // Rita and Sam have rep profiles; the manager and the admin can take overflow.
    assert_eq!(all.len(), 4);
    let rita = all.iter().find(|r| r["email"] == team.rita.email.as_str()).expect("Rita is listed");
    assert_eq!(rita["role"], "rep");
    assert_eq!(rita["pools"], json!(["sdr", "senior-ae"]));
    let one = api.get(&format!("/api/v1/reps/{}", team.rita.id)).await;
    assert_eq!(one.body["name"], "Rita Rep");
    api.get(&format!("/api/v1/reps/{}", team.marketer.id)).await.assert_problem(404, None);
}

#[tokio::test]
async fn a_webhook_is_created_test_sent_logged_listed_and_deleted() {
    let (app, _team, api) = api_app().await;
    let receiver = WebhookReceiver::start().await;
    let refused = api.post("/api/v1/webhooks", json!({"url": receiver.url})).await;
    refused.assert_problem(422, Some("url"));
    let unknown = api
        .post("/api/v1/webhooks", json!({"url": receiver.url, "allow_private": true, "events": ["lead.eaten"]}))
        .await;
    unknown.assert_problem(422, Some("events"));
    let created = api
        .post(
            "/api/v1/webhooks",
            json!({"url": receiver.url, "allow_private": true, "events": ["lead.won", "source.quality_alert"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let id = created.body["webhook"]["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["webhook"]["events"], json!(["lead.won", "source.quality_alert"]));
    let listed = api.get("/api/v1/webhooks").await;
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
    assert!(listed.body["items"][0].get("secret").is_none(), "the secret is never listed");
    let test = api.post(&format!("/api/v1/webhooks/{id}/test"), json!({})).await;
    assert_eq!(test.status, 202, "{}", test.body);
    app.wait_until("the test delivery", || async { !receiver.all().is_empty() }).await;
    let got = receiver.all().remove(0);
    standardwebhooks::Webhook::new(&secret).unwrap().verify(got.body.as_bytes(), &got.headers).expect("signed");
    let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(body["type"], "test");
    assert_eq!(got.headers["webhook-id"].to_str().unwrap(), test.body["notice_id"].as_str().unwrap());
    let log_path = format!("/api/v1/webhooks/{id}/deliveries");
    let api_for_wait = api.clone();
    app.wait_until("the delivery log", || {
        let api = api_for_wait.clone();
        let path = log_path.clone();
        async move { !api.get(&path).await.body["items"].as_array().unwrap().is_empty() }
    })
    .await;
    let log = api.get(&log_path).await;
    assert_eq!(log.body["items"][0]["status"], 200);
    assert_eq!(log.body["items"][0]["notice_id"], test.body["notice_id"]);
    let deleted = api.send(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{id}"), None).await;
    assert_eq!(deleted.status, 204);
    api.send(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{id}"), None).await.assert_problem(404, None);
    api.post(&format!("/api/v1/webhooks/{id}/test"), json!({})).await.assert_problem(404, None);
    api.get(&log_path).await.assert_problem(404, None);
    assert!(api.get("/api/v1/webhooks").await.body["items"].as_array().unwrap().is_empty());
}
