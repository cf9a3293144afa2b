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
    /// Responses in progress kept in memory (see `app::hot` for what for).
    pub hot: super::hot::HotResponses,
    pub clock: Clock,
    /// Public base URL for links in notices (no trailing slash).
    pub base_url: String,
    /// Whether notices also go out by email (SMTP configured).
    pub email_enabled: bool,
    /// Wakes the notice worker as soon as new notices are committed.
    pub wake_worker: Arc<Notify>,
    /// First-page views counted in memory, flushed in batches.
    pub views: super::views::ViewCounter,
    /// Source-quality and abandoned-response settings.
    pub analytics: super::analytics::AnalyticsSettings,
    /// When this instance last looked for abandoned Tier 1 responses.
    pub abandoned_checked: Arc<std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>>,
    /// Wakes the calendar feed poller when a feed address is saved.
    pub wake_feeds: Arc<Notify>,
}

impl Context {
    pub fn new(db: Db, clock: Clock, base_url: String, email_enabled: bool) -> Context {
        let hot = super::hot::HotResponses::new(match db.backend() {
            crate::store::Backend::Sqlite => super::hot::HotUse::Trusted,
            crate::store::Backend::Postgres => super::hot::HotUse::Checked,
        });
        Context {
            hot,
            db,
            forms: FormCache::default(),
            clock,
            base_url,
            email_enabled,
            wake_worker: Arc::new(Notify::new()),
            views: Default::default(),
            analytics: Default::default(),
            abandoned_checked: Default::default(),
            wake_feeds: Arc::new(Notify::new()),
        }
    }
}
