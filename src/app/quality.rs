//! Source quality, the loop back to marketing: when reps disqualify at least
//! the threshold share of a source's judged leads (default 50% of at least
//! 20 in 7 days), every marketer is told to pause and pivot, once per source
//! per window. Checked in the transaction of each rep's disqualification,
//! so the alert commits with the verdict that caused it.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::notices::{self, EventNotice, Recipient};
use super::{AppError, Context};
use crate::store::quality::VerdictCounts;
use crate::store::{self, Tx};

/// True when `counts` reach the alert: at least `min_leads` judged, and a
/// disqualified share of at least `threshold_percent` (exactly at it counts).
pub fn crosses(counts: VerdictCounts, threshold_percent: u32, min_leads: u32) -> bool {
    counts.judged > 0
        && counts.judged >= i64::from(min_leads)
        && counts.disqualified * 100 >= i64::from(threshold_percent) * counts.judged
}

/// After a rep disqualified `lead_id`: alerts the marketers when its source
/// now crosses the threshold and has not been alerted within the window.
pub async fn check_source_after_verdict(
    ctx: &Context,
    tx: &mut Tx,
    lead_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let settings = ctx.analytics;
    let Some(lead) = store::leads::find_lead(tx.conn(), lead_id).await? else { return Ok(()) };
    let Some(source) = lead.hidden.0.get("utm_source").cloned().filter(|s| !s.is_empty()) else { return Ok(()) };
    let window = Duration::days(i64::from(settings.source_alert_window_days));
    let counts = store::quality::count_verdicts(tx.conn(), &source, now - window).await?;
    if !crosses(counts, settings.source_alert_threshold_percent, settings.source_alert_min_leads) {
        return Ok(());
    }
    if !store::quality::claim_alert(tx.conn(), &source, counts, now - window, now).await? {
        return Ok(());
    }
    let rate = counts.disqualified * 100 / counts.judged;
    let summary = format!(
        "Pause and pivot: reps disqualified {} of {} leads ({rate}%) from source {source} in the last {} days",
        counts.disqualified, counts.judged, settings.source_alert_window_days
    );
    let data = serde_json::json!({
        "source": source,
        "judged": counts.judged,
        "disqualified": counts.disqualified,
        "disqualified_percent": rate,
        "threshold_percent": settings.source_alert_threshold_percent,
        "window_days": settings.source_alert_window_days,
        "link": format!("{}/admin/analytics", ctx.base_url),
    });
    let users = store::users::list_users(tx.conn()).await?;
    let marketers: Vec<Recipient> = users
        .into_iter()
        .filter(|u| u.active && u.role == "marketer")
        .map(|u| Recipient { user_id: u.id, email: u.email })
        .collect();
    let event = EventNotice {
        event_type: "source.quality_alert",
        summary: &summary,
        data,
        recipients: &marketers,
        only_endpoint: None,
    };
    notices::queue_event(tx, event, ctx.email_enabled, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(judged: i64, disqualified: i64) -> VerdictCounts {
        VerdictCounts { judged, disqualified }
    }

    #[test]
    fn the_alert_fires_exactly_at_the_threshold() {
        assert!(crosses(counts(20, 10), 50, 20));
        assert!(!crosses(counts(20, 9), 50, 20));
        assert!(crosses(counts(21, 11), 50, 20));
        assert!(!crosses(counts(21, 10), 50, 20));
    }

    #[test]
    fn too_few_leads_never_alert() {
        assert!(!crosses(counts(19, 19), 50, 20));
        assert!(!crosses(counts(0, 0), 50, 0));
    }
}
