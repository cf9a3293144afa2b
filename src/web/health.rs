//! Liveness and readiness probes.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(show_health)).route("/readyz", get(show_readiness))
}

/// The process is up.
async fn show_health() -> &'static str {
    "ok"
}

/// The database answers.
async fn show_readiness(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
