//! Signing in and out.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::AppState;
use super::auth::{SignedIn, cleared_cookie, session_cookie, session_token};
use super::error::{PageError, too_many_requests};
use super::forms_input::FormBody;
use super::nav;
use crate::app::AppError;
use crate::app::auth;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(show_start))
        .route("/login", get(show_login).post(submit_login))
        .route("/logout", post(submit_logout))
}

/// `/`: a signed-in person's start page, else the sign-in page.
async fn show_start(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let user = match session_token(&headers) {
        Some(token) => auth::current_user(&state.ctx.db, &token, state.ctx.clock.now()).await?,
        None => None,
    };
    Ok(Redirect::to(user.map_or("/login", |u| nav::home(u.role))).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "account/login.html")]
pub struct LoginPage {
    pub email: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only paths on this site may be a destination after sign-in; none (or
/// anything else) means the person's own start page.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path.to_string(),
        _ => String::new(),
    }
}

/// Where a person goes after signing in: the page they asked for when
/// their role may open it, else their start page (never a 403).
fn landing(role: auth::Role, next: &str) -> String {
    if next.is_empty() || next == "/" || !nav::may_open(role, next) {
        nav::home(role).to_owned()
    } else {
        next.to_owned()
    }
}

async fn show_login(Query(query): Query<LoginQuery>) -> LoginPage {
    LoginPage { email: String::new(), next: safe_next(query.next.as_deref()), error: None }
}

async fn submit_login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<Response, PageError> {
    if let Err(retry) = state.rate_limits.check_login(client.ip()) {
        return Ok(too_many_requests(retry));
    }
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    let email = form.get("email").unwrap_or_default().to_string();
    if let Err(retry) = state.rate_limits.check_account_login(&email) {
        return Ok(too_many_requests(retry));
    }
    let next = safe_next(form.get("next"));
    match auth::log_in(&state.ctx.db, &email, form.get("password").unwrap_or_default(), state.ctx.clock.now()).await {
        Ok(session) => {
            let mut response = Redirect::to(&landing(session.user.role, &next)).into_response();
            response.headers_mut().append(header::SET_COOKIE, session_cookie(&state, &session.token));
            Ok(response)
        }
        Err(AppError::Invalid(errors)) => {
            let error = errors.first().map(|e| e.message.clone());
            let page = LoginPage { email, next, error };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /logout: ends the session (with its CSRF token, so another site
/// cannot sign a person out) and clears the cookie.
async fn submit_logout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, PageError> {
    if let Some(token) = session_token(&headers) {
        if let Some(user) = auth::current_user(&state.ctx.db, &token, state.ctx.clock.now()).await? {
            let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
            SignedIn(user).check_csrf(&form)?;
        }
        auth::log_out(&state.ctx.db, &token).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, cleared_cookie());
    Ok(response)
}

#[cfg(test)]
mod tests {
    use crate::app::auth::Role;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(super::safe_next(Some("/inbox/leads/1")), "/inbox/leads/1");
        assert_eq!(super::landing(Role::Rep, &super::safe_next(Some("//evil.example"))), "/inbox");
        assert_eq!(super::landing(Role::Rep, &super::safe_next(Some("https://evil.example"))), "/inbox");
        assert_eq!(super::landing(Role::Marketer, &super::safe_next(None)), "/admin/forms");
    }

    #[test]
    fn a_page_the_role_may_not_open_is_replaced_by_its_start_page() {
        assert_eq!(super::landing(Role::Marketer, "/inbox"), "/admin/forms");
        assert_eq!(super::landing(Role::Rep, "/admin/routing"), "/inbox");
        assert_eq!(super::landing(Role::Manager, "/admin/routing"), "/admin/routing");
    }
}
