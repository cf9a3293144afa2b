//! The rep's inbox: my leads, a lead's page, accept, disqualify, hand back;
//! managers see every lead and reassign.

use uuid::Uuid;

use super::auth::{CurrentUser, Role};
use super::notices::{self, Recipient};
use super::routing::lead_notice;
use super::{AppError, Context};
use crate::store::leads::{AssignmentChange, AssignmentRecord, LeadRecord, NewAssignment};
use crate::store::{self, Tx};

/// Reasons a rep can pick when disqualifying; "other" needs a note.
pub const DISQUALIFY_REASONS: [(&str, &str); 7] = [
    ("no_budget", "No budget"),
    ("no_authority", "No buying authority"),
    ("no_need", "No real need"),
    ("bad_timing", "Not the right time"),
    ("competitor", "Competitor or vendor"),
    ("spam", "Spam or fake"),
    ("other", "Other"),
];

/// A lead with what a rep needs to judge it.
pub struct LeadPage {
    pub lead: LeadRecord,
    pub answers: Vec<super::notices::AnswerLine>,
    pub history: Vec<AssignmentRecord>,
}

/// The leads the person may see: their own, or all for managers.
pub async fn list_leads(ctx: &Context, user: &CurrentUser) -> Result<Vec<LeadRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    let leads = if user.role.sees_all_leads() {
        store::leads::list_all_leads(conn.conn(), 200).await?
    } else {
        store::leads::list_leads_of(conn.conn(), user.id, 200).await?
    };
    Ok(leads)
}

/// One lead, if the person may see it (a rep: only their own).
pub async fn lead_page(ctx: &Context, user: &CurrentUser, lead_id: Uuid) -> Result<LeadPage, AppError> {
    let mut conn = ctx.db.read().await?;
    let lead = store::leads::find_lead(conn.conn(), lead_id).await?.ok_or(AppError::NotFound)?;
    ensure_visible(user, &lead)?;
    let history = store::leads::list_assignments(conn.conn(), lead_id).await?;
    let answers = super::respond::stored_answer_lines(ctx, conn.conn(), lead.response_id).await?;
    Ok(LeadPage { lead, answers, history })
}

fn ensure_visible(user: &CurrentUser, lead: &LeadRecord) -> Result<(), AppError> {
    if user.role.sees_all_leads() || lead.assigned_user_id == Some(user.id) {
        Ok(())
    } else {
        // Not found rather than forbidden: a rep learns nothing about others' leads.
        Err(AppError::NotFound)
    }
}

/// The assigned rep (or a manager) accepts the lead; the first acceptance of
/// an account's lead makes the rep its owner.
pub async fn accept_lead(ctx: &Context, user: &CurrentUser, lead_id: Uuid) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let lead = lead_for_change(&mut tx, user, lead_id).await?;
    if lead.status == "accepted" {
        return Ok(());
    }
    if lead.status != "assigned" {
        return Err(AppError::Conflict("Only an assigned lead can be accepted.".into()));
    }
    let rep = lead.assigned_user_id.ok_or_else(|| AppError::Conflict("This lead has no rep.".into()))?;
    store::leads::update_verdict(tx.conn(), lead_id, "accepted", None, now).await?;
    if let Some(account) = lead.account_id {
        store::routing::claim_account_owner(tx.conn(), account, rep).await?;
    }
    record(&mut tx, lead_id, Some(rep), "accepted", &format!("accepted by {}", user.name), user, now).await?;
    tell(ctx, &mut tx, "lead.accepted", lead_id, &format!("accepted by {}", user.name), &[]).await?;
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(())
}

/// The rep disqualifies the lead with a reason from the list (and a note).
pub async fn disqualify_lead(
    ctx: &Context,
    user: &CurrentUser,
    lead_id: Uuid,
    reason_code: &str,
    note: &str,
) -> Result<(), AppError> {
    let Some((_, label)) = DISQUALIFY_REASONS.iter().find(|(code, _)| *code == reason_code) else {
        return Err(AppError::invalid("reason", "Choose a reason from the list."));
    };
    let note = note.trim();
    if reason_code == "other" && note.is_empty() {
        return Err(AppError::invalid("note", "Say why in a few words when the reason is Other."));
    }
    if note.chars().count() > 1000 {
        return Err(AppError::invalid("note", "Keep the note under 1,000 characters."));
    }
    let reason = if note.is_empty() { label.to_string() } else { format!("{label}: {note}") };
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let lead = lead_for_change(&mut tx, user, lead_id).await?;
    store::leads::update_verdict(tx.conn(), lead_id, "disqualified", Some(&reason), now).await?;
    let why = format!("disqualified by {}: {reason}", user.name);
    record(&mut tx, lead_id, lead.assigned_user_id, "disqualified", &why, user, now).await?;
    tell(ctx, &mut tx, "lead.disqualified", lead_id, &why, &[]).await?;
    super::quality::check_source_after_verdict(ctx, &mut tx, lead_id, now).await?;
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(())
}

