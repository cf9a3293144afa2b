//! Shared state handed to every handler.

use std::sync::Arc;

use crate::app::Context;
use crate::config::{Limits, SecretKey, Settings};
use crate::notify::live::LiveHub;

use super::rate_limit::RateLimits;

/// What handlers share: the use-case context, the live hub and settings.
/// Cloned for every request (and by every middleware), so it is one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

/// The fields of [`AppState`], reached through `Deref`.
pub struct SharedState {
    pub ctx: Context,
    pub secret: SecretKey,
    pub settings: Arc<Settings>,
    pub rate_limits: RateLimits,
    pub live: LiveHub,
    /// Content-Security-Policy values, built once.
    pub policies: super::security::Policies,
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

impl AppState {
    pub fn new(ctx: Context, secret: SecretKey, settings: Settings, live: LiveHub) -> Self {
        let rate_limits = RateLimits::new(&settings.limits);
        let policies = super::security::Policies::new(&settings.frame_ancestors);
        AppState(Arc::new(SharedState { ctx, secret, settings: Arc::new(settings), rate_limits, live, policies }))
    }

    pub fn limits(&self) -> &Limits {
        &self.settings.limits
    }

    /// Cookies get the Secure flag when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.ctx.base_url.starts_with("https://")
    }
}
