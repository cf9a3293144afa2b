use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;
use crate::engine::condition_def::Test;
use crate::engine::working_hours::{DateRange, WeeklyHours};

/// Wednesday 2026-03-18, 10:00 UTC: within default hours in UTC.
fn wednesday_morning() -> DateTime<Utc> {
    utc(2026, 3, 18, 10, 0)
}

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).single().expect("a valid UTC time")
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

/// A rep in UTC with default hours; the name is the id, capitalised.
fn rep(id: &str) -> Rep {
    let mut name = id.to_owned();
    name[..1].make_ascii_uppercase();
    Rep {
        id: id.into(),
        name,
        active: true,
        territories: vec![],
        segments: vec![],
        seniority: None,
        languages: vec![],
        time_zone: "UTC".into(),
        working_hours: WeeklyHours::default(),
        capacity: None,
        out_of_office: vec![],
    }
}

fn member(id: &str) -> PoolMember {
    PoolMember { rep_id: id.into(), weight: 1, assigned_count: 0 }
}

fn pool(name: &str, strategy: Strategy, ids: &[&str]) -> Pool {
    Pool {
        name: name.into(),
        strategy,
        members: ids.iter().map(|id| member(id)).collect(),
        overflow_rep: None,
        last_assigned: None,
    }
}

fn load(id: &str, open_leads: u32) -> RepLoad {
    RepLoad { rep_id: id.into(), open_leads }
}

/// A condition the test's `matches` closure treats as true for this lead.
fn segment_is(segment: &str) -> Condition {
    Condition::Hidden { field: "segment".into(), is: Test::Equals(segment.into()) }
}

/// Routing inputs with owned data; `route` borrows them.
struct Setup {
    handoff_pool: String,
    rules: Vec<RoutingRule>,
    pools: Vec<Pool>,
    reps: Vec<Rep>,
    loads: Vec<RepLoad>,
    current_holder: Option<String>,
    account_owner: Option<String>,
    exclude: Vec<String>,
    now: DateTime<Utc>,
    /// The lead's segment, read by [`segment_is`] conditions.
    segment: String,
}

impl Setup {
    /// Pool "sales" with `strategy` over reps `ids` (all in UTC), routed to
    /// by the outcome, on a Wednesday morning.
    fn new(strategy: Strategy, ids: &[&str]) -> Self {
        Self {
            handoff_pool: "sales".into(),
            rules: vec![],
            pools: vec![pool("sales", strategy, ids)],
            reps: ids.iter().map(|id| rep(id)).collect(),
            loads: vec![],
            current_holder: None,
            account_owner: None,
            exclude: vec![],
            now: wednesday_morning(),
            segment: "smb".into(),
        }
    }

    fn rep_mut(&mut self, id: &str) -> &mut Rep {
        self.reps.iter_mut().find(|rep| rep.id == id).unwrap()
    }

    fn sales(&mut self) -> &mut Pool {
        &mut self.pools[0]
    }

    fn route(&self) -> Decision {
        let matches = |condition: &Condition| match condition {
            Condition::Always => true,
            other => *other == segment_is(&self.segment),
        };
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
}

fn assigned(rep_id: &str, pool: Option<&str>, kind: DecisionKind, reason: &str) -> Decision {
    Decision::Assign { rep_id: rep_id.into(), pool: pool.map(str::to_owned), kind, reason: reason.into() }
}

fn unassigned(reason: &str) -> Decision {
    Decision::Unassigned { reason: reason.into() }
}

fn by_strategy(rep_id: &str, reason: &str) -> Decision {
    assigned(rep_id, Some("sales"), DecisionKind::Strategy, reason)
}

#[test]
fn round_robin_starts_with_the_first_member() {
    let setup = Setup::new(Strategy::RoundRobin, &["ana", "ben", "cem"]);
    assert_eq!(setup.route(), by_strategy("ana", "round robin: first in pool"));
}

#[test]
fn round_robin_takes_the_member_after_the_cursor_and_wraps() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben", "cem"]);
    setup.sales().last_assigned = Some("ben".into());
    assert_eq!(setup.route(), by_strategy("cem", "round robin: next after Ben"));
    setup.sales().last_assigned = Some("cem".into());
    assert_eq!(setup.route(), by_strategy("ana", "round robin: next after Cem"));
}

