//! Inbox pages and the verdict forms.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::view::{InboxPage, LeadDetailPage, LeadRow, MeetingView, PersonOption, Typed};
use crate::app::auth::Role;
use crate::app::{AppError, calendar, inbox};
use crate::store;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;
use crate::web::local_time::LocalClock;

/// Who works leads: marketers change forms, not leads.
pub const INBOX_ROLES: [Role; 3] = [Role::Rep, Role::Manager, Role::Admin];

/// GET /inbox: the whole page, or only the list for a live refresh (htmx).
pub async fn show_inbox(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let user = signed_in.require(&INBOX_ROLES)?.clone();
    let leads = inbox::list_leads(&state.ctx, &user).await?;
    let now = state.ctx.clock.now();
    let page = InboxPage {
        rows: leads.iter().map(|l| LeadRow::new(l, now)).collect(),
        sees_all: user.role.sees_all_leads(),
        user,
    };
    let fragment = headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request");
    let html = if fragment { page.as_leads().render() } else { page.render() };
    Ok(Html(html.map_err(|e| PageError(AppError::Internal(e.into())))?).into_response())
}

/// GET /inbox/leads/{id}
pub async fn show_lead(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(lead_id): Path<Uuid>,
) -> Result<LeadDetailPage, PageError> {
    let user = signed_in.require(&INBOX_ROLES)?.clone();
    lead_detail(&state, user, lead_id, None, Typed::default()).await
}

async fn lead_detail(
    state: &AppState,
    user: crate::app::auth::CurrentUser,
    lead_id: Uuid,
    error: Option<(String, String)>,
    typed: Typed,
) -> Result<LeadDetailPage, PageError> {
    let page = inbox::lead_page(&state.ctx, &user, lead_id).await?;
    let people = if user.role.sees_all_leads() { people(state).await? } else { Vec::new() };
    let clock = LocalClock::of_person(calendar::time_zone_of(&state.ctx, &user).await?.as_deref());
    let mut detail = LeadDetailPage::new(user, page, people, state.ctx.clock.now(), &clock);
    detail.error = error;
    detail.typed = typed;
    detail.meeting = crate::app::booking_changes::lead_booking(&state.ctx, lead_id).await?.map(|b| MeetingView {
        id: b.id.to_string(),
        when: clock.span(b.starts_at, b.ends_at),
        rep: b.rep_name,
    });
    Ok(detail)
}

async fn people(state: &AppState) -> Result<Vec<PersonOption>, PageError> {
    let mut conn = state.ctx.db.read().await.map_err(PageError::from)?;
    let users = store::users::list_users(conn.conn()).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && u.role != "marketer")
        .map(|u| PersonOption { id: u.id.to_string(), name: u.name })
        .collect())
}

/// Parses the form and checks its CSRF token.
fn checked_form(signed_in: &SignedIn, body: &Bytes) -> Result<FormBody, PageError> {
    signed_in.require(&INBOX_ROLES)?;
    let form = FormBody::parse(body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    signed_in.check_csrf(&form)?;
    Ok(form)
}

fn back_to(lead_id: Uuid) -> Response {
    Redirect::to(&format!("/inbox/leads/{lead_id}")).into_response()
}

/// What the verdict forms posted.
fn typed(form: &FormBody) -> Typed {
    let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
    Typed { reason: text("reason"), note: text("note"), rep: text("rep") }
}

/// Re-renders the lead page with the message beside its field, and what
/// was typed, when the input was refused.
async fn or_show_error(
    state: &AppState,
    signed_in: SignedIn,
    lead_id: Uuid,
    form: &FormBody,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(back_to(lead_id)),
        Err(AppError::Invalid(errors)) => {
            let error = errors.into_iter().next().map(|e| (e.field, e.message));
            let page = lead_detail(state, signed_in.0, lead_id, error, typed(form)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn submit_accept(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(lead_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    checked_form(&signed_in, &body)?;
    inbox::accept_lead(&state.ctx, &signed_in.0, lead_id).await?;
    Ok(back_to(lead_id))
}

pub async fn submit_disqualify(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(lead_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = checked_form(&signed_in, &body)?;
    let (reason, note) = (form.get("reason").unwrap_or_default(), form.get("note").unwrap_or_default());
    let result = inbox::disqualify_lead(&state.ctx, &signed_in.0, lead_id, reason, note).await;
    or_show_error(&state, signed_in, lead_id, &form, result).await
}

pub async fn submit_hand_back(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(lead_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    checked_form(&signed_in, &body)?;
    inbox::hand_back_lead(&state.ctx, &signed_in.0, lead_id).await?;
    Ok(Redirect::to("/inbox").into_response())
}

pub async fn submit_reassign(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(lead_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = checked_form(&signed_in, &body)?;
    let Some(to) = form.get("rep").and_then(|r| r.parse::<Uuid>().ok()) else {
        let result = Err(AppError::invalid("rep", "Choose who should get this lead."));
        return or_show_error(&state, signed_in, lead_id, &form, result).await;
    };
    let result = inbox::reassign_lead(&state.ctx, &signed_in.0, lead_id, to).await;
    or_show_error(&state, signed_in, lead_id, &form, result).await
}
