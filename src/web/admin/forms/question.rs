//! One question's edit page: label, help, required, kind, lead field,
//! validation, options with points and branching rules built with the
//! condition builder. Builder buttons re-render without saving.

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::builder_catalog::Catalog;
use super::builder_view::{BuilderView, Choice};
use super::list::DoneQuery;
use super::question_form::{QuestionForm, parse_kind};
use super::section::{Posted, draft_to_edit, shown_refusal};
use super::view::{kind_choices, lead_field_choices};
use super::view_editors::{BranchView, EditChrome, OptionView, QuestionPage};
use super::{form_id, page};
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
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let question = form.draft.definition.questions.iter().find(|q| q.id == question_id).ok_or(AppError::NotFound)?;
    let typed = QuestionForm::from_question(question);
    let chrome = EditChrome { message: query.message(), ..EditChrome::new(user, &form, "questions") };
    Ok(page(&question_page(chrome, &form, &question_id, typed), StatusCode::OK))
}

/// POST /admin/forms/{id}/questions/{question}: a builder button, or a save.
pub async fn submit_question(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, question_id)): Path<(String, String)>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, form_id(&raw_id)?, request).await?;
    let id = post.id;
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let catalog = Catalog::for_form(&form.draft.definition, true);
    let mut typed = QuestionForm::parse(&post.body);
    let chrome = post.chrome(&form, "questions")?;
    let respond = |chrome, typed, status| post.respond(&question_page(chrome, &form, &question_id, typed), status);
    if let Some(action) = post.builder_action()
        && typed.apply(action, &catalog)
    {
        return Ok(respond(chrome, typed, StatusCode::OK));
    }
    let ids: Vec<String> = form.draft.definition.questions.iter().map(|q| q.id.clone()).collect();
    let question = match typed.to_question(&catalog, &ids) {
        Ok(question) => question,
        Err(errors) => return Ok(respond(EditChrome { errors, ..chrome }, typed, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    let new_id = question.id.clone();
    match edits::save_question(post.saving_at(&state)?, &question_id, question).await {
        Ok(_) => Ok(post.see_other(&format!("/admin/forms/{id}/questions/{new_id}?done=saved"))),
        Err(error) => {
            let (status, error) = shown_refusal(error)?;
            Ok(respond(chrome.refused(error), typed, status))
        }
    }
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
