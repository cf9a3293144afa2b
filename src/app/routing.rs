//! Routing a finished lead to a rep, in the finishing transaction, and the
//! fallback when nobody accepts in time.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::notices::{self, AnswerLine, LeadEvent, LeadNotice, ReasonLine, Recipient};
use super::{AppError, Context};
use crate::engine::{self, Decision, DecisionKind, Handoff, RoutingInput};
use crate::store::leads::{AssignmentChange, LeadRecord, NewAssignment};
use crate::store::users::UserRecord;
use crate::store::webhooks::EndpointRecord;
use crate::store::{self, Tx};

/// Default time a rep has to accept a routed lead.
pub const DEFAULT_ACCEPT_MINUTES: u32 = 2;

/// What routing needs to know about the finished response.
pub struct FinishedLead<'a> {
    pub lead_id: Uuid,
    pub handoff: &'a Handoff,
    pub accept_within_minutes: Option<u32>,
    pub matches: &'a (dyn Fn(&engine::Condition) -> bool + Sync),
    /// Said first in the history and the notice (an abandoned response).
    pub note: Option<&'a str>,
    /// The answers in path order, as the caller has them evaluated already.
    pub answers: Vec<AnswerLine>,
}

/// Routes a lead that was just written (new or re-submitted).
pub async fn route_finished_lead(
    ctx: &Context,
    tx: &mut Tx,
    finished: FinishedLead<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let lead = store::leads::find_lead_for_update(tx.conn(), finished.lead_id).await?.ok_or(AppError::NotFound)?;
    let noted = |why: &str| match finished.note {
        Some(note) => format!("{note}; {why}"),
        None => why.to_string(),
    };
    let pool = match finished.handoff {
        Handoff::Route(pool) => pool.clone(),
        Handoff::Nurture => {
            let why = noted("handed to nurture");
            return set_without_rep(ctx, tx, &lead, "nurture", "nurture", &why, now).await.map(drop);
        }
        Handoff::Disqualify(reason) => {
            let why = noted(&format!("disqualified by the form: {reason}"));
            return set_without_rep(ctx, tx, &lead, "disqualified", "disqualified", &why, now).await.map(drop);
        }
    };
    let holder = lead.assigned_user_id.filter(|_| lead.status == "assigned" || lead.status == "accepted");
    let minutes = finished.accept_within_minutes.unwrap_or(DEFAULT_ACCEPT_MINUTES);
    let known = Known::read(ctx, tx, &lead, Some(finished.answers)).await?;
    let mut decision = decide(tx, &known, &pool, holder, &[], finished.matches, now).await?;
    match &mut decision {
        Decision::Assign { reason, .. } | Decision::Unassigned { reason } => *reason = noted(reason),
    }
    apply_decision(ctx, tx, &lead, &known, decision, minutes, None, now).await
}

/// What routing reads before it locks anything. None of it changes as
/// leads are routed, so reading it first keeps the locked part of a
/// finish (on PostgreSQL, where other finishes wait) short.
struct Known {
    reps: Vec<engine::Rep>,
    rules: Vec<engine::RoutingRule>,
    users: Vec<UserRecord>,
    endpoints: Vec<EndpointRecord>,
    account_owner: Option<Uuid>,
    /// The lead's answers in path order, for the notices.
    answers: Vec<AnswerLine>,
}

impl Known {
    /// `answers` when the caller has them; otherwise they are read from
    /// the lead's stored response.
    async fn read(
        ctx: &Context,
        tx: &mut Tx,
        lead: &LeadRecord,
        answers: Option<Vec<AnswerLine>>,
    ) -> Result<Known, AppError> {
        let account_owner = match lead.account_id {
            Some(account) => store::routing::find_account_owner(tx.conn(), account).await?,
            None => None,
        };
        Ok(Known {
            reps: store::routing::list_reps(tx.conn()).await?,
            rules: store::routing::list_rules(tx.conn()).await?,
            users: store::users::list_users(tx.conn()).await?,
            endpoints: store::webhooks::list_endpoints(tx.conn()).await?,
            account_owner,
            answers: match answers {
                Some(answers) => answers,
                None => super::respond::stored_answer_lines(ctx, tx.conn(), lead.response_id).await?,
            },
        })
    }

