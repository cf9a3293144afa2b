//! The demo: on first start with an empty database, a realistic
//! "Talk to sales" form is loaded so there is something to try at once.

use chrono::Utc;

use super::AppError;
use super::forms::create_published_form;
use crate::engine;
use crate::store::{self, Db};

/// The demo form definition, kept as a file a marketer could have written.
pub const DEMO_FORM_YAML: &str = include_str!("../demo/talk_to_sales.yaml");

/// Loads the demo form when the database has no forms yet.
/// Returns the demo form's slug when it is present.
pub async fn seed_if_empty(db: &Db) -> Result<Option<String>, AppError> {
    let existing = {
        let mut conn = db.read().await?;
        store::forms::list_forms(conn.conn()).await?
    };
    let definition = engine::parse_definition_yaml(DEMO_FORM_YAML)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the demo form does not parse: {e}")))?;
    if existing.iter().any(|form| form.slug == definition.slug) {
        return Ok(Some(definition.slug));
    }
    if !existing.is_empty() {
        return Ok(None);
    }
    match create_published_form(db, &definition, Utc::now()).await {
        // Another instance seeded it at the same moment: fine.
        Ok(_) | Err(AppError::Conflict(_)) => Ok(Some(definition.slug)),
        Err(other) => Err(other),
    }
}
