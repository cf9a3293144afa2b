//! Choosing the rep who gets a finished lead. Pure: the store loads reps,
//! pools, rules and loads, [`route`] decides, and the store saves the
//! [`Decision`] with its reason in the same transaction.
//!
//! The order: the rep who already holds the lead (a re-submission), then
//! the owner of the lead's company account, then the pool chosen by the
//! first matching [`RoutingRule`] (or the outcome's handoff pool), where
//! the pool's [`Strategy`] picks among eligible members, preferring those
//! in working hours. When nobody in the pool can take it, the pool's
//! overflow rep does; otherwise the lead stays unassigned. Reasons are
//! plain sentences for managers and name reps, never ids.
//!
//! Choosing within a pool lives in `routing_pool`; hours and absences in
//! `working_hours`.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::condition_def::Condition;
use super::routing_pool::choose_in_pool;
use super::working_hours::{DateRange, WeeklyHours, out_of_office_until, parse_time_zone};

/// A sales rep as routing sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rep {
    /// The rep's id (the store's user id).
    #[serde(default)]
    pub id: String,
    /// Name shown in reasons.
    #[serde(default)]
    pub name: String,
    /// Inactive reps never get leads.
    #[serde(default = "default_active")]
    pub active: bool,
    /// Territories covered, e.g. "EMEA" (for rules and reporting).
    #[serde(default)]
    pub territories: Vec<String>,
    /// Segments covered, e.g. "enterprise".
    #[serde(default)]
    pub segments: Vec<String>,
    /// Seniority, e.g. "senior".
    #[serde(default)]
    pub seniority: Option<String>,
    /// Languages spoken, e.g. "de".
    #[serde(default)]
    pub languages: Vec<String>,
    /// IANA zone name, e.g. "Europe/Berlin"; an unknown name counts as UTC
    /// (see [`Rep::validate`]).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Working hours on the rep's own clock.
    #[serde(default)]
    pub working_hours: WeeklyHours,
    /// Most open leads at once; `None` is unlimited.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Days away, as local dates in the rep's zone.
    #[serde(default)]
    pub out_of_office: Vec<DateRange>,
}

fn default_active() -> bool {
    true
}

fn default_time_zone() -> String {
    "UTC".to_owned()
}

impl Rep {
    /// Checks what routing would otherwise quietly work around: an unknown
    /// time zone, working hours that end before they start, and absences
    /// that end before they start.
    pub fn validate(&self) -> Result<(), RoutingError> {
        parse_time_zone(&self.time_zone)?;
        self.working_hours.validate()?;
        self.out_of_office.iter().try_for_each(DateRange::validate)
    }
}

/// Why a rep's routing settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RoutingError {
    /// The time zone name is not in the IANA database.
    #[error("\"{0}\" is not a known time zone; use a name like Europe/Berlin or America/New_York")]
    UnknownTimeZone(String),
    /// A working-hours range holds no time.
    #[error(
        "{day}: working hours {}-{} end before they start; split night shifts into two days",
        .start.format("%H:%M"),
        .end.format("%H:%M")
    )]
    EmptyWorkingHours {
        /// The day of the week.
        day: Weekday,
        /// The range's start.
        start: NaiveTime,
        /// The range's end.
        end: NaiveTime,
    },
    /// An out-of-office range ends before it starts.
    #[error("out of office from {start} to {end}: the last day is before the first")]
    BackwardsDateRange {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
}

/// A rep's open leads (assigned or accepted, not yet closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepLoad {
    /// The rep's id.
    pub rep_id: String,
    /// Open leads now.
    pub open_leads: u32,
}

/// How a pool picks among its eligible members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Each member in turn, in member order.
    RoundRobin,
    /// The member furthest below their share: smallest leads received
    /// divided by weight.
    WeightedRoundRobin,
    /// The member with the fewest open leads.
    LeastLoaded,
}

/// A rep's place in a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMember {
    /// The rep's id.
    pub rep_id: String,
    /// Share for weighted round robin; 0 means last in line.
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// Leads this member got from this pool so far (kept by the store).
    #[serde(default)]
    pub assigned_count: u64,
}

fn default_weight() -> u32 {
    1
}

/// A named group of reps sharing leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    /// Unique name, used by outcomes' `route` handoffs and by rules.
    pub name: String,
    /// How members are picked.
    pub strategy: Strategy,
    /// Members, in order.
    #[serde(default)]
    pub members: Vec<PoolMember>,
    /// Who gets the lead when no member can (even at capacity).
    #[serde(default)]
    pub overflow_rep: Option<String>,
    /// The round-robin cursor: the member who got the previous lead.
    #[serde(default)]
    pub last_assigned: Option<String>,
}

