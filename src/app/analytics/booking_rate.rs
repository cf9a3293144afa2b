//! The Tier 1 booking rate: of the leads whose outcome is the top tier of
//! the version they answered (see [`super::tiers::top_tier`]), how many
//! have a meeting booked now. Cancelled meetings that were not booked
//! again are counted apart, so the rate is what sales will actually meet.

use std::collections::BTreeMap;

use super::stats::percent;
use super::tiers::top_tier;
use crate::engine::FormDefinition;
use crate::store::analytics::LeadFacts;

/// The booking rate of one version's (or every shown version's) Tier 1 leads.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingRate {
    /// None for the total over every version shown.
    pub version: Option<i32>,
    /// The top-tier outcome of that version (None for the total).
    pub outcome_id: Option<String>,
    pub tier1_leads: usize,
    /// With a confirmed meeting.
    pub booked: usize,
    /// Booked once, cancelled, not booked again.
    pub cancelled: usize,
    /// `booked` of `tier1_leads`, in percent.
    pub percent: f64,
}

/// Per version (oldest first), then the total when more than one version
/// had Tier 1 leads. `definitions` has every version the leads answered.
pub fn booking_rates(leads: &[LeadFacts], definitions: &BTreeMap<i32, &FormDefinition>) -> Vec<BookingRate> {
    let is_tier1 = |lead: &LeadFacts| {
        definitions.get(&lead.version).and_then(|d| top_tier(d)).is_some_and(|top| top.id == lead.outcome_id)
    };
    let tier1: Vec<&LeadFacts> = leads.iter().filter(|l| is_tier1(l)).collect();
    let mut by_version: BTreeMap<i32, Vec<&LeadFacts>> = BTreeMap::new();
    for lead in &tier1 {
        by_version.entry(lead.version).or_default().push(lead);
    }
    let mut rows: Vec<BookingRate> = by_version
        .iter()
        .map(|(version, leads)| {
            let outcome = definitions.get(version).and_then(|d| top_tier(d)).map(|o| o.id.clone());
            rate(Some(*version), outcome, leads)
        })
        .collect();
    if rows.len() != 1 {
        rows.push(rate(None, None, &tier1));
    }
    rows
}

fn rate(version: Option<i32>, outcome_id: Option<String>, leads: &[&LeadFacts]) -> BookingRate {
    let booked = leads.iter().filter(|l| l.live_bookings > 0).count();
    let cancelled = leads.iter().filter(|l| l.live_bookings == 0 && l.bookings > 0).count();
    BookingRate {
        version,
        outcome_id,
        tier1_leads: leads.len(),
        booked,
        cancelled,
        percent: percent(booked, leads.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(version: i32, outcome: &str, live: i64, all: i64) -> LeadFacts {
        LeadFacts {
            id: uuid::Uuid::now_v7(),
            outcome_id: outcome.into(),
            status: "accepted".into(),
            pool: None,
            assignee_name: None,
            hidden: sqlx::types::Json(Default::default()),
            verdict_reason: None,
            created_at: chrono::Utc::now(),
            finished_at: None,
            first_assigned_at: None,
            accepted_at: None,
            fallbacks: 0,
            deal_status: None,
            deal_value_cents: None,
            deal_currency: None,
            version,
            live_bookings: live,
            bookings: all,
        }
    }

    #[test]
    fn the_rate_counts_live_meetings_of_top_tier_leads_per_version_and_in_total() {
        let demo = crate::engine::parse_definition_yaml(crate::app::demo::DEMO_FORM_YAML).unwrap();
        let definitions: BTreeMap<i32, &FormDefinition> = [(1, &demo), (2, &demo)].into_iter().collect();
        let leads = vec![
            lead(1, "tier1", 1, 1),
            lead(1, "tier1", 0, 0),
            lead(1, "tier1", 0, 2),
            lead(1, "tier2", 1, 1),
            lead(2, "tier1", 1, 2),
        ];
        let rates = booking_rates(&leads, &definitions);
        assert_eq!(rates.len(), 3);
        assert_eq!((rates[0].version, rates[0].tier1_leads, rates[0].booked, rates[0].cancelled), (Some(1), 3, 1, 1));
        assert_eq!(rates[0].percent, 33.3);
        assert_eq!((rates[1].version, rates[1].tier1_leads, rates[1].booked), (Some(2), 1, 1));
        assert_eq!((rates[2].version, rates[2].tier1_leads, rates[2].booked, rates[2].percent), (None, 4, 2, 50.0));
        assert_eq!(booking_rates(&leads[..2], &definitions).len(), 1, "one version needs no total");
        assert!(booking_rates(&[], &definitions).iter().all(|r| r.tier1_leads == 0));
    }
}
