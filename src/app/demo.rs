//! The demo: on first start with an empty database, a realistic
//! "Talk to sales" form, an admin, a manager, a marketer and four reps in
//! three pools are loaded so there is something to try at once.

use chrono::Utc;

use super::AppError;
use super::auth::{self, Role};
use super::forms::create_published_form;
use crate::engine::{self, Condition, ListRef, Pool, PoolMember, Rep, RoutingRule, Strategy};
use crate::store::{self, Db};

/// The demo form definition, kept as a file a marketer could have written.
pub const DEMO_FORM_YAML: &str = include_str!("../demo/talk_to_sales.yaml");

/// Every demo account shares this password (it is a demo: change it, or
/// run with `LEADGATE_DEMO=false` in production).
pub const DEMO_PASSWORD: &str = "leadgate-demo";

/// What the demo loaded.
pub struct Demo {
    pub slug: String,
    /// (role, email) of every demo account.
    pub logins: Vec<(&'static str, &'static str)>,
}

const PEOPLE: [(&str, &str, Role); 7] = [
    ("admin@demo.leadgate.test", "Alex Admin", Role::Admin),
    ("manager@demo.leadgate.test", "Morgan Manager", Role::Manager),
    ("marketer@demo.leadgate.test", "Mia Marketer", Role::Marketer),
    ("ana@demo.leadgate.test", "Ana Alvarez", Role::Rep),
    ("ben@demo.leadgate.test", "Ben Brooks", Role::Rep),
    ("chloe@demo.leadgate.test", "Chloé Chevalier", Role::Rep),
    ("dev@demo.leadgate.test", "Dev Desai", Role::Rep),
];

/// Loads the demo when the database has no forms yet; reports what is there.
pub async fn seed_if_empty(db: &Db) -> Result<Option<Demo>, AppError> {
    let definition = engine::parse_definition_yaml(DEMO_FORM_YAML)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the demo form does not parse: {e}")))?;
    let (forms, users) = {
        let mut conn = db.read().await?;
        (store::forms::list_forms(conn.conn()).await?, store::users::list_users(conn.conn()).await?)
    };
    let demo =
        Demo { slug: definition.slug.clone(), logins: PEOPLE.iter().map(|(e, _, r)| (r.as_str(), *e)).collect() };
    if forms.iter().any(|form| form.slug == definition.slug) {
        let has_people = users.iter().any(|u| u.email == PEOPLE[0].0);
        return Ok(Some(Demo { logins: if has_people { demo.logins } else { Vec::new() }, ..demo }));
    }
    if !forms.is_empty() {
        return Ok(None);
    }
    match create_published_form(db, &definition, Utc::now()).await {
        // Another instance seeded it at the same moment: fine.
        Ok(_) | Err(AppError::Conflict(_)) => {}
        Err(other) => return Err(other),
    }
    if users.is_empty() {
        seed_people(db).await?;
    }
    Ok(Some(demo))
}

/// A rep in `zone` working the default Monday-Friday 09:00-17:00.
fn demo_rep(zone: &str) -> Rep {
    Rep {
        id: String::new(),
        name: String::new(),
        active: true,
        territories: Vec::new(),
        segments: Vec::new(),
        seniority: None,
        languages: vec!["en".into()],
        time_zone: zone.to_string(),
        working_hours: Default::default(),
        capacity: Some(25),
        out_of_office: Vec::new(),
    }
}

async fn seed_people(db: &Db) -> Result<(), AppError> {
    let mut ids = Vec::new();
    for (email, name, role) in PEOPLE {
        match auth::add_user(db, email, name, role, DEMO_PASSWORD).await {
            Ok(id) => ids.push(id),
            Err(AppError::Conflict(_)) => return Ok(()), // another instance is seeding
            Err(other) => return Err(other),
        }
    }
    let zones = ["Europe/Madrid", "America/New_York", "Europe/Paris", "Asia/Kolkata"];
    let mut tx = db.begin().await?;
    for (id, zone) in ids[3..].iter().zip(zones) {
        let rep = demo_rep(zone);
        store::routing::upsert_rep(tx.conn(), *id, &rep).await?;
    }
    let member = |i: usize| PoolMember { rep_id: ids[i].to_string(), weight: 1, assigned_count: 0 };
    let manager = Some(ids[1].to_string());
    let pools = [
        ("senior-ae", Strategy::RoundRobin, vec![member(3), member(4)]),
        ("senior-ae-emea", Strategy::RoundRobin, vec![member(3)]),
        ("sdr", Strategy::LeastLoaded, vec![member(5), member(6)]),
    ];
    for (name, strategy, members) in pools {
        let pool = Pool { name: name.into(), strategy, members, overflow_rep: manager.clone(), last_assigned: None };
        store::routing::insert_pool(tx.conn(), &pool).await?;
    }
    let emea = RoutingRule {
        name: "European enterprise buyers go to the EMEA team".into(),
        handoff: Some("senior-ae".into()),
        when: Some(Condition::CountryIn(ListRef::Named("eu_countries".into()))),
        pool: "senior-ae-emea".into(),
    };
    store::routing::insert_rule(tx.conn(), 0, &emea).await?;
    tx.commit().await?;
    Ok(())
}
