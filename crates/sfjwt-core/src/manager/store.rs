//! Where the current token lives between calls, and who may grant the next one.
//!
//! The default [`MemoryStore`] serves one process. A fleet of processes shares one token (and
//! one login budget) through a store over a shared cache — `sfjwt-redis` is one:
//!
//! - `load` / `save`: the token response ([`TokenResponse::to_json`]) and when it was obtained.
//! - `invalidate`: compare-and-delete in one round trip, so a process reporting an old token
//!   never deletes the new token another process just stored.
//! - `acquire_grant_lock` / `release_grant_lock`: a cross-process lock around the grant (e.g.
//!   Redis `SET key owner NX PX ttl`, released by a compare-and-delete on the owner), so a
//!   fleet makes one grant, not one per process. Both have defaults that always grant, which
//!   is right for a store only one process uses: the manager's in-process single flight
//!   already makes that process's callers share one grant.
//!
//! The manager asks for the lock only after its own single flight made the caller the leader,
//! so a store sees at most one lock request per process at a time. While another process holds
//! the lock, the manager polls `load` at [`LockPolicy::poll_interval`](super::LockPolicy) and
//! asks again; a lock whose holder died expires after its TTL and the next ask wins it. When
//! the lock cannot be had (the store fails, or the wait passes
//! [`LockPolicy::max_wait`](super::LockPolicy)) the manager grants anyway: the lock saves
//! logins, it must never cost the ability to log in.

use core::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::regrant::QuickRefusals;
use crate::response::{AccessToken, TokenResponse};

/// A token and when this side obtained it (Salesforce sends no lifetime; the manager's optional
/// maximum age counts from here).
#[derive(Debug, Clone)]
pub struct StoredToken {
    /// The token response.
    pub token: Arc<TokenResponse>,
    /// When it was obtained, by the manager's clock.
    pub obtained_at: SystemTime,
}

/// Keeps the current token. Implementations must be safe to call from many threads.
pub trait TokenStore: Send + Sync {
    /// The current token, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be read.
    fn load(&self) -> Result<Option<StoredToken>, StoreError>;

    /// Replaces the current token.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be written.
    fn save(&self, token: StoredToken) -> Result<(), StoreError>;

    /// Removes the current token **only if** it is `stale`; returns whether it did.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be updated.
    fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError>;

    /// Asks for the right to grant a token for the next `ttl` (the lock expires by itself
    /// after it, so a holder that dies cannot stop the fleet). Default: always
    /// [`GrantLock::Acquired`], which suits a store used by one process.
    ///
    /// # Errors
    /// [`StoreError`] when the lock service cannot be reached; the manager then grants
    /// without the lock (and says so in its trace events).
    fn acquire_grant_lock(&self, ttl: Duration) -> Result<GrantLock, StoreError> {
        let _ = ttl;
        Ok(GrantLock::Acquired(GrantLease::local()))
    }

    /// Gives the lock back, but only if `lease` still owns it (it may have expired and been
    /// taken by another process, whose lock must survive). Default: nothing to do.
    ///
    /// # Errors
    /// [`StoreError`] when the lock service cannot be reached; the lock then expires by itself.
    fn release_grant_lock(&self, lease: GrantLease) -> Result<(), StoreError> {
        let _ = lease;
        Ok(())
    }

    /// Pushes the lock's expiry to `ttl` from now, but only if `lease` still owns it; returns
    /// whether it did. The manager calls it before each retry, so a grant that retries
    /// keeps its lock however long the retries take. Default: `Ok(true)` (no shared lock).
    ///
    /// # Errors
    /// [`StoreError`] when the lock service cannot be reached; the manager goes on granting.
    fn extend_grant_lock(&self, lease: &GrantLease, ttl: Duration) -> Result<bool, StoreError> {
        let _ = (lease, ttl);
        Ok(true)
    }

    /// The fleet's streak of tokens refused soon after their grant (see
    /// [`RegrantPolicy`](super::RegrantPolicy)), if this store keeps one. Default: `None`.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be read; the manager then uses its own
    /// copy.
    fn load_refusals(&self) -> Result<Option<QuickRefusals>, StoreError> {
        Ok(None)
    }

