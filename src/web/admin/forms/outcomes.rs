//! Outcomes: the ordered list (move, delete) and one outcome's edit page:
//! tier, condition, ending, booking, handoff and time to accept.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::builder_catalog::Catalog;
use super::builder_view::{BuilderView, condition_text};
use super::list::DoneQuery;
use super::rule_forms::{OutcomeForm, WHEN};
use super::view::FormNav;
use super::view_editors::{EditChrome, OutcomePage, OutcomeRowView, OutcomesPage, ResourceView};
use super::{checked_body, done_message, edit_context, editor, form_id, html, message_of, page, posted_revision};
use super::{refused_status, see_other, wants_fragment};
use crate::app::auth::CurrentUser;
use crate::app::drafts::{self, FormState};
use crate::app::editor::{self as edits, Move};
use crate::app::{AppError, Context};
use crate::engine::Handoff;
use crate::store;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// GET /admin/forms/{id}/outcomes
pub async fn show_outcomes(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let mut view = outcomes_page(&state, user, form_id(&raw_id)?).await?;
    view.chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    Ok(page(&view, StatusCode::OK))
}

async fn outcomes_page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<OutcomesPage, PageError> {
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let def = &form.draft.definition;
    let catalog = Catalog::for_form(def, true);
    let count = def.outcomes.len();
    let outcomes = def
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| OutcomeRowView {
            number: i + 1,
            id: o.id.clone(),
            tier: o.tier.clone(),
            when: condition_text(o.when.as_ref(), &catalog),
            handoff: match &o.handoff {
                Handoff::Route(pool) => format!("route to pool {pool}"),
                Handoff::Nurture => "nurture".into(),
                Handoff::Disqualify(reason) => format!("disqualify ({reason})"),
            },
            booking: o.ending.offer_booking,
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    Ok(OutcomesPage { chrome: EditChrome::new(user, FormNav::new(&form, "outcomes")), outcomes })
}

/// GET /admin/forms/{id}/outcomes/new
pub async fn show_new_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(&raw_id)?).await?;
    let pools = pool_names(&state.ctx).await?;
    let chrome = EditChrome::new(user, FormNav::new(&form, "outcomes"));
    Ok(page(&outcome_page(chrome, &form, None, OutcomeForm::new_outcome(), pools), StatusCode::OK))
}

/// GET /admin/forms/{id}/outcomes/{number}
pub async fn show_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(&raw_id)?).await?;
    let index = number.checked_sub(1).ok_or(AppError::NotFound)?;
    let outcome = form.draft.definition.outcomes.get(index).ok_or(AppError::NotFound)?;
    let typed = OutcomeForm::from_outcome(outcome);
    let mut chrome = EditChrome::new(user, FormNav::new(&form, "outcomes"));
    chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    let pools = pool_names(&state.ctx).await?;
    Ok(page(&outcome_page(chrome, &form, Some(number), typed, pools), StatusCode::OK))
}

/// Pools reps are in, offered while typing a route's pool.
async fn pool_names(ctx: &Context) -> Result<Vec<String>, PageError> {
    let mut conn = ctx.db.read().await.map_err(PageError::from)?;
    Ok(store::routing::list_pools(conn.conn()).await?.into_iter().map(|p| p.name).collect())
}

fn outcome_page(
    chrome: EditChrome,
    form: &FormState,
    number: Option<usize>,
    typed: OutcomeForm,
    pools: Vec<String>,
) -> OutcomePage {
    let catalog = Catalog::for_form(&form.draft.definition, true);
    let base = format!("/admin/forms/{}/outcomes", form.draft.form_id);
    let resources = typed
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| ResourceView {
            index: i,
            title: r.title.clone(),
            url: r.url.clone(),
            url_error: chrome.errors.get(&format!("r.{i}.url")).cloned(),
        })
        .collect();
    OutcomePage {
        action: number.map(|n| format!("{base}/{n}")).unwrap_or_else(|| format!("{base}/new")),
        heading: number.map(|_| format!("Outcome {}", typed.id)).unwrap_or_else(|| "New outcome".into()),
        builder: BuilderView::new(&typed.when, WHEN, &catalog, &chrome.errors),
        id: typed.id,
        tier: typed.tier,
        title: typed.title,
        message: typed.message,
        resources,
        offer_booking: typed.offer_booking,
        handoff: typed.handoff,
        pool: typed.pool,
        pools,
        reason: typed.reason,
        accept_within: typed.accept_within,
        chrome,
    }
}

