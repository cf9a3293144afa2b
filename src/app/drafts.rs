//! Drafts: the definition marketers edit before publishing it.
//!
//! Every change loads the draft, applies one edit to the typed
//! [`FormDefinition`] and saves it with compare-and-set on the draft's
//! revision, so two people editing at once never silently overwrite each
//! other. Nothing here knows about HTTP.

use uuid::Uuid;

use super::{AppError, Context};
use crate::engine::FormDefinition;
use crate::store;

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

/// The current draft of a form.
pub async fn load_draft(ctx: &Context, form_id: Uuid) -> Result<Draft, AppError> {
    let mut conn = ctx.db.read().await?;
    let row = store::drafts::get_draft(conn.conn(), form_id).await?;
    Ok(Draft { form_id: row.id, slug: row.slug, definition: row.draft.0, revision: row.draft_revision })
}
