//! Publishing a draft as a new immutable version, rolling back to an
//! earlier one (as a new version), and the version history.
//!
//! Publishing runs the lint (errors block, warnings are reported) and every
//! test case (a failing one blocks), then writes the version, its author,
//! note and what changed since the live version, all in one transaction.
//!
//! Rolling back is the emergency exit: it republishes a definition that was
//! already live, so its lint errors still block (the engine must never
//! serve a broken form) but failing test cases are reported without
//! blocking, since the cases may describe the newer version being undone.

use uuid::Uuid;

use super::auth::CurrentUser;
use super::drafts::{begin_edit, finish_edit};
use super::form_tests::{CaseResult, cases_on};
use super::{AppError, Context};
use crate::engine::{self, Finding, FormDefinition};
use crate::store::drafts::DraftRow;
use crate::store::versions::{NewVersion, VersionRecord};
use crate::store::{self, Tx};

/// Longest note kept with a version.
const NOTE_MAX_CHARS: usize = 500;

/// Why a publish was refused: lint errors and failing test cases.
#[derive(Debug, Clone, Default)]
pub struct Refusal {
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
    pub failed_cases: Vec<CaseResult>,
}

/// What a publish or rollback did.
#[derive(Debug, Clone)]
pub enum PublishResult {
    /// The version is live; warnings (and, for a rollback, failing cases)
    /// are reported.
    Published { version: i32, warnings: Vec<Finding>, failed_cases: Vec<CaseResult> },
    /// Nothing was published.
    Refused(Refusal),
}

/// Publishes the draft at `expected_revision` as the next version.
pub async fn publish_draft(
    ctx: &Context,
    user: &CurrentUser,
    form_id: Uuid,
    expected_revision: i64,
    note: &str,
) -> Result<PublishResult, AppError> {
    let (mut tx, row) = begin_edit(ctx, user, form_id, expected_revision).await?;
    refuse_archived(&row)?;
    let definition = row.draft.0.clone();
    let (errors, warnings) = split_findings(engine::lint(&definition));
    let failed_cases = failing_cases(&mut tx, form_id, &definition).await?;
    if !errors.is_empty() || !failed_cases.is_empty() {
        return Ok(PublishResult::Refused(Refusal { errors, warnings, failed_cases }));
    }
    let live = live_definition(&mut tx, &row).await?;
    if live.as_ref() == Some(&definition) {
        let version = row.published_version.unwrap_or_default();
        return Err(AppError::invalid(
            "publish",
            format!("The draft is the same as version {version}, which is live."),
        ));
    }
    let changes = match &live {
        Some(live) => engine::describe_changes(live, &definition),
        None => engine::describe_definition(&definition),
    };
    let version = store::versions::next_version(tx.conn(), form_id).await?;
    let note = clean_note(note, "");
    let new = NewVersion {
        form_id,
        version,
        definition: &definition,
        note: &note,
        published_by: Some(user.id),
        changes: &changes,
        restored_from: None,
        now: ctx.clock.now(),
    };
    store::versions::insert_version(tx.conn(), new).await?;
    tx.commit().await?;
    Ok(PublishResult::Published { version, warnings, failed_cases: Vec::new() })
}

/// Publishes `version`'s definition again as a new version and makes it
/// the draft (the draft must still be at `expected_revision`).
pub async fn roll_back(
    ctx: &Context,
    user: &CurrentUser,
    form_id: Uuid,
    version: i32,
    expected_revision: i64,
    note: &str,
) -> Result<PublishResult, AppError> {
    let (mut tx, row) = begin_edit(ctx, user, form_id, expected_revision).await?;
    refuse_archived(&row)?;
    if row.published_version == Some(version) {
        return Err(AppError::invalid("version", format!("Version {version} is already live.")));
    }
    let mut definition = store::forms::get_version_definition(tx.conn(), form_id, version).await?;
    definition.slug = row.slug.clone();
    let (errors, warnings) = split_findings(engine::lint(&definition));
    if !errors.is_empty() {
        return Ok(PublishResult::Refused(Refusal { errors, warnings, failed_cases: Vec::new() }));
    }
    let failed_cases = failing_cases(&mut tx, form_id, &definition).await?;
    let live = live_definition(&mut tx, &row).await?;
    let mut changes = vec![format!("Restored version {version}")];
    changes.extend(live.map(|live| engine::describe_changes(&live, &definition)).unwrap_or_default());
    let new_version = store::versions::next_version(tx.conn(), form_id).await?;
    let note = clean_note(note, &format!("Rolled back to version {version}"));
    let new = NewVersion {
        form_id,
        version: new_version,
        definition: &definition,
        note: &note,
        published_by: Some(user.id),
        changes: &changes,
        restored_from: Some(version),
        now: ctx.clock.now(),
    };
    store::versions::insert_version(tx.conn(), new).await?;
    finish_edit(ctx, &mut tx, user, &row, definition).await?;
    tx.commit().await?;
    Ok(PublishResult::Published { version: new_version, warnings, failed_cases })
}

/// The lint findings of the draft (errors block publishing, warnings do not).
pub async fn lint_draft(ctx: &Context, form_id: Uuid) -> Result<Vec<Finding>, AppError> {
    Ok(engine::lint(&super::drafts::load_draft(ctx, form_id).await?.definition))
}

/// Every published version of the form, newest first.
pub async fn list_versions(ctx: &Context, form_id: Uuid) -> Result<Vec<VersionRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::versions::list_versions(conn.conn(), form_id).await?)
}

/// The live definition of the form, if it has been published.
pub async fn live_version(ctx: &Context, form_id: Uuid) -> Result<Option<(i32, FormDefinition)>, AppError> {
    let row = {
        let mut conn = ctx.db.read().await?;
        store::drafts::get_draft(conn.conn(), form_id).await?
    };
    match row.published_version {
        Some(version) => Ok(Some((version, ctx.forms.version(&ctx.db, form_id, version).await?.definition().clone()))),
        None => Ok(None),
    }
}

fn refuse_archived(row: &DraftRow) -> Result<(), AppError> {
    if row.status == "archived" {
        return Err(AppError::Conflict("This form is archived: restore it before publishing.".into()));
    }
    Ok(())
}

fn split_findings(findings: Vec<Finding>) -> (Vec<Finding>, Vec<Finding>) {
    findings.into_iter().partition(Finding::is_error)
}

async fn failing_cases(tx: &mut Tx, form_id: Uuid, definition: &FormDefinition) -> Result<Vec<CaseResult>, AppError> {
    let results = cases_on(tx.conn(), form_id, definition).await?;
    Ok(results.into_iter().filter(|result| !result.run.passed).collect())
}

async fn live_definition(tx: &mut Tx, row: &DraftRow) -> Result<Option<FormDefinition>, AppError> {
    match row.published_version {
        Some(version) => Ok(Some(store::forms::get_version_definition(tx.conn(), row.id, version).await?)),
        None => Ok(None),
    }
}

fn clean_note(note: &str, default: &str) -> String {
    let note: String = note.trim().chars().take(NOTE_MAX_CHARS).collect();
    if note.is_empty() { default.to_owned() } else { note }
}