#[test]
fn round_robin_skips_members_who_cannot_take_the_lead() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben", "cem"]);
    setup.sales().last_assigned = Some("ana".into());
    setup.rep_mut("ben").active = false;
    assert_eq!(setup.route().rep_id(), Some("cem"));
}

#[test]
fn round_robin_with_a_cursor_no_longer_in_the_pool_starts_over() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.sales().last_assigned = Some("zoe".into());
    assert_eq!(setup.route(), by_strategy("ana", "round robin: first in pool"));
}

#[test]
fn weighted_round_robin_picks_the_smallest_share() {
    let mut setup = Setup::new(Strategy::WeightedRoundRobin, &["ana", "ben", "cem"]);
    let shares = [(3, 1), (6, 3), (5, 2)]; // 3.0, 2.0, 2.5
    for (member, (count, weight)) in setup.sales().members.iter_mut().zip(shares) {
        member.assigned_count = count;
        member.weight = weight;
    }
    assert_eq!(setup.route(), by_strategy("ben", "weighted round robin: Ben has 6 of weight 3"));
}

#[test]
fn weighted_round_robin_ties_go_to_member_order_and_weight_zero_is_last() {
    let mut setup = Setup::new(Strategy::WeightedRoundRobin, &["ana", "ben", "cem"]);
    let shares = [(0, 0), (4, 2), (2, 1)];
    for (member, (count, weight)) in setup.sales().members.iter_mut().zip(shares) {
        member.assigned_count = count;
        member.weight = weight;
    }
    assert_eq!(setup.route().rep_id(), Some("ben"));
    setup.rep_mut("ben").active = false;
    setup.rep_mut("cem").active = false;
    assert_eq!(setup.route(), by_strategy("ana", "weighted round robin: Ana has 0 of weight 0"));
}

#[test]
fn least_loaded_picks_the_fewest_open_leads_first_in_order_on_ties() {
    let mut setup = Setup::new(Strategy::LeastLoaded, &["ana", "ben", "cem"]);
    setup.loads = vec![load("ana", 3), load("ben", 1), load("cem", 1)];
    assert_eq!(setup.route(), by_strategy("ben", "least loaded: Ben has 1 open lead"));
    setup.loads = vec![load("ana", 2), load("ben", 2), load("cem", 2)];
    assert_eq!(setup.route(), by_strategy("ana", "least loaded: Ana has 2 open leads"));
}

#[test]
fn least_loaded_counts_reps_without_a_load_row_as_empty() {
    let mut setup = Setup::new(Strategy::LeastLoaded, &["ana", "ben"]);
    setup.loads = vec![load("ana", 1)];
    assert_eq!(setup.route(), by_strategy("ben", "least loaded: Ben has 0 open leads"));
}

#[test]
fn reps_at_capacity_are_skipped() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.rep_mut("ana").capacity = Some(2);
    setup.loads = vec![load("ana", 2), load("ben", 9)];
    assert_eq!(setup.route().rep_id(), Some("ben"));
    let ana = &setup.reps[0];
    let eligibility = is_eligible(ana, 2, setup.now);
    assert_eq!(eligibility, Eligibility::AtCapacity { open_leads: 2, capacity: 2 });
    assert_eq!(eligibility.to_string(), "is at capacity (2 of 2 open leads)");
    assert!(is_eligible(ana, 1, setup.now).is_eligible());
}

