//! The async twin of [`TokenStore`]: a store whose I/O must not block the executor (a Redis or
//! database round trip from inside an async task).
//!
//! Why a second trait rather than running the sync one on a blocking pool: the core has no
//! runtime to own such a pool, and a network store has a native async client anyway. Its
//! methods return boxed futures so that the manager can hold any store as a trait object (one
//! allocation per call, next to a network round trip). A sync store such as [`MemoryStore`]
//! stays usable from the async manager through
//! [`AsyncTokenManager::with_store`](super::AsyncTokenManager::with_store): it never waits, so
//! calling it inline blocks nothing.
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

/// A shared handle is a store too (see the [`TokenStore`] twin).
impl<S: AsyncTokenStore + ?Sized> AsyncTokenStore for std::sync::Arc<S> {
    fn load(&self) -> StoreFuture<'_, Option<StoredToken>> {
        (**self).load()
    }

    fn save(&self, token: StoredToken) -> StoreFuture<'_, ()> {
        (**self).save(token)
    }

    fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> StoreFuture<'a, bool> {
        (**self).invalidate(stale)
    }

    fn acquire_grant_lock(&self, ttl: Duration) -> StoreFuture<'_, GrantLock> {
        (**self).acquire_grant_lock(ttl)
    }

    fn release_grant_lock(&self, lease: GrantLease) -> StoreFuture<'_, ()> {
        (**self).release_grant_lock(lease)
    }

    fn extend_grant_lock<'a>(
        &'a self,
        lease: &'a GrantLease,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        (**self).extend_grant_lock(lease, ttl)
    }

    fn load_refusals(&self) -> StoreFuture<'_, Option<QuickRefusals>> {
        (**self).load_refusals()
    }

    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> StoreFuture<'_, bool> {
        (**self).save_refusals(refusals, keep_for)
    }
}

/// Either kind of store, as the async manager holds it. A sync store is called inline: the
/// ones meant for it ([`MemoryStore`](super::MemoryStore)) never wait on I/O.
#[derive(Clone)]
pub(crate) enum AnyStore {
    Sync(std::sync::Arc<dyn TokenStore>),
    Async(std::sync::Arc<dyn AsyncTokenStore>),
}

impl AnyStore {
    pub(crate) async fn load(&self) -> Result<Option<StoredToken>, StoreError> {
        match self {
            Self::Sync(s) => s.load(),
            Self::Async(s) => s.load().await,
        }
    }

    pub(crate) async fn save(&self, token: StoredToken) -> Result<(), StoreError> {
        match self {
            Self::Sync(s) => s.save(token),
            Self::Async(s) => s.save(token).await,
        }
    }

    pub(crate) async fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        match self {
            Self::Sync(s) => s.invalidate(stale),
            Self::Async(s) => s.invalidate(stale).await,
        }
    }

    pub(crate) async fn acquire_grant_lock(&self, ttl: Duration) -> Result<GrantLock, StoreError> {
        match self {
            Self::Sync(s) => s.acquire_grant_lock(ttl),
            Self::Async(s) => s.acquire_grant_lock(ttl).await,
        }
    }

    pub(crate) async fn release_grant_lock(&self, lease: GrantLease) -> Result<(), StoreError> {
        match self {
            Self::Sync(s) => s.release_grant_lock(lease),
            Self::Async(s) => s.release_grant_lock(lease).await,
        }
    }

    pub(crate) async fn extend_grant_lock(
        &self,
        lease: &GrantLease,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        match self {
            Self::Sync(s) => s.extend_grant_lock(lease, ttl),
            Self::Async(s) => s.extend_grant_lock(lease, ttl).await,
        }
    }

    pub(crate) async fn load_refusals(&self) -> Result<Option<QuickRefusals>, StoreError> {
        match self {
            Self::Sync(s) => s.load_refusals(),
            Self::Async(s) => s.load_refusals().await,
        }
    }

    pub(crate) async fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> Result<bool, StoreError> {
        match self {
            Self::Sync(s) => s.save_refusals(refusals, keep_for),
            Self::Async(s) => s.save_refusals(refusals, keep_for).await,
        }
    }
}
