//! The token store interface: where a manager keeps its token, and what a store must answer.
//!
//! A store crate (`sfjwt-redis`, `sfjwt-file-store`, or a user's own) depends on this module
//! only: it implements [`TokenStore`] (blocking) or [`AsyncTokenStore`] (awaiting) by answering
//! one operation enum, [`StoreOp`], with one [`StoreReply`]. The managers in
//! [`manager`](crate::manager) depend on this module, never the reverse, so a store can be
//! written, tested and versioned without the manager's internals, and the manager's policy
//! (retries, re-grants, what to do when a store fails) stays out of the store's way.
//!
//! - [`StoredToken`]: a token with the time it was obtained.
//! - [`GrantLock`] / [`GrantLease`]: the cross-process grant lock a shared store hands out.
//! - [`QuickRefusals`]: the fleet-wide count of tokens refused right after their grant.
//! - [`CacheIdentity`]: the key a shared store files one configuration's token under.
//! - [`MemoryStore`]: the default, one process.
//! - [`StoreError`]: how a store says it failed.

mod async_store;
mod identity;
mod interface;
mod memory;

pub use async_store::{AsyncTokenStore, StoreFuture};
pub use identity::CacheIdentity;
pub use interface::{
    GrantLease, GrantLock, QuickRefusals, StoreError, StoreOp, StoreReply, StoredToken, TokenStore,
};
pub use memory::MemoryStore;