#[test]
fn out_of_office_is_read_on_the_reps_own_date() {
    // 16:00 UTC on the 18th is already the 19th in Tokyo, not yet in UTC.
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.now = utc(2026, 3, 18, 16, 0);
    let away = vec![DateRange::new(date(2026, 3, 19), date(2026, 3, 20))];
    let ana = setup.rep_mut("ana");
    ana.time_zone = "Asia/Tokyo".into();
    ana.working_hours.days = std::array::from_fn(|_| vec![]);
    ana.out_of_office = away.clone();
    setup.rep_mut("ben").out_of_office = away;
    let ana = &setup.reps[0];
    assert_eq!(is_eligible(ana, 0, setup.now), Eligibility::OutOfOffice { until: date(2026, 3, 20) });
    assert!(is_eligible(&setup.reps[1], 0, setup.now).is_eligible());
    assert_eq!(setup.route().rep_id(), Some("ben"));
    // Earlier the same UTC day it is still the 18th in Tokyo.
    assert!(is_eligible(ana, 0, utc(2026, 3, 18, 14, 0)).is_eligible());
}

#[test]
fn inactive_reps_never_get_leads() {
    let mut setup = Setup::new(Strategy::LeastLoaded, &["ana", "ben"]);
    setup.rep_mut("ana").active = false;
    setup.loads = vec![load("ben", 7)];
    assert_eq!(setup.route().rep_id(), Some("ben"));
    assert_eq!(is_eligible(&setup.reps[0], 0, setup.now), Eligibility::Inactive);
    setup.current_holder = Some("ana".into());
    setup.account_owner = Some("ana".into());
    assert_eq!(setup.route().rep_id(), Some("ben"));
}

#[test]
fn the_account_owner_comes_before_the_pool() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.reps.push(rep("kim"));
    setup.account_owner = Some("kim".into());
    assert_eq!(setup.route(), assigned("kim", None, DecisionKind::AccountOwner, "account owner: Kim"));
}

#[test]
fn an_account_owner_who_cannot_take_it_leaves_it_to_the_pool() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    let mut kim = rep("kim");
    kim.capacity = Some(1);
    setup.reps.push(kim);
    setup.loads = vec![load("kim", 1)];
    setup.account_owner = Some("kim".into());
    assert_eq!(setup.route().rep_id(), Some("ana"));
    setup.account_owner = Some("nobody-known".into());
    assert_eq!(setup.route().rep_id(), Some("ana"));
}

#[test]
fn a_resubmission_stays_with_its_rep_before_the_account_owner() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.reps.push(rep("kim"));
    setup.account_owner = Some("kim".into());
    setup.current_holder = Some("ben".into());
    assert_eq!(setup.route(), assigned("ben", None, DecisionKind::CurrentHolder, "re-submission: stays with Ben"));
}

#[test]
fn the_lead_a_holder_already_has_does_not_count_against_their_capacity() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.rep_mut("ben").capacity = Some(3);
    setup.loads = vec![load("ben", 3)];
    setup.current_holder = Some("ben".into());
    assert_eq!(setup.route().rep_id(), Some("ben"));
    setup.loads = vec![load("ben", 4)];
    assert_eq!(setup.route().rep_id(), Some("ana"));
}

#[test]
fn a_holder_who_is_away_hands_over() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.rep_mut("ben").out_of_office = vec![DateRange::new(date(2026, 3, 18), date(2026, 3, 18))];
    setup.current_holder = Some("ben".into());
    assert_eq!(setup.route().rep_id(), Some("ana"));
}

#[test]
fn after_no_acceptance_the_lead_goes_to_the_next_rep() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben", "cem"]);
    setup.sales().last_assigned = Some("ana".into());
    // Ana had it (she was the account owner) and did not accept in time.
    setup.account_owner = Some("ana".into());
    setup.current_holder = Some("ana".into());
    setup.exclude = vec!["ana".into()];
    assert_eq!(setup.route(), by_strategy("ben", "round robin: next after Ana"));
    setup.exclude.push("ben".into());
    assert_eq!(setup.route().rep_id(), Some("cem"));
    assert_eq!(fallback_reason(30), "fallback: not accepted within 30 min");
}

