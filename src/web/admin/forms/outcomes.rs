//! Outcomes: the ordered list (move, delete) and one outcome's edit page:
//! tier, condition, ending, booking, handoff and time to accept.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::builder_catalog::Catalog;
use super::builder_view::{BuilderView, condition_text};
use super::list::DoneQuery;
use super::page;
use super::rule_forms::{OutcomeForm, WHEN};
use super::section::{Numbered, Posted, Section, draft_to_edit, item_index, shown_refusal};
use super::view_editors::{EditChrome, OutcomePage, OutcomeRowView, OutcomesPage, ResourceView};
use crate::app::auth::CurrentUser;
use crate::app::drafts::{self, Draft, FormState};
use crate::app::editor::{self as edits, EditContext, Move};
use crate::app::{AppError, Context};
use crate::engine::Handoff;
use crate::store;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// The outcomes, checked in order when a prospect finishes.
pub struct Outcomes;

/// GET /admin/forms/{id}/outcomes and its moves and deletes, through `section`.
impl Section for Outcomes {
    const PATH: &'static str = "outcomes";
    type Page = OutcomesPage;

    async fn page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<OutcomesPage, PageError> {
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
        Ok(OutcomesPage { chrome: EditChrome::new(user, &form, "outcomes"), outcomes })
    }

    fn chrome(page: &mut OutcomesPage) -> &mut EditChrome {
        &mut page.chrome
    }
}

/// GET /admin/forms/{id}/outcomes/new
pub async fn show_new_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let pools = pool_names(&state.ctx).await?;
    let chrome = EditChrome::new(user, &form, "outcomes");
    Ok(page(&outcome_page(chrome, &form, None, OutcomeForm::new_outcome(), pools), StatusCode::OK))
}

/// GET /admin/forms/{id}/outcomes/{number}
pub async fn show_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let outcome = form.draft.definition.outcomes.get(item_index(number)?).ok_or(AppError::NotFound)?;
    let typed = OutcomeForm::from_outcome(outcome);
    let chrome = EditChrome { message: query.message(), ..EditChrome::new(user, &form, "outcomes") };
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

impl Numbered for Outcomes {
    /// POST /admin/forms/{id}/outcomes/new and /admin/forms/{id}/outcomes/{number}
    async fn save(
        state: AppState,
        signed_in: SignedIn,
        id: Uuid,
        number: Option<usize>,
        request: Request,
    ) -> Result<Response, PageError> {
        let post = Posted::read(&state, &signed_in, id, request).await?;
        let form = drafts::load_form_state(&state.ctx, id).await?;
        let catalog = Catalog::for_form(&form.draft.definition, true);
        let pools = pool_names(&state.ctx).await?;
        let mut typed = OutcomeForm::parse(&post.body);
        let chrome = post.chrome(&form, "outcomes")?;
        let respond = |chrome, typed, status| post.respond(&outcome_page(chrome, &form, number, typed, pools), status);
        if let Some(action) = post.builder_action()
            && typed.apply(action, &catalog)
        {
            return Ok(respond(chrome, typed, StatusCode::OK));
        }
        let outcome = match typed.to_outcome(&catalog) {
            Ok(outcome) => outcome,
            Err(errors) => {
                return Ok(respond(EditChrome { errors, ..chrome }, typed, StatusCode::UNPROCESSABLE_ENTITY));
            }
        };
        let outcome_id = outcome.id.clone();
        match edits::save_outcome(post.saving_at(&state)?, number.map(|n| n - 1), outcome).await {
            Ok(draft) => {
                let position = draft.definition.outcomes.iter().position(|o| o.id == outcome_id).unwrap_or(0) + 1;
                Ok(post.see_other(&format!("/admin/forms/{id}/outcomes/{position}?done=saved")))
            }
            Err(error) => {
                let (status, error) = shown_refusal(error)?;
                Ok(respond(chrome.refused(error), typed, status))
            }
        }
    }

    async fn move_item(at: EditContext<'_>, index: usize, direction: Move) -> Result<Draft, AppError> {
        edits::move_outcome(at, index, direction).await
    }

    /// Refused while a test case expects the outcome.
    async fn delete_item(at: EditContext<'_>, index: usize) -> Result<Draft, AppError> {
        edits::delete_outcome(at, index).await
    }
}
