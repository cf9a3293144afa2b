//! Routing data: reps, pools with their cursors, routing rules, loads and
//! account owners, loaded into the engine's routing types.

use sqlx::types::Json;
use uuid::Uuid;

use super::{Conn, StoreError, conflict_on_unique};
use crate::engine::{Pool, PoolMember, Rep, RepLoad, RoutingRule, Strategy};
use crate::on_conn;

#[derive(sqlx::FromRow)]
struct RepRow {
    user_id: Uuid,
    name: String,
    active: bool,
    profile: Option<Json<Rep>>,
}

/// Stores a rep's routing profile (name and id come from the user).
pub async fn upsert_rep(conn: Conn<'_>, user_id: Uuid, rep: &Rep) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO reps (user_id, profile) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET profile = excluded.profile"
    )
    .bind(user_id)
    .bind(Json(rep))
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every rep with the user's name and active flag applied, plus managers
/// and admins without a rep profile (they can be a pool's overflow).
pub async fn list_reps(conn: Conn<'_>) -> Result<Vec<Rep>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, RepRow>(
        "SELECT u.id AS user_id, u.name, u.active, r.profile FROM users u LEFT JOIN reps r ON r.user_id = u.id \
         WHERE r.user_id IS NOT NULL OR u.role IN ('manager', 'admin') ORDER BY u.name"
    )
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut rep = row.profile.map(|p| p.0).unwrap_or_else(overflow_profile);
            rep.id = row.user_id.to_string();
            rep.name = row.name;
            rep.active = rep.active && row.active;
            rep
        })
        .collect())
}

/// A manager with no rep profile: always reachable as an overflow.
fn overflow_profile() -> Rep {
    Rep {
        id: String::new(),
        name: String::new(),
        active: true,
        territories: Vec::new(),
        segments: Vec::new(),
        seniority: None,
        languages: Vec::new(),
        time_zone: "UTC".into(),
        working_hours: Default::default(),
        capacity: None,
        out_of_office: Vec::new(),
    }
}

