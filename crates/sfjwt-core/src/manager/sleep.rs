//! How the manager waits between retries. Injectable, so tests record the waits instead of
//! sleeping, and the async manager needs no particular runtime.

use std::future::Future;
use std::time::Duration;

/// Blocks the current thread for a while (the sync manager's backoff).
pub trait Sleep: Send + Sync {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration);
}

/// [`std::thread::sleep`]: the sync manager's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleep;

impl Sleep for ThreadSleep {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl<F: Fn(Duration) + Send + Sync> Sleep for F {
    fn sleep(&self, duration: Duration) {
        self(duration);
    }
}

/// Waits asynchronously (the async manager's backoff). The core has no runtime, so the caller
/// passes its timer, e.g. `|d| tokio::time::sleep(d)`; any `Fn(Duration) -> impl Future` works.
pub trait AsyncSleep: Send + Sync {
    /// Resolves after `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

impl<F, Fut> AsyncSleep for F
where
    F: Fn(Duration) -> Fut + Send + Sync,
    Fut: Future<Output = ()> + Send,
{
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        self(duration)
    }
}
