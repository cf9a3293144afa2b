//! Sign-in for people (not prospects): the session cookie, the current-user
//! extractor, role checks, CSRF tokens and the same-origin check.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::error::PageError;
use super::forms_input::FormBody;
use crate::app::AppError;
use crate::app::auth::{self, CurrentUser, Role};

pub const SESSION_COOKIE: &str = "lg_session";

/// The session token from the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// `Set-Cookie` for a new session (HttpOnly, SameSite=Lax, Secure on https).
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.secure_cookies() { "; Secure" } else { "" };
    let max_age = auth::SESSION_HOURS * 3600;
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&cookie).expect("a cookie of hex characters")
}

/// `Set-Cookie` that removes the session cookie.
pub fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("lg_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// The signed-in person; pages redirect anonymous visitors to sign in.
pub struct SignedIn(pub CurrentUser);

/// Why a request has no usable session.
pub enum AuthRejection {
    SignIn(String),
    Failed(PageError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::SignIn(next) => Redirect::to(&format!("/login?next={}", encode_next(&next))).into_response(),
            AuthRejection::Failed(error) => error.into_response(),
        }
    }
}

fn encode_next(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path().to_string();
        let Some(token) = session_token(&parts.headers) else {
            return Err(AuthRejection::SignIn(next));
        };
        match auth::current_user(&state.ctx.db, &token, state.ctx.clock.now()).await {
            Ok(Some(user)) => Ok(SignedIn(user)),
            Ok(None) => Err(AuthRejection::SignIn(next)),
            Err(error) => Err(AuthRejection::Failed(error.into())),
        }
    }
}

impl SignedIn {
    /// Refuses people whose role is not in `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&CurrentUser, PageError> {
        if roles.contains(&self.0.role) { Ok(&self.0) } else { Err(PageError(AppError::Forbidden)) }
    }

    /// Checks the form's CSRF token against the session's.
    pub fn check_csrf(&self, form: &FormBody) -> Result<(), PageError> {
        let sent = form.get("csrf").unwrap_or_default();
        if constant_time_eq(sent.as_bytes(), self.0.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(PageError(AppError::Forbidden))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A state-changing request to a signed-in area must come from leadgate's
/// own pages (Sec-Fetch-Site / Origin), on top of the CSRF token: the
/// refusal when it does not.
pub fn cross_site_refusal(state: &AppState, request: &Request) -> Option<Response> {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = request.uri().path();
    let protected = ["/login", "/logout", "/inbox", "/admin"].iter().any(|p| path.starts_with(p));
    let refused = changes_state && protected && !from_same_origin(request.headers(), &state.ctx.base_url);
    refused.then(|| (StatusCode::FORBIDDEN, "cross-site request refused").into_response())
}

fn from_same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => origin == base_url || base_url.starts_with(&format!("{origin}/")),
        // Old browsers and non-browser clients send neither; the CSRF token still applies.
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_posts_are_recognised() {
        let mut headers = HeaderMap::new();
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!from_same_origin(&headers, "http://127.0.0.1:3000"));
        let mut headers = HeaderMap::new();
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!from_same_origin(&headers, "http://127.0.0.1:3000"));
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:3000"));
        assert!(from_same_origin(&headers, "http://127.0.0.1:3000"));
    }
}
