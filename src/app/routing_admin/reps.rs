//! Editing one rep's routing profile.

use uuid::Uuid;

use super::rep_form::RepForm;
use super::{Person, default_profile, people};
use crate::app::{AppError, Context};
use crate::store;

/// The edit page of one rep.
pub struct RepPage {
    pub person: Person,
    pub form: RepForm,
    pub open_leads: u32,
}

/// The rep's profile as a form (defaults when none was saved yet).
pub async fn load_rep(ctx: &Context, user_id: Uuid) -> Result<RepPage, AppError> {
    let mut conn = ctx.db.read().await?;
    let person = people(conn.conn()).await?.into_iter().find(|p| p.id == user_id).ok_or(AppError::NotFound)?;
    let profile = store::routing_admin::find_rep_profile(conn.conn(), user_id).await?;
    let loads = store::routing::list_loads(conn.conn()).await?;
    let open_leads = loads.iter().find(|l| l.rep_id == user_id.to_string()).map_or(0, |l| l.open_leads);
    Ok(RepPage { person, form: RepForm::from_rep(&profile.unwrap_or_else(default_profile)), open_leads })
}

/// Saves the typed profile; the next routed lead sees it.
pub async fn save_rep(ctx: &Context, user_id: Uuid, form: &RepForm) -> Result<(), AppError> {
    let rep = form.parse().map_err(AppError::Invalid)?;
    let mut tx = ctx.db.begin().await?;
    if !people(tx.conn()).await?.iter().any(|p| p.id == user_id) {
        return Err(AppError::NotFound);
    }
    store::routing::upsert_rep(tx.conn(), user_id, &rep).await?;
    tx.commit().await?;
    Ok(())
}
