//! Security headers on every response.
//!
//! The Content-Security-Policy allows only the server's own scripts and
//! styles. Form pages (`/f/…`) may be framed by the configured origins so
//! they can be embedded; every other page refuses framing.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

const BASE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// Middleware adding CSP, nosniff, referrer and permissions policies.
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let embeddable = request.uri().path().starts_with("/f/");
    let mut response = next.run(request).await;
    let ancestors = if embeddable {
        std::iter::once("'self'")
            .chain(state.settings.frame_ancestors.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        "'none'".to_string()
    };
    let policy = format!("{BASE_POLICY}; frame-ancestors {ancestors}");
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !embeddable {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}