    fn recipients(&self, ids: &[Uuid]) -> Vec<Recipient> {
        let chosen = self.users.iter().filter(|u| ids.contains(&u.id));
        chosen.map(|u| Recipient { user_id: u.id, email: u.email.clone() }).collect()
    }

    /// The notice about `lead` once it is `rep`'s.
    fn notice(&self, ctx: &Context, lead: &LeadRecord, rep: Uuid, reason: &str) -> LeadNotice {
        let mut notice = notice_body(ctx, lead, self.answers.clone(), reason);
        notice.assigned_to = self.users.iter().find(|u| u.id == rep).map(|u| u.name.clone());
        notice
    }

    /// Queues `event_type` about the lead for `to` and the subscribed webhooks.
    async fn tell(
        &self,
        ctx: &Context,
        tx: &mut Tx,
        event_type: &str,
        notice: &LeadNotice,
        to: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let recipients = self.recipients(&[to]);
        let event = LeadEvent { event_type, notice, recipients: &recipients, email_enabled: ctx.email_enabled };
        notices::queue_lead_event_to(tx, event, &self.endpoints, now).await?;
        Ok(())
    }
}

/// Asks the engine. Only the reps this decision can give the lead to are
/// locked (the chosen pool's members, the holder and the account owner),
/// and only then are their loads and the pool's turn read: two finishes
/// never take the same turn or a rep's last free place, while finishes
/// into pools of other reps go on side by side.
#[allow(clippy::too_many_arguments)]
async fn decide(
    tx: &mut Tx,
    known: &Known,
    pool: &str,
    holder: Option<Uuid>,
    exclude: &[String],
    matches: &(dyn Fn(&engine::Condition) -> bool + Sync),
    now: DateTime<Utc>,
) -> Result<Decision, AppError> {
    let (target_pool, _) = engine::pool_for_handoff(pool, &known.rules, matches);
    let named: Vec<Uuid> = holder.into_iter().chain(known.account_owner).collect();
    let contenders = store::routing::lock_contenders(tx.conn(), target_pool, &named).await?;
    let pools: Vec<engine::Pool> = store::routing::find_pool(tx.conn(), target_pool).await?.into_iter().collect();
    let loads = store::routing::list_loads_of(tx.conn(), &contenders).await?;
    let holder = holder.map(|h| h.to_string());
    let owner = known.account_owner.map(|o| o.to_string());
    let input = RoutingInput {
        handoff_pool: pool,
        rules: &known.rules,
        pools: &pools,
        reps: &known.reps,
        loads: &loads,
        current_holder: holder.as_deref(),
        account_owner: owner.as_deref(),
        exclude,
        now,
        matches,
    };
    Ok(engine::route(&input))
}