/// Sends leads of some outcomes, or matching a condition, to a pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// Name shown in reasons.
    pub name: String,
    /// Applies only when the outcome routes to this pool; `None` = any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<String>,
    /// Applies only when the lead matches; `None` = always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// The pool that gets the lead.
    pub pool: String,
}

/// Everything [`route`] needs, loaded by the store.
#[derive(Clone, Copy)]
pub struct RoutingInput<'a> {
    /// The pool named by the outcome's `Handoff::Route`.
    pub handoff_pool: &'a str,
    /// Ordered; the first that matches picks the pool. With none, the
    /// handoff pool is used.
    pub rules: &'a [RoutingRule],
    /// Every pool.
    pub pools: &'a [Pool],
    /// Every rep.
    pub reps: &'a [Rep],
    /// Open leads per rep; a rep missing here has none.
    pub loads: &'a [RepLoad],
    /// On a re-submission, the rep who already has this lead.
    pub current_holder: Option<&'a str>,
    /// The rep who owns the lead's company account.
    pub account_owner: Option<&'a str>,
    /// Reps who already had this lead and did not accept it in time.
    pub exclude: &'a [String],
    /// The moment of routing.
    pub now: DateTime<Utc>,
    /// Whether a rule's condition holds for this lead (see
    /// `CompiledForm::check`).
    pub matches: &'a dyn Fn(&Condition) -> bool,
}

/// How the rep was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// A re-submission stays with the rep who has it.
    CurrentHolder,
    /// The owner of the lead's company account.
    AccountOwner,
    /// Picked from a pool by its strategy.
    Strategy,
    /// The pool's overflow rep, because no member could take it.
    Overflow,
}

/// What routing decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The lead goes to this rep.
    Assign {
        /// The chosen rep's id.
        rep_id: String,
        /// The pool it came from (with `Strategy` and `Overflow`).
        pool: Option<String>,
        /// How the rep was chosen.
        kind: DecisionKind,
        /// Why, for managers.
        reason: String,
    },
    /// Nobody can take the lead now.
    Unassigned {
        /// Why, for managers.
        reason: String,
    },
}

impl Decision {
    /// The chosen rep's id, if any.
    pub fn rep_id(&self) -> Option<&str> {
        match self {
            Self::Assign { rep_id, .. } => Some(rep_id),
            Self::Unassigned { .. } => None,
        }
    }

    /// Why, for managers.
    pub fn reason(&self) -> &str {
        match self {
            Self::Assign { reason, .. } | Self::Unassigned { reason } => reason,
        }
    }

    /// The pool and rep whose turn this was, when a pool's strategy chose:
    /// the store moves that pool's cursor and counts the lead for the rep.
    /// Overflow assignments take nobody's turn.
    pub fn pool_turn(&self) -> Option<(&str, &str)> {
        match self {
            Self::Assign { rep_id, pool: Some(pool), kind: DecisionKind::Strategy, .. } => Some((pool, rep_id)),
            _ => None,
        }
    }
}

/// Whether a rep can take a lead now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// Can take it.
    Eligible,
    /// Switched off.
    Inactive,
    /// Away today (in their zone).
    OutOfOffice {
        /// The last day away.
        until: NaiveDate,
    },
    /// Has as many open leads as allowed.
    AtCapacity {
        /// Open leads now.
        open_leads: u32,
        /// The most allowed.
        capacity: u32,
    },
}

impl Eligibility {
    /// True for [`Eligibility::Eligible`].
    pub fn is_eligible(&self) -> bool {
        matches!(self, Self::Eligible)
    }
}

impl fmt::Display for Eligibility {
    /// Reads after the rep's name: "Ana is out of office until 2026-04-03".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Eligible => write!(f, "is available"),
            Self::Inactive => write!(f, "is inactive"),
            Self::OutOfOffice { until } => write!(f, "is out of office until {until}"),
            Self::AtCapacity { open_leads, capacity } => {
                write!(f, "is at capacity ({open_leads} of {capacity} open leads)")
            }
        }
    }
}

/// Whether `rep`, with `load` open leads, can take a lead at `now`:
/// active, not out of office on today's date in their zone, below capacity.
/// Working hours do not matter here.
pub fn is_eligible(rep: &Rep, load: u32, now: DateTime<Utc>) -> Eligibility {
    if !rep.active {
        return Eligibility::Inactive;
    }
    if let Some(until) = out_of_office_until(rep, now) {
        return Eligibility::OutOfOffice { until };
    }
    match rep.capacity {
        Some(capacity) if load >= capacity => Eligibility::AtCapacity { open_leads: load, capacity },
        _ => Eligibility::Eligible,
    }
}

/// The reason recorded when a lead moves on because nobody accepted it.
pub fn fallback_reason(minutes: u32) -> String {
    format!("fallback: not accepted within {minutes} min")
}

