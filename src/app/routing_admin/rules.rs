//! Routing rules: ordered, first match wins. A rule's condition is typed
//! as a small YAML (or JSON) snippet in the form language, e.g.
//! `country_in: eu_countries`, and parsed with the engine's own types.

use serde_yaml_ng::with::singleton_map_recursive;
use uuid::Uuid;

use crate::app::{AppError, Context, FieldError};
use crate::engine::{Condition, Handoff, MAX_CONDITION_DEPTH, RoutingRule};
use crate::store::{self, Tx};

const MAX_NAME_CHARS: usize = 120;
const MAX_CONDITION_CHARS: usize = 10_000;

/// A rule as typed on its page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleForm {
    pub name: String,
    /// The outcome pool the rule applies to; empty for any.
    pub handoff: String,
    /// YAML or JSON; empty for always.
    pub condition: String,
    pub pool: String,
}

impl RuleForm {
    pub fn from_rule(rule: &RoutingRule) -> Self {
        RuleForm {
            name: rule.name.clone(),
            handoff: rule.handoff.clone().unwrap_or_default(),
            condition: rule.when.as_ref().map(condition_yaml).unwrap_or_default(),
            pool: rule.pool.clone(),
        }
    }

    fn parse(&self, pools: &[String]) -> Result<RoutingRule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            fail("name", format!("Give the rule a name of 1 to {MAX_NAME_CHARS} characters."));
        }
        if !pools.iter().any(|p| p == self.pool.trim()) {
            fail("pool", "Choose the pool that gets the lead.".into());
        }
        let when = parse_condition(&self.condition).unwrap_or_else(|message| {
            fail("condition", message);
            None
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        let handoff = self.handoff.trim();
        Ok(RoutingRule {
            name: name.to_owned(),
            handoff: (!handoff.is_empty()).then(|| handoff.to_owned()),
            when,
            pool: self.pool.trim().to_owned(),
        })
    }
}

/// The condition in a snippet; `None` when blank (the rule always applies).
pub fn parse_condition(text: &str) -> Result<Option<Condition>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_CONDITION_CHARS {
        return Err(format!("Keep the condition under {MAX_CONDITION_CHARS} characters."));
    }
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    let condition: Condition = singleton_map_recursive::deserialize(deserializer)
        .map_err(|e| format!("The condition could not be read: {e}."))?;
    if condition.depth() > MAX_CONDITION_DEPTH {
        return Err(format!("The condition nests deeper than {MAX_CONDITION_DEPTH} levels."));
    }
    Ok(Some(condition))
}

/// The condition as the snippet a person edits.
pub fn condition_yaml(condition: &Condition) -> String {
    let mut buffer = Vec::new();
    let mut serializer = serde_yaml_ng::Serializer::new(&mut buffer);
    match singleton_map_recursive::serialize(condition, &mut serializer) {
        Ok(()) => String::from_utf8(buffer).unwrap_or_default(),
        Err(_) => serde_json::to_string(condition).unwrap_or_default(),
    }
}

/// Pool names a rule can send to, and outcome pools it can filter on.
pub struct RuleChoices {
    pub pools: Vec<String>,
    pub handoffs: Vec<String>,
}

pub async fn choices(ctx: &Context) -> Result<RuleChoices, AppError> {
    let mut conn = ctx.db.read().await?;
    let pools: Vec<String> =
        store::routing_admin::list_pool_ids(conn.conn()).await?.into_iter().map(|(_, name)| name).collect();
    let mut handoffs = pools.clone();
    for form in store::routing_admin::list_definitions_in_use(conn.conn()).await? {
        for outcome in &form.definition.0.outcomes {
            if let Handoff::Route(pool) = &outcome.handoff
                && !handoffs.contains(pool)
            {
                handoffs.push(pool.clone());
            }
        }
    }
    handoffs.sort();
    Ok(RuleChoices { pools, handoffs })
}

