//! Per-IP rate limits on the public form endpoints (GCRA via `governor`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Limits;

/// Forget idle clients once this many are tracked, so memory stays bounded.
const TRACKED_CLIENTS_BEFORE_CLEANUP: usize = 10_000;

/// The limiters for starting a form and for answering.
#[derive(Clone)]
pub struct RateLimits {
    starts: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    answers: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    logins: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    account_logins: Arc<DefaultKeyedRateLimiter<String>>,
}

/// Refused: retry after this long.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfter(pub Duration);

impl RateLimits {
    pub fn new(limits: &Limits) -> Self {
        RateLimits {
            starts: Arc::new(RateLimiter::keyed(per_minute(limits.starts_per_minute))),
            answers: Arc::new(RateLimiter::keyed(per_minute(limits.answers_per_minute))),
            logins: Arc::new(RateLimiter::keyed(per_minute(limits.logins_per_minute))),
            account_logins: Arc::new(RateLimiter::keyed(per_minute(limits.logins_per_account_per_minute))),
        }
    }

    pub fn check_start(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        check(&self.starts, ip)
    }

    /// Sign-in attempts: brute force is slowed to a crawl.
    pub fn check_login(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        check(&self.logins, ip)
    }

    /// Sign-in attempts for one account (the email as typed, lowercased),
    /// from any address.
    pub fn check_account_login(&self, email: &str) -> Result<(), RetryAfter> {
        check(&self.account_logins, email.trim().to_lowercase())
    }

    pub fn check_answer(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        check(&self.answers, ip)
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least one"))
}

fn check<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: K) -> Result<(), RetryAfter> {
    if limiter.len() > TRACKED_CLIENTS_BEFORE_CLEANUP {
        limiter.retain_recent();
    }
    limiter.check_key(&key).map_err(|not_until| RetryAfter(not_until.wait_time_from(DefaultClock::default().now())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_ip() {
        let limits = RateLimits::new(&Limits { starts_per_minute: 2, ..Limits::default() });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limits.check_start(a).is_ok());
        assert!(limits.check_start(a).is_ok());
        let refused = limits.check_start(a).unwrap_err();
        assert!(refused.0 > Duration::ZERO);
        assert!(limits.check_start(b).is_ok());
    }

    #[test]
    fn sign_in_attempts_are_limited_per_account_whatever_the_case() {
        let limits = RateLimits::new(&Limits { logins_per_account_per_minute: 2, ..Limits::default() });
        assert!(limits.check_account_login("Rita@Team.example").is_ok());
        assert!(limits.check_account_login(" rita@team.example").is_ok());
        assert!(limits.check_account_login("rita@team.example").is_err());
        assert!(limits.check_account_login("sam@team.example").is_ok());
    }
}