/// Writes the decision, its history line and the notices. `previous` is
/// the rep a fallback takes the lead from, with why: that rep is told.
#[allow(clippy::too_many_arguments)]
async fn apply_decision(
    ctx: &Context,
    tx: &mut Tx,
    lead: &LeadRecord,
    known: &Known,
    decision: Decision,
    minutes: u32,
    previous: Option<(Uuid, &str)>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let with_why = |reason: String| match previous {
        Some((_, why)) => format!("{why}; {reason}"),
        None => reason,
    };
    let (rep_id, pool, kind, reason) = match decision {
        Decision::Assign { rep_id, pool, kind, reason } => (rep_id, pool, kind, with_why(reason)),
        Decision::Unassigned { reason } => {
            let history_kind = if previous.is_some() { "fallback" } else { "unassigned" };
            let notice = set_without_rep(ctx, tx, lead, "unassigned", history_kind, &with_why(reason), now).await?;
            return tell_taken_back(ctx, tx, known, previous, &notice, now).await;
        }
    };
    let rep: Uuid = rep_id.parse().map_err(|_| AppError::Internal(anyhow::anyhow!("rep id {rep_id} is not a UUID")))?;
    let kept_accepted = kind == DecisionKind::CurrentHolder && lead.status == "accepted";
    let (status, accept_by) = match kind {
        _ if kept_accepted => ("accepted", None),
        DecisionKind::Overflow => ("assigned", None),
        _ => ("assigned", Some(now + Duration::minutes(i64::from(minutes)))),
    };
    if !kept_accepted {
        let change =
            AssignmentChange { lead_id: lead.id, status, user_id: Some(rep), pool: pool.as_deref(), accept_by, now };
        store::leads::update_assignment(tx.conn(), change).await?;
    }
    if let (DecisionKind::Strategy, Some(pool)) = (kind, pool.as_deref()) {
        store::routing::record_pool_turn(tx.conn(), pool, rep).await?;
    }
    let history_kind = if previous.is_some() { "fallback" } else { kind_name(kind) };
    super::metrics::routing_decision(history_kind);
    let entry =
        NewAssignment { lead_id: lead.id, user_id: Some(rep), kind: history_kind, reason: &reason, actor: None, now };
    store::leads::insert_assignment(tx.conn(), entry).await?;
    let notice = known.notice(ctx, lead, rep, &reason);
    let event = if previous.is_some() { "lead.reassigned" } else { "lead.assigned" };
    known.tell(ctx, tx, event, &notice, rep, now).await?;
    tell_taken_back(ctx, tx, known, previous, &notice, now).await
}

/// Tells the rep a fallback took the lead from (if any) that it is gone.
async fn tell_taken_back(
    ctx: &Context,
    tx: &mut Tx,
    known: &Known,
    previous: Option<(Uuid, &str)>,
    notice: &LeadNotice,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some((previous_rep, _)) = previous else {
        return Ok(());
    };
    known.tell(ctx, tx, "lead.taken_back", notice, previous_rep, now).await
}

fn kind_name(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::CurrentHolder => "resubmission",
        DecisionKind::AccountOwner => "account_owner",
        DecisionKind::Strategy => "routed",
        DecisionKind::Overflow => "overflow",
    }
}

