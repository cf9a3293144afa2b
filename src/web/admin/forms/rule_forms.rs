//! The scoring rule and outcome edit pages' fields, kept as typed text and
//! turned into engine [`ScoringRule`]s and [`Outcome`]s with an error
//! beside each bad field. Both use the condition builder under `when`.

use super::builder::{self, Errors, Node};
use super::builder_catalog::Catalog;
use super::builder_view::fill_defaults;
use crate::engine::{Ending, Handoff, Outcome, Resource, ScoringRule, is_web_url};
use crate::web::forms_input::FormBody;

/// The builder's prefix on these pages.
pub const WHEN: &str = "when";

fn points(text: &str, field: &str, errors: &mut Errors) -> i32 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    text.trim_start_matches('+').parse().unwrap_or_else(|_| {
        errors.insert(field.to_owned(), "Enter whole points, like 20 or -10.".into());
        0
    })
}

/// Applies a builder button (or "refresh"); false for a save.
fn apply_builder(when: &mut Node, action: &str, catalog: &Catalog) -> bool {
    let done = action == "refresh" || when.apply(WHEN, action);
    if done {
        fill_defaults(when, catalog);
    }
    done
}

/// A scoring rule as typed.
#[derive(Debug, Clone)]
pub struct RuleForm {
    pub reason: String,
    pub fit: String,
    pub intent: String,
    pub when: Node,
}

impl RuleForm {
    pub fn new_rule(catalog: &Catalog) -> RuleForm {
        let mut when = Node::empty();
        when.apply(WHEN, "add_leaf:when");
        fill_defaults(&mut when, catalog);
        RuleForm { reason: String::new(), fit: "0".into(), intent: "0".into(), when }
    }

    pub fn from_rule(rule: &ScoringRule) -> RuleForm {
        RuleForm {
            reason: rule.reason.clone(),
            fit: rule.fit.to_string(),
            intent: rule.intent.to_string(),
            when: builder::from_condition(Some(&rule.when)),
        }
    }

    pub fn parse(form: &FormBody) -> RuleForm {
        let get = |name: &str| form.get(name).unwrap_or_default().to_owned();
        RuleForm { reason: get("reason"), fit: get("fit"), intent: get("intent"), when: Node::parse(form, WHEN) }
    }

    pub fn apply(&mut self, action: &str, catalog: &Catalog) -> bool {
        apply_builder(&mut self.when, action, catalog)
    }

    pub fn to_rule(&self, catalog: &Catalog) -> Result<ScoringRule, Errors> {
        let mut errors = Errors::new();
        if self.reason.trim().is_empty() {
            errors.insert("reason".into(), "Give the reason people will read in the score breakdown.".into());
        }
        let fit = points(&self.fit, "fit", &mut errors);
        let intent = points(&self.intent, "intent", &mut errors);
        if fit == 0 && intent == 0 && !errors.contains_key("fit") && !errors.contains_key("intent") {
            errors.insert("fit".into(), "Give fit or intent points (or both).".into());
        }
        let when = match builder::to_condition(&self.when, WHEN, catalog) {
            Ok(when) => when.unwrap_or(crate::engine::Condition::Always),
            Err(found) => {
                errors.extend(found);
                crate::engine::Condition::Always
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ScoringRule { when, fit, intent, reason: self.reason.trim().to_owned() })
    }
}

/// A resource link row as typed.
#[derive(Debug, Clone, Default)]
pub struct ResourceRow {
    pub title: String,
    pub url: String,
}

/// An outcome as typed.
#[derive(Debug, Clone)]
pub struct OutcomeForm {
    pub id: String,
    pub tier: String,
    pub when: Node,
    pub title: String,
    pub message: String,
    pub resources: Vec<ResourceRow>,
    pub offer_booking: bool,
    /// "route", "nurture" or "disqualify".
    pub handoff: String,
    pub pool: String,
    pub reason: String,
    pub accept_within: String,
}

impl OutcomeForm {
    pub fn new_outcome() -> OutcomeForm {
        OutcomeForm {
            id: String::new(),
            tier: String::new(),
            when: Node::empty(),
            title: "Thank you".into(),
            message: String::new(),
            resources: Vec::new(),
            offer_booking: false,
            handoff: "route".into(),
            pool: String::new(),
            reason: String::new(),
            accept_within: String::new(),
        }
    }

