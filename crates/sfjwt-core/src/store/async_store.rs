//! The async twin of [`TokenStore`]: a store whose I/O must not block the executor (a Redis or
//! database round trip from inside an async task).
//!
//! Why a second trait rather than running the sync one on a blocking pool: the core has no
//! runtime to own such a pool, and a network store has a native async client anyway. Its one
//! method returns a boxed future so that the manager can hold any store as a trait object (one
//! allocation per call, next to a network round trip). Every [`TokenStore`] is an
//! `AsyncTokenStore` too, through a blanket adapter that calls it inline: the async manager
//! has one store abstraction, and a store such as [`MemoryStore`] never waits, so calling it
//! inline blocks nothing.
//!
//! [`MemoryStore`]: super::MemoryStore

use std::future::Future;
use std::pin::Pin;

use super::interface::{StoreError, StoreOp, StoreReply, TokenStore};

/// What [`AsyncTokenStore::run`] returns: a boxed, `Send` future of the store's answer.
pub type StoreFuture<'a> =
    Pin<Box<dyn Future<Output = Result<StoreReply, StoreError>> + Send + 'a>>;

/// Keeps the current token for the [`AsyncTokenManager`](crate::manager::AsyncTokenManager) without
/// blocking its executor. Same contract as [`TokenStore`]: one [`StoreOp`] in, one
/// [`StoreReply`] out.
///
/// ```
/// use std::sync::Mutex;
/// use sfjwt_core::store::{AsyncTokenStore, StoreFuture, StoreOp, StoreReply, StoredToken};
///
/// #[derive(Default)]
/// struct Slot(Mutex<Option<StoredToken>>);
///
/// impl AsyncTokenStore for Slot {
///     fn run(&self, op: StoreOp) -> StoreFuture<'_> {
///         let mut slot = self.0.lock().unwrap();
///         let reply = match op {
///             StoreOp::Load => Ok(StoreReply::Token(slot.clone())),
///             StoreOp::Save(token) => { *slot = Some(token); Ok(StoreReply::Saved) }
///             StoreOp::Invalidate(stale) => {
///                 let hit = slot.as_ref().is_some_and(|t| t.token.access_token().same_as(&stale));
///                 if hit { *slot = None; }
///                 Ok(StoreReply::Invalidated(hit))
///             }
///             other => other.default_reply(),
///         };
///         Box::pin(async move { reply })
///     }
/// }
/// ```
pub trait AsyncTokenStore: Send + Sync {
    /// Carries out `op`.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be read or written.
    fn run(&self, op: StoreOp) -> StoreFuture<'_>;
}

/// The blanket adapter: every [`TokenStore`] is an async store whose futures are ready at
/// once (the sync call runs inline on the task). So there is one store abstraction for the
/// async manager; a shared handle (`Arc<S>`) to a sync store is one too.
///
/// Right for stores that never wait on I/O ([`MemoryStore`](super::MemoryStore), a file on
/// local disk); a store that makes network round trips should implement [`AsyncTokenStore`]
/// itself.
impl<S: TokenStore> AsyncTokenStore for S {
    fn run(&self, op: StoreOp) -> StoreFuture<'_> {
        Box::pin(std::future::ready(TokenStore::run(self, op)))
    }
}
