//! Polling reps' iCalendar feeds: every feed on a timer, and a feed just
//! saved at once (the calendar page wakes the poller). Fetching refuses
//! private and loopback targets unless allowed, like webhooks; what a feed
//! held is recorded by `app::calendar_feed`.

use std::time::Duration;

use crate::app::{Context, calendar_feed};
use crate::store;

use super::webhook;

/// Largest feed read.
const MAX_FEED_BYTES: usize = 4 * 1024 * 1024;

/// The feed poller.
pub struct FeedPoller {
    pub ctx: Context,
    pub http: reqwest::Client,
    pub allow_private: bool,
    pub every: Duration,
}

impl FeedPoller {
    /// Polls until `shutdown` changes.
    pub fn spawn(self, mut shutdown: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut all = true;
            loop {
                self.poll(all).await;
                tokio::select! {
                    _ = self.ctx.wake_feeds.notified() => all = false,
                    _ = tokio::time::sleep(self.every) => all = true,
                    _ = shutdown.changed() => break,
                }
            }
        })
    }

    /// One round: every feed, or only those never polled since they were saved.
    pub async fn poll(&self, all: bool) {
        let feeds = match self.ctx.db.read().await {
            Ok(mut conn) => store::calendars::list_feeds(conn.conn()).await,
            Err(error) => Err(error),
        };
        let feeds = match feeds {
            Ok(feeds) => feeds,
            Err(error) => return tracing::warn!(%error, "listing calendar feeds failed"),
        };
        for feed in feeds.into_iter().filter(|f| all || f.feed_checked_at.is_none()) {
            let Some(url) = feed.feed_url else { continue };
            let fetched = webhook::fetch_checked(&self.http, &url, self.allow_private, MAX_FEED_BYTES).await;
            let fetched = fetched.map_err(describe);
            if let Err(error) = calendar_feed::record_feed(&self.ctx, feed.user_id, &url, fetched).await {
                tracing::warn!(%error, rep = %feed.user_id, "recording a calendar feed failed");
            }
        }
    }
}

/// Why a fetch failed, in words about a calendar rather than a webhook.
fn describe(error: webhook::WebhookError) -> String {
    match error {
        webhook::WebhookError::Status { status, .. } => format!("the calendar server answered with status {status}"),
        webhook::WebhookError::Timeout => "the calendar server did not answer in time".to_owned(),
        other => other.to_string().replace("The webhook", "The calendar").replace("webhook", "calendar"),
    }
}
