//! Delivery lanes: one per channel, each with its own delivery slots and
//! its own cap on notices claimed. A receiver that is slow or down fills
//! only its own lane; the worker leaves a full lane out of its claims, so
//! the other lanes keep moving. The cap is twice the slots, so a claimed
//! notice waits at most one slow delivery before its own: email (15 s
//! timeout) and webhooks (10 s) are done well within the lease.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::app::notices::TASK_CHANNEL;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Live,
    Email,
    Webhook,
    Task,
}

impl Lane {
    pub const ALL: [Lane; 4] = [Lane::Live, Lane::Email, Lane::Webhook, Lane::Task];

    /// The lane of an outbox channel (an unknown one fails in the webhook lane).
    pub fn of(channel: &str) -> Lane {
        match channel {
            "live" => Lane::Live,
            "email" => Lane::Email,
            TASK_CHANNEL => Lane::Task,
            _ => Lane::Webhook,
        }
    }

    pub fn channel(self) -> &'static str {
        match self {
            Lane::Live => "live",
            Lane::Email => "email",
            Lane::Webhook => "webhook",
            Lane::Task => TASK_CHANNEL,
        }
    }

    /// Deliveries at once.
    fn slots(self) -> usize {
        match self {
            Lane::Live | Lane::Webhook => 16,
            Lane::Email | Lane::Task => 8,
        }
    }

    /// Notices claimed at once, delivering or waiting for a slot.
    fn cap(self) -> usize {
        2 * self.slots()
    }

    fn index(self) -> usize {
        self as usize
    }
}

struct LaneState {
    slots: Arc<Semaphore>,
    claimed: Arc<AtomicUsize>,
}

/// The four lanes of one worker.
pub struct Lanes {
    lanes: [LaneState; 4],
}

impl Default for Lanes {
    fn default() -> Self {
        let state = |lane: Lane| LaneState {
            slots: Arc::new(Semaphore::new(lane.slots())),
            claimed: Arc::new(AtomicUsize::new(0)),
        };
        Lanes { lanes: Lane::ALL.map(state) }
    }
}

impl Lanes {
    fn claimed(&self, lane: Lane) -> usize {
        self.lanes[lane.index()].claimed.load(Ordering::Acquire)
    }

    /// Lanes that may take no more notices now.
    pub fn full(&self) -> Vec<Lane> {
        Lane::ALL.into_iter().filter(|&lane| self.claimed(lane) >= lane.cap()).collect()
    }

    /// How many notices the next claim may take without overfilling any
    /// lane that is not full (it does not know which lanes they are for).
    pub fn room(&self) -> usize {
        Lane::ALL
            .into_iter()
            .map(|lane| lane.cap().saturating_sub(self.claimed(lane)))
            .filter(|&room| room > 0)
            .min()
            .unwrap_or(0)
    }

    /// Counts a claimed notice of `channel` in its lane until the ticket drops.
    pub fn ticket(&self, channel: &str) -> Ticket {
        let state = &self.lanes[Lane::of(channel).index()];
        state.claimed.fetch_add(1, Ordering::AcqRel);
        Ticket { slots: state.slots.clone(), claimed: state.claimed.clone() }
    }
}

/// A claimed notice's place in its lane.
pub struct Ticket {
    slots: Arc<Semaphore>,
    claimed: Arc<AtomicUsize>,
}

impl Ticket {
    /// Waits for one of the lane's delivery slots.
    pub async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().acquire_owned().await.ok()
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.claimed.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_lane_is_left_out_and_the_others_keep_their_room() {
        let lanes = Lanes::default();
        let tickets: Vec<Ticket> = (0..Lane::Task.cap()).map(|_| lanes.ticket(TASK_CHANNEL)).collect();
        assert_eq!(lanes.full(), vec![Lane::Task]);
        assert_eq!(lanes.room(), Lane::Email.cap(), "the smallest room of the lanes still open");
        drop(tickets);
        assert!(lanes.full().is_empty());
    }

    #[test]
    fn the_next_claim_cannot_overfill_a_nearly_full_lane() {
        let lanes = Lanes::default();
        let _tickets: Vec<Ticket> = (0..Lane::Live.cap() - 3).map(|_| lanes.ticket("live")).collect();
        assert_eq!(lanes.room(), 3);
    }

    #[test]
    fn unknown_channels_fail_in_the_webhook_lane() {
        assert_eq!(Lane::of("carrier-pigeon"), Lane::Webhook);
        for lane in Lane::ALL {
            assert_eq!(Lane::of(lane.channel()), lane);
        }
    }
}
