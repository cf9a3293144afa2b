//! One question's edit page: label, help, required, kind, lead field,
//! validation, options with points and branching rules built with the
//! condition builder. Builder buttons re-render without saving.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::builder_catalog::Catalog;
use super::builder_view::{BuilderView, Choice};
use super::list::DoneQuery;
use super::question_form::{QuestionForm, parse_kind};
use super::view::{FormNav, kind_choices, lead_field_choices};
use super::view_editors::{BranchView, EditChrome, OptionView, QuestionPage};
use super::{checked_body, done_message, edit_context, editor, form_id, html, posted_revision};
use super::{refused_status, see_other, wants_fragment};
use crate::app::drafts::{self, FormState};
use crate::app::{AppError, editor as edits};
use crate::engine::{FINISH, FormDefinition, QuestionKind};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

/// GET /admin/forms/{id}/questions/{question}
pub async fn show_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, question_id)): Path<(String, String)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, form_id(&raw_id)?).await?;
    let question = form.draft.definition.questions.iter().find(|q| q.id == question_id).ok_or(AppError::NotFound)?;
    let typed = QuestionForm::from_question(question);
    let mut chrome = EditChrome::new(user, FormNav::new(&form, "questions"));
    chrome.message = done_message(query.done.as_deref()).map(str::to_owned);
    let view = question_page(chrome, &form, &question_id, typed);
    Ok(html(askama::Template::render(&view), StatusCode::OK))
}

/// POST /admin/forms/{id}/questions/{question}: a builder button, or a save.
pub async fn submit_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, question_id)): Path<(String, String)>,
    request: Request,
) -> Result<Response, PageError> {
    let id = form_id(&raw_id)?;
    let headers = request.headers().clone();
    let body = checked_body(&state, &signed_in, request).await?;
    let user = editor(&signed_in)?;
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let catalog = Catalog::for_form(&form.draft.definition, true);
    let mut typed = QuestionForm::parse(&body);
    let revision = posted_revision(&body)?;
    let overwrite = body.get("overwrite_revision").and_then(|r| r.parse::<i64>().ok());
    let chrome = EditChrome { revision, ..EditChrome::new(user.clone(), FormNav::new(&form, "questions")) };
    let respond =
        |chrome, typed, status| html(render(&headers, question_page(chrome, &form, &question_id, typed)), status);
    if overwrite.is_none() && typed.apply(body.get("action").unwrap_or("save"), &catalog) {
        return Ok(respond(chrome, typed, StatusCode::OK));
    }
    let ids: Vec<String> = form.draft.definition.questions.iter().map(|q| q.id.clone()).collect();
    let question = match typed.to_question(&catalog, &ids) {
        Ok(question) => question,
        Err(errors) => return Ok(respond(EditChrome { errors, ..chrome }, typed, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    let new_id = question.id.clone();
    let at = edit_context(&state, &user, id, overwrite.unwrap_or(revision));
    match edits::save_question(at, &question_id, question).await {
        Ok(_) => Ok(see_other(&headers, &format!("/admin/forms/{id}/questions/{new_id}?done=saved"))),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = refused_status(&error);
            Ok(respond(chrome.refused(error), typed, status))
        }
        Err(other) => Err(other.into()),
    }
}

/// The page, or for htmx only its editor form.
fn render(headers: &HeaderMap, view: QuestionPage) -> askama::Result<String> {
    if wants_fragment(headers) { askama::Template::render(&view.as_editor()) } else { askama::Template::render(&view) }
}

fn question_page(chrome: EditChrome, form: &FormState, original_id: &str, typed: QuestionForm) -> QuestionPage {
    let def = &form.draft.definition;
    let catalog = Catalog::for_form(def, true);
    let kind = parse_kind(&typed.kind);
    let err = |field: String| chrome.errors.get(&field).cloned();
    let options = typed
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| OptionView {
            index: i,
            value: o.value.clone(),
            label: o.label.clone(),
            fit: o.fit.clone(),
            intent: o.intent.clone(),
            value_error: err(format!("o.{i}.value")),
            fit_error: err(format!("o.{i}.fit")),
            intent_error: err(format!("o.{i}.intent")),
        })
        .collect();
    let branches = typed
        .branches
        .iter()
        .enumerate()
        .map(|(i, b)| BranchView {
            index: i,
            targets: targets(def, &b.goto, None),
            goto_error: err(format!("b.{i}.goto")),
            builder: BuilderView::new(&b.when, &format!("b.{i}.when"), &catalog, &chrome.errors),
        })
        .collect();
    let next = def.questions.iter().position(|q| q.id == original_id).and_then(|p| def.questions.get(p + 1));
    let default_label = match next {
        Some(q) => format!("The next question ({})", q.id),
        None => "Finish (this is the last question)".to_owned(),
    };
    QuestionPage {
        action: format!("/admin/forms/{}/questions/{original_id}", form.draft.form_id),
        kinds: kind_choices(&typed.kind),
        lead_fields: lead_field_choices(&typed.maps_to),
        is_choice: kind.is_some_and(QuestionKind::is_choice),
        number_kind: kind == Some(QuestionKind::Number),
        text_kind: kind.is_some_and(|k| {
            !k.is_choice() && !matches!(k, QuestionKind::Number | QuestionKind::Consent | QuestionKind::Statement)
        }),
        options,
        branches,
        otherwise: targets(def, &typed.otherwise, Some(&default_label)),
        form: typed,
        chrome,
    }
}

/// Where a branch can go: each question, or finish (with a default first).
fn targets(def: &FormDefinition, selected: &str, default: Option<&str>) -> Vec<Choice> {
    let mut choices = Vec::new();
    if let Some(label) = default {
        choices.push(Choice { value: String::new(), label: label.to_owned(), selected: selected.is_empty() });
    }
    for q in &def.questions {
        choices.push(Choice {
            value: q.id.clone(),
            label: format!("{} · {}", q.id, q.label),
            selected: q.id == selected,
        });
    }
    choices.push(Choice { value: FINISH.into(), label: "Finish the form".into(), selected: selected == FINISH });
    choices
}
