//! Security headers on every response.
//!
//! The Content-Security-Policy allows only the server's own scripts and
//! styles. Form pages (`/f/…`) may be framed by the configured origins so
//! they can be embedded; every other page refuses framing.

use axum::http::{HeaderName, HeaderValue, header};

use axum::response::Response;

use super::AppState;

const BASE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'";

// Built once: a header name made from a string at run time is parsed on every use.
static PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

/// The two policies, built once from the settings.
#[derive(Debug, Clone)]
pub struct Policies {
    /// Form pages: framable by the configured origins.
    forms: HeaderValue,
    /// Everything else: never framed.
    other: HeaderValue,
}

impl Policies {
    /// Form pages may be framed by `'self'` and `frame_ancestors` (origins
    /// checked by the configuration parser).
    pub fn new(frame_ancestors: &[String]) -> Policies {
        let ancestors = std::iter::once("'self'").chain(frame_ancestors.iter().map(String::as_str));
        let forms = format!("{BASE_POLICY}; frame-ancestors {}", ancestors.collect::<Vec<_>>().join(" "));
        Policies {
            forms: HeaderValue::from_str(&forms).unwrap_or_else(|_| HeaderValue::from_static(BASE_POLICY)),
            other: HeaderValue::from_str(&format!("{BASE_POLICY}; frame-ancestors 'none'"))
                .expect("a constant policy is a valid header"),
        }
    }
}

/// Adds CSP, nosniff, referrer and permissions policies; only form pages
/// (`embeddable`) may be framed.
pub fn add_headers(state: &AppState, embeddable: bool, mut response: Response) -> Response {
    let policy = if embeddable { &state.policies.forms } else { &state.policies.other };
    let headers = response.headers_mut();
    // Room for all of them at once rather than growing the map twice.
    headers.reserve(5);
    headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(PERMISSIONS_POLICY.clone(), HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !embeddable {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}
