//! Choosing within one pool: which members can take the lead, who among
//! them is working now, the pool's strategy, and the overflow rep when no
//! member can take it.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::routing::{Decision, DecisionKind, Eligibility, People, Pool, PoolMember, Rep, Strategy};
use super::working_hours::{LOOKAHEAD_DAYS, describe_local, is_working, next_working_start};

/// A member who can take the lead.
struct Candidate<'a> {
    member: &'a PoolMember,
    /// Position in the pool's member list.
    position: usize,
    rep: &'a Rep,
    open_leads: u32,
}

/// Picks a member of `pool` for the lead, or falls back to the overflow rep.
pub(crate) fn choose_in_pool(pool: &Pool, people: &People) -> Decision {
    let (candidates, refusals) = sort_members(pool, people);
    if candidates.is_empty() {
        return overflow_or_unassigned(pool, people, &refusals);
    }
    let working: Vec<&Candidate> =
        candidates.iter().filter(|candidate| is_working(candidate.rep, people.now)).collect();
    let (picked, reason) = if working.is_empty() {
        pick_outside_hours(pool, people, &candidates)
    } else {
        pick_by_strategy(pool, people, &working)
    };
    Decision::Assign {
        rep_id: picked.rep.id.clone(),
        pool: Some(pool.name.clone()),
        kind: DecisionKind::Strategy,
        reason,
    }
}

/// Members who can take the lead (each rep once, in member order), and a
/// sentence for each who cannot.
fn sort_members<'a>(pool: &'a Pool, people: &People<'a>) -> (Vec<Candidate<'a>>, Vec<String>) {
    let mut candidates = Vec::new();
    let mut refusals = Vec::new();
    for (position, member) in pool.members.iter().enumerate() {
        let seen_before = pool.members[..position].iter().any(|earlier| earlier.rep_id == member.rep_id);
        if seen_before {
            continue;
        }
        let Some(rep) = people.rep(&member.rep_id) else {
            refusals.push(unknown_rep(&member.rep_id));
            continue;
        };
        match refusal(rep, people) {
            Some(why) => refusals.push(why),
            None => candidates.push(Candidate { member, position, rep, open_leads: people.load(&rep.id) }),
        }
    }
    (candidates, refusals)
}

/// Why this rep cannot take the lead, e.g. "Ana is out of office until
/// 2026-04-03"; `None` when they can.
fn refusal(rep: &Rep, people: &People) -> Option<String> {
    if people.is_excluded(&rep.id) {
        return Some(format!("{} already had this lead", rep.name));
    }
    let eligibility = people.eligibility(rep);
    (!eligibility.is_eligible()).then(|| format!("{} {eligibility}", rep.name))
}

fn unknown_rep(id: &str) -> String {
    format!("member {id} is not a known rep")
}

/// Nobody is working now: those whose hours start soonest, split by the
/// strategy when several start at the same moment.
fn pick_outside_hours<'c>(
    pool: &Pool,
    people: &People,
    candidates: &'c [Candidate<'c>],
) -> (&'c Candidate<'c>, String) {
    let (soonest, first_starters) = soonest_starters(candidates, people.now);
    let (picked, strategy_reason) = pick_by_strategy(pool, people, &first_starters);
    let Some(start) = soonest else {
        let note = format!("nobody in working hours in the next {LOOKAHEAD_DAYS} days");
        return (picked, format!("{note}; {strategy_reason}"));
    };
    let when = describe_local(picked.rep, start);
    let note = format!("nobody in working hours; {} starts first at {when}", picked.rep.name);
    let reason = if first_starters.len() > 1 { format!("{note}; {strategy_reason}") } else { note };
    (picked, reason)
}

/// The soonest start of work among the candidates and who starts then;
/// everyone when nobody starts within the lookahead.
fn soonest_starters<'c>(
    candidates: &'c [Candidate<'c>],
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Vec<&'c Candidate<'c>>) {
    let starts: Vec<Option<DateTime<Utc>>> =
        candidates.iter().map(|candidate| next_working_start(candidate.rep, now)).collect();
    let soonest = starts.iter().flatten().min().copied();
    let starters = candidates
        .iter()
        .zip(&starts)
        .filter(|(_, start)| soonest.is_none() || **start == soonest)
        .map(|(candidate, _)| candidate)
        .collect();
    (soonest, starters)
}

/// Applies the pool's strategy; `candidates` is never empty.
fn pick_by_strategy<'c>(pool: &Pool, people: &People, candidates: &[&'c Candidate<'c>]) -> (&'c Candidate<'c>, String) {
    match pool.strategy {
        Strategy::RoundRobin => round_robin(pool, people, candidates),
        Strategy::WeightedRoundRobin => weighted_round_robin(candidates),
        Strategy::LeastLoaded => least_loaded(candidates),
    }
}

