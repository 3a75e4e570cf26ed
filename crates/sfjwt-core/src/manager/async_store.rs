//! The async twin of [`TokenStore`]: a store whose I/O must not block the executor (a Redis or
//! database round trip from inside an async task).
//!
//! Why a second trait rather than running the sync one on a blocking pool: the core has no
//! runtime to own such a pool, and a network store has a native async client anyway. Its
//! methods return boxed futures so that the manager can hold any store as a trait object (one
//! allocation per call, next to a network round trip). Every [`TokenStore`] is an
//! `AsyncTokenStore` too, through a blanket adapter that calls it inline: the async manager
//! has one store abstraction, and a store such as [`MemoryStore`] never waits, so calling it
//! inline blocks nothing.
//!
//! [`MemoryStore`]: super::MemoryStore

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::regrant::QuickRefusals;
use super::store::{GrantLease, GrantLock, StoreError, StoredToken, TokenStore};
use crate::response::AccessToken;

/// What an [`AsyncTokenStore`] method returns: a boxed, `Send` future of a store result.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Keeps the current token for the [`AsyncTokenManager`](super::AsyncTokenManager) without
/// blocking its executor. Same contract as [`TokenStore`], method for method.
///
/// ```
/// use std::sync::Mutex;
/// use sfjwt_core::manager::{AsyncTokenStore, StoreFuture, StoredToken};
/// use sfjwt_core::response::AccessToken;
///
/// #[derive(Default)]
/// struct Slot(Mutex<Option<StoredToken>>);
///
/// impl AsyncTokenStore for Slot {
///     fn load(&self) -> StoreFuture<'_, Option<StoredToken>> {
///         let current = self.0.lock().unwrap().clone();
///         Box::pin(async move { Ok(current) })
///     }
///     fn save(&self, token: StoredToken) -> StoreFuture<'_, ()> {
///         *self.0.lock().unwrap() = Some(token);
///         Box::pin(async { Ok(()) })
///     }
///     fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> StoreFuture<'a, bool> {
///         let mut slot = self.0.lock().unwrap();
///         let hit = slot.as_ref().is_some_and(|t| t.token.access_token().same_as(stale));
///         if hit { *slot = None; }
///         Box::pin(async move { Ok(hit) })
///     }
/// }
/// ```
pub trait AsyncTokenStore: Send + Sync {
    /// The current token, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be read.
    fn load(&self) -> StoreFuture<'_, Option<StoredToken>>;

    /// Replaces the current token.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be written.
    fn save(&self, token: StoredToken) -> StoreFuture<'_, ()>;

    /// Removes the current token **only if** it is `stale`; resolves to whether it did.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be updated.
    fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> StoreFuture<'a, bool>;

    /// See [`TokenStore::acquire_grant_lock`]. Default: always acquired.
    ///
    /// # Errors
    /// [`StoreError`] when the lock service cannot be reached; the manager then grants
    /// without the lock.
    fn acquire_grant_lock(&self, ttl: Duration) -> StoreFuture<'_, GrantLock> {
        let _ = ttl;
        Box::pin(async { Ok(GrantLock::Acquired(GrantLease::local())) })
    }

    /// See [`TokenStore::release_grant_lock`]. Default: nothing to do.
    ///
    /// # Errors
    /// [`StoreError`] when the lock service cannot be reached; the lock then expires.
    fn release_grant_lock(&self, lease: GrantLease) -> StoreFuture<'_, ()> {
        let _ = lease;
        Box::pin(async { Ok(()) })
    }

    /// See [`TokenStore::extend_grant_lock`]. Default: `Ok(true)`.
    ///
    /// # Errors
    /// [`StoreError`] when the lock service cannot be reached; the manager goes on granting.
    fn extend_grant_lock<'a>(
        &'a self,
        lease: &'a GrantLease,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let _ = (lease, ttl);
        Box::pin(async { Ok(true) })
    }

    /// See [`TokenStore::load_refusals`]. Default: `None`.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be read.
    fn load_refusals(&self) -> StoreFuture<'_, Option<QuickRefusals>> {
        Box::pin(async { Ok(None) })
    }

    /// See [`TokenStore::save_refusals`]. Default: keeps nothing, resolves to `false`.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be written.
    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> StoreFuture<'_, bool> {
        let _ = (refusals, keep_for);
        Box::pin(async { Ok(false) })
    }
}

/// The blanket adapter: every [`TokenStore`] is an async store whose futures are ready at
/// once (the sync call runs inline on the task). So there is one store abstraction for the
/// async manager; a shared handle (`Arc<S>`) to a sync store is one too.
///
/// Right for stores that never wait on I/O ([`MemoryStore`](super::MemoryStore), a file on local disk); a store
/// that makes network round trips should implement [`AsyncTokenStore`] itself.
impl<S: TokenStore> AsyncTokenStore for S {
    fn load(&self) -> StoreFuture<'_, Option<StoredToken>> {
        ready(TokenStore::load(self))
    }

    fn save(&self, token: StoredToken) -> StoreFuture<'_, ()> {
        ready(TokenStore::save(self, token))
    }

    fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> StoreFuture<'a, bool> {
        ready(TokenStore::invalidate(self, stale))
    }

    fn acquire_grant_lock(&self, ttl: Duration) -> StoreFuture<'_, GrantLock> {
        ready(TokenStore::acquire_grant_lock(self, ttl))
    }

    fn release_grant_lock(&self, lease: GrantLease) -> StoreFuture<'_, ()> {
        ready(TokenStore::release_grant_lock(self, lease))
    }

    fn extend_grant_lock<'a>(
        &'a self,
        lease: &'a GrantLease,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        ready(TokenStore::extend_grant_lock(self, lease, ttl))
    }

    fn load_refusals(&self) -> StoreFuture<'_, Option<QuickRefusals>> {
        ready(TokenStore::load_refusals(self))
    }

    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> StoreFuture<'_, bool> {
        ready(TokenStore::save_refusals(self, refusals, keep_for))
    }
}

/// A future that is already resolved with `result`.
fn ready<'a, T: Send + 'a>(result: Result<T, StoreError>) -> StoreFuture<'a, T> {
    Box::pin(std::future::ready(result))
}
