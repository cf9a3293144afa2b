//! Errors at the edge: an [`AppError`] becomes a friendly page. The cause is
//! logged once, here, with the request id; the page shows only the id.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppError;

/// An error to be shown as a page. Rendering happens in [`as_page`],
/// called by the edge middleware, which knows the request id.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError(error)
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(error: crate::store::StoreError) -> Self {
        PageError(error.into())
    }
}

/// Marks a response whose body the error middleware writes.
#[derive(Clone, Debug)]
struct ErrorPage {
    title: &'static str,
    message: String,
    cause: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self.0 {
            AppError::NotFound => (StatusCode::NOT_FOUND, "Page not found", not_found_message()),
            AppError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Please check your input",
                errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" "),
            ),
            AppError::Conflict(message) => (StatusCode::CONFLICT, "That could not be done", message.clone()),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "Not allowed", "You are not allowed to do this.".into()),
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Busy for a moment",
                "We are very busy right now. Nothing you entered was lost; please try again in a few seconds.".into(),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong on our side. Nothing you entered was lost; please try again.".into(),
            ),
        };
        let cause = match &self.0 {
            AppError::Internal(_) | AppError::Unavailable(_) => Some(cause_chain(&self.0)),
            _ => None,
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage { title, message, cause });
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

fn not_found_message() -> String {
    "There is nothing at this address. Check the link, or start again from the form's first page.".into()
}

/// "error: cause: cause" for the log.
fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPageTemplate<'a> {
    title: &'a str,
    message: &'a str,
    request_id: &'a str,
    status: u16,
    /// The page was in a signed-in area: offer the way back to one's start page.
    signed_in_area: bool,
}

/// Turns an error response into its page: a [`PageError`]'s marked
/// response (its cause logged here, once, with the request id), or an error
/// answered as bare text by a layer or an extractor (413 body too large,
/// 400 bad path or query, 405, 503 timeout…). Responses with a body type of
/// their own (HTML, JSON problems, event streams) are left alone.
pub fn as_page(response: Response, request_id: &str, signed_in_area: bool) -> Response {
    let status = response.status();
    let (title, message) = match response.extensions().get::<ErrorPage>() {
        Some(page) => {
            if let Some(cause) = &page.cause {
                tracing::error!(request_id, status = status.as_u16(), cause, "request failed");
            }
            (page.title, page.message.clone())
        }
        None if is_bare_error(&response) => {
            let (title, message) = bare_error_words(status);
            (title, message.to_string())
        }
        None => return response,
    };
    let template = ErrorPageTemplate { title, message: &message, request_id, status: status.as_u16(), signed_in_area };
    let body = template.render().unwrap_or_else(|_| title.to_string());
    let (parts, _) = response.into_parts();
    let mut page = Html(body).into_response();
    *page.status_mut() = parts.status;
    // The new body is neither the old one's type, length nor encoding.
    let replaced = [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING];
    for (name, value) in parts.headers.iter().filter(|(name, _)| !replaced.contains(name)) {
        page.headers_mut().insert(name.clone(), value.clone());
    }
    if status == StatusCode::SERVICE_UNAVAILABLE && !page.headers().contains_key(header::RETRY_AFTER) {
        page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    }
    page
}

/// A 4xx or 5xx with no body type, or plain text.
fn is_bare_error(response: &Response) -> bool {
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    (status.is_client_error() || status.is_server_error())
        && (content_type.is_empty() || content_type.starts_with("text/plain"))
}

fn bare_error_words(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Too much at once",
            "This is more than a form accepts (256 KB at most). Shorten what you typed and send it again.",
        ),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => (
            "Busy for a moment",
            "We are very busy right now. Nothing you entered was lost; please try again in a few seconds.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ("Not available", "This address does not accept that kind of request."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("Could not read that", "Send the form as a web browser does."),
        s if s.is_server_error() => (
            "Something went wrong",
            "Something went wrong on our side. Nothing you entered was lost; please try again.",
        ),
        _ => ("Could not read that", "The address or the form data could not be read. Check the link and try again."),
    }
}

/// The fallback for unknown paths (a problem document under `/api/`).
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return super::api::problem::ApiProblem::not_found("API endpoint at this address").into_response();
    }
    PageError(AppError::NotFound).into_response()
}

/// A known address with a method it does not take (a problem under `/api/`).
pub async fn method_not_allowed(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        let detail = "This address does not take this method; see /api/v1/openapi.json.";
        return super::api::problem::ApiProblem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            detail,
        )
        .into_response();
    }
    StatusCode::METHOD_NOT_ALLOWED.into_response()
}

/// 429 with Retry-After, as a page.
pub fn too_many_requests(retry: super::rate_limit::RetryAfter) -> Response {
    let seconds = retry.0.as_secs().max(1);
    let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
    response.extensions_mut().insert(ErrorPage {
        title: "Too many attempts",
        message: format!("Too many attempts from your network. Please wait {seconds} seconds and try again; nothing you entered was lost."),
        cause: None,
    });
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
