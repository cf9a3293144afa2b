//! `/admin/forms/{form_id}/preview`: the draft filled in as a prospect
//! would, one step per page, with a side panel of what the server would
//! decide. The answers so far travel in the page as JSON, so nothing is
//! stored; every step is a POST that renders the next (no redirect).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use uuid::Uuid;

use super::EDITOR_ROLES;
use super::field_errors::parse_body;
use super::forms::FormNav;
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts::load_form_state;
use crate::app::preview::{PreviewAction, PreviewStep, RoutePreview, preview_step};
use crate::app::respond::display_answer;
use crate::engine::{Answers, Hidden, Resource, Score, ScoreSource};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;
use crate::web::prospect::start::HIDDEN_KEYS;
use crate::web::prospect::view::{QuestionView, values_of};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/forms/{form_id}/preview", get(show_preview).post(submit_preview))
}

pub struct PathLine {
    pub id: String,
    pub label: String,
    pub answer: String,
    pub shown: bool,
}

pub struct ReasonLine {
    pub points: String,
    pub reason: String,
    pub source: String,
}

pub struct ScoreView {
    pub total: i32,
    pub items: Vec<ReasonLine>,
}

pub struct EndingView {
    pub title: String,
    pub message: String,
    pub resources: Vec<Resource>,
    pub offer_booking: bool,
}

pub struct RouteView {
    /// rep | unassigned | nurture | disqualified | none
    pub kind: &'static str,
    pub headline: String,
    pub reason: String,
}

