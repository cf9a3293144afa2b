//! Abandoned Tier 1: a prospect who looked like the top tier but stopped
//! answering. Listed on the analytics page; when the form's
//! `hand_abandoned_tier1_to_sales` is on, the worker hands each one to
//! sales once as a lead with what was answered, routed like a finished one
//! and marked as abandoned in its history and notice. Rows are claimed as
//! the routing fallback claims overdue leads (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, the single writer on SQLite) and marked in the same
//! transaction, so each is handed over once across restarts and instances.

use chrono::{DateTime, Duration, Utc};

use super::analytics::tiers::top_tier;
use super::forms::PublishedForm;
use super::routing::{self, FinishedLead};
use super::{AppError, Context, respond};
use crate::engine::{self, Handoff};
use crate::store::analytics::ResponseFacts;
use crate::store::leads::NewAssignment;
use crate::store::{self, Tx};

/// How often one instance looks for newly abandoned responses.
const CHECK_EVERY: Duration = Duration::seconds(15);
const BATCH: i64 = 20;

/// Hands every newly abandoned Tier 1 response to sales (where the form
/// asks for it). Returns how many became leads.
pub async fn hand_abandoned_to_sales(ctx: &Context) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    {
        let mut last = ctx.abandoned_checked.lock().expect("abandoned check lock");
        if last.is_some_and(|at| now - at < CHECK_EVERY && now >= at) {
            return Ok(0);
        }
        *last = Some(now);
    }
    let idle_since = now - Duration::minutes(i64::from(ctx.analytics.abandoned_after_minutes));
    let mut tx = ctx.db.begin().await?;
    let claimed = store::analytics::claim_idle_responses(tx.conn(), idle_since, BATCH).await?;
    let mut handed = 0;
    for response in &claimed {
        // Read through this transaction: a second pooled connection here
        // could wait for itself on PostgreSQL under load.
        let form = ctx.forms.version_in(tx.conn(), response.form_id, response.version).await?;
        let lead = if is_abandoned_top_tier(&form, response) && form.definition().settings.hand_abandoned_tier1_to_sales
        {
            handed += 1;
            Some(hand_over(ctx, &mut tx, &form, response, now).await?)
        } else {
            None
        };
        store::analytics::mark_abandoned(tx.conn(), response.id, lead, now).await?;
    }
    tx.commit().await?;
    for response in &claimed {
        ctx.hot.forget(response.id);
    }
    if handed > 0 {
        ctx.wake_worker.notify_one();
    }
    Ok(handed)
}

/// Unfinished and, so far, headed for the form's top tier.
pub fn is_abandoned_top_tier(form: &PublishedForm, response: &ResponseFacts) -> bool {
    let top = top_tier(form.definition()).map(|o| o.id.as_str());
    response.status == "in_progress" && !response.is_bot && top.is_some() && response.running_outcome.as_deref() == top
}

async fn hand_over(
    ctx: &Context,
    tx: &mut Tx,
    form: &PublishedForm,
    facts: &ResponseFacts,
    now: DateTime<Utc>,
) -> Result<uuid::Uuid, AppError> {
    let response = store::responses::find_response(tx.conn(), facts.id).await?.ok_or(AppError::NotFound)?;
    let evaluation = form.compiled.evaluate(&response.answers, &response.hidden);
    let outcome = top_tier(form.definition()).ok_or(AppError::NotFound)?;
    let lead_id = respond::upsert_lead(tx, form, &response, &evaluation, outcome, now).await?;
    let stopped_at = evaluation.current.as_deref().unwrap_or("the end");
    let note = format!(
        "left the form unfinished at question {stopped_at} after {} answers, looking like {}: handed to sales",
        evaluation.progress.answered, outcome.tier
    );
    let entry = NewAssignment { lead_id, user_id: None, kind: "abandoned", reason: &note, actor: None, now };
    store::leads::insert_assignment(tx.conn(), entry).await?;
    let matches = |condition: &engine::Condition| form.compiled.check(condition, &evaluation.answers, &response.hidden);
    let finished = FinishedLead {
        lead_id,
        handoff: &outcome.handoff,
        accept_within_minutes: outcome.accept_within_minutes,
        matches: &matches,
        note: Some(&note),
        answers: respond::answer_lines(form, &evaluation),
    };
    debug_assert!(matches!(outcome.handoff, Handoff::Route(_)));
    routing::route_finished_lead(ctx, tx, finished, now).await?;
    Ok(lead_id)
}
