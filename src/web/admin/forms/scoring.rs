//! Scoring rules: the list (move, delete) and one rule's edit page with
//! its reason, points and condition builder. Rules are numbered from 1 in
//! the address; the draft revision makes a stale number harmless.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::builder_catalog::Catalog;
use super::builder_view::{BuilderView, condition_text};
use super::list::DoneQuery;
use super::page;
use super::rule_forms::{RuleForm, WHEN};
use super::section::{Numbered, Posted, Section, draft_to_edit, item_index, shown_refusal};
use super::view_editors::{EditChrome, RulePage, RuleRowView, RulesPage};
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts::{self, Draft, FormState};
use crate::app::editor::{self as edits, EditContext, Move};
use crate::engine::points;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// The scoring rules, each adding its points when its condition holds.
pub struct Scoring;

/// GET /admin/forms/{id}/scoring and its moves and deletes, through `section`.
impl Section for Scoring {
    const PATH: &'static str = "scoring";
    type Page = RulesPage;

    async fn page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<RulesPage, PageError> {
        let form = drafts::load_form_state(&state.ctx, id).await?;
        let def = &form.draft.definition;
        let catalog = Catalog::for_form(def, false);
        let count = def.scoring.len();
        let rules = def
            .scoring
            .iter()
            .enumerate()
            .map(|(i, rule)| RuleRowView {
                number: i + 1,
                reason: rule.reason.clone(),
                points: points(rule.fit, rule.intent),
                when: condition_text(Some(&rule.when), &catalog),
                first: i == 0,
                last: i + 1 == count,
            })
            .collect();
        Ok(RulesPage { chrome: EditChrome::new(user, &form, "scoring"), rules })
    }

    fn chrome(page: &mut RulesPage) -> &mut EditChrome {
        &mut page.chrome
    }
}

/// GET /admin/forms/{id}/scoring/new
pub async fn show_new_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let typed = RuleForm::new_rule(&Catalog::for_form(&form.draft.definition, false));
    let view = rule_page(EditChrome::new(user, &form, "scoring"), &form, None, typed);
    Ok(page(&view, StatusCode::OK))
}

/// GET /admin/forms/{id}/scoring/{number}
pub async fn show_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, number)): Path<(String, usize)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let rule = form.draft.definition.scoring.get(item_index(number)?).ok_or(AppError::NotFound)?;
    let chrome = EditChrome { message: query.message(), ..EditChrome::new(user, &form, "scoring") };
    Ok(page(&rule_page(chrome, &form, Some(number), RuleForm::from_rule(rule)), StatusCode::OK))
}

fn rule_page(chrome: EditChrome, form: &FormState, number: Option<usize>, typed: RuleForm) -> RulePage {
    let catalog = Catalog::for_form(&form.draft.definition, false);
    let base = format!("/admin/forms/{}/scoring", form.draft.form_id);
    RulePage {
        action: number.map(|n| format!("{base}/{n}")).unwrap_or_else(|| format!("{base}/new")),
        heading: number.map(|n| format!("Scoring rule {n}")).unwrap_or_else(|| "New scoring rule".into()),
        builder: BuilderView::new(&typed.when, WHEN, &catalog, &chrome.errors),
        reason: typed.reason,
        fit: typed.fit,
        intent: typed.intent,
        chrome,
    }
}

impl Numbered for Scoring {
    /// POST /admin/forms/{id}/scoring/new and /admin/forms/{id}/scoring/{number}
    async fn save(
        state: AppState,
        signed_in: SignedIn,
        id: Uuid,
        number: Option<usize>,
        request: Request,
    ) -> Result<Response, PageError> {
        let post = Posted::read(&state, &signed_in, id, request).await?;
        let form = drafts::load_form_state(&state.ctx, id).await?;
        let catalog = Catalog::for_form(&form.draft.definition, false);
        let mut typed = RuleForm::parse(&post.body);
        let chrome = post.chrome(&form, "scoring")?;
        let respond = |chrome, typed, status| post.respond(&rule_page(chrome, &form, number, typed), status);
        if let Some(action) = post.builder_action()
            && typed.apply(action, &catalog)
        {
            return Ok(respond(chrome, typed, StatusCode::OK));
        }
        let rule = match typed.to_rule(&catalog) {
            Ok(rule) => rule,
            Err(errors) => {
                return Ok(respond(EditChrome { errors, ..chrome }, typed, StatusCode::UNPROCESSABLE_ENTITY));
            }
        };
        match edits::save_rule(post.saving_at(&state)?, number.map(|n| n - 1), rule).await {
            Ok(draft) => {
                let saved = number.unwrap_or(draft.definition.scoring.len());
                Ok(post.see_other(&format!("/admin/forms/{id}/scoring/{saved}?done=saved")))
            }
            Err(error) => {
                let (status, error) = shown_refusal(error)?;
                Ok(respond(chrome.refused(error), typed, status))
            }
        }
    }

    async fn move_item(at: EditContext<'_>, index: usize, direction: Move) -> Result<Draft, AppError> {
        edits::move_rule(at, index, direction).await
    }

    async fn delete_item(at: EditContext<'_>, index: usize) -> Result<Draft, AppError> {
        edits::delete_rule(at, index).await
    }
}
