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
    /// Turns true when shutdown begins: endless responses (live inbox
    /// streams) end then, so the graceful drain is not kept waiting.
    pub stopping: tokio::sync::watch::Sender<bool>,
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
        let (stopping, _) = tokio::sync::watch::channel(false);
        let settings = Arc::new(settings);
        AppState(Arc::new(SharedState { ctx, secret, settings, rate_limits, live, policies, stopping }))
    }

    /// Completes once shutdown has begun.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut stopping = self.stopping.subscribe();
        async move {
            let _ = stopping.wait_for(|stopping| *stopping).await;
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.settings.limits
    }

    /// Cookies get the Secure flag when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.ctx.base_url.starts_with("https://")
    }
}
