//! When to skip Redis, and counting what its absence cost.
//!
//! A Redis that is down or does not answer must cost a caller at most one connect or response
//! timeout, not one per call: after a connection-level failure the store fails at once for
//! `retry_after` (a simple circuit breaker; the token manager serves its own copy meanwhile),
//! then tries Redis again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct Health {
    retry_after: Duration,
    down_until: Mutex<Option<Instant>>,
    local_locks: AtomicU64,
    wrong_types: AtomicU64,
}

impl Health {
    pub(crate) fn new(retry_after: Duration) -> Self {
        Self {
            retry_after,
            down_until: Mutex::new(None),
            local_locks: AtomicU64::new(0),
            wrong_types: AtomicU64::new(0),
        }
    }

    /// Whether Redis is being skipped now.
    pub(crate) fn skipping(&self, op: &'static str) -> bool {
        let down = self
            .down_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|until| Instant::now() < until);
        if down {
            tracing::debug!(op, "sfjwt-redis: Redis marked down; skipping it");
        }
        down
    }

    /// Records a failed Redis call and whether to stop trying for a while.
    pub(crate) fn failed(&self, op: &'static str, error: &redis::RedisError) {
        let connectivity = error.is_io_error()
            || error.is_timeout()
            || error.is_connection_dropped()
            || error.is_connection_refusal()
            || error.is_unrecoverable_error();
        if is_wrong_type(error) {
            // Not an outage: one of this identity's keys holds something else (another
            // program's value, a hand-made key). Every call would fall back and grant around
            // it, so say so — once, loudly — and count it.
            if self.wrong_types.fetch_add(1, Ordering::Relaxed) == 0 {
                tracing::warn!(
                    op,
                    "sfjwt-redis: a key of this identity holds a value of another type (WRONGTYPE); \
                     every call grants on its own until the key is deleted"
                );
            }
            return;
        }
        if connectivity {
            *self
                .down_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + self.retry_after);
        }
        // Redis error texts name the command and the failure, never a value.
        tracing::warn!(
            op,
            error = %error,
            retry_after_ms = u64::try_from(self.retry_after.as_millis()).unwrap_or(u64::MAX),
            "sfjwt-redis: Redis unavailable; the token manager works without it"
        );
    }

    pub(crate) fn local_lock(&self) {
        self.local_locks.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("sfjwt-redis: grant lock unavailable; this process grants on its own");
    }

    pub(crate) fn wrong_types(&self) -> u64 {
        self.wrong_types.load(Ordering::Relaxed)
    }

    pub(crate) fn local_locks(&self) -> u64 {
        self.local_locks.load(Ordering::Relaxed)
    }
}

/// Redis answered `WRONGTYPE`: the key exists with another type than the command works on.
fn is_wrong_type(error: &redis::RedisError) -> bool {
    // A pipeline's error carries the code only in its text.
    error.code() == Some("WRONGTYPE") || error.to_string().contains("WRONGTYPE")
}