/// The preview page; `as_preview()` renders only the swapped part for htmx.
#[derive(Template, WebTemplate)]
#[template(path = "admin/preview.html", blocks = ["preview"])]
pub struct PreviewPage {
    pub user: CurrentUser,
    /// The form's heading and tab bar, shared with the editor's pages.
    pub nav: FormNav,
    pub form_id: String,
    pub title: String,
    pub intro: Option<String>,
    pub answers_json: String,
    pub question: Option<QuestionView>,
    pub step_number: usize,
    pub estimated_total: usize,
    pub back: Option<String>,
    pub hidden_fields: Vec<(&'static str, String)>,
    pub path: Vec<PathLine>,
    pub fit: ScoreView,
    pub intent: ScoreView,
    pub outcome: Option<(String, String)>,
    pub ending: Option<EndingView>,
    pub route: RouteView,
}

async fn show_preview(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(form_id): Path<Uuid>,
) -> Result<Response, PageError> {
    signed_in.require(&EDITOR_ROLES)?;
    let nav = FormNav::new(&load_form_state(&state.ctx, form_id).await?, "preview");
    let step = preview_step(&state.ctx, form_id, Answers::new(), Hidden::new(), PreviewAction::Show(None)).await?;
    Ok(render(page(signed_in.0, nav, &step, None, None), false, StatusCode::OK))
}

/// POST: an answer (Continue), or `show` (Back, Change, Apply hidden fields).
async fn submit_preview(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(form_id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&EDITOR_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    // The answers are the person's own preview state; unreadable JSON starts over.
    let answers: Answers = serde_json::from_str(form.get("answers").unwrap_or("{}")).unwrap_or_default();
    let hidden = hidden_of(&form);
    let question = form.get("question").unwrap_or_default().to_owned();
    let values = form.all("answer");
    let action = match form.get("show") {
        Some(show) => PreviewAction::Show(Some(show.to_owned()).filter(|s| !s.is_empty())),
        None => PreviewAction::Answer { question_id: question.clone(), values: values.clone() },
    };
    let fragment = headers.contains_key("hx-request");
    let nav = FormNav::new(&load_form_state(&state.ctx, form_id).await?, "preview");
    match preview_step(&state.ctx, form_id, answers.clone(), hidden.clone(), action).await {
        Ok(step) => Ok(render(page(signed_in.0, nav, &step, None, None), fragment, StatusCode::OK)),
        Err(AppError::Invalid(errors)) => {
            let message = errors.first().map(|e| e.message.clone());
            let step = preview_step(&state.ctx, form_id, answers, hidden, PreviewAction::Show(Some(question))).await?;
            let page = page(signed_in.0, nav, &step, Some(values), message);
            Ok(render(page, fragment, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other.into()),
    }
}

fn hidden_of(form: &FormBody) -> Hidden {
    HIDDEN_KEYS
        .iter()
        .filter_map(|key| {
            form.get(&format!("h_{key}")).map(|v| (key.to_string(), v.trim().chars().take(500).collect()))
        })
        .filter(|(_, v): &(String, String)| !v.is_empty())
        .collect()
}

fn render(page: PreviewPage, fragment: bool, status: StatusCode) -> Response {
    let html = if fragment { page.as_preview().render() } else { page.render() };
    match html {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => PageError(AppError::Internal(error.into())).into_response(),
    }
}

fn page(
    user: CurrentUser,
    nav: FormNav,
    step: &PreviewStep,
    typed: Option<Vec<String>>,
    error: Option<String>,
) -> PreviewPage {
    let definition = step.compiled.definition();
    let question = step.shown.as_deref().and_then(|id| step.compiled.question(id)).map(|q| {
        let values = typed.unwrap_or_else(|| values_of(step.shown_answer()));
        QuestionView::new(q, &values, error)
    });
    let position = step.shown.as_deref().and_then(|s| step.evaluation.path.iter().position(|q| q == s));
    let finished = step.evaluation.is_complete() && step.shown.is_none();
    let outcome = step.outcome();
    PreviewPage {
        form_id: step.form_id.to_string(),
        title: definition.title.clone(),
        intro: definition.intro.clone(),
        nav,
        answers_json: serde_json::to_string(&step.evaluation.answers).unwrap_or_else(|_| "{}".into()),
        question,
        step_number: position.map_or(step.evaluation.path.len(), |p| p + 1),
        estimated_total: step.evaluation.progress.estimated_total.max(position.map_or(0, |p| p + 1)),
        back: step.previous().map(str::to_owned),
        hidden_fields: HIDDEN_KEYS.iter().map(|k| (*k, step.hidden.get(*k).cloned().unwrap_or_default())).collect(),
        path: path_lines(step),
        fit: score_view(&step.evaluation.fit),
        intent: score_view(&step.evaluation.intent),
        outcome: outcome.map(|o| (o.id.clone(), o.tier.clone())),
        ending: outcome.filter(|_| finished).map(|o| EndingView {
            title: o.ending.title.clone(),
            message: o.ending.message.clone(),
            resources: o.ending.resources.iter().filter(|r| crate::engine::is_web_url(&r.url)).cloned().collect(),
            offer_booking: o.ending.offer_booking,
        }),
        route: route_view(&step.route, finished),
        user,
    }
}

fn path_lines(step: &PreviewStep) -> Vec<PathLine> {
    let evaluation = &step.evaluation;
    evaluation
        .path
        .iter()
        .filter_map(|id| {
            let question = step.compiled.question(id)?;
            let answer = evaluation.answers.get(id).and_then(|a| display_answer(question, a));
            let answer =
                answer.unwrap_or_else(|| if evaluation.answers.contains_key(id) { "(blank)" } else { "…" }.into());
            Some(PathLine {
                id: id.clone(),
                label: question.label.clone(),
                answer,
                shown: step.shown.as_ref() == Some(id),
            })
        })
        .collect()
}

fn score_view(score: &Score) -> ScoreView {
    let items = score
        .breakdown
        .iter()
        .map(|item| ReasonLine {
            points: format!("{:+}", item.points),
            reason: item.reason.clone(),
            source: match &item.source {
                ScoreSource::Option { question, value } => format!("option {value} of {question}"),
                ScoreSource::Rule { index } => format!("scoring rule {}", index + 1),
            },
        })
        .collect();
    ScoreView { total: score.total, items }
}

fn route_view(route: &RoutePreview, finished: bool) -> RouteView {
    let when = if finished { "" } else { "If the lead finished now: " };
    let (kind, headline, reason) = match route {
        RoutePreview::Rep { rep, pool, reason } => {
            let pool = pool.as_deref().map(|p| format!(" from pool {p}")).unwrap_or_default();
            ("rep", format!("{when}{rep}{pool}"), reason.clone())
        }
        RoutePreview::Unassigned { reason } => ("unassigned", format!("{when}nobody can take it"), reason.clone()),
        RoutePreview::Nurture => {
            ("nurture", format!("{when}handed to nurture"), "no rep is given nurture leads".into())
        }
        RoutePreview::Disqualified { reason } => ("disqualified", format!("{when}disqualified"), reason.clone()),
        RoutePreview::NoOutcome => {
            ("none", format!("{when}no outcome matches"), "the draft needs a catch-all outcome".into())
        }
    };
    RouteView { kind, headline, reason }
}
