//! How long a fleet's grant lock lives and how long a process waits for another's grant.
//!
//! Only stores shared across processes hand out a real lock (see
//! [`StoreOp::AcquireLock`](crate::store::StoreOp::AcquireLock)); with the in-memory default
//! this policy is never consulted past "acquired".

use std::time::Duration;

/// Timing of the cross-process grant lock. Default: TTL 45 s, poll every 100 ms, wait at most
/// 135 s before granting without the lock.
///
/// - `ttl`: how long the lock lives if its holder stops renewing it (it died). The holder
///   takes the lock for `ttl` and renews it for another `ttl` before each retry, so `ttl` must
///   cover one attempt plus one backoff: the default 45 s is the adapters' 30 s request timeout
///   plus [`RetryPolicy`](super::RetryPolicy)'s 10 s backoff cap, plus 5 s of margin. With a
///   longer request timeout, raise it, or a slow attempt lets a second process grant too.
/// - `poll_interval`: how often a waiting process re-reads the store for the holder's token.
/// - `max_wait`: the time a waiting process waits, measured as elapsed time on the manager's
///   clock from the moment it first found the lock held, after which it grants on its own — the bound on how long a caller can be held up by a stuck fleet.
///   Default 3 × `ttl`: longer than a live holder's whole grant (3 attempts by default, each
///   within one `ttl`), and a dead holder's lock expires (and one waiter takes it over) within
///   one `ttl`.
///
/// ```
/// use std::time::Duration;
/// use sfjwt_core::manager::LockPolicy;
/// let p = LockPolicy::new(Duration::from_secs(10)).with_poll_interval(Duration::from_millis(50));
/// assert_eq!(p.max_wait(), Duration::from_secs(30));
/// assert_eq!(LockPolicy::default().ttl(), Duration::from_secs(45));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    ttl: Duration,
    poll_interval: Duration,
    max_wait: Duration,
}

impl Default for LockPolicy {
    fn default() -> Self {
        Self::new(Duration::from_secs(45))
    }
}

impl LockPolicy {
    /// A lock living `ttl` (at least 1 ms), polled every 100 ms, waited for at most 3 × `ttl`.
    pub fn new(ttl: Duration) -> Self {
        let ttl = ttl.max(Duration::from_millis(1));
        Self {
            ttl,
            poll_interval: Duration::from_millis(100),
            max_wait: ttl.saturating_mul(3),
        }
    }

    /// Re-reads the store this often while another process grants (at least 1 ms).
    #[must_use]
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Grants without the lock after waiting this long (elapsed time, not just the pauses).
    #[must_use]
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// How long the lock lives unless released or renewed.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The pause between polls.
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    /// The elapsed wait after which a waiter grants on its own.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }
}
