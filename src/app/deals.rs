//! The deal outcome reported back (usually by a CRM): a lead was won, with
//! its value, or lost. Kept on the lead and in its history; the analytics
//! show won and lost by source.

use uuid::Uuid;

use super::auth::CurrentUser;
use super::notices::{self, Recipient};
use super::routing::lead_notice;
use super::{AppError, Context};
use crate::store::leads::NewAssignment;
use crate::store::{self, lead_queries::DealChange};

/// Won or lost, with the value in minor units (cents) and its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deal<'a> {
    Won { value_cents: i64, currency: &'a str },
    Lost { value_cents: Option<i64>, currency: Option<&'a str> },
}

/// Checks an ISO 4217-shaped currency code (three capital letters).
pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())
}

/// Records the deal outcome on the lead (a later report replaces it).
pub async fn record_deal(ctx: &Context, user: &CurrentUser, lead_id: Uuid, deal: Deal<'_>) -> Result<(), AppError> {
    let (status, value_cents, currency) = match deal {
        Deal::Won { value_cents, currency } => ("won", Some(value_cents), Some(currency)),
        Deal::Lost { value_cents, currency } => ("lost", value_cents, currency),
    };
    if value_cents.is_some_and(|v| v < 0) {
        return Err(AppError::invalid("value", "The value cannot be negative."));
    }
    if value_cents.is_some() != currency.is_some() || currency.is_some_and(|c| !is_currency(c)) {
        return Err(AppError::invalid(
            "currency",
            "Give the currency as a three-letter code such as EUR with the value.",
        ));
    }
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let lead = store::leads::find_lead_for_update(tx.conn(), lead_id).await?.ok_or(AppError::NotFound)?;
    store::lead_queries::update_deal(tx.conn(), DealChange { lead_id, status, value_cents, currency, now }).await?;
    let amount = match (value_cents, currency) {
        (Some(v), Some(c)) => format!(" ({} {c})", format_cents(v)),
        _ => String::new(),
    };
    let why = format!("deal {status}{amount}, reported by {}", user.name);
    let entry = NewAssignment {
        lead_id,
        user_id: lead.assigned_user_id,
        kind: status,
        reason: &why,
        actor: Some(user.id),
        now,
    };
    store::leads::insert_assignment(tx.conn(), entry).await?;
    let notice = lead_notice(ctx, &mut tx, lead_id, &why).await?;
    let users = store::users::list_users(tx.conn()).await?;
    let recipients: Vec<Recipient> = users
        .into_iter()
        .filter(|u| Some(u.id) == lead.assigned_user_id)
        .map(|u| Recipient { user_id: u.id, email: u.email })
        .collect();
    let event = format!("lead.{status}");
    notices::queue_lead_event(&mut tx, &event, &notice, &recipients, ctx.email_enabled, now).await?;
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(())
}

/// 1234567 cents as "12345.67".
pub fn format_cents(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_read_as_decimal_amounts() {
        assert_eq!(format_cents(1_234_567), "12345.67");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(0), "0.00");
    }

    #[test]
    fn currencies_are_three_capital_letters() {
        assert!(is_currency("EUR"));
        assert!(!is_currency("eur"));
        assert!(!is_currency("EURO"));
    }
}
