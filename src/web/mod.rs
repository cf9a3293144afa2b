//! HTTP: one router per audience, merged here, with the cross-cutting layers
//! (the edge's request id, span, access log, security headers and error
//! pages; timeouts, body limit, compression).

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod edge;
pub mod error;
pub mod forms_input;
pub mod health;
pub mod inbox;
pub mod local_time;
pub mod metrics;
pub mod nav;
pub mod prospect;
pub mod rate_limit;
pub mod security;
pub mod state;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use tower::ServiceBuilder;
use tower_http::compression::{Compression, CompressionLayer};
use tower_http::limit::{RequestBodyLimit, RequestBodyLimitLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{Timeout, TimeoutLayer};

pub use state::AppState;

/// Largest request body accepted (form posts are small; definitions later are larger).
const BODY_LIMIT_BYTES: usize = 256 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The service the server runs: the routes inside the layers every
/// request passes through.
pub type App = edge::Edge<Timeout<RequestBodyLimit<Compression<Router>>>>;

/// The whole application: its routes, wrapped once in the layers every
/// request passes (the edge: request id, span, access log, security
/// headers and error pages; then timeout, body limit, compression).
///
/// The layers wrap the router as one service rather than each route
/// (`Router::layer`): per route, every layer is boxed again and every
/// request clones each box, which cost about a tenth of a page's time.
/// And the server runs that service itself, not a router holding it as
/// its fallback, which matched each path twice and boxed the whole stack
/// once more per request.
pub fn app(state: AppState) -> App {
    let static_files = Router::new().nest_service("/static", ServeDir::new(&state.settings.static_dir)).layer(
        SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("public, max-age=3600"),
        ),
    );
    let routes = Router::new()
        .merge(health::router())
        .merge(prospect::router())
        .merge(account::router())
        .merge(inbox::router())
        .merge(admin::router())
        .merge(api::router())
        .route("/metrics", axum::routing::get(metrics::show_metrics))
        .merge(static_files);
    // Timing each route needs its matched path, so it wraps each route; only when /metrics is on.
    let routes = match state.settings.metrics_token {
        Some(_) => routes.route_layer(axum::middleware::from_fn(metrics::track)),
        None => routes,
    };
    let routes = routes
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::not_found)
        .with_state(state.clone());
    ServiceBuilder::new()
        .layer(edge::EdgeLayer::new(state))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(CompressionLayer::new())
        .service(routes)
}