/// Creates a pool with its members in order.
pub async fn insert_pool(conn: Conn<'_>, pool: &Pool) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let strategy = strategy_name(&pool.strategy);
    let overflow = pool.overflow_rep.as_deref().and_then(|r| r.parse::<Uuid>().ok());
    on_conn!(conn, c => {
        sqlx::query("INSERT INTO pools (id, name, strategy, overflow_user_id) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&pool.name)
            .bind(strategy)
            .bind(overflow)
            .execute(&mut *c)
            .await
            .map_err(|e| conflict_on_unique(e, "a pool with this name already exists"))?;
        for (position, member) in pool.members.iter().enumerate() {
            let user_id: Uuid = member.rep_id.parse().map_err(|_| StoreError::Corrupt("pool member id".into()))?;
            sqlx::query("INSERT INTO pool_members (pool_id, user_id, position, weight) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(user_id)
                .bind(position as i32)
                .bind(member.weight as i32)
                .execute(&mut *c)
                .await?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(id)
}

fn strategy_name(strategy: &Strategy) -> &'static str {
    match strategy {
        Strategy::RoundRobin => "round_robin",
        Strategy::WeightedRoundRobin => "weighted_round_robin",
        Strategy::LeastLoaded => "least_loaded",
    }
}

fn parse_strategy(name: &str) -> Strategy {
    match name {
        "weighted_round_robin" => Strategy::WeightedRoundRobin,
        "least_loaded" => Strategy::LeastLoaded,
        _ => Strategy::RoundRobin,
    }
}

#[derive(sqlx::FromRow)]
struct PoolRow {
    id: Uuid,
    name: String,
    strategy: String,
    overflow_user_id: Option<Uuid>,
    last_assigned_user_id: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    pool_id: Uuid,
    user_id: Uuid,
    weight: i32,
    assigned_count: i64,
}

/// Every pool with its members and round-robin state.
pub async fn list_pools(conn: Conn<'_>) -> Result<Vec<Pool>, StoreError> {
    let (pools, members) = on_conn!(conn, c => {
        let pools = sqlx::query_as::<_, PoolRow>(
            "SELECT id, name, strategy, overflow_user_id, last_assigned_user_id FROM pools ORDER BY name",
        )
        .fetch_all(&mut *c)
        .await?;
        let members = sqlx::query_as::<_, MemberRow>(
            "SELECT pool_id, user_id, weight, assigned_count FROM pool_members ORDER BY pool_id, position",
        )
        .fetch_all(&mut *c)
        .await?;
        Ok::<_, sqlx::Error>((pools, members))
    })?;
    Ok(pools
        .into_iter()
        .map(|p| {
            let id = p.id;
            pool_of(p, members.iter().filter(|m| m.pool_id == id))
        })
        .collect())
}

fn pool_of<'m>(p: PoolRow, members: impl Iterator<Item = &'m MemberRow>) -> Pool {
    Pool {
        members: members
            .map(|m| PoolMember {
                rep_id: m.user_id.to_string(),
                weight: m.weight.max(0) as u32,
                assigned_count: m.assigned_count.max(0) as u64,
            })
            .collect(),
        name: p.name,
        strategy: parse_strategy(&p.strategy),
        overflow_rep: p.overflow_user_id.map(|u| u.to_string()),
        last_assigned: p.last_assigned_user_id.map(|u| u.to_string()),
    }
}

#[derive(sqlx::FromRow)]
struct PoolMemberRow {
    #[sqlx(flatten)]
    pool: PoolRow,
    member_id: Option<Uuid>,
    weight: Option<i32>,
    assigned_count: Option<i64>,
}

/// One pool with its members and round-robin state, in one statement.
pub async fn find_pool(conn: Conn<'_>, name: &str) -> Result<Option<Pool>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, PoolMemberRow>(
        "SELECT p.id, p.name, p.strategy, p.overflow_user_id, p.last_assigned_user_id, \
         m.user_id AS member_id, m.weight, m.assigned_count \
         FROM pools p LEFT JOIN pool_members m ON m.pool_id = p.id WHERE p.name = $1 ORDER BY m.position"
    )
    .bind(name)
    .fetch_all(&mut *c)
    .await)?;
    let members: Vec<MemberRow> = rows
        .iter()
        .filter_map(|row| {
            Some(MemberRow {
                pool_id: row.pool.id,
                user_id: row.member_id?,
                weight: row.weight?,
                assigned_count: row.assigned_count?,
            })
        })
        .collect();
    Ok(rows.into_iter().next().map(|row| pool_of(row.pool, members.iter())))
}

/// Serialises changes of pools (renames, deletions) with each other and
/// with routing: on PostgreSQL every pool row is locked until the
/// transaction ends. SQLite's single writer does this already.
pub async fn lock_pools(conn: Conn<'_>) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = conn {
        sqlx::query("SELECT id FROM pools ORDER BY id FOR UPDATE").fetch_all(&mut *c).await?;
    }
    Ok(())
}

