//! Shared state handed to every handler.

use std::sync::Arc;

use crate::app::Context;
use crate::config::{Limits, SecretKey, Settings};
use crate::notify::live::LiveHub;

use super::rate_limit::RateLimits;

/// What handlers share: the use-case context, the live hub and settings.
#[derive(Clone)]
pub struct AppState {
    pub ctx: Context,
    pub secret: SecretKey,
    pub settings: Arc<Settings>,
    pub rate_limits: RateLimits,
    pub live: LiveHub,
}

impl AppState {
    pub fn new(ctx: Context, secret: SecretKey, settings: Settings, live: LiveHub) -> Self {
        let rate_limits = RateLimits::new(&settings.limits);
        AppState { ctx, secret, settings: Arc::new(settings), rate_limits, live }
    }

    pub fn limits(&self) -> &Limits {
        &self.settings.limits
    }

    /// Cookies get the Secure flag when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.ctx.base_url.starts_with("https://")
    }
}
