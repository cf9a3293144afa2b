//! The JSON API at `/api/v1`, documented by the OpenAPI document it serves
//! at `/api/v1/openapi.json`.
//!
//! Every route is registered through `utoipa_axum::routes!`, which takes the
//! method and path from the handler's `#[utoipa::path]`: the router and the
//! document come from one source and cannot drift (a test also checks that
//! nothing here bypasses it). Callers send `Authorization: Bearer lg_…`
//! (tokens made at `/admin/tokens`); reads need the read scope, changes the
//! write scope. Errors are RFC 9457 problems; lists page by cursor.
//!
//! A new endpoint is a handler with `#[utoipa::path]` taking `Reader` or
//! `Writer`, `ApiJson`/`ApiQuery` for input and returning `ApiProblem` on
//! error, plus one `.routes(routes!(...))` line in [`routes`].

pub mod booking_view;
pub mod bookings;
pub mod busy_blocks;
pub mod extract;
pub mod form_cases;
pub mod form_drafts;
pub mod form_publish;
pub mod form_view;
pub mod forms;
pub mod lead_view;
pub mod leads;
pub mod problem;
pub mod rep_availability;
pub mod rep_calendar;
pub mod reps;
pub mod response_view;
pub mod responses;
pub mod webhooks;

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadgate API",
        version = "1",
        description = "Forms (drafts, publishing, test cases), headless responses and their bookings, leads and their dispositions, \
            reps with their calendars, bookings and webhooks. \
            Authenticate with `Authorization: Bearer lg_…`; errors are `application/problem+json` (RFC 9457); \
            lists take `limit` and `cursor` and return `next_cursor`."
    ),
    modifiers(&BearerAuth),
    components(schemas(problem::Problem, problem::ProblemField)),
    security(("bearer" = [])),
    tags(
        (name = "forms", description = "Forms, drafts, publishing and versions, test cases, import, export and lint"),
        (name = "responses", description = "Headless responses driving the same engine as the pages"),
        (name = "leads", description = "Leads, their breakdown and history, and dispositions"),
        (name = "reps", description = "People leads are routed to, their booking settings, busy time and free slots"),
        (name = "bookings", description = "Meetings prospects booked, and booking for a headless response"),
        (name = "webhooks", description = "Signed outgoing notices"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("lg_ token".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The API routes and their document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi_json))
        .routes(routes!(forms::list_forms, form_drafts::create_form))
        .routes(routes!(forms::get_form))
        .routes(routes!(forms::list_versions))
        .routes(routes!(forms::get_version))
        .routes(routes!(forms::export_form))
        .routes(routes!(forms::lint_definition))
        .routes(routes!(form_drafts::get_draft, form_drafts::update_draft))
        .routes(routes!(form_drafts::import_draft))
        .routes(routes!(form_drafts::export_draft))
        .routes(routes!(form_publish::publish_draft))
        .routes(routes!(form_publish::roll_back))
        .routes(routes!(form_cases::list_cases, form_cases::create_case))
        .routes(routes!(form_cases::delete_case))
        .routes(routes!(form_cases::run_cases))
        .routes(routes!(responses::create_response))
        .routes(routes!(responses::get_response))
        .routes(routes!(responses::create_answer))
        .routes(routes!(responses::go_back))
        .routes(routes!(responses::finish_response))
        .routes(routes!(leads::list_leads))
        .routes(routes!(leads::get_lead))
        .routes(routes!(leads::update_disposition))
        .routes(routes!(reps::list_reps))
        .routes(routes!(reps::get_rep))
        .routes(routes!(rep_calendar::get_booking_settings, rep_calendar::update_booking_settings))
        .routes(routes!(busy_blocks::list_busy_blocks, busy_blocks::create_busy_block))
        .routes(routes!(busy_blocks::delete_busy_block))
        .routes(routes!(rep_availability::get_availability))
        .routes(routes!(bookings::list_bookings))
        .routes(routes!(bookings::get_booking))
        .routes(routes!(bookings::cancel_booking))
        .routes(routes!(bookings::get_response_booking, bookings::book_slot))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(webhooks::delete_webhook))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .split_for_parts()
}

/// The OpenAPI document, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| routes().1.to_pretty_json().unwrap_or_default())
}

/// The API's router.
pub fn router() -> Router<AppState> {
    routes().0
}

/// This document (OpenAPI 3.1).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "forms", security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
async fn openapi_json() -> Response {
    let mut response = document().to_string().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    /// Every API route goes through `routes!`, so each is in the document
    /// with the same method and path: nothing may add routes another way.
    #[test]
    fn no_api_route_bypasses_the_document() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/api");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for forbidden in [".route(", ".route_service(", ".nest(", ".nest_service(", ".merge(", ".fallback("] {
                let code: String =
                    text.lines().filter(|l| !l.trim_start().starts_with("//") && !l.contains("forbidden")).collect();
                assert!(!code.contains(forbidden), "{} uses {forbidden}", path.display());
            }
        }
    }
}
