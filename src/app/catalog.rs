//! The forms people manage: the list with counts, creating, duplicating,
//! archiving and restoring a form, and definition files in and out
//! (import runs the lint first; export gives the draft or any version).
//!
//! An archived form takes no new responses (its page says it is closed);
//! responses already under way may still finish, so no lead who is halfway
//! through is lost.

use uuid::Uuid;

use super::auth::CurrentUser;
use super::drafts::{self, Draft, require_editor};
use super::forms::lint_errors;
use super::{AppError, Context, FieldError};
use crate::engine::{self, FormDefinition};
use crate::store::catalog::FormSummary;
use crate::store::drafts::NewEdit;
use crate::store::{self, StoreError};

/// Every form with its counts, active ones first.
pub async fn list_forms(ctx: &Context) -> Result<Vec<FormSummary>, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::catalog::list_form_summaries(conn.conn()).await?)
}

/// A new form's title and address.
#[derive(Debug, Clone, Default)]
pub struct NewForm {
    pub title: String,
    pub slug: String,
}

impl NewForm {
    fn checked(&self) -> Result<(String, String), AppError> {
        let title = self.title.trim().to_owned();
        let slug = self.slug.trim().to_owned();
        let mut errors = Vec::new();
        if title.is_empty() || title.chars().count() > 200 {
            errors.push(field("title", "Give the form a title of 1 to 200 characters."));
        }
        if !engine::is_valid_slug(&slug) {
            errors.push(field("slug", "Use 1 to 64 lowercase letters, digits and dashes, like talk-to-sales."));
        }
        if errors.is_empty() { Ok((title, slug)) } else { Err(AppError::Invalid(errors)) }
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: name.to_owned(), message: message.into() }
}

/// Creates a form whose draft is a small valid form (a work-email question
/// and one outcome), ready to edit. Nothing is published yet.
pub async fn create_form(ctx: &Context, user: &CurrentUser, new: &NewForm) -> Result<Uuid, AppError> {
    let (title, slug) = new.checked()?;
    let definition = engine::starter_definition(&slug, &title);
    insert_form(ctx, user, &definition, "Created the form").await
}

/// Copies a form's draft and test cases into a new form at another address.
pub async fn duplicate_form(ctx: &Context, user: &CurrentUser, source: Uuid, new: &NewForm) -> Result<Uuid, AppError> {
    require_editor(user)?;
    let (title, slug) = new.checked()?;
    let original = drafts::load_draft(ctx, source).await?;
    let mut definition = original.definition.clone();
    definition.title = title;
    definition.slug = slug;
    let summary = format!("Duplicated from “{}” (/f/{})", original.definition.title, original.slug);
    let form_id = insert_form(ctx, user, &definition, &summary).await?;
    let cases = {
        let mut conn = ctx.db.read().await?;
        store::form_tests::list_cases(conn.conn(), source).await?
    };
    let mut tx = ctx.db.begin().await?;
    for case in cases {
        store::form_tests::upsert_case(tx.conn(), form_id, Uuid::now_v7(), &case.to_case(), ctx.clock.now()).await?;
    }
    tx.commit().await?;
    Ok(form_id)
}

async fn insert_form(
    ctx: &Context,
    user: &CurrentUser,
    definition: &FormDefinition,
    summary: &str,
) -> Result<Uuid, AppError> {
    require_editor(user)?;
    let form_id = Uuid::now_v7();
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    match store::forms::insert_form(tx.conn(), form_id, definition, now).await {
        Err(StoreError::Conflict(_)) => {
            let message = format!("Another form already uses the address /f/{}.", definition.slug);
            return Err(AppError::Invalid(vec![field("slug", message)]));
        }
        other => other?,
    }
    let edit = NewEdit { form_id, revision: 1, user_id: Some(user.id), summary, now };
    store::drafts::insert_edit(tx.conn(), edit).await?;
    tx.commit().await?;
    Ok(form_id)
}