/// Nurture, disqualified by the form, or nobody to take it: no rep. The
/// history line says `kind` (a fallback that found nobody says so).
/// Returns the notice sent.
async fn set_without_rep(
    ctx: &Context,
    tx: &mut Tx,
    lead: &LeadRecord,
    status: &str,
    kind: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<LeadNotice, AppError> {
    let change = AssignmentChange { lead_id: lead.id, status, user_id: None, pool: None, accept_by: None, now };
    store::leads::update_assignment(tx.conn(), change).await?;
    let entry = NewAssignment { lead_id: lead.id, user_id: None, kind, reason, actor: None, now };
    super::metrics::routing_decision(kind);
    store::leads::insert_assignment(tx.conn(), entry).await?;
    let notice = lead_notice(ctx, tx, lead.id, reason).await?;
    // Nobody may sit on an unassigned lead: every manager hears about it.
    let recipients = if status == "unassigned" { managers(tx).await? } else { Vec::new() };
    notices::queue_lead_event(tx, &format!("lead.{status}"), &notice, &recipients, ctx.email_enabled, now).await?;
    Ok(notice)
}

/// Leads not accepted in time go to the next eligible rep or the overflow
/// manager; both reps are told. Returns how many fell back.
/// Each lead falls back in its own transaction: one holds the locks of
/// one decision only, as a finish does, so the two never wait on each
/// other in a cycle.
pub async fn fire_overdue_fallbacks(ctx: &Context) -> Result<usize, AppError> {
    const MOST_PER_ROUND: usize = 20;
    let now = ctx.clock.now();
    if !store::leads::any_overdue(ctx.db.read().await?.conn(), now).await? {
        return Ok(0);
    }
    let mut fell_back = 0;
    while fell_back < MOST_PER_ROUND {
        let mut tx = ctx.db.begin().await?;
        let Some(lead_id) = store::leads::claim_overdue(tx.conn(), now, 1).await?.pop() else {
            break;
        };
        fall_back(ctx, &mut tx, lead_id, now).await?;
        tx.commit().await?;
        fell_back += 1;
    }
    if fell_back > 0 {
        ctx.wake_worker.notify_one();
    }
    Ok(fell_back)
}

async fn fall_back(ctx: &Context, tx: &mut Tx, lead_id: Uuid, now: DateTime<Utc>) -> Result<(), AppError> {
    let lead = store::leads::find_lead(tx.conn(), lead_id).await?.ok_or(AppError::NotFound)?;
    let (Some(previous), Some(assigned_at), Some(accept_by)) =
        (lead.assigned_user_id, lead.assigned_at, lead.accept_by)
    else {
        return Ok(());
    };
    let minutes = u32::try_from((accept_by - assigned_at).num_minutes().max(1)).unwrap_or(DEFAULT_ACCEPT_MINUTES);
    let history = store::leads::list_assignments(tx.conn(), lead_id).await?;
    let exclude: Vec<String> = history.iter().filter_map(|h| h.user_id).map(|u| u.to_string()).collect();
    let pool = lead.pool.clone().unwrap_or_default();
    let known = Known::read(ctx, tx, &lead, None).await?;
    let decision = decide(tx, &known, &pool, None, &exclude, &|_| false, now).await?;
    let why = engine::fallback_reason(minutes);
    apply_decision(ctx, tx, &lead, &known, decision, minutes, Some((previous, &why)), now).await
}

/// The notice body for a lead, as stored now, with the answers of its
/// stored response.
pub async fn lead_notice(ctx: &Context, tx: &mut Tx, lead_id: Uuid, reason: &str) -> Result<LeadNotice, AppError> {
    let lead = store::leads::find_lead(tx.conn(), lead_id).await?.ok_or(AppError::NotFound)?;
    let answers = super::respond::stored_answer_lines(ctx, tx.conn(), lead.response_id).await?;
    Ok(notice_body(ctx, &lead, answers, reason))
}

/// The notice body for `lead` as given.
fn notice_body(ctx: &Context, lead: &LeadRecord, answers: Vec<AnswerLine>, reason: &str) -> LeadNotice {
    let lead_id = lead.id;
    let fields = &lead.fields.0;
    let name = [fields.get("first_name"), fields.get("last_name")]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let lines = |items: &[engine::ScoreItem]| {
        items.iter().map(|i| ReasonLine { points: i.points, reason: i.reason.clone() }).collect::<Vec<_>>()
    };
    LeadNotice {
        lead_id,
        email: lead.email.clone(),
        name: if name.is_empty() { lead.email.clone().unwrap_or_default() } else { name },
        company: fields.get("company").cloned(),
        tier: lead.tier.clone(),
        outcome: lead.outcome_id.clone(),
        fit: lead.fit,
        intent: lead.intent,
        fit_reasons: lines(&lead.breakdown.0.fit),
        intent_reasons: lines(&lead.breakdown.0.intent),
        answers,
        utm: lead.hidden.0.clone(),
        assigned_to: lead.assignee_name.clone(),
        reason: reason.to_string(),
        link: format!("{}/inbox/leads/{lead_id}", ctx.base_url),
    }
}

async fn managers(tx: &mut Tx) -> Result<Vec<Recipient>, AppError> {
    let users = store::users::list_users(tx.conn()).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && (u.role == "manager" || u.role == "admin"))
        .map(|u| Recipient { user_id: u.id, email: u.email })
        .collect())
}