#[test]
fn the_overflow_rep_takes_it_when_no_member_can_even_at_capacity() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    let mut olga = rep("olga");
    olga.capacity = Some(1);
    setup.reps.push(olga);
    setup.loads = vec![load("ben", 2), load("olga", 5)];
    setup.rep_mut("ana").out_of_office = vec![DateRange::new(date(2026, 3, 16), date(2026, 3, 20))];
    setup.rep_mut("ben").capacity = Some(2);
    setup.sales().overflow_rep = Some("olga".into());
    let decision = setup.route();
    assert_eq!(
        decision,
        assigned(
            "olga",
            Some("sales"),
            DecisionKind::Overflow,
            "fallback: no eligible rep in pool sales: Ana is out of office until 2026-03-20, \
             Ben is at capacity (2 of 2 open leads)"
        )
    );
    assert_eq!(decision.pool_turn(), None, "overflow takes nobody's turn");
}

#[test]
fn an_inactive_or_excluded_overflow_rep_leaves_the_lead_unassigned() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana"]);
    setup.rep_mut("ana").active = false;
    let mut olga = rep("olga");
    olga.active = false;
    setup.reps.push(olga);
    setup.sales().overflow_rep = Some("olga".into());
    assert_eq!(
        setup.route(),
        unassigned("no eligible rep in pool sales: Ana is inactive; overflow rep: Olga is inactive")
    );
    setup.rep_mut("olga").active = true;
    setup.exclude = vec!["olga".into()];
    assert_eq!(
        setup.route(),
        unassigned("no eligible rep in pool sales: Ana is inactive; overflow rep: Olga already had this lead")
    );
}

#[test]
fn with_nobody_eligible_and_no_overflow_the_lead_stays_unassigned() {
    let mut setup = Setup::new(Strategy::LeastLoaded, &["ana", "ben", "ghost"]);
    setup.reps.retain(|rep| rep.id != "ghost");
    setup.rep_mut("ana").active = false;
    setup.exclude = vec!["ben".into()];
    assert_eq!(
        setup.route(),
        unassigned(
            "no eligible rep in pool sales: Ana is inactive, Ben already had this lead, \
             member ghost is not a known rep"
        )
    );
    setup.sales().members.clear();
    assert_eq!(setup.route(), unassigned("no eligible rep in pool sales: it has no members"));
}

#[test]
fn an_unknown_pool_leaves_the_lead_unassigned() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana"]);
    setup.handoff_pool = "partners".into();
    assert_eq!(setup.route(), unassigned("pool partners does not exist"));
}

fn rule(name: &str, handoff: Option<&str>, when: Option<Condition>, pool: &str) -> RoutingRule {
    RoutingRule { name: name.into(), handoff: handoff.map(str::to_owned), when, pool: pool.into() }
}

/// Pools "sales" (ana), "enterprise" (ben) and "partners" (cem).
fn setup_with_rules() -> Setup {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben", "cem"]);
    setup.pools = vec![
        pool("sales", Strategy::RoundRobin, &["ana"]),
        pool("enterprise", Strategy::RoundRobin, &["ben"]),
        pool("partners", Strategy::RoundRobin, &["cem"]),
    ];
    setup.rules = vec![
        rule("Partner handoffs", Some("partners"), None, "partners"),
        rule("Enterprise", Some("sales"), Some(segment_is("enterprise")), "enterprise"),
        rule("Everything else", None, Some(Condition::Always), "partners"),
    ];
    setup
}

#[test]
fn the_first_matching_rule_picks_the_pool() {
    let mut setup = setup_with_rules();
    setup.segment = "enterprise".into();
    assert_eq!(
        setup.route(),
        assigned("ben", Some("enterprise"), DecisionKind::Strategy, "round robin: first in pool (rule: Enterprise)")
    );
    setup.segment = "smb".into();
    assert_eq!(
        setup.route(),
        assigned("cem", Some("partners"), DecisionKind::Strategy, "round robin: first in pool (rule: Everything else)")
    );
}

#[test]
fn without_a_matching_rule_the_handoff_pool_is_used() {
    let mut setup = setup_with_rules();
    setup.rules.pop();
    assert_eq!(setup.route(), by_strategy("ana", "round robin: first in pool"));
    setup.rules.push(rule("Typo", None, None, "enterprize"));
    assert_eq!(setup.route(), unassigned("pool enterprize does not exist (rule: Typo)"));
}