/// The reps a routing decision into `pool` can give a lead to: the pool's
/// members and `named` (the lead's holder and account owner), in id order.
///
/// On PostgreSQL their rep rows are locked until the transaction ends, so
/// two decisions never take the same turn of a pool or the last free place
/// of a rep, while decisions about other reps go on side by side. The pool
/// row is key-share locked: finishes do not wait on each other for it, but
/// a rename or deletion of the pool waits for them (and they for it).
/// SQLite's single writer serialises all of this already.
pub async fn lock_contenders(conn: Conn<'_>, pool: &str, named: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    let mut ids = match conn {
        Conn::Sqlite(c) => {
            sqlx::query_scalar::<_, Uuid>(
                "SELECT m.user_id FROM pool_members m JOIN pools p ON p.id = m.pool_id WHERE p.name = $1",
            )
            .bind(pool)
            .fetch_all(&mut *c)
            .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_scalar::<_, Uuid>(
                "WITH pool AS (SELECT id FROM pools WHERE name = $1 FOR KEY SHARE) \
                 SELECT r.user_id FROM reps r \
                 WHERE r.user_id IN (SELECT m.user_id FROM pool_members m WHERE m.pool_id IN (SELECT id FROM pool)) \
                    OR r.user_id = ANY($2) \
                 ORDER BY r.user_id FOR UPDATE OF r",
            )
            .bind(pool)
            .bind(named)
            .fetch_all(&mut *c)
            .await?
        }
    };
    // Holders and owners without a rep profile have no row to lock but
    // still count.
    ids.extend_from_slice(named);
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Moves the pool's cursor to the rep who got the lead and counts the lead
/// for them (one statement on PostgreSQL, where this runs under the
/// routing locks).
pub async fn record_pool_turn(conn: Conn<'_>, pool: &str, user_id: Uuid) -> Result<(), StoreError> {
    const COUNT: &str = "UPDATE pool_members SET assigned_count = assigned_count + 1 WHERE user_id = $2 AND pool_id = ";
    match conn {
        Conn::Sqlite(c) => {
            sqlx::query("UPDATE pools SET last_assigned_user_id = $2 WHERE name = $1")
                .bind(pool)
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            let sql = format!("{COUNT}(SELECT id FROM pools WHERE name = $1)");
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(pool).bind(user_id).execute(&mut *c).await?;
        }
        Conn::Postgres(c) => {
            let sql = format!(
                "WITH turned AS (UPDATE pools SET last_assigned_user_id = $2 WHERE name = $1 RETURNING id) \
                 {COUNT}(SELECT id FROM turned)"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(pool).bind(user_id).execute(&mut *c).await?;
        }
    }
    Ok(())
}

pub async fn insert_rule(conn: Conn<'_>, position: i32, rule: &RoutingRule) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("INSERT INTO routing_rules (id, position, rule) VALUES ($1, $2, $3)")
        .bind(Uuid::now_v7())
        .bind(position)
        .bind(Json(rule))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn list_rules(conn: Conn<'_>) -> Result<Vec<RoutingRule>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_scalar::<_, Json<RoutingRule>>(
        "SELECT rule FROM routing_rules ORDER BY position"
    )
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(sqlx::FromRow)]
struct LoadRow {
    user_id: Uuid,
    open: i64,
}

/// Open leads (assigned or accepted) per rep.
pub async fn list_loads(conn: Conn<'_>) -> Result<Vec<RepLoad>, StoreError> {
    let rows = on_conn!(conn, c => sqlx::query_as::<_, LoadRow>(
        "SELECT assigned_user_id AS user_id, COUNT(*) AS open FROM leads \
         WHERE assigned_user_id IS NOT NULL AND status IN ('assigned', 'accepted') GROUP BY assigned_user_id"
    )
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.into_iter().map(|r| RepLoad { rep_id: r.user_id.to_string(), open_leads: r.open.max(0) as u32 }).collect())
}

/// Open leads (assigned or accepted) of the reps in `ids`; reps with none
/// are left out.
pub async fn list_loads_of(conn: Conn<'_>, ids: &[Uuid]) -> Result<Vec<RepLoad>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT assigned_user_id AS user_id, COUNT(*) AS open FROM leads \
         WHERE assigned_user_id IN ({placeholders}) AND status IN ('assigned', 'accepted') GROUP BY assigned_user_id"
    );
    let rows = on_conn!(conn, c => {
        let mut query = sqlx::query_as::<_, LoadRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(&mut *c).await
    })?;
    Ok(rows.into_iter().map(|r| RepLoad { rep_id: r.user_id.to_string(), open_leads: r.open.max(0) as u32 }).collect())
}

pub async fn find_account_owner(conn: Conn<'_>, account_id: Uuid) -> Result<Option<Uuid>, StoreError> {
    let owner = on_conn!(conn, c => sqlx::query_scalar::<_, Option<Uuid>>(
        "SELECT owner_user_id FROM accounts WHERE id = $1"
    )
    .bind(account_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(owner.flatten())
}

/// The first rep to accept a lead of an account becomes its owner.
pub async fn claim_account_owner(conn: Conn<'_>, account_id: Uuid, user_id: Uuid) -> Result<(), StoreError> {
    on_conn!(conn, c => sqlx::query("UPDATE accounts SET owner_user_id = $2 WHERE id = $1 AND owner_user_id IS NULL")
        .bind(account_id)
        .bind(user_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