/// A manager gives the lead to another rep.
pub async fn reassign_lead(ctx: &Context, user: &CurrentUser, lead_id: Uuid, to: Uuid) -> Result<(), AppError> {
    if !user.role.sees_all_leads() {
        return Err(AppError::Forbidden);
    }
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let lead = lead_for_change(&mut tx, user, lead_id).await?;
    let users = store::users::list_users(tx.conn()).await?;
    let target = users
        .iter()
        .find(|u| u.id == to && u.active)
        .ok_or_else(|| AppError::invalid("rep", "Choose an active person."))?;
    let change = AssignmentChange { lead_id, status: "assigned", user_id: Some(to), pool: None, accept_by: None, now };
    store::leads::update_assignment(tx.conn(), change).await?;
    let why = format!("reassigned by {} to {}", user.name, target.name);
    record(&mut tx, lead_id, Some(to), "manual", &why, user, now).await?;
    tell(ctx, &mut tx, "lead.reassigned", lead_id, &why, &[to]).await?;
    if let Some(previous) = lead.assigned_user_id.filter(|p| *p != to) {
        tell(ctx, &mut tx, "lead.taken_back", lead_id, &why, &[previous]).await?;
    }
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(())
}

/// The rep gives the lead back: it goes to the managers' unassigned list.
pub async fn hand_back_lead(ctx: &Context, user: &CurrentUser, lead_id: Uuid) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    lead_for_change(&mut tx, user, lead_id).await?;
    let change = AssignmentChange { lead_id, status: "unassigned", user_id: None, pool: None, accept_by: None, now };
    store::leads::update_assignment(tx.conn(), change).await?;
    let why = format!("handed back by {}", user.name);
    record(&mut tx, lead_id, None, "handed_back", &why, user, now).await?;
    let managers = manager_ids(&mut tx).await?;
    tell(ctx, &mut tx, "lead.unassigned", lead_id, &why, &managers).await?;
    tx.commit().await?;
    ctx.wake_worker.notify_one();
    Ok(())
}

async fn lead_for_change(tx: &mut Tx, user: &CurrentUser, lead_id: Uuid) -> Result<LeadRecord, AppError> {
    let lead = store::leads::find_lead_for_update(tx.conn(), lead_id).await?.ok_or(AppError::NotFound)?;
    ensure_visible(user, &lead)?;
    if user.role == Role::Rep && lead.assigned_user_id != Some(user.id) {
        return Err(AppError::NotFound);
    }
    Ok(lead)
}

async fn record(
    tx: &mut Tx,
    lead_id: Uuid,
    user_id: Option<Uuid>,
    kind: &str,
    reason: &str,
    actor: &CurrentUser,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let entry = NewAssignment { lead_id, user_id, kind, reason, actor: Some(actor.id), now };
    store::leads::insert_assignment(tx.conn(), entry).await?;
    Ok(())
}

/// Queues an event about the lead for `people` (and the webhooks).
async fn tell(
    ctx: &Context,
    tx: &mut Tx,
    event: &str,
    lead_id: Uuid,
    reason: &str,
    people: &[Uuid],
) -> Result<(), AppError> {
    let notice = lead_notice(ctx, tx, lead_id, reason).await?;
    let users = store::users::list_users(tx.conn()).await?;
    let recipients: Vec<Recipient> = users
        .into_iter()
        .filter(|u| people.contains(&u.id))
        .map(|u| Recipient { user_id: u.id, email: u.email })
        .collect();
    notices::queue_lead_event(tx, event, &notice, &recipients, ctx.email_enabled, ctx.clock.now()).await?;
    Ok(())
}

async fn manager_ids(tx: &mut Tx) -> Result<Vec<Uuid>, AppError> {
    let users = store::users::list_users(tx.conn()).await?;
    Ok(users.into_iter().filter(|u| u.active && (u.role == "manager" || u.role == "admin")).map(|u| u.id).collect())
}
