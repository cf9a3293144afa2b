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

pub mod extract;
pub mod forms;
pub mod lead_view;
pub mod leads;
pub mod problem;
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
        description = "Forms, headless responses, leads and their dispositions, reps and webhooks. \
            Authenticate with `Authorization: Bearer lg_…`; errors are `application/problem+json` (RFC 9457); \
            lists take `limit` and `cursor` and return `next_cursor`."
    ),
    modifiers(&BearerAuth),
    components(schemas(problem::Problem, problem::ProblemField)),
    security(("bearer" = [])),
    tags(
        (name = "forms", description = "Published forms, versions, export and lint"),
        (name = "responses", description = "Headless responses driving the same engine as the pages"),
        (name = "leads", description = "Leads, their breakdown and history, and dispositions"),
        (name = "reps", description = "People leads are routed to"),
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
        .routes(routes!(forms::list_forms))
        .routes(routes!(forms::get_form))
        .routes(routes!(forms::list_versions))
        .routes(routes!(forms::get_version))
        .routes(routes!(forms::export_form))
        .routes(routes!(forms::lint_definition))
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
