//! Property test: whatever the reps, pools, rules, loads and exclusions,
//! routing never picks an excluded or inactive rep, and a strategy choice
//! is always a member of the chosen pool who is below capacity and not
//! out of office.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use proptest::collection::vec;
use proptest::prelude::*;

use super::{
    Decision, DecisionKind, Pool, PoolMember, Rep, RepLoad, RoutingInput, RoutingRule, Strategy as PoolStrategy,
    is_eligible, route,
};
use crate::engine::Condition;
use crate::engine::working_hours::{DateRange, TimeRange, WeeklyHours};

const ZONES: [&str; 5] = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Not/AZone"];
/// Rep ids; the last is never a rep, so pools can name an unknown one.
const IDS: [&str; 6] = ["r0", "r1", "r2", "r3", "r4", "ghost"];
const POOLS: [&str; 3] = ["p0", "p1", "missing"];

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().unwrap()
}

fn rep_id() -> impl Strategy<Value = String> {
    prop::sample::select(IDS.to_vec()).prop_map(str::to_owned)
}

fn pool_name() -> impl Strategy<Value = String> {
    prop::sample::select(POOLS.to_vec()).prop_map(str::to_owned)
}

fn hours() -> impl Strategy<Value = WeeklyHours> {
    let range = (0u32..24, 1u32..12).prop_map(|(start, length)| {
        let time = |hour: u32| chrono::NaiveTime::from_hms_opt(hour % 24, 0, 0).unwrap();
        let end = if start + length >= 24 { 0 } else { start + length };
        TimeRange::new(time(start), time(end))
    });
    prop_oneof![
        Just(WeeklyHours::default()),
        vec(vec(range, 0..2), 7).prop_map(|days| WeeklyHours { days: days.try_into().expect("seven days") }),
    ]
}

fn absence() -> impl Strategy<Value = DateRange> {
    (0u64..40, 0u64..5).prop_map(|(from, length)| {
        let first = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(from);
        DateRange::new(first, first + chrono::Days::new(length))
    })
}

fn rep(index: usize) -> impl Strategy<Value = Rep> {
    (
        prop::bool::weighted(0.8),
        prop::sample::select(ZONES.to_vec()),
        hours(),
        prop::option::of(0u32..4),
        vec(absence(), 0..2),
    )
        .prop_map(move |(active, zone, working_hours, capacity, out_of_office)| Rep {
            id: IDS[index].to_owned(),
            name: format!("Rep {index}"),
            active,
            territories: vec![],
            segments: vec![],
            seniority: None,
            languages: vec![],
            time_zone: zone.to_owned(),
            working_hours,
            capacity,
            out_of_office,
        })
}

fn pool(name: &'static str) -> impl Strategy<Value = Pool> {
    let member = (rep_id(), 0u32..4, 0u64..10).prop_map(|(rep_id, weight, assigned_count)| PoolMember {
        rep_id,
        weight,
        assigned_count,
    });
    let strategy = prop_oneof![
        Just(PoolStrategy::RoundRobin),
        Just(PoolStrategy::WeightedRoundRobin),
        Just(PoolStrategy::LeastLoaded),
    ];
    (strategy, vec(member, 0..6), prop::option::of(rep_id()), prop::option::of(rep_id())).prop_map(
        move |(strategy, members, overflow_rep, last_assigned)| Pool {
            name: name.to_owned(),
            strategy,
            members,
            overflow_rep,
            last_assigned,
        },
    )
}

fn rule() -> impl Strategy<Value = RoutingRule> {
    (prop::option::of(pool_name()), prop::bool::ANY, pool_name()).prop_map(|(handoff, holds, pool)| RoutingRule {
        name: format!("to {pool}"),
        handoff,
        when: Some(if holds { Condition::Always } else { Condition::Not(Box::new(Condition::Always)) }),
        pool,
    })
}

/// Everything route() reads, owned.
#[derive(Debug)]
struct World {
    handoff_pool: String,
    rules: Vec<RoutingRule>,
    pools: Vec<Pool>,
    reps: Vec<Rep>,
    loads: Vec<RepLoad>,
    current_holder: Option<String>,
    account_owner: Option<String>,
    exclude: Vec<String>,
    now: DateTime<Utc>,
}

fn world() -> impl Strategy<Value = World> {
    (
        pool_name(),
        vec(rule(), 0..3),
        (pool("p0"), pool("p1")),
        (rep(0), rep(1), rep(2), rep(3), rep(4)),
        vec(0u32..5, 5),
        (prop::option::of(rep_id()), prop::option::of(rep_id())),
        vec(rep_id(), 0..4),
        0i64..(45 * 24 * 60),
    )
        .prop_map(|(handoff_pool, rules, pools, reps, loads, people, exclude, minutes)| World {
            handoff_pool,
            rules,
            pools: vec![pools.0, pools.1],
            reps: vec![reps.0, reps.1, reps.2, reps.3, reps.4],
            loads: loads
                .into_iter()
                .enumerate()
                .map(|(index, open_leads)| RepLoad { rep_id: IDS[index].to_owned(), open_leads })
                .collect(),
            current_holder: people.0,
            account_owner: people.1,
            exclude,
            now: base_time() + TimeDelta::minutes(minutes),
        })
}

impl World {
    fn route(&self) -> Decision {
        let matches = |condition: &Condition| *condition == Condition::Always;
        route(&RoutingInput {
            handoff_pool: &self.handoff_pool,
            rules: &self.rules,
            pools: &self.pools,
            reps: &self.reps,
            loads: &self.loads,
            current_holder: self.current_holder.as_deref(),
            account_owner: self.account_owner.as_deref(),
            exclude: &self.exclude,
            now: self.now,
            matches: &matches,
        })
    }

    fn load(&self, id: &str) -> u32 {
        self.loads.iter().find(|load| load.rep_id == id).map_or(0, |load| load.open_leads)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn routing_never_picks_an_excluded_inactive_or_full_rep(world in world()) {
        let decision = world.route();
        let Decision::Assign { rep_id, pool, kind, reason } = &decision else {
            prop_assert!(!decision.reason().is_empty());
            return Ok(());
        };
        prop_assert!(!reason.is_empty());
        prop_assert!(!world.exclude.contains(rep_id), "{decision:?}");
        let rep = world.reps.iter().find(|rep| &rep.id == rep_id);
        prop_assert!(rep.is_some_and(|rep| rep.active), "{decision:?}");
        let rep = rep.unwrap();
        if *kind == DecisionKind::Strategy {
            let pool_name = pool.as_deref().expect("a strategy choice names its pool");
            let pool = world.pools.iter().find(|p| p.name == pool_name).unwrap();
            prop_assert!(pool.members.iter().any(|m| &m.rep_id == rep_id), "{decision:?}");
            let eligibility = is_eligible(rep, world.load(rep_id), world.now);
            prop_assert!(eligibility.is_eligible(), "{decision:?} but {eligibility}");
            prop_assert_eq!(decision.pool_turn(), Some((pool_name, rep_id.as_str())));
        }
        if *kind == DecisionKind::Overflow {
            let pool = world.pools.iter().find(|p| Some(&p.name) == pool.as_ref()).unwrap();
            prop_assert_eq!(pool.overflow_rep.as_ref(), Some(rep_id));
        }
    }
}
