//! [`Manager`], the one type that holds a token manager's state, and its [`Policy`], the
//! part the sans-IO machines read. Use the manager through its two names:
//! [`TokenManager`](super::TokenManager) (threads) and
//! [`AsyncTokenManager`](super::AsyncTokenManager) (tasks).
//!
//! Where each piece of state lives, and who changes it:
//!
//! - [`Policy`]: the client and the settings. Fixed once the manager is built; the machines
//!   borrow it immutably, so a step changes nothing but the machine itself.
//! - The single flight ([`SingleFlight`]) and the grants counter: changed by the drivers only.
//! - The store, wrapped in the one [`FallbackStore`](super::fallback::FallbackStore) (inside
//!   `Io`): changed only by the store calls the drivers carry out.

use core::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::error::ManagerError;
use super::flight::SingleFlight;
use super::lock::LockPolicy;
use super::regrant::RegrantPolicy;
use super::retry::RetryPolicy;
use crate::exchange::JwtBearer;
use crate::response::TokenResponse;
use crate::store::{StoreError, StoreReply};

/// Hands out one reused token to many callers, granting a new one only when needed.
///
/// `Io` is how it reaches the outside world: [`BlockingIo`](super::BlockingIo) for
/// [`TokenManager`](super::TokenManager), [`AsyncIo`](super::AsyncIo) for
/// [`AsyncTokenManager`](super::AsyncTokenManager). The settings below apply to both.
pub struct Manager<Io> {
    pub(super) policy: Policy,
    pub(super) flight: SingleFlight,
    grants: AtomicU64,
    pub(super) io: Io,
}

/// The client and the settings: everything a machine's step reads, nothing it could change.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) client: JwtBearer,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_age: Option<Duration>,
    pub(crate) lock: LockPolicy,
    pub(crate) regrant: RegrantPolicy,
}

impl<Io> Manager<Io> {
    pub(super) fn with_io(client: JwtBearer, io: Io) -> Self {
        Self {
            policy: Policy::new(client),
            flight: SingleFlight::default(),
            grants: AtomicU64::new(0),
            io,
        }
    }

    /// Sets the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.policy.retry = retry;
        self
    }

    /// Re-grants tokens older than `max_age` (by the client's clock). Off by default:
    /// Salesforce sessions slide with use, so age alone does not expire them.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.policy.max_age = Some(max_age);
        self
    }

    /// Sets how long the fleet's grant lock lives and how long to wait for another process's
    /// grant. Only a shared store (e.g. `sfjwt-redis`) hands out a real lock; see
    /// [`LockPolicy`].
    #[must_use]
    pub fn with_lock_policy(mut self, policy: LockPolicy) -> Self {
        self.policy.lock = policy;
        self
    }

    /// Sets how soon after its grant a refused token counts against re-granting (default
    /// 60 s; [`RegrantPolicy::unbounded`] turns the rule off).
    #[must_use]
    pub fn with_regrant_policy(mut self, policy: RegrantPolicy) -> Self {
        self.policy.regrant = policy;
        self
    }

    /// The client.
    pub fn client(&self) -> &JwtBearer {
        &self.policy.client
    }

    /// How many tokens this manager obtained from the token endpoint since it was made (each
    /// one a login). A call answered from the store, or by another caller's grant, does not
    /// count: comparing the count before and after a call tells whether it logged in.
    pub fn grants(&self) -> u64 {
        self.grants.load(Ordering::SeqCst)
    }

    /// Counts a token the endpoint granted (the drivers call it).
    pub(super) fn granted(&self) {
        self.grants.fetch_add(1, Ordering::SeqCst);
    }
}

impl Policy {
    pub(crate) fn new(client: JwtBearer) -> Self {
        Self {
            client,
            retry: RetryPolicy::default(),
            max_age: None,
            lock: LockPolicy::default(),
            regrant: RegrantPolicy::default(),
        }
    }

    /// The token to serve from the store's answer to a load, unless it is older than the
    /// maximum age at `now`.
    ///
    /// # Errors
    /// The store's error (the fallback had no copy to serve either).
    pub(crate) fn current(
        &self,
        reply: Result<StoreReply, StoreError>,
        now: SystemTime,
    ) -> Result<Option<Arc<TokenResponse>>, ManagerError> {
        let stored = reply.and_then(StoreReply::into_token)?;
        // A clock that went backwards reads as age zero: keep the token.
        let young = |at| now.duration_since(at).unwrap_or_default();
        Ok(stored
            .filter(|s| self.max_age.is_none_or(|max| young(s.obtained_at) < max))
            .map(|s| s.token))
    }

    /// The span of one grant attempt.
    #[cfg(feature = "tracing")]
    pub(crate) fn span(&self, attempt: u32) -> tracing::Span {
        tracing::info_span!(
            "sfjwt.grant",
            host = self.client.endpoint().host(),
            username = self.client.username(),
            attempt
        )
    }
}

impl<Io> fmt::Debug for Manager<Io> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manager")
            .field("policy", &self.policy)
            .field("grants", &self.grants())
            .finish_non_exhaustive()
    }
}
