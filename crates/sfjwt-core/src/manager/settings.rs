//! The manager type and the settings both flavours share. Use it through its two names:
//! [`TokenManager`](super::TokenManager) (threads) and
//! [`AsyncTokenManager`](super::AsyncTokenManager) (tasks).

use core::fmt;
use std::time::Duration;

use super::lock::LockPolicy;
use super::regrant::RegrantPolicy;
use super::retry::RetryPolicy;
use super::shared::Shared;
use crate::exchange::JwtBearer;

/// Hands out one reused token to many callers, granting a new one only when needed.
///
/// `Io` is how it reaches the outside world: [`BlockingIo`](super::BlockingIo) for
/// [`TokenManager`](super::TokenManager), [`AsyncIo`](super::AsyncIo) for
/// [`AsyncTokenManager`](super::AsyncTokenManager). The settings below apply to both.
pub struct Manager<Io> {
    pub(super) shared: Shared,
    pub(super) io: Io,
}

impl<Io> Manager<Io> {
    pub(super) fn with_io(client: JwtBearer, io: Io) -> Self {
        Self {
            shared: Shared::new(client),
            io,
        }
    }

    /// Sets the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.shared.retry = retry;
        self
    }

    /// Re-grants tokens older than `max_age` (by the client's clock). Off by default:
    /// Salesforce sessions slide with use, so age alone does not expire them.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.shared.max_age = Some(max_age);
        self
    }

    /// Sets how long the fleet's grant lock lives and how long to wait for another process's
    /// grant. Only a shared store (e.g. `sfjwt-redis`) hands out a real lock; see
    /// [`LockPolicy`].
    #[must_use]
    pub fn with_lock_policy(mut self, policy: LockPolicy) -> Self {
        self.shared.lock = policy;
        self
    }

    /// Sets how soon after its grant a refused token counts against re-granting (default
    /// 60 s; [`RegrantPolicy::unbounded`] turns the rule off).
    #[must_use]
    pub fn with_regrant_policy(mut self, policy: RegrantPolicy) -> Self {
        self.shared.regrant = policy;
        self
    }

    /// The client.
    pub fn client(&self) -> &JwtBearer {
        &self.shared.client
    }

    /// How many store calls failed since this manager was made. The manager works around
    /// each (a token the store failed to save is kept for this process, so it costs no second
    /// grant) and logs it as a `tracing` warning; a rising count means the store needs a look.
    pub fn store_failures(&self) -> u64 {
        self.shared.store_failures()
    }
}

impl<Io> fmt::Debug for Manager<Io> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manager")
            .field("client", &self.shared.client)
            .field("retry", &self.shared.retry)
            .field("max_age", &self.shared.max_age)
            .field("lock", &self.shared.lock)
            .field("regrant", &self.shared.regrant)
            .finish_non_exhaustive()
    }
}
