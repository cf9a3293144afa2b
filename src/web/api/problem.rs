//! RFC 9457 problem details (`application/problem+json`) for the API:
//! `type`, `title`, `status`, `detail`, and for invalid input `errors`
//! naming each field. A few problems carry extension members (RFC 9457
//! section 3.2): a refused publish lists its lint `findings` and
//! `failed_cases`; a slot someone else booked first comes with fresh
//! `slots`. Causes of server faults are logged here, once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

use super::booking_view::SlotOffer;
use super::form_view::{CaseResultView, LintFinding};
use crate::app::AppError;

/// A problem, as sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:leadgate:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// For invalid input: each field and what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// A refused publish or rollback: every lint finding of the definition
    /// (errors block, warnings are listed too).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<LintFinding>,
    /// A refused publish: each failing test case with its reasons.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_cases: Vec<CaseResultView>,
    /// A slot taken by someone else first: what can be booked now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slots: Option<SlotOffer>,
}

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field, as a path into the request (`answer`, `hidden.utm_source`, `limit`).
    pub field: String,
    pub message: String,
}

/// An API error response.
#[derive(Debug)]
pub struct ApiProblem {
    pub status: StatusCode,
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<ProblemField>,
    /// Extension members, on the few problems that have them.
    pub extras: Option<Box<Extras>>,
}

/// RFC 9457 extension members of a problem.
#[derive(Debug, Default)]
pub struct Extras {
    pub findings: Vec<LintFinding>,
    pub failed_cases: Vec<CaseResultView>,
    pub slots: Option<SlotOffer>,
}

impl ApiProblem {
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        ApiProblem { status, kind, title, detail: detail.into(), errors: Vec::new(), extras: None }
    }

    /// The extension members, to fill in.
    pub fn extras(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Default::default)
    }

    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut problem = Self::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", message.clone());
        problem.errors.push(ProblemField { field: field.to_string(), message });
        problem
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::invalid_fields(vec![ProblemField { field: field.to_string(), message: message.into() }])
    }

    pub fn invalid_fields(errors: Vec<ProblemField>) -> Self {
        let detail = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        let mut problem = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input", detail);
        problem.errors = errors;
        problem
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", format!("There is no such {what}."))
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    /// Maps a use-case error; `what` names the resource for a 404.
    pub fn from_app(error: AppError, what: &str) -> Self {
        match error {
            AppError::Invalid(fields) => Self::invalid_fields(
                fields.into_iter().map(|f| ProblemField { field: f.field, message: f.message }).collect(),
            ),
            AppError::NotFound => Self::not_found(what),
            AppError::Conflict(message) => Self::conflict(message),
            AppError::Forbidden => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", "This token may not do this.")
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(cause = %cause, "API request hit a busy database");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Busy",
                    "The service is busy; try again shortly.",
                )
            }
            AppError::Internal(cause) => {
                tracing::error!(cause = format!("{cause:#}"), "API request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

impl From<AppError> for ApiProblem {
    fn from(error: AppError) -> Self {
        Self::from_app(error, "resource")
    }
}

impl From<crate::store::StoreError> for ApiProblem {
    fn from(error: crate::store::StoreError) -> Self {
        Self::from_app(error.into(), "resource")
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let extras = self.extras.map(|e| *e).unwrap_or_default();
        let body = Problem {
            kind: format!("urn:leadgate:problem:{}", self.kind),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
            findings: extras.findings,
            failed_cases: extras.failed_cases,
            slots: extras.slots,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, json).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

/// The problem responses every operation may give (documented once).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Problems {
    /// A query parameter or the cursor is malformed, or the body is not JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No token, or an unknown or revoked one.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The token lacks the scope this operation needs.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Nothing at this address.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The request conflicts with the current state.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The body is too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// A field is invalid; `errors` names it.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// The database is busy; retry after the `Retry-After` seconds.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}
