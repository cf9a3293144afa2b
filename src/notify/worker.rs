//! The outbox worker: claims due notices, delivers each on its channel,
//! retries failures with exponential backoff and dead-letters a notice after
//! the last attempt. Tasks (the `task` channel) are work done after a
//! commit, such as a finish's booking check. It also fires the routing
//! fallback for leads nobody accepted in time. It wakes at once when a use case commits notices, and
//! polls as a backstop (so notices left by a killed process go out too).
//!
//! Deliveries run side by side, each in its own task, in one lane per
//! channel (see [`super::lanes`]): a receiver that is slow or down fills
//! only its own lane and holds up none of the others, and a full lane is
//! left out of the next claims. At most [`MAX_IN_FLIGHT`] notices are
//! claimed at once. A finished delivery wakes the loop, which records all
//! finished ones in one write and claims again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::lanes::Lanes;
use super::live::{LiveEvent, LiveHub};
use crate::app::notices::TASK_CHANNEL;
use crate::app::{Context, booking, routing};
use crate::store::{self, outbox::NoticeRecord};

/// How notices are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before a notice is dead-lettered.
    pub max_attempts: u32,
    /// Delay after the first failure; doubled after each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Backstop polling interval.
    pub poll_every: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            first_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(3600),
            poll_every: Duration::from_millis(500),
        }
    }
}

impl RetryPolicy {
    /// When to try again after `attempts` failed attempts, or None: give up.
    pub fn next_attempt(&self, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts {
            return None;
        }
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1));
        let delay = self.first_delay.saturating_mul(factor).min(self.max_delay);
        Some(now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1)))
    }
}

/// Lease on a claimed notice; a killed worker's notices are retried after it.
/// Longer than any delivery may take (webhooks 10 s, email 15 s) times the
/// notices a lane may hold per delivery slot.
pub const LEASE: chrono::Duration = chrono::Duration::seconds(60);
const BATCH: i64 = 50;
/// Notices claimed and not yet recorded, at most.
pub const MAX_IN_FLIGHT: usize = 64;

/// Delivers notices until `shutdown` resolves.
#[derive(Clone)]
pub struct Worker {
    pub ctx: Context,
    pub live: LiveHub,
    pub channels: super::channels::Channels,
    pub policy: RetryPolicy,
}

/// A delivery attempt, done and waiting to be recorded.
struct Attempt {
    id: Uuid,
    attempts: i32,
    outcome: Result<(), String>,
}

impl Worker {
    /// Runs the worker in the background (or, when `enabled` is false, a
    /// task that only waits for shutdown).
    pub fn spawn_if(
        self,
        enabled: bool,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            if !enabled {
                let _ = shutdown.changed().await;
                return;
            }
            let lanes = Lanes::default();
            let mut in_flight = JoinSet::new();
            let mut done = Vec::new();
            loop {
                while let Some(finished) = in_flight.try_join_next() {
                    done.extend(finished.ok());
                }
                self.record(std::mem::take(&mut done)).await;
                self.tick(&lanes, &mut in_flight).await;
                tokio::select! {
                    _ = self.ctx.wake_worker.notified() => {},
                    // A delivery done frees room: record it and claim more at once.
                    Some(finished) = in_flight.join_next(), if !in_flight.is_empty() => done.extend(finished.ok()),
                    _ = tokio::time::sleep(self.policy.poll_every) => {},
                    _ = shutdown.changed() => break,
                }
            }
            // Let deliveries under way finish; any cut short is retried after its lease.
            let finishing = async {
                while let Some(finished) = in_flight.join_next().await {
                    done.extend(finished.ok());
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), finishing).await;
            self.record(done).await;
        })
    }

    /// One round: fallbacks, then due notices, each delivered in its own
    /// task once its lane has a free slot.
    async fn tick(&self, lanes: &Lanes, in_flight: &mut JoinSet<Attempt>) {
        if let Err(error) = routing::fire_overdue_fallbacks(&self.ctx).await {
            tracing::error!(error = %error, "routing fallback failed");
        }
        if let Err(error) = crate::app::abandoned::hand_abandoned_to_sales(&self.ctx).await {
            tracing::error!(error = %error, "abandoned Tier 1 handoff failed");
        }
        while in_flight.len() < MAX_IN_FLIGHT {
            let room = (MAX_IN_FLIGHT - in_flight.len()).min(BATCH as usize).min(lanes.room()) as i64;
            if room == 0 {
                break;
            }
            let skip: Vec<&str> = lanes.full().iter().map(|lane| lane.channel()).collect();
            match self.claim(room, &skip).await {
                Ok(notices) if notices.is_empty() => break,
                Ok(notices) => {
                    for notice in notices {
                        let (worker, ticket) = (self.clone(), lanes.ticket(&notice.channel));
                        in_flight.spawn(async move {
                            let slot = ticket.slot().await;
                            let outcome = worker.deliver(&notice).await;
                            drop((slot, ticket));
                            let now = worker.ctx.clock.now();
                            crate::app::metrics::notice_attempt(
                                &notice.channel,
                                outcome.is_ok(),
                                now - notice.created_at,
                            );
                            Attempt { id: notice.id, attempts: notice.attempts, outcome }
                        });
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "claiming notices failed");
                    break;
                }
            }
        }
    }

    async fn claim(&self, limit: i64, skip: &[&str]) -> Result<Vec<NoticeRecord>, store::StoreError> {
        let now = self.ctx.clock.now();
        let mut write = self.ctx.db.begin_single_write().await?;
        let claimed = store::outbox::claim_due(write.conn(), now, now + LEASE, limit, skip).await?;
        write.commit().await?;
        Ok(claimed)
    }

    /// Records finished attempts: every delivery in one statement, each
    /// failure with its own retry time. If this fails, the leases run out
    /// and the notices are tried again: at least once.
    async fn record(&self, attempts: Vec<Attempt>) {
        if attempts.is_empty() {
            return;
        }
        let now = self.ctx.clock.now();
        let delivered: Vec<Uuid> = attempts.iter().filter(|a| a.outcome.is_ok()).map(|a| a.id).collect();
        let result = async {
            let mut write = self.ctx.db.begin_single_write().await?;
            store::outbox::mark_delivered(write.conn(), &delivered, now).await?;
            for attempt in &attempts {
                let Err(error) = &attempt.outcome else { continue };
                tracing::warn!(notice = %attempt.id, error, "notice delivery failed");
                let tries = u32::try_from(attempt.attempts).unwrap_or(0) + 1;
                let retry_at = self.policy.next_attempt(tries, now);
                store::outbox::mark_failed(write.conn(), attempt.id, error, retry_at).await?;
            }
            write.commit().await
        }
        .await;
        if let Err(error) = result {
            tracing::error!(notices = attempts.len(), error = %error, "recording deliveries failed");
        }
    }

    async fn deliver(&self, notice: &NoticeRecord) -> Result<(), String> {
        match notice.channel.as_str() {
            "live" => self.deliver_live(notice).await,
            "email" => self.channels.send_email(notice).await,
            "webhook" => self.channels.send_webhook(&self.ctx, notice).await,
            TASK_CHANNEL => self.run_task(notice).await,
            other => Err(format!("unknown channel {other}")),
        }
    }

    async fn run_task(&self, notice: &NoticeRecord) -> Result<(), String> {
        let subject: Uuid = notice.target.parse().map_err(|_| format!("task without a subject: {}", notice.target))?;
        match notice.event_type.as_str() {
            booking::CHECK_AFTER_FINISH => booking::check_after_finish(&self.ctx, subject).await,
            other => return Err(format!("unknown task {other}")),
        }
        .map_err(|error| error.to_string())
    }

    async fn deliver_live(&self, notice: &NoticeRecord) -> Result<(), String> {
        let user_id: Uuid = notice.target.parse().map_err(|_| "live notice without a user".to_string())?;
        let event = LiveEvent {
            notice_id: notice.id,
            user_id,
            event_type: notice.event_type.clone(),
            lead_id: notice.payload.0.pointer("/lead/lead_id").and_then(|v| v.as_str()).and_then(|v| v.parse().ok()),
            summary: summary(&notice.event_type, &notice.payload.0),
        };
        self.live.publish(&self.ctx.db, event).await.map_err(|e| e.to_string())
    }
}