    pub fn from_outcome(o: &Outcome) -> OutcomeForm {
        let (handoff, pool, reason) = match &o.handoff {
            Handoff::Route(pool) => ("route", pool.clone(), String::new()),
            Handoff::Nurture => ("nurture", String::new(), String::new()),
            Handoff::Disqualify(reason) => ("disqualify", String::new(), reason.clone()),
        };
        OutcomeForm {
            id: o.id.clone(),
            tier: o.tier.clone(),
            when: builder::from_condition(o.when.as_ref()),
            title: o.ending.title.clone(),
            message: o.ending.message.clone(),
            resources: o
                .ending
                .resources
                .iter()
                .map(|r| ResourceRow { title: r.title.clone(), url: r.url.clone() })
                .collect(),
            offer_booking: o.ending.offer_booking,
            handoff: handoff.into(),
            pool,
            reason,
            accept_within: o.accept_within_minutes.map(|m| m.to_string()).unwrap_or_default(),
        }
    }

    pub fn parse(form: &FormBody) -> OutcomeForm {
        let get = |name: &str| form.get(name).unwrap_or_default().to_owned();
        let mut resources = Vec::new();
        while form.get(&format!("r.{}.url", resources.len())).is_some() {
            let i = resources.len();
            resources.push(ResourceRow { title: get(&format!("r.{i}.title")), url: get(&format!("r.{i}.url")) });
        }
        OutcomeForm {
            id: get("id"),
            tier: get("tier"),
            when: Node::parse(form, WHEN),
            title: get("title"),
            message: get("message"),
            resources,
            offer_booking: form.get("offer_booking").is_some(),
            handoff: get("handoff"),
            pool: get("pool"),
            reason: get("reason"),
            accept_within: get("accept_within"),
        }
    }

    pub fn apply(&mut self, action: &str, catalog: &Catalog) -> bool {
        if action == "add_resource" {
            self.resources.push(ResourceRow::default());
            return true;
        }
        if let Some(i) = action.strip_prefix("remove_resource:").and_then(|i| i.parse::<usize>().ok()) {
            if i < self.resources.len() {
                self.resources.remove(i);
            }
            return true;
        }
        apply_builder(&mut self.when, action, catalog)
    }

    pub fn to_outcome(&self, catalog: &Catalog) -> Result<Outcome, Errors> {
        let mut errors = Errors::new();
        let mut fail = |field: &str, message: &str| {
            errors.insert(field.to_owned(), message.to_owned());
        };
        if self.tier.trim().is_empty() {
            fail("tier", "Give the tier label people see, like Tier 1.");
        }
        if self.title.trim().is_empty() {
            fail("title", "The ending needs a heading.");
        }
        let handoff = match self.handoff.as_str() {
            "route" if self.pool.trim().is_empty() => {
                fail("pool", "Name the pool of reps that gets these leads.");
                Handoff::Nurture
            }
            "route" => Handoff::Route(self.pool.trim().to_owned()),
            "nurture" => Handoff::Nurture,
            "disqualify" => Handoff::Disqualify(self.reason.trim().to_owned()),
            _ => {
                fail("handoff", "Choose what happens to the lead.");
                Handoff::Nurture
            }
        };
        let accept_within_minutes = match self.accept_within.trim() {
            "" => None,
            text => text.parse::<u32>().ok().filter(|m| *m > 0).or_else(|| {
                fail("accept_within", "Enter whole minutes, like 30.");
                None
            }),
        };
        let mut resources = Vec::new();
        for (i, row) in self.resources.iter().enumerate() {
            if row.title.trim().is_empty() && row.url.trim().is_empty() {
                continue;
            }
            if !is_web_url(&row.url) {
                fail(&format!("r.{i}.url"), "Enter a web address starting with https://.");
            }
            let title = if row.title.trim().is_empty() { row.url.trim() } else { row.title.trim() };
            resources.push(Resource { title: title.to_owned(), url: row.url.trim().to_owned() });
        }
        let when = builder::to_condition(&self.when, WHEN, catalog).unwrap_or_else(|found| {
            errors.extend(found);
            None
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Outcome {
            id: self.id.trim().to_owned(),
            tier: self.tier.trim().to_owned(),
            when,
            ending: Ending {
                title: self.title.trim().to_owned(),
                message: self.message.trim().to_owned(),
                resources,
                offer_booking: self.offer_booking,
            },
            handoff,
            accept_within_minutes,
        })
    }
}
