//! A form's draft: the working copy the editor changes and the preview,
//! replay and diagram read. Published versions are separate and immutable.

use uuid::Uuid;

use super::{AppError, Context};
use crate::engine::FormDefinition;
use crate::store;

/// The draft of a form, with the revision it was saved at.
#[derive(Debug, Clone)]
pub struct Draft {
    pub form_id: Uuid,
    pub slug: String,
    pub definition: FormDefinition,
    pub revision: i64,
}

/// The current draft of `form_id`; `NotFound` when there is no such form.
pub async fn load_draft(ctx: &Context, form_id: Uuid) -> Result<Draft, AppError> {
    let mut conn = ctx.db.read().await?;
    let row = store::forms::get_draft(conn.conn(), form_id).await?;
    Ok(Draft { form_id: row.id, slug: row.slug, definition: row.draft.0, revision: row.draft_revision })
}
