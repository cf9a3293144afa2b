//! Shared state handed to every handler.

use std::sync::Arc;

use crate::app::forms::FormCache;
use crate::config::{Limits, SecretKey, Settings};
use crate::store::Db;

use super::rate_limit::RateLimits;

/// What handlers share: the database, caches and settings.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub forms: FormCache,
    pub secret: SecretKey,
    pub settings: Arc<Settings>,
    pub rate_limits: RateLimits,
    /// The public address of this server, for links (no trailing slash).
    pub base_url: String,
}

impl AppState {
    pub fn new(db: Db, secret: SecretKey, settings: Settings, base_url: String) -> Self {
        let rate_limits = RateLimits::new(&settings.limits);
        let settings = Arc::new(settings);
        AppState {
            db,
            forms: FormCache::default(),
            secret,
            settings,
            rate_limits,
            base_url,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.settings.limits
    }
}
