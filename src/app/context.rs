//! What every use case needs: the database, caches, the clock and a way to
//! wake the notice worker after a commit.

use std::sync::Arc;

use tokio::sync::Notify;

use super::clock::Clock;
use super::forms::FormCache;
use crate::store::Db;

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub forms: FormCache,
    pub clock: Clock,
    /// Public base URL for links in notices (no trailing slash).
    pub base_url: String,
    /// Whether notices also go out by email (SMTP configured).
    pub email_enabled: bool,
    /// Wakes the notice worker as soon as new notices are committed.
    pub wake_worker: Arc<Notify>,
    /// Wakes the calendar feed poller when a feed address is saved.
    pub wake_feeds: Arc<Notify>,
}

impl Context {
    pub fn new(db: Db, clock: Clock, base_url: String, email_enabled: bool) -> Context {
        Context {
            db,
            forms: FormCache::default(),
            clock,
            base_url,
            email_enabled,
            wake_worker: Arc::new(Notify::new()),
            wake_feeds: Arc::new(Notify::new()),
        }
    }
}