/// One line about a lead notice, for the live inbox and chat webhooks.
pub fn summary(event_type: &str, payload: &serde_json::Value) -> String {
    if let Some(summary) = payload.get("summary").and_then(|v| v.as_str()) {
        return summary.to_string();
    }
    if let Some(line) = super::booking_email::booking_summary(event_type, payload) {
        return line;
    }
    let text = |pointer: &str| payload.pointer(pointer).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let what = match event_type {
        "lead.assigned" => "New lead for you",
        "lead.reassigned" => "Lead passed to you",
        "lead.taken_back" => "Lead moved away from you",
        "lead.unassigned" => "Lead needs an owner",
        "lead.accepted" => "Lead accepted",
        "lead.disqualified" => "Lead disqualified",
        "lead.won" => "Deal won",
        "lead.lost" => "Deal lost",
        "booking.unavailable" => "Call this lead, no meeting slot was free",
        other => other,
    };
    let company = text("/lead/company");
    let who = if company.is_empty() { text("/lead/name") } else { format!("{} ({company})", text("/lead/name")) };
    let line = format!("{what}: {} {who}: {}", text("/lead/tier"), text("/lead/reason"));
    // One line whatever a prospect typed: it becomes an email subject and a chat message.
    line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_then_give_up() {
        let policy = RetryPolicy { max_attempts: 4, first_delay: Duration::from_secs(5), ..RetryPolicy::default() };
        let now = Utc::now();
        let delay = |n| (policy.next_attempt(n, now).unwrap() - now).num_seconds();
        assert_eq!(delay(1), 5);
        assert_eq!(delay(2), 10);
        assert_eq!(delay(3), 20);
        assert_eq!(policy.next_attempt(4, now), None);
    }

    #[test]
    fn a_summary_is_always_one_line() {
        let payload = serde_json::json!({ "lead": { "name": "Bob\r\nBcc: x@evil.example", "tier": "Tier 1" } });
        let line = summary("lead.assigned", &payload);
        assert!(!line.contains(['\r', '\n']), "{line}");
        assert!(line.contains("Bob  Bcc: x@evil.example"), "{line}");
    }

    #[test]
    fn backoff_is_capped() {
        let policy = RetryPolicy { max_attempts: 100, max_delay: Duration::from_secs(60), ..RetryPolicy::default() };
        let now = Utc::now();
        assert_eq!((policy.next_attempt(40, now).unwrap() - now).num_seconds(), 60);
    }
}