/// Decides who gets the lead; see the module docs for the order.
pub fn route(input: &RoutingInput) -> Decision {
    let people = People::new(input);
    if let Some(decision) = keep_with_current_holder(input, &people) {
        return decision;
    }
    if let Some(decision) = give_to_account_owner(input, &people) {
        return decision;
    }
    let (pool_name, rule) = chosen_pool(input);
    let rule_note = rule.map(|rule| format!(" (rule: {})", rule.name)).unwrap_or_default();
    let decision = match input.pools.iter().find(|pool| pool.name == pool_name) {
        Some(pool) => choose_in_pool(pool, &people),
        None => Decision::Unassigned { reason: format!("pool {pool_name} does not exist") },
    };
    with_suffix(decision, &rule_note)
}

/// A re-submission stays with its rep. Keeping a lead adds nothing to the
/// rep's load, so this lead is left out of the capacity check.
fn keep_with_current_holder(input: &RoutingInput, people: &People) -> Option<Decision> {
    let rep = people.rep(input.current_holder?)?;
    let load = people.load(&rep.id).saturating_sub(1);
    let available = !people.is_excluded(&rep.id) && is_eligible(rep, load, input.now).is_eligible();
    available.then(|| Decision::Assign {
        rep_id: rep.id.clone(),
        pool: None,
        kind: DecisionKind::CurrentHolder,
        reason: format!("re-submission: stays with {}", rep.name),
    })
}

fn give_to_account_owner(input: &RoutingInput, people: &People) -> Option<Decision> {
    let rep = people.rep(input.account_owner?)?;
    people.is_available(rep).then(|| Decision::Assign {
        rep_id: rep.id.clone(),
        pool: None,
        kind: DecisionKind::AccountOwner,
        reason: format!("account owner: {}", rep.name),
    })
}

/// The pool of the first matching rule, else the handoff pool.
fn chosen_pool<'a>(input: &RoutingInput<'a>) -> (&'a str, Option<&'a RoutingRule>) {
    pool_for_handoff(input.handoff_pool, input.rules, input.matches)
}

/// The pool a lead handed to `handoff_pool` goes to: that of the first
/// rule that applies (with the rule), else the handoff pool itself.
pub fn pool_for_handoff<'a>(
    handoff_pool: &'a str,
    rules: &'a [RoutingRule],
    matches: &dyn Fn(&Condition) -> bool,
) -> (&'a str, Option<&'a RoutingRule>) {
    rules
        .iter()
        .find(|rule| rule_applies(rule, handoff_pool, matches))
        .map_or((handoff_pool, None), |rule| (rule.pool.as_str(), Some(rule)))
}

fn rule_applies(rule: &RoutingRule, handoff_pool: &str, matches: &dyn Fn(&Condition) -> bool) -> bool {
    let handoff_fits = rule.handoff.as_deref().is_none_or(|handoff| handoff.trim() == handoff_pool.trim());
    handoff_fits && rule.when.as_ref().is_none_or(matches)
}

fn with_suffix(decision: Decision, suffix: &str) -> Decision {
    match decision {
        Decision::Assign { rep_id, pool, kind, reason } => {
            Decision::Assign { rep_id, pool, kind, reason: reason + suffix }
        }
        Decision::Unassigned { reason } => Decision::Unassigned { reason: reason + suffix },
    }
}

/// Reps, loads and exclusions, looked up by id.
pub(crate) struct People<'a> {
    reps: &'a [Rep],
    loads: &'a [RepLoad],
    exclude: &'a [String],
    /// The moment of routing.
    pub now: DateTime<Utc>,
}

impl<'a> People<'a> {
    fn new(input: &RoutingInput<'a>) -> Self {
        Self { reps: input.reps, loads: input.loads, exclude: input.exclude, now: input.now }
    }

    /// The rep with this id.
    pub(crate) fn rep(&self, id: &str) -> Option<&'a Rep> {
        self.reps.iter().find(|rep| rep.id == id)
    }

    /// Open leads of the rep with this id (0 when unknown).
    pub(crate) fn load(&self, id: &str) -> u32 {
        self.loads.iter().find(|load| load.rep_id == id).map_or(0, |load| load.open_leads)
    }

    /// True when the rep already had this lead.
    pub(crate) fn is_excluded(&self, id: &str) -> bool {
        self.exclude.iter().any(|excluded| excluded == id)
    }

    /// The rep's eligibility with their current load.
    pub(crate) fn eligibility(&self, rep: &Rep) -> Eligibility {
        is_eligible(rep, self.load(&rep.id), self.now)
    }

    /// Eligible and not excluded.
    pub(crate) fn is_available(&self, rep: &Rep) -> bool {
        !self.is_excluded(&rep.id) && self.eligibility(rep).is_eligible()
    }
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "routing_proptests.rs"]
mod proptests;