async fn pool_names(tx: &mut Tx) -> Result<Vec<String>, AppError> {
    Ok(store::routing_admin::list_pool_ids(tx.conn()).await?.into_iter().map(|(_, name)| name).collect())
}

/// Adds a rule at the end of the list.
pub async fn create_rule(ctx: &Context, form: &RuleForm) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    let rule = form.parse(&pool_names(&mut tx).await?).map_err(AppError::Invalid)?;
    let rows = store::routing_admin::list_rule_rows(tx.conn()).await?;
    let position = rows.iter().map(|r| r.position + 1).max().unwrap_or(0);
    store::routing::insert_rule(tx.conn(), position, &rule).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn load_rule(ctx: &Context, rule_id: Uuid) -> Result<RuleForm, AppError> {
    let mut conn = ctx.db.read().await?;
    let rows = store::routing_admin::list_rule_rows(conn.conn()).await?;
    let row = rows.into_iter().find(|r| r.id == rule_id).ok_or(AppError::NotFound)?;
    Ok(RuleForm::from_rule(&row.rule.0))
}

pub async fn save_rule(ctx: &Context, rule_id: Uuid, form: &RuleForm) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    let rule = form.parse(&pool_names(&mut tx).await?).map_err(AppError::Invalid)?;
    store::routing_admin::update_rule(tx.conn(), rule_id, &rule).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a rule one place up (earlier, checked first) or down.
pub async fn move_rule(ctx: &Context, rule_id: Uuid, up: bool) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    let mut ids: Vec<Uuid> = store::routing_admin::list_rule_rows(tx.conn()).await?.into_iter().map(|r| r.id).collect();
    let at = ids.iter().position(|id| *id == rule_id).ok_or(AppError::NotFound)?;
    let other = if up { at.checked_sub(1) } else { Some(at + 1).filter(|&i| i < ids.len()) };
    if let Some(other) = other {
        ids.swap(at, other);
    }
    for (position, id) in ids.iter().enumerate() {
        store::routing_admin::update_rule_position(tx.conn(), *id, position as i32).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn delete_rule(ctx: &Context, rule_id: Uuid) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    store::routing_admin::delete_rule(tx.conn(), rule_id).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ListRef, Test};

    #[test]
    fn conditions_are_read_from_yaml_or_json_and_written_back() {
        let yaml = parse_condition("country_in: eu_countries").unwrap().unwrap();
        assert_eq!(yaml, Condition::CountryIn(ListRef::Named("eu_countries".into())));
        let json = parse_condition(r#"{"answer": {"question": "size", "is": {"in": ["a", "b"]}}}"#).unwrap().unwrap();
        assert_eq!(json, Condition::Answer { question: "size".into(), is: Test::In(vec!["a".into(), "b".into()]) });
        assert_eq!(parse_condition(&condition_yaml(&json)).unwrap().unwrap(), json);
        assert_eq!(parse_condition("  ").unwrap(), None);
    }

    #[test]
    fn a_snippet_that_is_not_a_condition_says_what_is_wrong() {
        let error = parse_condition("country_of: eu").unwrap_err();
        assert!(error.starts_with("The condition could not be read: "), "{error}");
        assert!(error.contains("country_of"), "{error}");
    }

    #[test]
    fn a_rule_needs_a_name_and_a_known_pool() {
        let form = RuleForm {
            name: " ".into(),
            pool: "nowhere".into(),
            condition: "fit: { gte: oops }".into(),
            ..Default::default()
        };
        let fields: Vec<String> = form.parse(&["sdr".into()]).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "pool", "condition"]);
        let ok =
            RuleForm { name: "EU".into(), pool: "sdr".into(), handoff: "senior-ae".into(), condition: String::new() };
        let rule = ok.parse(&["sdr".into()]).unwrap();
        assert_eq!((rule.when, rule.handoff.as_deref()), (None, Some("senior-ae")));
    }
}
