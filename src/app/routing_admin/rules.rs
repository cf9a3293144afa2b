//! Routing rules: ordered, first match wins. A rule's condition arrives
//! already typed (the page's condition builder parses it); here the rule's
//! name and pool are checked and the list is kept in order.

use uuid::Uuid;

use crate::app::{AppError, Context, FieldError};
use crate::engine::{Condition, FormDefinition, Handoff, RoutingRule};
use crate::store::{self, Tx};

const MAX_NAME_CHARS: usize = 120;

/// A rule as entered on its page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleInput {
    pub name: String,
    /// The outcome pool the rule applies to; empty for any.
    pub handoff: String,
    /// `None`: the rule applies to every lead.
    pub when: Option<Condition>,
    pub pool: String,
}

impl RuleInput {
    pub fn from_rule(rule: &RoutingRule) -> Self {
        RuleInput {
            name: rule.name.clone(),
            handoff: rule.handoff.clone().unwrap_or_default(),
            when: rule.when.clone(),
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
        if !errors.is_empty() {
            return Err(errors);
        }
        let handoff = self.handoff.trim();
        Ok(RoutingRule {
            name: name.to_owned(),
            handoff: (!handoff.is_empty()).then(|| handoff.to_owned()),
            when: self.when.clone(),
            pool: self.pool.trim().to_owned(),
        })
    }
}

/// Pool names a rule can send to, outcome pools it can filter on, and the
/// forms whose questions and lists its condition can use.
pub struct RuleChoices {
    pub pools: Vec<String>,
    pub handoffs: Vec<String>,
    /// Every form's published version and draft.
    pub forms: Vec<FormDefinition>,
}

pub async fn choices(ctx: &Context) -> Result<RuleChoices, AppError> {
    let mut conn = ctx.db.read().await?;
    let pools: Vec<String> =
        store::routing_admin::list_pool_ids(conn.conn()).await?.into_iter().map(|(_, name)| name).collect();
    let mut handoffs = pools.clone();
    let forms: Vec<FormDefinition> =
        store::routing_admin::list_definitions_in_use(conn.conn()).await?.into_iter().map(|f| f.definition.0).collect();
    for outcome in forms.iter().flat_map(|f| &f.outcomes) {
        if let Handoff::Route(pool) = &outcome.handoff
            && !handoffs.contains(pool)
        {
            handoffs.push(pool.clone());
        }
    }
    handoffs.sort();
    Ok(RuleChoices { pools, handoffs, forms })
}

async fn pool_names(tx: &mut Tx) -> Result<Vec<String>, AppError> {
    Ok(store::routing_admin::list_pool_ids(tx.conn()).await?.into_iter().map(|(_, name)| name).collect())
}

/// The refusals of `input` (name, pool) without saving anything, so a page
/// can show them with its own (the condition's) at once.
pub async fn check_rule(ctx: &Context, input: &RuleInput) -> Result<(), AppError> {
    let mut conn = ctx.db.read().await?;
    let pools: Vec<String> =
        store::routing_admin::list_pool_ids(conn.conn()).await?.into_iter().map(|(_, name)| name).collect();
    input.parse(&pools).map(|_| ()).map_err(AppError::Invalid)
}

/// Adds a rule at the end of the list.
pub async fn create_rule(ctx: &Context, form: &RuleInput) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    let rule = form.parse(&pool_names(&mut tx).await?).map_err(AppError::Invalid)?;
    let rows = store::routing_admin::list_rule_rows(tx.conn()).await?;
    let position = rows.iter().map(|r| r.position + 1).max().unwrap_or(0);
    store::routing::insert_rule(tx.conn(), position, &rule).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn load_rule(ctx: &Context, rule_id: Uuid) -> Result<RuleInput, AppError> {
    let mut conn = ctx.db.read().await?;
    let rows = store::routing_admin::list_rule_rows(conn.conn()).await?;
    let row = rows.into_iter().find(|r| r.id == rule_id).ok_or(AppError::NotFound)?;
    Ok(RuleInput::from_rule(&row.rule.0))
}

pub async fn save_rule(ctx: &Context, rule_id: Uuid, form: &RuleInput) -> Result<(), AppError> {
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
    fn a_rule_needs_a_name_and_a_known_pool_and_keeps_its_condition() {
        let form = RuleInput { name: " ".into(), pool: "nowhere".into(), ..Default::default() };
        let fields: Vec<String> = form.parse(&["sdr".into()]).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "pool"]);
        let when = Condition::Any(vec![
            Condition::CountryIn(ListRef::Named("eu_countries".into())),
            Condition::Hidden { field: "utm_source".into(), is: Test::Equals("partner".into()) },
        ]);
        let ok =
            RuleInput { name: "EU".into(), pool: "sdr".into(), handoff: "senior-ae".into(), when: Some(when.clone()) };
        let rule = ok.parse(&["sdr".into()]).unwrap();
        assert_eq!((rule.when, rule.handoff.as_deref()), (Some(when), Some("senior-ae")));
        assert_eq!(RuleInput::from_rule(&ok.parse(&["sdr".into()]).unwrap()), ok);
    }
}
