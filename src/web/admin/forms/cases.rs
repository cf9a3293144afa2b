//! Test cases: the list with every case run against the draft, and one
//! case's page (name, answers as a prospect would give them, hidden
//! fields, expected outcome and pool) with its latest result.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::builder::Errors;
use super::builder_view::Choice;
use super::list::DoneQuery;
use super::section::{Posted, draft_to_edit};
use super::view::CaseView;
use super::view_editors::{AnswerInputView, CasePage, CasesPage, EditChrome};
use super::{editor, form_id, page, refused_status};
use crate::app::AppError;
use crate::app::drafts::{self, FormState};
use crate::app::form_tests::{self, CaseInput};
use crate::engine::{FormDefinition, Hidden, QuestionKind};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

/// GET /admin/forms/{id}/tests: every case, run against the draft now.
pub async fn show_cases(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let results = form_tests::run_cases(&state.ctx, form.draft.form_id).await?;
    let view = CasesPage {
        chrome: EditChrome { message: query.message(), ..EditChrome::new(user, &form, "tests") },
        failing: results.iter().filter(|r| !r.run.passed).count(),
        cases: results.iter().map(CaseView::new).collect(),
    };
    Ok(page(&view, StatusCode::OK))
}

/// GET /admin/forms/{id}/tests/new
pub async fn show_new_case(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let (user, form) = draft_to_edit(&state, &signed_in, &raw_id).await?;
    let chrome = EditChrome::new(user, &form, "tests");
    Ok(page(&case_page(chrome, &form, None, &CaseInput::default(), None), StatusCode::OK))
}

/// GET /admin/forms/{id}/tests/{case}: the case and its result now.
pub async fn show_case(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, raw_case)): Path<(String, String)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = editor(&signed_in)?;
    let (id, case_id) = (form_id(&raw_id)?, form_id(&raw_case)?);
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let results = form_tests::run_cases(&state.ctx, id).await?;
    let result = results.iter().find(|r| r.case.id == case_id).ok_or(AppError::NotFound)?;
    let case = &result.case;
    let input = CaseInput {
        name: case.name.clone(),
        answers: case.answers.0.clone(),
        hidden: case.hidden.0.clone(),
        expected_outcome: case.expected_outcome.clone(),
        expected_pool: case.expected_pool.clone(),
    };
    let chrome = EditChrome { message: query.message(), ..EditChrome::new(user, &form, "tests") };
    Ok(page(&case_page(chrome, &form, Some(case_id), &input, Some(CaseView::new(result))), StatusCode::OK))
}

fn case_page(
    chrome: EditChrome,
    form: &FormState,
    case_id: Option<Uuid>,
    input: &CaseInput,
    result: Option<CaseView>,
) -> CasePage {
    let def = &form.draft.definition;
    let base = format!("/admin/forms/{}/tests", form.draft.form_id);
    let mut outcomes: Vec<Choice> = def
        .outcomes
        .iter()
        .map(|o| Choice {
            value: o.id.clone(),
            label: format!("{} ({})", o.tier, o.id),
            selected: o.id == input.expected_outcome,
        })
        .collect();
    outcomes.insert(
        0,
        Choice { value: String::new(), label: "Choose…".into(), selected: input.expected_outcome.is_empty() },
    );
    CasePage {
        action: case_id.map(|c| format!("{base}/{c}")).unwrap_or_else(|| format!("{base}/new")),
        heading: if case_id.is_some() { format!("Test case “{}”", input.name) } else { "New test case".into() },
        name: input.name.clone(),
        outcomes,
        expected_pool: input.expected_pool.clone().unwrap_or_default(),
        answers: answer_inputs(def, &input.answers, &chrome.errors),
        hidden: input.hidden.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n"),
        result,
        chrome,
    }
}

fn answer_inputs(
    def: &FormDefinition,
    answers: &BTreeMap<String, Vec<String>>,
    errors: &Errors,
) -> Vec<AnswerInputView> {
    def.questions
        .iter()
        .filter(|q| q.kind != QuestionKind::Statement)
        .map(|q| {
            let given = answers.get(&q.id).cloned().unwrap_or_default();
            let picked = |value: &str| given.iter().any(|g| g.eq_ignore_ascii_case(value));
            let mut choices: Vec<Choice> = q
                .options
                .iter()
                .map(|o| Choice { value: o.value.clone(), label: o.label.clone(), selected: picked(&o.value) })
                .collect();
            let control = match q.kind {
                QuestionKind::SingleChoice | QuestionKind::Dropdown => {
                    choices
                        .insert(0, Choice { value: String::new(), label: "(skip)".into(), selected: given.is_empty() });
                    "select"
                }
                QuestionKind::MultipleChoice => "checkboxes",
                QuestionKind::Consent => "consent",
                _ => "text",
            };
            AnswerInputView {
                id: q.id.clone(),
                label: q.label.clone(),
                control,
                value: given.join(", "),
                choices,
                error: errors.get(&format!("a.{}", q.id)).cloned(),
            }
        })
        .collect()
}

/// The case as typed: one `a.{question}` field (or several) per question.
fn case_input(body: &FormBody, def: &FormDefinition) -> CaseInput {
    let answers = def
        .questions
        .iter()
        .map(|q| (q.id.clone(), body.all(&format!("a.{}", q.id))))
        .filter(|(_, values)| values.iter().any(|v| !v.trim().is_empty()))
        .collect();
    let hidden: Hidden = body
        .get("hidden")
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    CaseInput {
        name: body.get("name").unwrap_or_default().to_owned(),
        answers,
        hidden,
        expected_outcome: body.get("expected_outcome").unwrap_or_default().to_owned(),
        expected_pool: body.get("expected_pool").map(str::to_owned),
    }
}

/// POST /admin/forms/{id}/tests/new
pub async fn submit_new_case(
    state: State<AppState>,
    signed_in: SignedIn,
    Path(raw_id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    save(state, signed_in, form_id(&raw_id)?, None, request).await
}

/// POST /admin/forms/{id}/tests/{case}
pub async fn submit_case(
    state: State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, raw_case)): Path<(String, String)>,
    request: Request,
) -> Result<Response, PageError> {
    save(state, signed_in, form_id(&raw_id)?, Some(form_id(&raw_case)?), request).await
}

async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    id: Uuid,
    case_id: Option<Uuid>,
    request: Request,
) -> Result<Response, PageError> {
    let post = Posted::read(&state, &signed_in, id, request).await?;
    let form = drafts::load_form_state(&state.ctx, id).await?;
    let input = case_input(&post.body, &form.draft.definition);
    match form_tests::save_case(&state.ctx, &post.user, id, case_id, input.clone()).await {
        Ok(saved) => Ok(Redirect::to(&format!("/admin/forms/{id}/tests/{saved}?done=saved")).into_response()),
        Err(error @ AppError::Invalid(_)) => {
            let status = refused_status(&error);
            let chrome = EditChrome::new(post.user, &form, "tests").refused(error);
            Ok(page(&case_page(chrome, &form, case_id, &input, None), status))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /admin/forms/{id}/tests/{case}/delete
pub async fn submit_delete_case(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((raw_id, raw_case)): Path<(String, String)>,
    request: Request,
) -> Result<Response, PageError> {
    let (id, case_id) = (form_id(&raw_id)?, form_id(&raw_case)?);
    let post = Posted::read(&state, &signed_in, id, request).await?;
    form_tests::delete_case(&state.ctx, &post.user, id, case_id).await?;
    Ok(Redirect::to(&format!("/admin/forms/{id}/tests?done=deleted")).into_response())
}
