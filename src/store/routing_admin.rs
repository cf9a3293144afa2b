//! Editing routing: rep profiles, pools with their members, ordered rules,
//! and the look-ups that tell what still refers to a pool. The routing
//! transaction itself reads through `store::routing`.

use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::engine::{FormDefinition, Pool, Rep, RoutingRule, Strategy};
use crate::on_conn;

/// A rep's stored profile, if one was ever saved.
pub async fn find_rep_profile(conn: Conn<'_>, user_id: Uuid) -> Result<Option<Rep>, StoreError> {
    let row = on_conn!(conn, c => sqlx::query_scalar::<_, Json<Rep>>("SELECT profile FROM reps WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(|p| p.0))
}

/// Pool ids by name (names are unique).
pub async fn list_pool_ids(conn: Conn<'_>) -> Result<Vec<(Uuid, String)>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, (Uuid, String)>("SELECT id, name FROM pools ORDER BY name")
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows)
}

fn strategy_name(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::RoundRobin => "round_robin",
        Strategy::WeightedRoundRobin => "weighted_round_robin",
        Strategy::LeastLoaded => "least_loaded",
    }
}

/// Saves a pool's name, strategy, overflow and members (in order). Each
/// member keeps the count of leads it already got from this pool.
pub async fn update_pool(conn: Conn<'_>, pool_id: Uuid, pool: &Pool) -> Result<(), StoreError> {
    let overflow = pool.overflow_rep.as_deref().and_then(|r| r.parse::<Uuid>().ok());
    on_conn!(conn, c => {
        sqlx::query("UPDATE pools SET name = $2, strategy = $3, overflow_user_id = $4 WHERE id = $1")
            .bind(pool_id)
            .bind(&pool.name)
            .bind(strategy_name(pool.strategy))
            .bind(overflow)
            .execute(&mut *c)
            .await
            .map_err(|e| conflict_on_unique(e, "a pool with this name already exists"))?;
        let counts = sqlx::query_as::<_, (Uuid, i64)>("SELECT user_id, assigned_count FROM pool_members WHERE pool_id = $1")
            .bind(pool_id)
            .fetch_all(&mut *c)
            .await?;
        sqlx::query("DELETE FROM pool_members WHERE pool_id = $1").bind(pool_id).execute(&mut *c).await?;
        for (position, member) in pool.members.iter().enumerate() {
            let user_id: Uuid = member.rep_id.parse().map_err(|_| StoreError::Corrupt("pool member id".into()))?;
            let count = counts.iter().find(|(u, _)| *u == user_id).map_or(0, |(_, n)| *n);
            sqlx::query(
                "INSERT INTO pool_members (pool_id, user_id, position, weight, assigned_count) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(pool_id)
            .bind(user_id)
            .bind(position as i32)
            .bind(member.weight.min(i32::MAX as u32) as i32)
            .bind(count)
            .execute(&mut *c)
            .await?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}

/// Removes a pool and its members.
pub async fn delete_pool(conn: Conn<'_>, pool_id: Uuid) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("DELETE FROM pools WHERE id = $1")
        .bind(pool_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Leads routed through the pool that still wait to be accepted: their
/// fallback will look the pool up by name.
pub async fn count_waiting_in_pool(conn: Conn<'_>, name: &str) -> Result<i64, StoreError> {
    let count = on_conn!(conn, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM leads WHERE pool = $1 AND status = 'assigned' AND accept_by IS NOT NULL"
    )
    .bind(name)
    .fetch_one(&mut *c)
    .await)?;
    Ok(count)
}

/// A routing rule with its row id and place in the order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleRow {
    pub id: Uuid,
    pub position: i32,
    pub rule: Json<RoutingRule>,
}

/// Every rule, in order.
pub async fn list_rule_rows(conn: Conn<'_>) -> Result<Vec<RuleRow>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, RuleRow>(
        "SELECT id, position, rule FROM routing_rules ORDER BY position, id"
    )
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}

pub async fn update_rule(conn: Conn<'_>, rule_id: Uuid, rule: &RoutingRule) -> Result<(), StoreError> {
    let changed = on_conn!(conn, c => sqlx::query("UPDATE routing_rules SET rule = $2 WHERE id = $1")
        .bind(rule_id)
        .bind(Json(rule))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn update_rule_position(conn: Conn<'_>, rule_id: Uuid, position: i32) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("UPDATE routing_rules SET position = $2 WHERE id = $1")
        .bind(rule_id)
        .bind(position)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_rule(conn: Conn<'_>, rule_id: Uuid) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("DELETE FROM routing_rules WHERE id = $1")
        .bind(rule_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A definition in use: a form's published version or its draft.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DefinitionInUse {
    pub slug: String,
    /// The published version number; `None` for the draft.
    pub version: Option<i32>,
    pub definition: Json<FormDefinition>,
}

/// The published version of every form, and every draft: what outcomes
/// can still send leads to a pool.
pub async fn list_definitions_in_use(conn: Conn<'_>) -> Result<Vec<DefinitionInUse>, StoreError> {
    let rows = on_conn!(conn, c => {
        let mut rows = sqlx::query_as::<_, DefinitionInUse>(
            "SELECT f.slug, v.version, v.definition FROM forms f \
             JOIN form_versions v ON v.form_id = f.id AND v.version = f.published_version ORDER BY f.slug",
        )
        .fetch_all(&mut *c)
        .await?;
        let drafts = sqlx::query_as::<_, DefinitionInUse>(
            "SELECT slug, CAST(NULL AS INTEGER) AS version, draft AS definition FROM forms ORDER BY slug",
        )
        .fetch_all(&mut *c)
        .await?;
        rows.extend(drafts);
        Ok::<_, sqlx::Error>(rows)
    })?;
    Ok(rows)
}

/// The owner of the account with this company domain.
pub async fn find_owner_by_domain(conn: Conn<'_>, domain: &str) -> Result<Option<Uuid>, StoreError> {
    let owner = on_conn!(conn, c => sqlx::query_scalar::<_, Option<Uuid>>(
        "SELECT owner_user_id FROM accounts WHERE domain = $1"
    )
    .bind(domain)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(owner.flatten())
}

/// The rep holding the open lead with this email (a re-submission stays with them).
pub async fn find_holder_by_email(conn: Conn<'_>, email: &str) -> Result<Option<Uuid>, StoreError> {
    let holder = on_conn!(conn, c => sqlx::query_scalar::<_, Option<Uuid>>(
        "SELECT assigned_user_id FROM leads WHERE email = $1 AND status IN ('assigned', 'accepted')"
    )
    .bind(email)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(holder.flatten())
}
