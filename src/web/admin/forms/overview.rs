//! A form's main page: its questions (add, move, delete), the live lint,
//! the draft's recent history and the publish box.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::list::DoneQuery;
use super::question_form::parse_kind;
use super::section::{Posted, shown_refusal};
use super::view::{CaseView, FindingView, FormNav, FormPage, HistoryView, QuestionRowView, RefusalView, kind_choices};
use super::{editor, form_id, message_of, page};
use crate::app::auth::CurrentUser;
use crate::app::editor;
use crate::app::publishing::{self, PublishResult};
use crate::app::{AppError, drafts, form_tests};
use crate::engine::{self, kind_label};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// GET /admin/forms/{id}
pub async fn show_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let mut form = form_page(&state, user, form_id(&raw_id)?).await?;
    form.message = query.message();
    Ok(page(&form, StatusCode::OK))
}

async fn form_page(state: &AppState, user: CurrentUser, id: Uuid) -> Result<FormPage, PageError> {
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let def = &form.draft.definition;
    let count = def.questions.len();
    let questions = def
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| QuestionRowView {
            id: q.id.clone(),
            label: q.label.clone(),
            kind: kind_label(q.kind),
            required: q.required,
            maps_to: q.maps_to.map(|f| f.label().to_lowercase()).unwrap_or_default(),
            options: q.options.len(),
            branches: q.next.len(),
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    let findings = engine::lint(def);
    let cases = form_tests::run_cases(&state.ctx, id).await?;
    let history = drafts::draft_history(&state.ctx, id, 8).await?;
    Ok(FormPage {
        nav: FormNav::new(&form, "questions"),
        questions,
        kinds: kind_choices("single_choice"),
        new_id: String::new(),
        new_label: String::new(),
        error_count: findings.iter().filter(|f| f.is_error()).count(),
        findings: FindingView::all(&findings),
        cases_total: cases.len(),
        cases_failing: cases.iter().filter(|c| !c.run.passed).count(),
        note: String::new(),
        refusal: None,
        message: None,
        error: None,
        history: history.iter().map(HistoryView::new).collect(),
        user,
    })
}

/// The form page again with the reason an action was refused.
async fn refused_page(
    state: &AppState,
    user: CurrentUser,
    id: Uuid,
    error: AppError,
) -> Result<(FormPage, StatusCode), PageError> {
    let (status, error) = shown_refusal(error)?;
    let mut form = form_page(state, user, id).await?;
    form.error = Some(message_of(error));
    Ok((form, status))
}

async fn refused(state: &AppState, user: CurrentUser, id: Uuid, error: AppError) -> Result<Response, PageError> {
    let (form, status) = refused_page(state, user, id, error).await?;
    Ok(page(&form, status))
}

/// After a move or delete: back to the form page (`then` after its
/// address), or the page again with why the edit was refused.
async fn after_edit(
    state: &AppState,
    post: Posted,
    result: Result<drafts::Draft, AppError>,
    then: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{}{then}", post.id)).into_response()),
        Err(error) => refused(state, post.user, post.id, error).await,
    }
}

/// POST /admin/forms/{id}/questions: adds a question, then opens it.
pub async fn submit_add_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let (id, body) = (post.id, &post.body);
    let (question_id, label) = (body.get("id").unwrap_or_default().trim(), body.get("label").unwrap_or_default());
    let Some(kind) = body.get("kind").and_then(parse_kind) else {
        return refused(&state, post.user, id, AppError::invalid("kind", "Choose a kind of question.")).await;
    };
    let result = editor::add_question(post.at(&state)?, question_id, kind, label).await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/forms/{id}/questions/{question_id}")).into_response()),
        Err(error) => {
            let (mut form, status) = refused_page(&state, post.user, id, error).await?;
            (form.new_id, form.new_label) = (question_id.to_owned(), label.to_owned());
            form.kinds = kind_choices(body.get("kind").unwrap_or_default());
            Ok(page(&form, status))
        }
    }
}

/// POST /admin/forms/{id}/questions/{question}/move
pub async fn submit_move_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, question_id)): Path<(String, String)>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let result = editor::move_question(post.at(&state)?, &question_id, post.direction()).await;
    after_edit(&state, post, result, "#questions").await
}

/// POST /admin/forms/{id}/questions/{question}/delete: refused, with the
/// places named, while anything refers to the question.
pub async fn submit_delete_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, question_id)): Path<(String, String)>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let result = editor::delete_question(post.at(&state)?, &question_id).await;
    after_edit(&state, post, result, "?done=deleted").await
}

/// POST /admin/forms/{id}/publish: lint and test cases first.
pub async fn submit_publish(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let id = post.id;
    let note = post.body.get("note").unwrap_or_default();
    let result = publishing::publish_draft(&state.ctx, &post.user, id, post.revision()?, note).await;
    match result {
        Ok(PublishResult::Published { version, .. }) => {
            Ok(Redirect::to(&format!("/admin/forms/{id}/versions?published={version}")).into_response())
        }
        Ok(PublishResult::Refused(refusal)) => {
            let mut form = form_page(&state, post.user, id).await?;
            form.refusal = Some(RefusalView {
                errors: FindingView::all(&refusal.errors),
                failed_cases: refusal.failed_cases.iter().map(CaseView::new).collect(),
            });
            form.note = note.to_owned();
            Ok(page(&form, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(error) => refused(&state, post.user, id, error).await,
    }
}
