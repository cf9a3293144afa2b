//! The figures of a report, each from the selected rows.

use std::collections::BTreeMap;

use super::stats::{percent, percentile};
use super::tiers::{TierGroup, group_of};
use crate::engine::FormDefinition;
use crate::store::analytics::{LeadFacts, ResponseFacts};

/// One question of the funnel: how many responses reached it along the
/// path they took, and how many unfinished ones stopped there.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    pub question_id: String,
    pub label: String,
    pub reached: usize,
    pub stopped: usize,
}

impl FunnelStep {
    /// Share of those who reached the question and stopped there.
    pub fn drop_off_percent(&self) -> f64 {
        percent(self.stopped, self.reached)
    }
}

/// Funnel over the definition's questions (in document order); questions
/// nobody reached are left out.
pub fn funnel(definition: &FormDefinition, responses: &[&ResponseFacts]) -> Vec<FunnelStep> {
    definition
        .questions
        .iter()
        .map(|q| {
            let on_path =
                |r: &&&ResponseFacts| r.answers.0.contains_key(&q.id) || r.current_question.as_ref() == Some(&q.id);
            let reached: Vec<&&ResponseFacts> = responses.iter().filter(on_path).collect();
            let stopped = reached
                .iter()
                .filter(|r| r.status == "in_progress" && r.current_question.as_ref() == Some(&q.id))
                .count();
            FunnelStep { question_id: q.id.clone(), label: q.label.clone(), reached: reached.len(), stopped }
        })
        .filter(|step| step.reached > 0)
        .collect()
}

/// Finished responses with one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeShare {
    pub outcome_id: String,
    pub tier: String,
    pub group: TierGroup,
    pub count: usize,
    pub percent: f64,
}

/// Finished responses in one tier group, with the healthy band.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupShare {
    pub group: TierGroup,
    pub count: usize,
    pub percent: f64,
    pub band: (u32, u32),
}

impl GroupShare {
    pub fn in_band(&self) -> bool {
        let (low, high) = self.band;
        self.percent >= f64::from(low) && self.percent <= f64::from(high)
    }
}

/// Outcome shares (in the definition's order) and tier-group shares.
pub fn outcome_shares(
    definition: &FormDefinition,
    finished: &[&ResponseFacts],
) -> (Vec<OutcomeShare>, Vec<GroupShare>) {
    let total = finished.len();
    let count = |id: &str| finished.iter().filter(|r| r.outcome_id.as_deref() == Some(id)).count();
    let outcomes: Vec<OutcomeShare> = definition
        .outcomes
        .iter()
        .map(|o| {
            let n = count(&o.id);
            OutcomeShare {
                outcome_id: o.id.clone(),
                tier: o.tier.clone(),
                group: group_of(definition, &o.id),
                count: n,
                percent: percent(n, total),
            }
        })
        .collect();
    let groups = TierGroup::ALL
        .iter()
        .map(|&group| {
            let n = finished
                .iter()
                .filter(|r| r.outcome_id.as_deref().map(|id| group_of(definition, id)) == Some(group))
                .count();
            GroupShare { group, count: n, percent: percent(n, total), band: group.healthy_band() }
        })
        .collect();
    (outcomes, groups)
}

/// Speed to lead for a set of leads, in seconds after the response finished.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeedRow {
    pub name: String,
    pub leads: usize,
    pub assigned_p50: Option<i64>,
    pub assigned_p95: Option<i64>,
    pub accepted_p50: Option<i64>,
    pub accepted_p95: Option<i64>,
}

fn speed_row(name: &str, leads: &[&LeadFacts]) -> SpeedRow {
    let since_finish = |at: fn(&LeadFacts) -> Option<chrono::DateTime<chrono::Utc>>| -> Vec<i64> {
        leads.iter().filter_map(|l| Some((at(l)? - l.finished_at?).num_seconds().max(0))).collect()
    };
    let assigned = since_finish(|l| l.first_assigned_at);
    let accepted = since_finish(|l| l.accepted_at);
    SpeedRow {
        name: name.to_string(),
        leads: leads.len(),
        assigned_p50: percentile(&assigned, 50),
        assigned_p95: percentile(&assigned, 95),
        accepted_p50: percentile(&accepted, 50),
        accepted_p95: percentile(&accepted, 95),
    }
}

/// Overall, per pool and per rep (leads that reached a rep).
pub fn speed(leads: &[LeadFacts]) -> (SpeedRow, Vec<SpeedRow>, Vec<SpeedRow>) {
    let routed: Vec<&LeadFacts> = leads.iter().filter(|l| l.first_assigned_at.is_some()).collect();
    let grouped = |key: fn(&LeadFacts) -> Option<String>| {
        let mut groups: BTreeMap<String, Vec<&LeadFacts>> = BTreeMap::new();
        for lead in &routed {
            if let Some(k) = key(lead) {
                groups.entry(k).or_default().push(lead);
            }
        }
        groups.iter().map(|(name, leads)| speed_row(name, leads)).collect::<Vec<_>>()
    };
    (speed_row("All routed leads", &routed), grouped(|l| l.pool.clone()), grouped(|l| l.assignee_name.clone()))
}

/// Reps' verdicts and deal outcomes for one source, medium and campaign.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceVerdicts {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub leads: usize,
    pub accepted: usize,
    pub disqualified: usize,
    /// Disqualification reasons (the label before any note) and counts.
    pub reasons: BTreeMap<String, usize>,
    pub won: usize,
    pub lost: usize,
    /// Won value per currency, in minor units.
    pub won_value: BTreeMap<String, i64>,
}

impl SourceVerdicts {
    pub fn disqualified_percent(&self) -> f64 {
        percent(self.disqualified, self.accepted + self.disqualified)
    }
}

/// Verdicts grouped by UTM source, medium and campaign ("(none)" when missing).
pub fn verdicts(leads: &[LeadFacts]) -> Vec<SourceVerdicts> {
    let mut groups: BTreeMap<(String, String, String), SourceVerdicts> = BTreeMap::new();
    for lead in leads {
        let utm = |k: &str| lead.hidden.0.get(k).filter(|v| !v.is_empty()).cloned().unwrap_or_else(|| "(none)".into());
        let key = (utm("utm_source"), utm("utm_medium"), utm("utm_campaign"));
        let row = groups.entry(key.clone()).or_insert_with(|| SourceVerdicts {
            source: key.0.clone(),
            medium: key.1.clone(),
            campaign: key.2.clone(),
            ..Default::default()
        });
        row.leads += 1;
        let rep_disqualified = lead.status == "disqualified" && lead.verdict_reason.is_some();
        if rep_disqualified {
            row.disqualified += 1;
            let reason = lead.verdict_reason.as_deref().unwrap_or_default();
            let label = reason.split_once(": ").map(|(l, _)| l).unwrap_or(reason);
            *row.reasons.entry(label.to_string()).or_default() += 1;
        } else if lead.accepted_at.is_some() {
            row.accepted += 1;
        }
        match lead.deal_status.as_deref() {
            Some("won") => {
                row.won += 1;
                if let (Some(v), Some(c)) = (lead.deal_value_cents, lead.deal_currency.clone()) {
                    *row.won_value.entry(c).or_default() += v;
                }
            }
            Some("lost") => row.lost += 1,
            _ => {}
        }
    }
    groups.into_values().collect()
}
