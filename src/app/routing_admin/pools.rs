//! Pools: create, rename, strategy, members in order with weights, the
//! overflow person, and deleting one nothing refers to any more.

use uuid::Uuid;

pub use super::pool_form::{PoolAction, PoolForm, STRATEGIES};
use super::{Person, people};
use crate::app::{AppError, Context};
use crate::engine::{Handoff, Pool};
use crate::store::{self, Conn, Tx};

/// A pool's page: the pool as stored and who could join it.
pub struct PoolPage {
    pub id: Uuid,
    pub form: PoolForm,
    pub people: Vec<Person>,
    /// Leads each member got from this pool so far, by user id.
    pub counts: Vec<(String, u64)>,
}

/// Creates an empty pool (members are added on its page).
pub async fn create_pool(ctx: &Context, form: &PoolForm) -> Result<Uuid, AppError> {
    let mut tx = ctx.db.begin().await?;
    let pool = form.parse(&people(tx.conn()).await?).map_err(AppError::Invalid)?;
    let id = store::routing::insert_pool(tx.conn(), &pool).await.map_err(|e| name_conflict(e.into()))?;
    tx.commit().await?;
    Ok(id)
}

pub async fn load_pool(ctx: &Context, pool_id: Uuid) -> Result<PoolPage, AppError> {
    let mut conn = ctx.db.read().await?;
    let pool = find_pool(conn.conn(), pool_id).await?;
    let counts = pool.members.iter().map(|m| (m.rep_id.clone(), m.assigned_count)).collect();
    Ok(PoolPage { id: pool_id, form: PoolForm::from_pool(&pool), people: people(conn.conn()).await?, counts })
}

pub async fn people_for_pools(ctx: &Context) -> Result<Vec<Person>, AppError> {
    let mut conn = ctx.db.read().await?;
    people(conn.conn()).await
}

async fn find_pool(mut conn: Conn<'_>, pool_id: Uuid) -> Result<Pool, AppError> {
    let name = store::routing_admin::list_pool_ids(reborrow(&mut conn))
        .await?
        .into_iter()
        .find(|(id, _)| *id == pool_id)
        .ok_or(AppError::NotFound)?
        .1;
    let pools = store::routing::list_pools(reborrow(&mut conn)).await?;
    pools.into_iter().find(|p| p.name == name).ok_or(AppError::NotFound)
}

fn reborrow<'a>(conn: &'a mut Conn<'_>) -> Conn<'a> {
    match conn {
        Conn::Sqlite(c) => Conn::Sqlite(c),
        Conn::Postgres(c) => Conn::Postgres(c),
    }
}

/// Saves the pool as typed. A new name is refused while an outcome or
/// waiting leads still use the old one; rules follow the new name.
pub async fn save_pool(ctx: &Context, pool_id: Uuid, form: &PoolForm) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    store::routing::lock_pools(tx.conn()).await?;
    let old = find_pool(tx.conn(), pool_id).await?;
    let pool = form.parse(&people(tx.conn()).await?).map_err(AppError::Invalid)?;
    if pool.name != old.name {
        let blockers = blockers(&mut tx, &old.name, false).await?;
        if !blockers.is_empty() {
            let message = format!("The pool cannot be renamed while {}.", blockers.join("; "));
            return Err(AppError::invalid("name", message));
        }
        rename_in_rules(&mut tx, &old.name, &pool.name).await?;
    }
    store::routing_admin::update_pool(tx.conn(), pool_id, &pool).await.map_err(|e| name_conflict(e.into()))?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a pool nothing refers to; otherwise says what does.
pub async fn delete_pool(ctx: &Context, pool_id: Uuid) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    store::routing::lock_pools(tx.conn()).await?;
    let pool = find_pool(tx.conn(), pool_id).await?;
    let blockers = blockers(&mut tx, &pool.name, true).await?;
    if !blockers.is_empty() {
        return Err(AppError::Conflict(format!("The pool cannot be deleted while {}.", blockers.join("; "))));
    }
    store::routing_admin::delete_pool(tx.conn(), pool_id).await?;
    tx.commit().await?;
    Ok(())
}

/// What still names the pool: outcomes of published versions and drafts,
/// leads waiting in it, and (for deletion) routing rules.
async fn blockers(tx: &mut Tx, name: &str, with_rules: bool) -> Result<Vec<String>, AppError> {
    let mut found = Vec::new();
    if with_rules {
        for row in store::routing_admin::list_rule_rows(tx.conn()).await? {
            let rule = row.rule.0;
            if rule.pool == name || rule.handoff.as_deref() == Some(name) {
                found.push(format!("routing rule \"{}\" names it", rule.name));
            }
        }
    }
    for form in store::routing_admin::list_definitions_in_use(tx.conn()).await? {
        let which = form.version.map_or(format!("the draft of form {}", form.slug), |v| {
            format!("form {} (published version {v})", form.slug)
        });
        for outcome in &form.definition.0.outcomes {
            if matches!(&outcome.handoff, Handoff::Route(pool) if pool.trim() == name) {
                found.push(format!("outcome {} of {which} routes to it", outcome.id));
            }
        }
    }
    let waiting = store::routing_admin::count_waiting_in_pool(tx.conn(), name).await?;
    if waiting > 0 {
        found.push(format!("{waiting} lead(s) routed through it still wait to be accepted"));
    }
    Ok(found)
}

async fn rename_in_rules(tx: &mut Tx, old: &str, new: &str) -> Result<(), AppError> {
    for row in store::routing_admin::list_rule_rows(tx.conn()).await? {
        let mut rule = row.rule.0;
        let before = rule.clone();
        if rule.pool == old {
            rule.pool = new.to_owned();
        }
        if rule.handoff.as_deref() == Some(old) {
            rule.handoff = Some(new.to_owned());
        }
        if rule != before {
            store::routing_admin::update_rule(tx.conn(), row.id, &rule).await?;
        }
    }
    Ok(())
}

fn name_conflict(error: AppError) -> AppError {
    match error {
        AppError::Conflict(message) => AppError::invalid("name", format!("{}.", capitalise(&message))),
        other => other,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
