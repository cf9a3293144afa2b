//! `/admin/forms/{form_id}/replay?n=500`: the last N finished responses
//! run through the draft, with counts and the list of what would change.
//! A GET: replaying changes nothing, and the address can be shared.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::EDITOR_ROLES;
use super::forms::FormNav;
use crate::app::AppError;
use crate::app::auth::{CurrentUser, Role};
use crate::app::drafts::load_form_state;
use crate::app::replay::{self, MAX_REPLAY_COUNT, ReplayReport, ReplayRow};
use crate::engine::{PathChange, Placement, ReplaySummary, ReplayVerdict};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::local_time::LocalClock;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/forms/{form_id}/replay", get(show_replay))
}

#[derive(Deserialize)]
pub struct ReplayQuery {
    n: Option<String>,
}

pub struct ChangeRow {
    pub who: String,
    pub lead_link: Option<String>,
    pub finished_at: String,
    pub before: String,
    pub after: String,
    /// tier | pool | tier pool | outcome | path
    pub kinds: String,
    pub what: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/replay.html")]
pub struct ReplayPage {
    pub user: CurrentUser,
    /// The form's heading and tab bar, shared with the editor's pages.
    pub nav: FormNav,
    pub form_id: String,
    pub title: String,
    pub n: String,
    pub max: u32,
    pub error: Option<String>,
    pub summary: Option<ReplaySummary>,
    pub rows: Vec<ChangeRow>,
}

async fn show_replay(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(form_id): Path<Uuid>,
    Query(query): Query<ReplayQuery>,
) -> Result<Response, PageError> {
    signed_in.require(&EDITOR_ROLES)?;
    let user = signed_in.0;
    let typed = query.n.clone().unwrap_or_else(|| replay::DEFAULT_REPLAY_COUNT.to_string());
    let form = load_form_state(&state.ctx, form_id).await?;
    let mut page = ReplayPage {
        nav: FormNav::new(&form, "replay"),
        form_id: form_id.to_string(),
        title: form.draft.definition.title.clone(),
        n: typed,
        max: MAX_REPLAY_COUNT,
        error: None,
        summary: None,
        rows: Vec::new(),
        user,
    };
    match replay::parse_count(query.n.as_deref()) {
        Ok(count) => {
            let report = replay::replay_draft(&state.ctx, form_id, count).await?;
            fill(&mut page, report);
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            page.error = errors.into_iter().next().map(|e| e.message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn fill(page: &mut ReplayPage, report: ReplayReport) {
    let sees_inbox = page.user.role == Role::Admin || page.user.role == Role::Manager;
    page.title = report.title;
    page.summary = Some(report.summary);
    page.rows = report.changed.iter().map(|row| change_row(row, sees_inbox)).collect();
}

fn change_row(row: &ReplayRow, sees_inbox: bool) -> ChangeRow {
    let (after, kinds, what) = match &row.verdict {
        ReplayVerdict::Changed { after, tier_changed, pool_changed } => {
            let kinds = [(*tier_changed, "tier"), (*pool_changed, "pool")]
                .into_iter()
                .filter_map(|(changed, word)| changed.then_some(word))
                .collect::<Vec<_>>();
            let kinds = if kinds.is_empty() { "outcome".to_owned() } else { kinds.join(" ") };
            let what = match kinds.as_str() {
                "outcome" => "another outcome, same tier and pool".to_owned(),
                other => format!("{} changes", other.replace(' ', " and ")),
            };
            (placement(after), kinds, what)
        }
        ReplayVerdict::PathChanged(change) => {
            ("not finished under the draft".to_owned(), "path".to_owned(), path_words(change))
        }
        ReplayVerdict::Same => (placement(&row.before), String::new(), String::new()),
    };
    ChangeRow {
        who: row.email.clone().unwrap_or_else(|| format!("response {}", row.response_id)),
        lead_link: row.lead_id.filter(|_| sees_inbox).map(|id| format!("/inbox/leads/{id}")),
        finished_at: row.finished_at.map(|t| LocalClock::of("UTC").moment(t)).unwrap_or_default(),
        before: placement(&row.before),
        after,
        kinds,
        what,
    }
}

fn placement(p: &Placement) -> String {
    let pool = p.pool.as_deref().map_or("no pool".to_owned(), |pool| format!("pool {pool}"));
    format!("{} ({}), {pool}", p.tier, p.outcome_id)
}

fn path_words(change: &PathChange) -> String {
    match change {
        PathChange::NewQuestion { question } => format!("path changed: the draft asks \"{question}\", never answered"),
        PathChange::InvalidAnswer { question, message } => {
            format!("path changed: the answer to \"{question}\" no longer fits ({message})")
        }
        PathChange::NoOutcome => "no outcome of the draft matches".to_owned(),
    }
}