/// Stops new responses: the public page says the form is closed.
pub async fn archive_form(ctx: &Context, user: &CurrentUser, form_id: Uuid) -> Result<(), AppError> {
    set_status(ctx, user, form_id, "archived").await
}

/// Takes responses again (the published version, if any, is served).
pub async fn restore_form(ctx: &Context, user: &CurrentUser, form_id: Uuid) -> Result<(), AppError> {
    set_status(ctx, user, form_id, "active").await
}

async fn set_status(ctx: &Context, user: &CurrentUser, form_id: Uuid, status: &str) -> Result<(), AppError> {
    require_editor(user)?;
    let mut tx = ctx.db.begin().await?;
    store::catalog::update_status(tx.conn(), form_id, status, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// True when the form at `slug` exists but is archived.
pub async fn is_closed(ctx: &Context, slug: &str) -> Result<bool, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::catalog::find_status_by_slug(conn.conn(), slug).await?.as_deref() == Some("archived"))
}

/// Reads a definition file: JSON when it starts with `{`, YAML otherwise.
pub fn parse_definition_text(text: &str) -> Result<FormDefinition, AppError> {
    let parsed = if text.trim_start().starts_with('{') {
        engine::parse_definition_json(text)
    } else {
        engine::parse_definition_yaml(text)
    };
    parsed.map_err(|error| AppError::Invalid(vec![field("definition", error.to_string())]))
}

/// Lint errors refuse a definition; warnings do not.
fn refuse_lint_errors(definition: &FormDefinition) -> Result<(), AppError> {
    let errors = lint_errors(definition);
    if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(errors)) }
}

/// Creates a form from a definition file, at the address the file names.
pub async fn import_new_form(ctx: &Context, user: &CurrentUser, text: &str) -> Result<Uuid, AppError> {
    create_form_from_definition(ctx, user, parse_definition_text(text)?).await
}

/// Creates a form whose draft is `definition` (after the lint), at the
/// address it names. Nothing is published yet.
pub async fn create_form_from_definition(
    ctx: &Context,
    user: &CurrentUser,
    definition: FormDefinition,
) -> Result<Uuid, AppError> {
    refuse_lint_errors(&definition)?;
    insert_form(ctx, user, &definition, "Imported from a definition file").await
}

/// Replaces the draft with a definition file (after the lint). The form
/// keeps its own address whatever slug the file names.
pub async fn import_into_draft(
    ctx: &Context,
    user: &CurrentUser,
    form_id: Uuid,
    expected_revision: i64,
    text: &str,
) -> Result<Draft, AppError> {
    let definition = parse_definition_text(text)?;
    refuse_lint_errors(&definition)?;
    drafts::save_draft(ctx, user, form_id, expected_revision, definition).await
}

/// File formats for export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Yaml,
    Json,
}

/// A definition file ready to download.
pub struct Export {
    pub filename: String,
    pub content_type: &'static str,
    pub body: String,
}

/// The draft (`version: None`) or a published version as a file.
pub async fn export_definition(
    ctx: &Context,
    form_id: Uuid,
    version: Option<i32>,
    format: ExportFormat,
) -> Result<Export, AppError> {
    let draft = drafts::load_draft(ctx, form_id).await?;
    let (definition, which) = match version {
        None => (draft.definition, "draft".to_owned()),
        Some(version) => {
            let published = ctx.forms.version(&ctx.db, form_id, version).await?;
            (published.definition().clone(), format!("v{version}"))
        }
    };
    let (body, extension, content_type) = match format {
        ExportFormat::Yaml => (engine::to_yaml(&definition), "yaml", "application/yaml; charset=utf-8"),
        ExportFormat::Json => (engine::to_json(&definition), "json", "application/json; charset=utf-8"),
    };
    Ok(Export { filename: format!("{}-{which}.{extension}", draft.slug), content_type, body })
}