    /// Replaces the streak (`None`: clear it). It matters for `keep_for` from now; a shared
    /// store may let it expire then. Returns whether the store keeps it: the default keeps
    /// nothing and returns `false`, and the manager then keeps the streak for its own process.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be written; the manager then keeps the
    /// streak for its own process.
    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> Result<bool, StoreError> {
        let _ = (refusals, keep_for);
        Ok(false)
    }
}

/// A shared handle is a store too, so the caller can keep one (e.g. to read a store's own
/// counters) while the manager uses it.
impl<S: TokenStore + ?Sized> TokenStore for Arc<S> {
    fn load(&self) -> Result<Option<StoredToken>, StoreError> {
        (**self).load()
    }

    fn save(&self, token: StoredToken) -> Result<(), StoreError> {
        (**self).save(token)
    }

    fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        (**self).invalidate(stale)
    }

    fn acquire_grant_lock(&self, ttl: Duration) -> Result<GrantLock, StoreError> {
        (**self).acquire_grant_lock(ttl)
    }

    fn release_grant_lock(&self, lease: GrantLease) -> Result<(), StoreError> {
        (**self).release_grant_lock(lease)
    }

    fn extend_grant_lock(&self, lease: &GrantLease, ttl: Duration) -> Result<bool, StoreError> {
        (**self).extend_grant_lock(lease, ttl)
    }

    fn load_refusals(&self) -> Result<Option<QuickRefusals>, StoreError> {
        (**self).load_refusals()
    }

    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> Result<bool, StoreError> {
        (**self).save_refusals(refusals, keep_for)
    }
}

/// The answer to "may this process grant a token now?".
#[derive(Debug)]
#[non_exhaustive]
pub enum GrantLock {
    /// Yes: grant, save, then hand the lease to
    /// [`release_grant_lock`](TokenStore::release_grant_lock).
    Acquired(GrantLease),
    /// Another process holds the lock and is granting: wait, re-read the store, ask again.
    HeldElsewhere,
}

/// Proof of holding the grant lock: an opaque owner token (random per acquisition for a
/// shared store, so only the holder can release it). `Debug` does not show it.
#[derive(Clone)]
pub struct GrantLease {
    owner: String,
}

impl GrantLease {
    /// A lease identified by `owner` (a store makes it random and unguessable).
    pub fn new(owner: impl Into<String>) -> Self {
        Self {
            owner: owner.into(),
        }
    }

    /// The lease of a store without a shared lock (the default methods hand it out).
    pub fn local() -> Self {
        Self::new(String::new())
    }

    /// The owner token, to compare with the lock's value when releasing.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Whether this is the [`local`](Self::local) lease (no shared lock behind it).
    pub fn is_local(&self) -> bool {
        self.owner.is_empty()
    }
}

impl fmt::Debug for GrantLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_local() {
            "GrantLease(local)"
        } else {
            "GrantLease([redacted])"
        })
    }
}

/// The in-process default store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    slot: Mutex<Option<StoredToken>>,
    refusals: Mutex<Option<QuickRefusals>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<StoredToken>, StoreError> {
        Ok(self
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    fn save(&self, token: StoredToken) -> Result<(), StoreError> {
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(token);
        Ok(())
    }

    fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        let current = slot
            .as_ref()
            .is_some_and(|t| t.token.access_token().same_as(stale));
        if current {
            *slot = None;
        }
        Ok(current)
    }

    fn load_refusals(&self) -> Result<Option<QuickRefusals>, StoreError> {
        Ok(*self.refusals.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        _keep_for: Duration,
    ) -> Result<bool, StoreError> {
        *self.refusals.lock().unwrap_or_else(PoisonError::into_inner) = refusals;
        Ok(true)
    }
}

/// A token store failed. The message must not contain the token.
#[derive(Debug, Clone)]
pub struct StoreError {
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    /// The store failed as `message` says (which must not contain the token).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// The store failed as `message` says because its backend failed with `source` (a
    /// connection or file error), which [`source`](std::error::Error::source) returns.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Arc::new(source)),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token store: {}", self.message)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
