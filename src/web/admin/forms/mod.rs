//! The marketer's editor at `/admin/forms`: the forms list, each form's
//! questions, scoring rules, lists, outcomes, settings, test cases,
//! versions and YAML, and publishing. Admins and marketers only.
//!
//! Every change is a small POST carrying the draft revision its page was
//! made from; a stale one is refused (409) with the page re-rendered as
//! typed. Builder buttons (add condition, add option...) post the whole
//! page back and re-render it without saving; with htmx only the editor
//! form is swapped. Handlers stay thin: form parsing lives in
//! `question_form`, `rule_forms` and `builder`, view models in `view`,
//! and what the sections' handlers have in common in `section`.

mod builder;
mod builder_catalog;
mod builder_condition;
mod builder_routing;
mod builder_view;
mod cases;
mod list;
mod lists;
mod outcomes;
mod overview;
mod question;
mod question_form;
mod rule_forms;
mod scoring;
mod section;
mod settings;
mod versions;
mod view;
mod view_editors;
mod yaml;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

use lists::Lists;
use outcomes::Outcomes;
use scoring::Scoring;

use crate::app::AppError;
use crate::app::auth::{CurrentUser, Role};
use crate::app::editor::EditContext;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

// The condition builder and the page helpers, shared with the routing rules' page.
pub(super) use builder::{Errors as BuilderErrors, Node, from_condition, to_condition};
pub(super) use builder_catalog::Catalog;
pub(super) use builder_view::{BuilderView, condition_text, fill_defaults};
pub(super) use view::FormNav;

/// Who may change forms (and so preview, replay and draw them).
pub const EDITOR_ROLES: [Role; 2] = [Role::Admin, Role::Marketer];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/forms", get(list::show_forms).post(list::submit_create))
        .route("/admin/forms/import", post(list::submit_import))
        .route("/admin/forms/{form_id}", get(overview::show_form))
        .route("/admin/forms/{form_id}/duplicate", post(list::submit_duplicate))
        .route("/admin/forms/{form_id}/archive", post(list::submit_archive))
        .route("/admin/forms/{form_id}/restore", post(list::submit_restore))
        .route("/admin/forms/{form_id}/publish", post(overview::submit_publish))
        .route("/admin/forms/{form_id}/questions", post(overview::submit_add_question))
        .route(
            "/admin/forms/{form_id}/questions/{question_id}",
            get(question::show_question).post(question::submit_question),
        )
        .route("/admin/forms/{form_id}/questions/{question_id}/move", post(overview::submit_move_question))
        .route("/admin/forms/{form_id}/questions/{question_id}/delete", post(overview::submit_delete_question))
        .route("/admin/forms/{form_id}/scoring", get(section::show::<Scoring>))
        .route("/admin/forms/{form_id}/scoring/new", get(scoring::show_new_rule).post(section::submit_new::<Scoring>))
        .route("/admin/forms/{form_id}/scoring/{number}", get(scoring::show_rule).post(section::submit_item::<Scoring>))
        .route("/admin/forms/{form_id}/scoring/{number}/move", post(section::move_item::<Scoring>))
        .route("/admin/forms/{form_id}/scoring/{number}/delete", post(section::delete_item::<Scoring>))
        .route("/admin/forms/{form_id}/lists", get(section::show::<Lists>).post(lists::submit_list))
        .route("/admin/forms/{form_id}/lists/delete", post(lists::submit_delete_list))
        .route("/admin/forms/{form_id}/outcomes", get(section::show::<Outcomes>))
        .route(
            "/admin/forms/{form_id}/outcomes/new",
            get(outcomes::show_new_outcome).post(section::submit_new::<Outcomes>),
        )
        .route(
            "/admin/forms/{form_id}/outcomes/{number}",
            get(outcomes::show_outcome).post(section::submit_item::<Outcomes>),
        )
        .route("/admin/forms/{form_id}/outcomes/{number}/move", post(section::move_item::<Outcomes>))
        .route("/admin/forms/{form_id}/outcomes/{number}/delete", post(section::delete_item::<Outcomes>))
        .route("/admin/forms/{form_id}/settings", get(settings::show_settings).post(settings::submit_settings))
        .route("/admin/forms/{form_id}/tests", get(cases::show_cases))
        .route("/admin/forms/{form_id}/tests/new", get(cases::show_new_case).post(cases::submit_new_case))
        .route("/admin/forms/{form_id}/tests/{case_id}", get(cases::show_case).post(cases::submit_case))
        .route("/admin/forms/{form_id}/tests/{case_id}/delete", post(cases::submit_delete_case))
        .route("/admin/forms/{form_id}/versions", get(versions::show_versions))
        .route("/admin/forms/{form_id}/versions/{version}/rollback", post(versions::submit_rollback))
        .route("/admin/forms/{form_id}/export", get(versions::export_definition))
        .route("/admin/forms/{form_id}/yaml", get(yaml::show_yaml).post(yaml::submit_yaml))
}

