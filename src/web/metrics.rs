//! Prometheus metrics at `/metrics`: request latency per matched route
//! (axum's `MatchedPath`, never the raw path, so the label set stays
//! small), plus what `app::metrics` counts and the outbox depth.
//!
//! `/metrics` is off unless `LEADGATE_METRICS_TOKEN` is set; then a scraper
//! must send `Authorization: Bearer <token>`.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppState;
use crate::store;

const LATENCY: &str = "leadgate_http_request_duration_seconds";
const LATENCY_BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];
const DELIVERY_BUCKETS: [f64; 10] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0, 300.0, 3600.0];

/// The process-wide recorder (installed once; every app in the process shares it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.into()), &LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full("leadgate_notice_delivery_seconds".into()), &DELIVERY_BUCKETS)
            })
            .expect("bucket lists are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program): then ours only renders zeros.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Route middleware: times each request under its route template (only
/// installed when /metrics is on).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    if let Some(route) = route {
        let status = response.status().as_u16().to_string();
        metrics::histogram!(LATENCY, "route" => route, "method" => method, "status" => status)
            .record(started.elapsed().as_secs_f64());
    }
    response
}

/// The routes only answer these methods; anything else is one label.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        _ => "other",
    }
}

/// Folds recorded samples into their histograms every few seconds. The
/// recorder keeps every sample until then, so without this a server that
/// nobody scrapes would grow by each request it serves.
pub fn spawn_upkeep(mut stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => handle().run_upkeep(),
                _ = stop.changed() => break,
            }
        }
    })
}

/// GET /metrics: the Prometheus text format, behind the metrics token.
pub async fn show_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.settings.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    if let Ok(mut conn) = state.ctx.db.read().await
        && let Ok(depth) = store::outbox::count_pending(conn.conn()).await
    {
        metrics::gauge!("leadgate_outbox_depth").set(depth as f64);
    }
    let handle = handle();
    handle.run_upkeep();
    let mut response = handle.render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
