//! View models of the routing pages.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};

use super::Errors;
use crate::app::auth::CurrentUser;
use crate::app::routing_admin::pools::{PoolForm, STRATEGIES};
use crate::app::routing_admin::rep_form::{RepForm, WEEKDAYS};
use crate::app::routing_admin::{Person, RoutingOverview};
use crate::engine::{is_working, out_of_office_until};
use crate::web::admin::forms::{BuilderErrors, BuilderView, Catalog, condition_text};

pub struct RepRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub time_zone: String,
    pub now: String,
    pub capacity: String,
    pub open_leads: u32,
    pub has_profile: bool,
}

pub struct PoolRow {
    pub id: String,
    pub name: String,
    pub strategy: String,
    pub members: String,
    pub overflow: String,
}

pub struct RuleRow {
    pub id: String,
    pub name: String,
    pub handoff: String,
    pub condition: String,
    pub pool: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/routing/overview.html")]
pub struct RoutingPage {
    pub user: CurrentUser,
    pub reps: Vec<RepRow>,
    pub pools: Vec<PoolRow>,
    pub rules: Vec<RuleRow>,
    pub people: Vec<Person>,
    pub strategies: Vec<(&'static str, &'static str)>,
    pub new_pool: PoolForm,
    pub errors: Errors,
}

pub fn strategy_words(name: &str) -> String {
    STRATEGIES.iter().find(|(key, _)| *key == name).map_or(name.to_owned(), |(_, words)| words.to_string())
}

pub fn overview_page(
    user: CurrentUser,
    overview: RoutingOverview,
    new_pool: PoolForm,
    errors: Errors,
    now: DateTime<Utc>,
) -> RoutingPage {
    let reps = overview
        .reps
        .iter()
        .map(|r| RepRow {
            id: r.person.id.to_string(),
            name: r.person.name.clone(),
            email: r.person.email.clone(),
            active: r.rep.active && r.person.active,
            time_zone: r.rep.time_zone.clone(),
            now: match out_of_office_until(&r.rep, now) {
                Some(until) => format!("Away until {until}"),
                None if is_working(&r.rep, now) => "Working now".into(),
                None => "Outside working hours".into(),
            },
            capacity: r.rep.capacity.map_or("no limit".into(), |c| c.to_string()),
            open_leads: r.open_leads,
            has_profile: r.has_profile,
        })
        .collect();
    let pools = overview
        .pools
        .iter()
        .map(|p| PoolRow {
            id: p.id.to_string(),
            name: p.pool.name.clone(),
            strategy: strategy_words(&PoolForm::from_pool(&p.pool).strategy),
            members: p.members.iter().map(|(name, weight)| format!("{name} ({weight})")).collect::<Vec<_>>().join(", "),
            overflow: p.overflow.clone().unwrap_or_else(|| "nobody".into()),
        })
        .collect();
    let count = overview.rules.len();
    let catalog = Catalog::for_routing(&overview.forms.iter().collect::<Vec<_>>());
    let rules = overview
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| RuleRow {
            id: r.id.to_string(),
            name: r.rule.name.clone(),
            handoff: r.rule.handoff.clone().unwrap_or_else(|| "any".into()),
            condition: match &r.rule.when {
                Some(when) => condition_text(Some(when), &catalog),
                None => "every lead".to_owned(),
            },
            pool: r.rule.pool.clone(),
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    let people = overview.reps.iter().map(|r| r.person.clone()).collect();
    RoutingPage { user, reps, pools, rules, people, strategies: STRATEGIES.to_vec(), new_pool, errors }
}

pub struct TextField {
    pub field: &'static str,
    pub label: &'static str,
    pub value: String,
}

pub struct DayRow {
    pub index: usize,
    pub name: &'static str,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/routing/rep.html")]
pub struct RepPage {
    pub user: CurrentUser,
    pub person: Person,
    pub open_leads: u32,
    pub form: RepForm,
    pub days: Vec<DayRow>,
    pub absences: Vec<(String, String)>,
    pub texts: Vec<TextField>,
    pub zones: Vec<&'static str>,
    pub errors: Errors,
    pub saved: bool,
}

impl RepPage {
    pub fn new(user: CurrentUser, person: Person, open_leads: u32, form: RepForm, errors: Errors) -> Self {
        let days = WEEKDAYS
            .iter()
            .enumerate()
            .map(|(index, name)| DayRow { index, name, value: form.hours[index].clone() })
            .collect();
        let mut absences: Vec<(String, String)> =
            form.out_of_office.iter().filter(|(a, b)| !a.trim().is_empty() || !b.trim().is_empty()).cloned().collect();
        absences.push((String::new(), String::new()));
        let zones = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        let texts = vec![
            TextField {
                field: "territories",
                label: "Territories (separated by commas)",
                value: form.territories.clone(),
            },
            TextField { field: "segments", label: "Segments (separated by commas)", value: form.segments.clone() },
            TextField { field: "languages", label: "Languages (separated by commas)", value: form.languages.clone() },
            TextField { field: "seniority", label: "Seniority", value: form.seniority.clone() },
        ];
        RepPage { user, person, open_leads, form, days, absences, texts, zones, errors, saved: false }
    }
}

pub struct MemberRow {
    pub index: usize,
    pub rep_id: String,
    pub name: String,
    pub weight: String,
    pub received: u64,
    pub first: bool,
    pub last: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/routing/pool.html")]
pub struct PoolPage {
    pub user: CurrentUser,
    pub id: String,
    pub form: PoolForm,
    pub members: Vec<MemberRow>,
    pub people: Vec<Person>,
    pub strategies: Vec<(&'static str, &'static str)>,
    pub errors: Errors,
    pub conflict: Option<String>,
    pub saved: bool,
}

impl PoolPage {
    pub fn new(user: CurrentUser, id: String, form: PoolForm, people: Vec<Person>, counts: &[(String, u64)]) -> Self {
        let count = form.members.len();
        let members = form
            .members
            .iter()
            .enumerate()
            .map(|(index, (rep_id, weight))| MemberRow {
                index,
                rep_id: rep_id.clone(),
                name: people.iter().find(|p| p.id.to_string() == *rep_id).map_or(rep_id.clone(), |p| p.name.clone()),
                weight: weight.clone(),
                received: counts.iter().find(|(id, _)| id == rep_id).map_or(0, |(_, n)| *n),
                first: index == 0,
                last: index + 1 == count,
            })
            .collect();
        PoolPage {
            user,
            id,
            form,
            members,
            people,
            strategies: STRATEGIES.to_vec(),
            errors: Errors::default(),
            conflict: None,
            saved: false,
        }
    }
}

/// A rule's page; `as_editor()` renders only its form, for htmx swaps.
#[derive(Template, WebTemplate)]
#[template(path = "admin/routing/rule.html", blocks = ["editor"])]
pub struct RulePage {
    pub user: CurrentUser,
    /// The rule's id; `None` for a new rule.
    pub id: Option<String>,
    /// Where the page posts (save and the builder's buttons).
    pub action: String,
    pub name: String,
    pub handoff: String,
    pub pool: String,
    pub builder: BuilderView,
    pub pools: Vec<String>,
    pub handoffs: Vec<String>,
    /// Messages by field (`name`, `pool`, a builder row's prefix).
    pub errors: BuilderErrors,
}

impl RulePage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}
