//! Which outcomes count as the top, middle and low tier, for the healthy
//! band and the abandoned-Tier-1 check: the first outcome that routes to
//! sales is the top tier, other routed outcomes the middle, nurture and
//! disqualified the low tier.

use crate::engine::{FormDefinition, Handoff, Outcome};

/// A band of outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TierGroup {
    Top,
    Middle,
    Low,
}

impl TierGroup {
    pub const ALL: [TierGroup; 3] = [TierGroup::Top, TierGroup::Middle, TierGroup::Low];

    pub fn label(self) -> &'static str {
        match self {
            // "Band", not "tier": tiers are the outcomes' own names (Tier 1...).
            TierGroup::Top => "Top band",
            TierGroup::Middle => "Middle band",
            TierGroup::Low => "Low band (nurture, disqualified)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            TierGroup::Top => "top",
            TierGroup::Middle => "middle",
            TierGroup::Low => "low",
        }
    }

    /// The usual healthy share of finished responses, in percent.
    pub fn healthy_band(self) -> (u32, u32) {
        match self {
            TierGroup::Top => (15, 25),
            TierGroup::Middle => (50, 65),
            TierGroup::Low => (15, 25),
        }
    }
}

/// The form's top tier: the first outcome (in matching order) that routes to sales.
pub fn top_tier(definition: &FormDefinition) -> Option<&Outcome> {
    definition.outcomes.iter().find(|o| matches!(o.handoff, Handoff::Route(_)))
}

/// The group of `outcome_id` in `definition`; Low for an unknown outcome.
pub fn group_of(definition: &FormDefinition, outcome_id: &str) -> TierGroup {
    let top = top_tier(definition).map(|o| o.id.as_str());
    match definition.outcomes.iter().find(|o| o.id == outcome_id) {
        Some(o) if Some(o.id.as_str()) == top => TierGroup::Top,
        Some(o) if matches!(o.handoff, Handoff::Route(_)) => TierGroup::Middle,
        _ => TierGroup::Low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_routed_outcome_is_the_top_tier() {
        let definition = crate::engine::parse_definition_yaml(crate::app::demo::DEMO_FORM_YAML).unwrap();
        assert_eq!(top_tier(&definition).map(|o| o.id.as_str()), Some("tier1"));
        assert_eq!(group_of(&definition, "tier1"), TierGroup::Top);
        assert_eq!(group_of(&definition, "tier2"), TierGroup::Middle);
        assert_eq!(group_of(&definition, "nurture"), TierGroup::Low);
        assert_eq!(group_of(&definition, "disqualified"), TierGroup::Low);
    }
}