/// The next candidate after the cursor in member order, wrapping around.
fn round_robin<'c>(pool: &Pool, people: &People, candidates: &[&'c Candidate<'c>]) -> (&'c Candidate<'c>, String) {
    let first = candidates[0];
    let Some((cursor, previous)) = round_robin_cursor(pool) else {
        return (first, "round robin: first in pool".to_owned());
    };
    let picked = candidates.iter().copied().find(|candidate| candidate.position > cursor).unwrap_or(first);
    let previous_name = people.rep(previous).map_or("a rep who is no longer listed", |rep| rep.name.as_str());
    (picked, format!("round robin: next after {previous_name}"))
}

/// The position and id of the member who got the previous lead, when they
/// are still in the pool.
fn round_robin_cursor(pool: &Pool) -> Option<(usize, &str)> {
    let previous = pool.last_assigned.as_deref()?;
    let position = pool.members.iter().position(|member| member.rep_id == previous)?;
    Some((position, previous))
}

/// The candidate furthest below their share (leads received / weight).
fn weighted_round_robin<'c>(candidates: &[&'c Candidate<'c>]) -> (&'c Candidate<'c>, String) {
    let picked = first_minimum(candidates, |a, b| compare_shares(a.member, b.member));
    let member = picked.member;
    let reason =
        format!("weighted round robin: {} has {} of weight {}", picked.rep.name, member.assigned_count, member.weight);
    (picked, reason)
}

/// Compares assigned_count / weight without dividing; weight 0 is last.
fn compare_shares(a: &PoolMember, b: &PoolMember) -> Ordering {
    match (a.weight, b.weight) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Greater,
        (_, 0) => Ordering::Less,
        (weight_a, weight_b) => {
            let share_a = u128::from(a.assigned_count) * u128::from(weight_b);
            let share_b = u128::from(b.assigned_count) * u128::from(weight_a);
            share_a.cmp(&share_b)
        }
    }
}

/// The candidate with the fewest open leads.
fn least_loaded<'c>(candidates: &[&'c Candidate<'c>]) -> (&'c Candidate<'c>, String) {
    let picked = first_minimum(candidates, |a, b| a.open_leads.cmp(&b.open_leads));
    let reason = format!("least loaded: {} has {}", picked.rep.name, open_leads_phrase(picked.open_leads));
    (picked, reason)
}

fn open_leads_phrase(count: u32) -> String {
    match count {
        1 => "1 open lead".to_owned(),
        _ => format!("{count} open leads"),
    }
}

/// The first candidate (in member order) that no other beats.
fn first_minimum<'c>(
    candidates: &[&'c Candidate<'c>],
    compare: impl Fn(&Candidate, &Candidate) -> Ordering,
) -> &'c Candidate<'c> {
    candidates
        .iter()
        .copied()
        .reduce(|best, next| if compare(next, best) == Ordering::Less { next } else { best })
        .expect("a pool choice needs at least one candidate")
}

/// No member can take the lead: the overflow rep does when they can (at
/// capacity is fine; inactive, away or excluded is not).
fn overflow_or_unassigned(pool: &Pool, people: &People, refusals: &[String]) -> Decision {
    let why = if refusals.is_empty() { "it has no members".to_owned() } else { refusals.join(", ") };
    let shortage = format!("no eligible rep in pool {}: {why}", pool.name);
    let Some(overflow_id) = pool.overflow_rep.as_deref() else {
        return Decision::Unassigned { reason: shortage };
    };
    match overflow_refusal(overflow_id, people) {
        None => Decision::Assign {
            rep_id: overflow_id.to_owned(),
            pool: Some(pool.name.clone()),
            kind: DecisionKind::Overflow,
            reason: format!("fallback: {shortage}"),
        },
        Some(why_not) => Decision::Unassigned { reason: format!("{shortage}; overflow rep: {why_not}") },
    }
}

/// Why the overflow rep cannot take the lead; capacity does not count.
fn overflow_refusal(id: &str, people: &People) -> Option<String> {
    let Some(rep) = people.rep(id) else {
        return Some(format!("{id} is not a known rep"));
    };
    if people.is_excluded(id) {
        return Some(format!("{} already had this lead", rep.name));
    }
    match people.eligibility(rep) {
        Eligibility::Eligible | Eligibility::AtCapacity { .. } => None,
        refused => Some(format!("{} {refused}", rep.name)),
    }
}
