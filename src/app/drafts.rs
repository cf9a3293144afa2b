//! Drafts: the definition marketers edit before publishing it.
//!
//! Every change loads the draft, applies one edit to the typed
//! [`FormDefinition`] and saves it with compare-and-set on the draft's
//! revision, so two people editing at once never silently overwrite each
//! other: a save made from an older revision is refused with who changed
//! the draft, when, and what. Each save writes a history line. Nothing here
//! knows about HTTP.

use uuid::Uuid;

use super::auth::{CurrentUser, Role};
use super::{AppError, Context};
use crate::engine::{self, FormDefinition};
use crate::store::drafts::{DraftRow, EditRecord, NewEdit};
use crate::store::{self, Tx};

/// A form's draft as the editor, preview, replay and diagram read it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub form_id: Uuid,
    /// The form's public address (`/f/{slug}`).
    pub slug: String,
    pub definition: FormDefinition,
    /// Bumped by every save; a save names the revision it was made from.
    pub revision: i64,
}

impl From<DraftRow> for Draft {
    fn from(row: DraftRow) -> Self {
        Draft { form_id: row.id, slug: row.slug, definition: row.draft.0, revision: row.draft_revision }
    }
}

/// The current draft of a form.
pub async fn load_draft(ctx: &Context, form_id: Uuid) -> Result<Draft, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::drafts::get_draft(conn.conn(), form_id).await?.into())
}

/// The latest history lines of the draft, newest first.
pub async fn draft_history(ctx: &Context, form_id: Uuid, limit: i64) -> Result<Vec<EditRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::drafts::list_edits(conn.conn(), form_id, limit).await?)
}

/// Replaces the whole draft, when it is still at `expected_revision`.
/// The form keeps its address whatever slug the definition names.
pub async fn save_draft(
    ctx: &Context,
    user: &CurrentUser,
    form_id: Uuid,
    expected_revision: i64,
    definition: FormDefinition,
) -> Result<Draft, AppError> {
    edit_draft(ctx, user, form_id, expected_revision, |draft| {
        *draft = definition;
        Ok(())
    })
    .await
}

/// Applies one edit to the draft at `expected_revision` and saves it.
pub async fn edit_draft(
    ctx: &Context,
    user: &CurrentUser,
    form_id: Uuid,
    expected_revision: i64,
    edit: impl FnOnce(&mut FormDefinition) -> Result<(), AppError>,
) -> Result<Draft, AppError> {
    let (mut tx, row) = begin_edit(ctx, user, form_id, expected_revision).await?;
    let mut definition = row.draft.0.clone();
    edit(&mut definition)?;
    let draft = finish_edit(ctx, &mut tx, user, &row, definition).await?;
    tx.commit().await?;
    Ok(draft)
}

/// Only admins and marketers change forms (checked here too, so every
/// caller of the use cases gets the same rule).
pub fn require_editor(user: &CurrentUser) -> Result<(), AppError> {
    if matches!(user.role, Role::Admin | Role::Marketer) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Opens the transaction of an edit: the form row locked and its revision
/// checked against the one the person's page was made from.
pub(crate) async fn begin_edit(
    ctx: &Context,
    user: &CurrentUser,
    form_id: Uuid,
    expected_revision: i64,
) -> Result<(Tx, DraftRow), AppError> {
    require_editor(user)?;
    let mut tx = ctx.db.begin().await?;
    let row = store::drafts::get_draft_for_update(tx.conn(), form_id).await?;
    if row.draft_revision != expected_revision {
        let last = store::drafts::list_edits(tx.conn(), form_id, 1).await?;
        // The other person's save may still be on its way to disk.
        tx.rollback().await?;
        return Err(AppError::Conflict(stale_message(user, last.first())));
    }
    Ok((tx, row))
}

/// Writes the edited definition (if it changed) and its history line, in
/// the edit's transaction; the caller commits.
pub(crate) async fn finish_edit(
    ctx: &Context,
    tx: &mut Tx,
    user: &CurrentUser,
    row: &DraftRow,
    mut definition: FormDefinition,
) -> Result<Draft, AppError> {
    definition.slug = row.slug.clone();
    let before = &row.draft.0;
    let mut draft = Draft::from(row.clone());
    if &definition == before {
        return Ok(draft);
    }
    let summary = engine::describe_changes(before, &definition).join("; ");
    let now = ctx.clock.now();
    if !store::drafts::update_draft(tx.conn(), row.id, row.draft_revision, &definition, now).await? {
        return Err(AppError::Conflict(stale_message(user, None)));
    }
    let revision = row.draft_revision + 1;
    let edit = NewEdit { form_id: row.id, revision, user_id: Some(user.id), summary: &summary, now };
    store::drafts::insert_edit(tx.conn(), edit).await?;
    draft.definition = definition;
    draft.revision = revision;
    Ok(draft)
}

/// The end of a stale-save message: what a person on the editor's page does next.
pub const STALE_ADVICE: &str = " Your changes are still below: reload to see theirs, then apply yours again.";

/// Why a save from an old revision was refused, naming who saved since.
fn stale_message(user: &CurrentUser, last: Option<&EditRecord>) -> String {
    let Some(last) = last else {
        return format!(
            "Someone else saved this draft after you opened it, so your change was not saved.{STALE_ADVICE}"
        );
    };
    let who = match (&last.user_id, &last.user_name) {
        (Some(id), _) if *id == user.id => "you (in another window)".to_owned(),
        (_, Some(name)) => name.clone(),
        _ => "someone else".to_owned(),
    };
    let when = last.created_at.format("%Y-%m-%d %H:%M UTC");
    format!(
        "This draft was changed by {who} at {when} after you opened it ({}), so your change was not saved.{STALE_ADVICE}",
        last.summary
    )
}

/// What the editor's pages show about a form besides its draft.
#[derive(Debug, Clone)]
pub struct FormState {
    pub draft: Draft,
    pub archived: bool,
    pub published_version: Option<i32>,
    /// The draft differs from the live version (or nothing is live yet).
    pub has_unpublished_changes: bool,
}

/// The draft with the form's status and whether it differs from what is live.
pub async fn load_form_state(ctx: &Context, form_id: Uuid) -> Result<FormState, AppError> {
    let row = {
        let mut conn = ctx.db.read().await?;
        store::drafts::get_draft(conn.conn(), form_id).await?
    };
    let has_unpublished_changes = match row.published_version {
        Some(version) => ctx.forms.version(&ctx.db, form_id, version).await?.definition() != &row.draft.0,
        None => true,
    };
    Ok(FormState {
        archived: row.status == "archived",
        published_version: row.published_version,
        has_unpublished_changes,
        draft: row.into(),
    })
}