/// Ana works in Berlin and Ben in New York, both default hours.
fn berlin_and_new_york() -> Setup {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.rep_mut("ana").time_zone = "Europe/Berlin".into();
    setup.rep_mut("ben").time_zone = "America/New_York".into();
    setup
}

#[test]
fn members_in_working_hours_come_first() {
    let mut setup = berlin_and_new_york();
    // 17:30 UTC on Wednesday: 18:30 in Berlin (done), 13:30 in New York.
    setup.now = utc(2026, 3, 18, 17, 30);
    assert_eq!(setup.route(), by_strategy("ben", "round robin: first in pool"));
}

#[test]
fn with_nobody_working_the_first_to_start_gets_it() {
    let mut setup = berlin_and_new_york();
    // Saturday 2026-03-28: Berlin starts Monday at 07:00 UTC (after the
    // clock change), New York at 13:00 UTC.
    setup.now = utc(2026, 3, 28, 12, 0);
    setup.sales().last_assigned = Some("ana".into());
    assert_eq!(
        setup.route(),
        by_strategy("ana", "nobody in working hours; Ana starts first at Mon 2026-03-30 09:00 Europe/Berlin")
    );
}

#[test]
fn with_nobody_working_the_strategy_splits_a_tie_for_the_first_start() {
    let mut setup = Setup::new(Strategy::RoundRobin, &["ana", "ben"]);
    setup.now = utc(2026, 3, 21, 12, 0);
    setup.sales().last_assigned = Some("ana".into());
    assert_eq!(
        setup.route(),
        by_strategy(
            "ben",
            "nobody in working hours; Ben starts first at Mon 2026-03-23 09:00 UTC; \
             round robin: next after Ana"
        )
    );
}

#[test]
fn with_no_hours_ahead_the_strategy_picks_among_everyone_eligible() {
    let mut setup = Setup::new(Strategy::LeastLoaded, &["ana", "ben"]);
    for rep in &mut setup.reps {
        rep.working_hours.days = std::array::from_fn(|_| vec![]);
    }
    setup.loads = vec![load("ana", 4)];
    assert_eq!(
        setup.route(),
        by_strategy("ben", "nobody in working hours in the next 14 days; least loaded: Ben has 0 open leads")
    );
}

#[test]
fn pool_turns_are_only_taken_by_strategy_choices() {
    let decision = by_strategy("ana", "round robin: first in pool");
    assert_eq!(decision.pool_turn(), Some(("sales", "ana")));
    assert_eq!(decision.reason(), "round robin: first in pool");
    let owner = assigned("kim", None, DecisionKind::AccountOwner, "account owner: Kim");
    assert_eq!(owner.pool_turn(), None);
    assert_eq!(unassigned("x").rep_id(), None);
}

#[test]
fn routing_types_read_from_json_with_defaults() {
    let rep: Rep = serde_json::from_str(r#"{"id": "ana", "name": "Ana"}"#).unwrap();
    assert!(rep.active);
    assert_eq!(rep.time_zone, "UTC");
    assert_eq!(rep.working_hours, WeeklyHours::default());
    let pool: Pool = serde_json::from_str(
        r#"{"name": "sales", "strategy": "weighted_round_robin", "members": [{"rep_id": "ana"}]}"#,
    )
    .unwrap();
    assert_eq!(pool.strategy, Strategy::WeightedRoundRobin);
    assert_eq!(pool.members[0].weight, 1);
    let rule: RoutingRule =
        serde_json::from_str(r#"{"name": "Big", "when": {"fit": {"gte": 50}}, "pool": "enterprise"}"#).unwrap();
    assert_eq!(rule.when, Some(Condition::Fit(Test::Gte(50.0))));
    let decision = by_strategy("ana", "round robin: first in pool");
    let json = serde_json::to_string(&decision).unwrap();
    assert!(json.contains(r#""kind":"strategy""#), "{json}");
    assert_eq!(serde_json::from_str::<Decision>(&json).unwrap(), decision);
}