/// POST /admin/forms/{id}/outcomes/new
pub async fn submit_new_outcome(
    state: State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    save(state, signed_in, form_id(&raw_id)?, None, request).await
}

/// POST /admin/forms/{id}/outcomes/{number}
pub async fn submit_outcome(
    state: State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    number.checked_sub(1).ok_or(PageError(AppError::NotFound))?;
    save(state, signed_in, form_id(&raw_id)?, Some(number), request).await
}

async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    id: Uuid,
    number: Option<usize>,
    request: Request,
) -> Result<Response, PageError> {
    let headers = request.headers().clone();
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let catalog = Catalog::for_form(&form.draft.definition, true);
    let pools = pool_names(&state.ctx).await?;
    let mut typed = OutcomeForm::parse(&body);
    let revision = posted_revision(&body)?;
    let overwrite = body.get("overwrite_revision").and_then(|r| r.parse::<i64>().ok());
    let chrome = EditChrome { revision, ..EditChrome::new(user.clone(), FormNav::new(&form, "outcomes")) };
    if overwrite.is_none() && typed.apply(body.get("action").unwrap_or("save"), &catalog) {
        return Ok(respond(&headers, outcome_page(chrome, &form, number, typed, pools), StatusCode::OK));
    }
    let outcome = match typed.to_outcome(&catalog) {
        Ok(outcome) => outcome,
        Err(errors) => {
            let view = outcome_page(EditChrome { errors, ..chrome }, &form, number, typed, pools);
            return Ok(respond(&headers, view, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let outcome_id = outcome.id.clone();
    let at = edit_context(&state, &user, id, overwrite.unwrap_or(revision));
    match edits::save_outcome(at, number.map(|n| n - 1), outcome).await {
        Ok(draft) => {
            let position = draft.definition.outcomes.iter().position(|o| o.id == outcome_id).unwrap_or(0) + 1;
            Ok(see_other(&headers, &format!("/admin/forms/{id}/outcomes/{position}?done=saved")))
        }
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let view = outcome_page(chrome.refused(error), &form, number, typed, pools);
            Ok(respond(&headers, view, status))
        }
        Err(other) => Err(other.into()),
    }
}

fn respond(headers: &HeaderMap, view: OutcomePage, status: StatusCode) -> Response {
    let rendered = if wants_fragment(headers) {
        askama::Template::render(&view.as_editor())
    } else {
        askama::Template::render(&view)
    };
    html(rendered, status)
}

/// POST /admin/forms/{id}/outcomes/{number}/move
pub async fn submit_move_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let direction = if body.get("direction") == Some("up") { Move::Up } else { Move::Down };
    let at = edit_context(&state, &user, id, posted_revision(&body)?);
    let index = number.checked_sub(1).ok_or(PageError(AppError::NotFound))?;
    let result = edits::move_outcome(at, index, direction).await;
    after_list_edit(&state, user, id, result, "saved").await
}

/// POST /admin/forms/{id}/outcomes/{number}/delete: refused while a test
/// case expects the outcome.
pub async fn submit_delete_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let at = edit_context(&state, &user, id, posted_revision(&body)?);
    let index = number.checked_sub(1).ok_or(PageError(AppError::NotFound))?;
    let result = edits::delete_outcome(at, index).await;
    after_list_edit(&state, user, id, result, "deleted").await
}

async fn after_list_edit(
    state: &AppState,
    user: CurrentUser,
    id: Uuid,
    result: Result<drafts::Draft, AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}/outcomes?done={done}")).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            let mut view = outcomes_page(state, user, id).await?;
            view.chrome.error = Some(message_of(error));
            Ok(page(&view, status))
        }
        Err(other) => Err(other.into()),
    }
}