/// The signed-in person, when they may edit forms.
fn editor(signed_in: &SignedIn) -> Result<CurrentUser, PageError> {
    signed_in.require(&EDITOR_ROLES).cloned()
}

/// A form id from the path; anything else is a page that does not exist.
fn form_id(raw: &str) -> Result<Uuid, PageError> {
    raw.parse().map_err(|_| PageError(AppError::NotFound))
}

/// Parses a POST body (urlencoded, or multipart for file uploads), after
/// checking the person's role and the CSRF token.
async fn checked_body(state: &AppState, signed_in: &SignedIn, request: Request) -> Result<FormBody, PageError> {
    editor(signed_in)?;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let form = if multipart { multipart_body(state, request).await? } else { url_body(state, request).await? };
    signed_in.check_csrf(&form)?;
    Ok(form)
}

async fn url_body(state: &AppState, request: Request) -> Result<FormBody, PageError> {
    let bytes = Bytes::from_request(request, state).await.map_err(|e| invalid("form", e.body_text()))?;
    FormBody::parse(&bytes).map_err(|e| invalid("form", e.to_string()))
}

/// A multipart body read into pairs; a file must be UTF-8 text.
async fn multipart_body(state: &AppState, request: Request) -> Result<FormBody, PageError> {
    let mut multipart =
        axum::extract::Multipart::from_request(request, state).await.map_err(|e| invalid("form", e.body_text()))?;
    let mut pairs = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| invalid("file", e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| invalid("file", e.body_text()))?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| invalid("file", "The file is not UTF-8 text."))?;
        pairs.push((name, text));
    }
    Ok(FormBody::from_pairs(pairs))
}

fn invalid(field: &str, message: impl Into<String>) -> PageError {
    PageError(AppError::invalid(field, message))
}

/// The revision a page was made from, as posted.
fn posted_revision(form: &FormBody) -> Result<i64, PageError> {
    form.get("revision")
        .and_then(|r| r.trim().parse().ok())
        .ok_or_else(|| invalid("revision", "The page is missing its draft revision; reload it and try again."))
}

/// The edit a POST asks for: the form, who, and the revision it came from.
fn edit_context<'a>(state: &'a AppState, user: &'a CurrentUser, form_id: Uuid, revision: i64) -> EditContext<'a> {
    EditContext { ctx: &state.ctx, user, form_id, revision }
}

/// An htmx request that wants only the editor swapped.
pub(super) fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

/// A rendered page (or fragment) with a status.
pub(super) fn html(rendered: askama::Result<String>, status: StatusCode) -> Response {
    match rendered {
        Ok(body) => {
            let mut response = (status, Html(body)).into_response();
            response.headers_mut().insert(header::VARY, HeaderValue::from_static("HX-Request"));
            response
        }
        Err(error) => PageError(AppError::Internal(error.into())).into_response(),
    }
}

fn page(template: &impl Template, status: StatusCode) -> Response {
    html(template.render(), status)
}

/// After a save: 303 to `url`, or for htmx a client-side redirect.
pub(super) fn see_other(headers: &HeaderMap, url: &str) -> Response {
    if wants_fragment(headers)
        && let Ok(value) = HeaderValue::from_str(url)
    {
        let mut response = StatusCode::OK.into_response();
        response.headers_mut().insert("hx-redirect", value);
        return response;
    }
    Redirect::to(url).into_response()
}

/// The status a refused save is shown with: 409 for a stale draft, else 422.
fn refused_status(error: &AppError) -> StatusCode {
    match error {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The words of a refusal, for a page that shows it in one place.
fn message_of(error: AppError) -> String {
    match error {
        AppError::Conflict(message) => message,
        AppError::Invalid(errors) => errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// Messages shown after a redirect, by the code in `?done=`.
fn done_message(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "saved" => "Saved to the draft.",
        "deleted" => "Deleted from the draft.",
        "imported" => "The definition was imported into the draft.",
        "created" => "The form was created. Its draft is ready to edit; nothing is live until you publish.",
        "archived" => "The form is archived: its page now says it is closed.",
        "restored" => "The form takes responses again.",
        _ => return None,
    })
}
