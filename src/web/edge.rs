//! The middleware every request passes through once: the same-origin rule
//! for signed-in areas, error pages with the request id, and the security
//! headers. One layer rather than three, because each `from_fn` layer
//! costs a boxed future and a clone of the inner service per request.
//!
//! It sits outside the timeout and the body limit, so their bare answers
//! (503, 413) become pages too.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{AppState, REQUEST_ID, auth, error, security};

pub async fn edge(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let request_id = request.headers().get(&REQUEST_ID).cloned();
    let path = request.uri().path();
    let embeddable = path.starts_with("/f/");
    let signed_in_area = path.starts_with("/inbox") || path.starts_with("/admin");
    let response = match auth::cross_site_refusal(&state, &request) {
        Some(refused) => refused,
        None => next.run(request).await,
    };
    let request_id = request_id.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("-");
    let response = error::as_page(response, request_id, signed_in_area);
    security::add_headers(&state, embeddable, response)
}
