//! Test cases kept with a form: named answers with the outcome (and
//! optionally the pool) they must reach. Saved answers are parsed by the
//! engine's own rules, so a case the form would refuse is refused at once;
//! every case runs on every publish and on demand.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::auth::CurrentUser;
use super::drafts::{self, require_editor};
use super::{AppError, Context, FieldError};
use crate::engine::{CaseRun, CompiledForm, FormDefinition, Hidden, RoutingRule, TestCase, run_test_case};
use crate::store::form_tests::CaseRecord;
use crate::store::{self, Conn, StoreError};

/// A test case as a person typed it.
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    pub name: String,
    /// Question id -> values as a prospect would send them; blank ones are
    /// left out (the question is skipped).
    pub answers: BTreeMap<String, Vec<String>>,
    pub hidden: Hidden,
    pub expected_outcome: String,
    pub expected_pool: Option<String>,
}

/// A stored case and what running it showed.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub case: CaseRecord,
    pub run: CaseRun,
}

pub async fn list_cases(ctx: &Context, form_id: Uuid) -> Result<Vec<CaseRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::form_tests::list_cases(conn.conn(), form_id).await?)
}

pub async fn get_case(ctx: &Context, form_id: Uuid, case_id: Uuid) -> Result<CaseRecord, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::form_tests::get_case(conn.conn(), form_id, case_id).await?)
}

/// Adds a case (`case_id: None`) or replaces one, after checking it
/// against the draft: the outcome must exist and every answer must be one
/// the form would accept.
pub async fn save_case(
    ctx: &Context,
    user: &CurrentUser,
    form_id: Uuid,
    case_id: Option<Uuid>,
    input: CaseInput,
) -> Result<Uuid, AppError> {
    require_editor(user)?;
    let draft = drafts::load_draft(ctx, form_id).await?;
    let case = checked_case(&draft.definition, input)?;
    let id = case_id.unwrap_or_else(Uuid::now_v7);
    let mut tx = ctx.db.begin().await?;
    if case_id.is_some() {
        store::form_tests::get_case(tx.conn(), form_id, id).await?;
    }
    match store::form_tests::upsert_case(tx.conn(), form_id, id, &case, ctx.clock.now()).await {
        Err(StoreError::Conflict(_)) => {
            let message = format!("Another test case of this form is called “{}”.", case.name);
            return Err(AppError::Invalid(vec![FieldError { field: "name".into(), message }]));
        }
        other => other?,
    }
    tx.commit().await?;
    Ok(id)
}

fn checked_case(definition: &FormDefinition, input: CaseInput) -> Result<TestCase, AppError> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(error("name", "Give the test case a name of 1 to 100 characters."));
    }
    let expected_outcome = input.expected_outcome.trim().to_owned();
    if !definition.outcomes.iter().any(|o| o.id == expected_outcome) {
        errors.push(error("expected_outcome", "Choose the outcome these answers should reach."));
    }
    let form = crate::engine::compile(definition);
    let mut answers = BTreeMap::new();
    for (question, raw) in input.answers {
        let values: Vec<String> = raw.into_iter().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
        if values.is_empty() {
            continue;
        }
        match form.parse_answer(&question, &values) {
            Ok(_) => {
                answers.insert(question, values);
            }
            Err(refused) => errors.push(error(&format!("a.{question}"), refused.message)),
        }
    }
    for name in input.hidden.keys() {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            errors.push(error("hidden", format!("The hidden field name “{name}” may use only a-z, 0-9 and _.")));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let expected_pool = input.expected_pool.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    Ok(TestCase { name, answers, hidden: input.hidden, expected_outcome, expected_pool })
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.to_owned(), message: message.into() }
}

pub async fn delete_case(ctx: &Context, user: &CurrentUser, form_id: Uuid, case_id: Uuid) -> Result<(), AppError> {
    require_editor(user)?;
    let mut tx = ctx.db.begin().await?;
    store::form_tests::delete_case(tx.conn(), form_id, case_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs every case of the form against its draft.
pub async fn run_cases(ctx: &Context, form_id: Uuid) -> Result<Vec<CaseResult>, AppError> {
    let draft = drafts::load_draft(ctx, form_id).await?;
    let mut conn = ctx.db.read().await?;
    cases_on(conn.conn(), form_id, &draft.definition).await
}

/// Runs every case of the form against `definition`, with the routing
/// rules as they are now.
pub(crate) async fn cases_on(
    mut conn: Conn<'_>,
    form_id: Uuid,
    definition: &FormDefinition,
) -> Result<Vec<CaseResult>, AppError> {
    let cases = store::form_tests::list_cases(conn.reborrow(), form_id).await?;
    let rules = store::routing::list_rules(conn).await?;
    Ok(run_all(definition, cases, &rules))
}

fn run_all(definition: &FormDefinition, cases: Vec<CaseRecord>, rules: &[RoutingRule]) -> Vec<CaseResult> {
    let form = CompiledForm::new(definition.clone());
    cases
        .into_iter()
        .map(|case| {
            let run = run_test_case(&form, &case.to_case(), rules);
            CaseResult { case, run }
        })
        .collect()
}
