//! Routing administration for managers and admins: rep profiles, pools and
//! their members, and the ordered routing rules. Every change is its own
//! transaction and takes effect for the next routed lead; nothing is
//! written on leads already routed.

pub mod pool_form;
pub mod pools;
pub mod rep_form;
pub mod reps;
pub mod rules;

use uuid::Uuid;

use super::{AppError, Context};
use crate::engine::{FormDefinition, Pool, Rep, RoutingRule};
use crate::store::{self, Conn};

/// A person who can be in a pool or be its overflow.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
}

/// A rep as listed.
#[derive(Debug, Clone)]
pub struct RepSummary {
    pub person: Person,
    pub rep: Rep,
    /// False when no profile was saved yet (defaults apply).
    pub has_profile: bool,
    pub open_leads: u32,
}

/// A pool as listed, with its members' names.
#[derive(Debug, Clone)]
pub struct PoolSummary {
    pub id: Uuid,
    pub pool: Pool,
    pub members: Vec<(String, u32)>,
    pub overflow: Option<String>,
}

/// A rule as listed.
#[derive(Debug, Clone)]
pub struct RuleSummary {
    pub id: Uuid,
    pub rule: RoutingRule,
}

/// Everything on the routing page.
pub struct RoutingOverview {
    pub reps: Vec<RepSummary>,
    pub pools: Vec<PoolSummary>,
    pub rules: Vec<RuleSummary>,
    /// Every form's published version and draft: what rules' conditions read.
    pub forms: Vec<FormDefinition>,
}

/// Users who may hold leads (reps) or take overflow (managers, admins).
pub(crate) async fn people(conn: Conn<'_>) -> Result<Vec<Person>, AppError> {
    let users = store::users::list_users(conn).await?;
    Ok(users
        .into_iter()
        .filter(|u| matches!(u.role.as_str(), "rep" | "manager" | "admin"))
        .map(|u| Person { id: u.id, name: u.name, email: u.email, role: u.role, active: u.active })
        .collect())
}

/// A new rep's profile before anything is saved: what routing assumes.
pub fn default_profile() -> Rep {
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

/// The routing page: reps, pools and rules as they are now.
pub async fn overview(ctx: &Context) -> Result<RoutingOverview, AppError> {
    let mut conn = ctx.db.read().await?;
    let people = people(conn.conn()).await?;
    let loads = store::routing::list_loads(conn.conn()).await?;
    let mut reps = Vec::new();
    for person in people.iter().cloned() {
        let profile = store::routing_admin::find_rep_profile(conn.conn(), person.id).await?;
        if profile.is_none() && person.role != "rep" {
            continue;
        }
        let open_leads = loads.iter().find(|l| l.rep_id == person.id.to_string()).map_or(0, |l| l.open_leads);
        let has_profile = profile.is_some();
        reps.push(RepSummary { rep: profile.unwrap_or_else(default_profile), person, has_profile, open_leads });
    }
    let name_of = |id: &str| people.iter().find(|p| p.id.to_string() == id).map_or(id.to_owned(), |p| p.name.clone());
    let ids = store::routing_admin::list_pool_ids(conn.conn()).await?;
    let pools = store::routing::list_pools(conn.conn())
        .await?
        .into_iter()
        .filter_map(|pool| {
            let id = ids.iter().find(|(_, name)| *name == pool.name)?.0;
            let members = pool.members.iter().map(|m| (name_of(&m.rep_id), m.weight)).collect();
            let overflow = pool.overflow_rep.as_deref().map(name_of);
            Some(PoolSummary { id, pool, members, overflow })
        })
        .collect();
    let rules = store::routing_admin::list_rule_rows(conn.conn())
        .await?
        .into_iter()
        .map(|row| RuleSummary { id: row.id, rule: row.rule.0 })
        .collect();
    let forms =
        store::routing_admin::list_definitions_in_use(conn.conn()).await?.into_iter().map(|f| f.definition.0).collect();
    Ok(RoutingOverview { reps, pools, rules, forms })
}
