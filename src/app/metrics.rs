//! What the application counts for Prometheus (rendered at `/metrics` by
//! `web::metrics`). Label values come from small fixed sets (channels,
//! decision kinds, outcome ids of published forms), never from raw input.

use chrono::Duration;

/// One answer saved (pages and the headless API alike).
pub fn answer_saved() {
    metrics::counter!("leadgate_answers_total").increment(1);
}

/// A response finished with `outcome`.
pub fn response_finished(outcome: &str, bot: bool) {
    let outcome = if bot { "bot".to_string() } else { outcome.to_string() };
    metrics::counter!("leadgate_finishes_total", "outcome" => outcome).increment(1);
}

/// A routing decision of `kind` (routed, overflow, fallback, unassigned, ...).
pub fn routing_decision(kind: &str) {
    metrics::counter!("leadgate_routing_decisions_total", "kind" => kind.to_string()).increment(1);
}

/// One delivery attempt of a notice on `channel`; on success, the time from
/// the notice's creation to its delivery.
pub fn notice_attempt(channel: &str, delivered: bool, since_created: Duration) {
    let channel = channel.to_string();
    if delivered {
        metrics::counter!("leadgate_notice_deliveries_total", "channel" => channel.clone()).increment(1);
        let seconds = since_created.num_milliseconds().max(0) as f64 / 1000.0;
        metrics::histogram!("leadgate_notice_delivery_seconds", "channel" => channel).record(seconds);
    } else {
        metrics::counter!("leadgate_notice_failures_total", "channel" => channel).increment(1);
    }
}
