//! Which failures are retried, and how long to wait: capped exponential backoff with full
//! jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015): the n-th wait is
//! uniform in `[0, min(cap, base · 2^(n-1))]`, which spreads a fleet's retries apart.

use std::time::Duration;

use crate::exchange::ExchangeError;

/// Retry settings for token grants. Default: 3 attempts, base 500 ms, cap 10 s.
///
/// Only [`ExchangeError::is_retryable`] failures are retried: never `invalid_grant`,
/// `invalid_client_id` or configuration errors, which need a fix and would only burn the
/// 3,600-logins-per-hour budget.
///
/// ```
/// use std::time::Duration;
/// use sfjwt_core::manager::RetryPolicy;
/// let p = RetryPolicy::new(5, Duration::from_millis(100), Duration::from_secs(1));
/// assert_eq!(p.max_backoff(1), Duration::from_millis(100));
/// assert_eq!(p.max_backoff(3), Duration::from_millis(400));
/// assert_eq!(p.max_backoff(9), Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base: Duration,
    cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// `max_attempts` grants in total (at least 1), waits growing from `base`, never over `cap`.
    pub fn new(max_attempts: u32, base: Duration, cap: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base,
            cap,
        }
    }

    /// One attempt, no retry.
    pub fn never() -> Self {
        Self::new(1, Duration::ZERO, Duration::ZERO)
    }

    /// The total number of attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The upper bound of the wait after failed attempt `attempt` (1-based):
    /// `min(cap, base · 2^(attempt-1))`.
    pub fn max_backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The wait before the next attempt after failed attempt `attempt` ended with `error`, or
    /// `None` to give up. `random` is a uniformly random `u64` (the jitter source).
    pub fn delay_after(
        &self,
        attempt: u32,
        error: &ExchangeError,
        random: u64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || !error.is_retryable() {
            return None;
        }
        let bound = self.max_backoff(attempt).as_nanos();
        // Full jitter: uniform in [0, bound]. `bound` fits u64 for any cap below 584 years.
        let nanos = u128::from(random) % (bound + 1);
        Some(Duration::from_nanos(
            u64::try_from(nanos).unwrap_or(u64::MAX),
        ))
    }
}

/// A random u64 for jitter; if the OS has none to give, no jitter beats no retry.
pub(crate) fn jitter_random() -> u64 {
    getrandom::u64().unwrap_or(u64::MAX)
}
