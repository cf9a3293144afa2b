//! Replay: the last N finished responses of a form run through its draft,
//! to show before publishing how many leads would change tier or pool.
//! Read-only. The engine compares (`engine::replay`); this loads the
//! responses, the versions they were answered on and today's routing rules.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::drafts::load_draft;
use super::{AppError, Context};
use crate::engine::{
    CompiledForm, Placement, ReplaySummary, ReplayVerdict, compare_placements, placement_of, replay_response,
};
use crate::store;

/// Responses replayed when the person does not say.
pub const DEFAULT_REPLAY_COUNT: u32 = 500;
/// The most responses one replay reads.
pub const MAX_REPLAY_COUNT: u32 = 5000;

/// One response whose placement the draft changes.
#[derive(Debug, Clone)]
pub struct ReplayRow {
    pub response_id: Uuid,
    pub lead_id: Option<Uuid>,
    pub email: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    pub before: Placement,
    pub verdict: ReplayVerdict,
}

/// The result of a replay.
#[derive(Debug, Clone)]
pub struct ReplayReport {
    pub title: String,
    pub revision: i64,
    pub summary: ReplaySummary,
    /// Responses that change, newest first.
    pub changed: Vec<ReplayRow>,
}

/// The count typed by the person: blank is the default; 1 to the maximum.
pub fn parse_count(raw: Option<&str>) -> Result<u32, AppError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Ok(DEFAULT_REPLAY_COUNT);
    }
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_REPLAY_COUNT).contains(&n) => Ok(n),
        _ => Err(AppError::invalid("n", format!("Enter a whole number from 1 to {MAX_REPLAY_COUNT}."))),
    }
}

/// Replays the last `count` finished responses of `form_id` against its draft.
pub async fn replay_draft(ctx: &Context, form_id: Uuid, count: u32) -> Result<ReplayReport, AppError> {
    let draft = load_draft(ctx, form_id).await?;
    let (responses, rules) = {
        let mut conn = ctx.db.read().await?;
        let responses = store::replay::list_last_finished(conn.conn(), form_id, i64::from(count)).await?;
        (responses, store::routing::list_rules(conn.conn()).await?)
    };
    let revision = draft.revision;
    let compiled = CompiledForm::new(draft.definition);
    let mut summary = ReplaySummary::default();
    let mut changed = Vec::new();
    for response in responses {
        let Some(outcome_id) = response.outcome_id.as_deref() else { continue };
        let version = ctx.forms.version(&ctx.db, form_id, response.version).await?;
        let (answers, hidden) = (&response.answers.0, &response.hidden.0);
        let Some(before) = placement_of(&version.compiled, &rules, outcome_id, answers, hidden) else { continue };
        let verdict = compare_placements(&before, replay_response(&compiled, &rules, answers, hidden));
        summary.add(&verdict);
        if verdict != ReplayVerdict::Same {
            changed.push(ReplayRow {
                response_id: response.id,
                lead_id: response.lead_id,
                email: response.email.clone(),
                finished_at: response.finished_at,
                before,
                verdict,
            });
        }
    }
    Ok(ReplayReport { title: compiled.definition().title.clone(), revision, summary, changed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_defaults_to_500_and_stays_within_bounds() {
        assert_eq!(parse_count(None).unwrap(), 500);
        assert_eq!(parse_count(Some(" ")).unwrap(), 500);
        assert_eq!(parse_count(Some("12")).unwrap(), 12);
        for bad in ["0", "5001", "-3", "ten", "1.5"] {
            assert!(matches!(parse_count(Some(bad)), Err(AppError::Invalid(_))), "{bad}");
        }
    }
}
