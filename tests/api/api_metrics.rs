//! Prometheus metrics at /metrics, behind their own token.

use crate::api_support::{Path, finish_from};
use crate::helpers::{BRANCHING_FORM, spawn_app, spawn_app_with};

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
