//! Prometheus metrics at /metrics, behind their own token: routes, answers,
//! finishes, routing decisions, outbox depth, notice deliveries and failures.

use crate::api_support::{Path, finish_from};
use crate::faults::closed_port;
use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app, spawn_app_with};
use crate::notices::add_endpoint;
use crate::receivers::WebhookReceiver;

const METRICS_TOKEN: &str = "scrape-token-0123456789";

#[tokio::test]
async fn metrics_are_exposed_after_traffic_with_bounded_route_labels() {
    let app = spawn_app_with(|s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    app.publish_form(BRANCHING_FORM).await;
    app.seed_team().await;
    let lead = finish_from(&app, "m@metrics.example", "", Path::Tier1).await;
    let id = app.lead(lead).await.response_id;
    app.get(&format!("/f/qualify/r/{id}")).await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("nope").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let scraped = app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = scraped.text().await.unwrap();
    let has = |needle: &str| text.lines().any(|l| l.starts_with(needle));
    assert!(has("leadgate_http_request_duration_seconds_bucket{route=\"/f/{slug}/r/{response_id}\""), "{text}");
    assert!(has("leadgate_answers_total"));
    assert!(has("leadgate_finishes_total{outcome=\"tier1\"}"));
    assert!(has("leadgate_routing_decisions_total{kind=\"routed\"}"));
    assert!(has("leadgate_outbox_depth"));
    assert!(!text.contains(&id.to_string()), "raw paths never become labels");
}

#[tokio::test]
async fn metrics_are_off_without_a_token_setting() {
    let app = spawn_app().await;
    assert_eq!(app.get("/metrics").await.status(), 404);
}

/// The value of one series (`name{labels}`) in a scrape, 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok()).unwrap_or(0.0)
}

async fn scrape(app: &TestApp) -> String {
    let scraped = app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(scraped.status(), 200);
    scraped.text().await.unwrap()
}

#[tokio::test]
async fn webhook_deliveries_and_failures_are_counted_per_channel() {
    let app = spawn_app_with(|s| s.metrics_token = Some(METRICS_TOKEN.into())).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let receiver = WebhookReceiver::start().await;
    add_endpoint(&app, &team, &receiver.url, &[("events", "lead.assigned")]).await;
    let dead = format!("http://127.0.0.1:{}/hook", closed_port());
    add_endpoint(&app, &team, &dead, &[("events", "lead.assigned")]).await;
    let endpoints = {
        let mut conn = app.db.read().await.unwrap();
        leadgate::store::webhooks::list_endpoints(conn.conn()).await.unwrap()
    };
    let failing = endpoints.iter().find(|e| e.url == dead).unwrap().id.to_string();
    let working = endpoints.iter().find(|e| e.url == receiver.url).unwrap().id.to_string();
    // The recorder is shared by every app in this process: compare with
    // what it held before this test's notices.
    const DELIVERED: &str = "leadgate_notice_delivery_seconds_count{channel=\"webhook\"}";
    const INSTANT: &str = "leadgate_notice_delivery_seconds_bucket{channel=\"webhook\",le=\"0.01\"}";
    const FAILED: &str = "leadgate_notice_failures_total{channel=\"webhook\"}";
    let before = scrape(&app).await;
    app.finish_tier1("cto@acme.example").await;
    app.wait_until("the webhook", || async { receiver.all().len() == 1 }).await;
    // Counted before the delivery is recorded, which can be after the receiver has it.
    app.wait_until("the delivery recorded", || async {
        app.notices("webhook", &working).await.first().is_some_and(|n| n.status == "delivered")
    })
    .await;
    app.wait_until("the failed attempt", || async {
        app.notices("webhook", &failing).await.first().is_some_and(|n| n.attempts == 1 && n.status == "pending")
    })
    .await;
    let after = scrape(&app).await;
    let grew = |series: &str| sample(&after, series) - sample(&before, series);
    assert!(grew(DELIVERED) >= 1.0, "the delivery is counted: {after}");
    assert!(grew(INSTANT) >= 1.0, "delivered at once on the app's clock: the smallest bucket");
    assert!(grew(FAILED) >= 1.0, "the refused connection is counted: {after}");
    for le in ["0.01", "0.05", "0.1", "0.25", "0.5", "1", "5", "30", "300", "3600", "+Inf"] {
        let bucket = format!("leadgate_notice_delivery_seconds_bucket{{channel=\"webhook\",le=\"{le}\"}} ");
        assert!(after.lines().any(|l| l.starts_with(&bucket)), "bucket {le} in {after}");
    }
    assert!(after.lines().any(|l| l.starts_with("leadgate_notice_delivery_seconds_sum{channel=\"webhook\"} ")));
}
