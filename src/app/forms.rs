//! Forms: creating and publishing definitions, and a cache of published
//! versions (immutable, so a cached copy can never be stale).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{AppError, FieldError};
use crate::engine::{self, CompiledForm, FormDefinition, Severity};
use crate::store::{self, Db};

/// A published version, compiled once for the engine.
pub struct PublishedForm {
    pub form_id: Uuid,
    pub version: i32,
    pub compiled: CompiledForm<'static>,
}

impl PublishedForm {
    pub fn definition(&self) -> &FormDefinition {
        self.compiled.definition()
    }
}

impl std::fmt::Debug for PublishedForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublishedForm({}, v{})", self.form_id, self.version)
    }
}

/// Published versions by (form, version). Versions never change once
/// published, so entries never need invalidating.
#[derive(Default, Clone)]
pub struct FormCache {
    entries: Arc<Mutex<VersionMap>>,
}

type VersionMap = HashMap<(Uuid, i32), Arc<PublishedForm>>;

impl FormCache {
    /// The definition of `version` of `form_id`, from memory or the database.
    pub async fn version(&self, db: &Db, form_id: Uuid, version: i32) -> Result<Arc<PublishedForm>, AppError> {
        if let Some(hit) = self.entries.lock().expect("cache lock").get(&(form_id, version)) {
            return Ok(hit.clone());
        }
        let mut conn = db.read().await?;
        let definition = store::forms::get_version_definition(conn.conn(), form_id, version).await?;
        let form = Arc::new(PublishedForm { form_id, version, compiled: CompiledForm::new(definition) });
        self.entries.lock().expect("cache lock").insert((form_id, version), form.clone());
        Ok(form)
    }

    /// As [`FormCache::version`], reading through `conn` on a miss. A use
    /// case holding a transaction must use this: taking a second pooled
    /// connection while holding one deadlocks the pool under load (every
    /// connection held by a transaction waiting for another).
    pub async fn version_in(
        &self,
        conn: store::Conn<'_>,
        form_id: Uuid,
        version: i32,
    ) -> Result<Arc<PublishedForm>, AppError> {
        if let Some(hit) = self.entries.lock().expect("cache lock").get(&(form_id, version)) {
            return Ok(hit.clone());
        }
        let definition = store::forms::get_version_definition(conn, form_id, version).await?;
        let form = Arc::new(PublishedForm { form_id, version, compiled: CompiledForm::new(definition) });
        self.entries.lock().expect("cache lock").insert((form_id, version), form.clone());
        Ok(form)
    }

    /// The currently published version of the form at `slug`.
    pub async fn published(&self, db: &Db, slug: &str) -> Result<Arc<PublishedForm>, AppError> {
        let published = {
            let mut conn = db.read().await?;
            store::forms::find_published_by_slug(conn.conn(), slug).await?
        };
        let published = published.ok_or(AppError::NotFound)?;
        self.version(db, published.form_id, published.version).await
    }
}

/// Lint errors as field errors (warnings do not block).
pub fn lint_errors(definition: &FormDefinition) -> Vec<FieldError> {
    engine::lint(definition)
        .into_iter()
        .filter(|finding| finding.severity == Severity::Error)
        .map(|finding| FieldError { field: finding.location, message: finding.message })
        .collect()
}

/// Creates a form from a definition and publishes it as version 1.
/// Refused when the lint finds errors or the slug is taken.
pub async fn create_published_form(db: &Db, definition: &FormDefinition, now: DateTime<Utc>) -> Result<Uuid, AppError> {
    let errors = lint_errors(definition);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let form_id = Uuid::now_v7();
    let mut tx = db.begin().await?;
    store::forms::insert_form(tx.conn(), form_id, definition, now).await?;
    let changes = engine::describe_definition(definition);
    let version = store::versions::NewVersion {
        form_id,
        version: 1,
        definition,
        note: "First version",
        published_by: None,
        changes: &changes,
        restored_from: None,
        now,
    };
    store::versions::insert_version(tx.conn(), version).await?;
    tx.commit().await?;
    Ok(form_id)
}
