//! Where the current token lives between calls, and who may grant the next one: the store
//! interface, as one operation enum ([`StoreOp`]) answered by one method ([`TokenStore::run`],
//! or [`AsyncTokenStore::run`](super::AsyncTokenStore::run) for a store whose I/O must not
//! block an executor).
//!
//! The default [`MemoryStore`](super::MemoryStore) serves one process. A fleet of processes
//! shares one token (and one login budget) through a store over a shared cache —
//! `sfjwt-redis` is one, `sfjwt-file-store` shares it between the processes of one user:
//!
//! - [`StoreOp::Load`] / [`StoreOp::Save`]: the token response ([`TokenResponse::to_json`])
//!   and when it was obtained.
//! - [`StoreOp::Invalidate`]: compare-and-delete in one step, so a process reporting an old
//!   token never deletes the new token another process just stored.
//! - [`StoreOp::AcquireLock`] / [`StoreOp::ReleaseLock`] / [`StoreOp::ExtendLock`]: a
//!   cross-process lock around the grant (e.g. Redis `SET key owner NX PX ttl`, released by a
//!   compare-and-delete on the owner), so a fleet makes one grant, not one per process.
//! - [`StoreOp::LoadRefusals`] / [`StoreOp::SaveRefusals`]: the fleet's streak of tokens
//!   refused right after their grant ([`QuickRefusals`]).
//!
//! A store that serves one process may answer the lock and streak operations with
//! [`StoreOp::default_reply`]: the lock is always granted (the manager's in-process single
//! flight already makes that process's callers share one grant) and the streak is left to
//! the manager. [`MemoryStore`](super::MemoryStore) grants the lock so but keeps the streak,
//! so that managers sharing one `Arc<MemoryStore>` share it too. How the manager uses the lock, and why a lock that cannot be had never stops
//! a grant, is in the [manual](crate::manual::stores).
//!
//! A store may fail: the manager wraps every store in one fallback that keeps the token for
//! its own process, so a failing store costs no extra grant ([manual](crate::manual::stores#when-a-store-fails)).
//! A store never needs a copy of its own.

use core::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

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

/// One call to a token store; the answer is the [`StoreReply`] named on each operation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StoreOp {
    /// The current token, if any: [`StoreReply::Token`].
    Load,
    /// Replace the current token: [`StoreReply::Saved`].
    Save(StoredToken),
    /// Remove the current token **only if** it is this one: [`StoreReply::Invalidated`] with
    /// whether it did.
    Invalidate(AccessToken),
    /// Ask for the right to grant a token for this long (the lock expires by itself after it,
    /// so a holder that dies cannot stop the fleet): [`StoreReply::Lock`].
    AcquireLock(Duration),
    /// Push the lock's expiry to this long from now, but only if the lease still owns it
    /// (the manager does before each retry): [`StoreReply::Extended`] with whether it did.
    ExtendLock(GrantLease, Duration),
    /// Give the lock back, but only if the lease still owns it (it may have expired and been
    /// taken by another process, whose lock must survive): [`StoreReply::Released`].
    ReleaseLock(GrantLease),
    /// The fleet's streak of quick refusals, if this store keeps one: [`StoreReply::Refusals`].
    LoadRefusals,
    /// Replace the streak (`None`: clear it); it matters for the given time from now, so a
    /// shared store may let it expire then: [`StoreReply::RefusalsSaved`] with whether the
    /// store keeps it.
    SaveRefusals(Option<QuickRefusals>, Duration),
}

impl StoreOp {
    /// The answer of a store used by one process, which keeps no lock and no streak: the lock
    /// is always [`GrantLock::Acquired`] (with the [`local`](GrantLease::local) lease),
    /// extending and releasing it succeed, there is no streak and none is kept.
    ///
    /// # Errors
    /// [`StoreError`] for the token operations (`Load`, `Save`, `Invalidate`), which every
    /// store must answer itself.
    pub fn default_reply(self) -> Result<StoreReply, StoreError> {
        Ok(match self {
            Self::AcquireLock(_) => StoreReply::Lock(GrantLock::Acquired(GrantLease::local())),
            Self::ExtendLock(..) => StoreReply::Extended(true),
            Self::ReleaseLock(_) => StoreReply::Released,
            Self::LoadRefusals => StoreReply::Refusals(None),
            Self::SaveRefusals(..) => StoreReply::RefusalsSaved(false),
            token_op => {
                return Err(StoreError::new(format!(
                    "the store does not implement {}",
                    token_op.name()
                )));
            }
        })
    }

    /// The operation's name, for logs and errors (never its token).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Load => "load",
            Self::Save(_) => "save",
            Self::Invalidate(_) => "invalidate",
            Self::AcquireLock(_) => "acquire_lock",
            Self::ExtendLock(..) => "extend_lock",
            Self::ReleaseLock(_) => "release_lock",
            Self::LoadRefusals => "load_refusals",
            Self::SaveRefusals(..) => "save_refusals",
        }
    }
}

/// A store's answer to a [`StoreOp`]. The `into_*` methods take the answer a caller expects;
/// any other answer (a store bug) is a [`StoreError`], never a panic.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreReply {
    /// To [`StoreOp::Load`].
    Token(Option<StoredToken>),
    /// To [`StoreOp::Save`].
    Saved,
    /// To [`StoreOp::Invalidate`]: whether the token was the current one and is gone.
    Invalidated(bool),
    /// To [`StoreOp::AcquireLock`].
    Lock(GrantLock),
    /// To [`StoreOp::ExtendLock`]: whether the lease still owned the lock.
    Extended(bool),
    /// To [`StoreOp::ReleaseLock`].
    Released,
    /// To [`StoreOp::LoadRefusals`].
    Refusals(Option<QuickRefusals>),
    /// To [`StoreOp::SaveRefusals`]: whether the store keeps the streak.
    RefusalsSaved(bool),
}

/// `into_*` accessors, one per answer that carries a value.
macro_rules! accessors {
    ($($(#[$doc:meta])* $name:ident: $variant:ident => $ty:ty;)*) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        /// [`StoreError`] when the store answered something else.
        pub fn $name(self) -> Result<$ty, StoreError> {
            match self {
                Self::$variant(value) => Ok(value),
                other => Err(other.unexpected()),
            }
        }
    )*};
}

impl StoreReply {
    accessors! {
        /// The answer to [`StoreOp::Load`].
        into_token: Token => Option<StoredToken>;
        /// The answer to [`StoreOp::Invalidate`].
        into_invalidated: Invalidated => bool;
        /// The answer to [`StoreOp::AcquireLock`].
        into_lock: Lock => GrantLock;
        /// The answer to [`StoreOp::ExtendLock`].
        into_extended: Extended => bool;
        /// The answer to [`StoreOp::LoadRefusals`].
        into_refusals: Refusals => Option<QuickRefusals>;
        /// The answer to [`StoreOp::SaveRefusals`].
        into_refusals_saved: RefusalsSaved => bool;
    }

    /// The answer to [`StoreOp::Save`] or [`StoreOp::ReleaseLock`].
    ///
    /// # Errors
    /// [`StoreError`] when the store answered something else.
    pub fn into_done(self) -> Result<(), StoreError> {
        match self {
            Self::Saved | Self::Released => Ok(()),
            other => Err(other.unexpected()),
        }
    }

    fn unexpected(&self) -> StoreError {
        let name = match self {
            Self::Token(_) => "a token",
            Self::Saved => "saved",
            Self::Invalidated(_) => "invalidated",
            Self::Lock(_) => "a lock",
            Self::Extended(_) => "extended",
            Self::Released => "released",
            Self::Refusals(_) => "a streak",
            Self::RefusalsSaved(_) => "streak saved",
        };
        StoreError::new(format!("the store answered `{name}` to another operation"))
    }
}

/// Keeps the current token. Implementations must be safe to call from many threads.
///
/// A store implements [`run`](Self::run), the one method; the typed methods below are
/// written once over it.
///
/// ```
/// use std::sync::Mutex;
/// use sfjwt_core::store::{StoreError, StoreOp, StoreReply, StoredToken, TokenStore};
///
/// #[derive(Default)]
/// struct Slot(Mutex<Option<StoredToken>>);
///
/// impl TokenStore for Slot {
///     fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
///         let mut slot = self.0.lock().map_err(|_| StoreError::new("poisoned"))?;
///         Ok(match op {
///             StoreOp::Load => StoreReply::Token(slot.clone()),
///             StoreOp::Save(token) => { *slot = Some(token); StoreReply::Saved }
///             StoreOp::Invalidate(stale) => {
///                 let hit = slot.as_ref().is_some_and(|t| t.token.access_token().same_as(&stale));
///                 if hit { *slot = None; }
///                 StoreReply::Invalidated(hit)
///             }
///             // One process: no shared lock, no shared streak.
///             other => return other.default_reply(),
///         })
///     }
/// }
/// assert!(Slot::default().load()?.is_none());
/// # Ok::<(), StoreError>(())
/// ```
pub trait TokenStore: Send + Sync {
    /// Carries out `op`.
    ///
    /// # Errors
    /// [`StoreError`] when the backing store cannot be read or written.
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError>;

    /// [`StoreOp::Load`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn load(&self) -> Result<Option<StoredToken>, StoreError> {
        self.run(StoreOp::Load)?.into_token()
    }

    /// [`StoreOp::Save`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn save(&self, token: StoredToken) -> Result<(), StoreError> {
        self.run(StoreOp::Save(token))?.into_done()
    }

    /// [`StoreOp::Invalidate`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        self.run(StoreOp::Invalidate(stale.clone()))?
            .into_invalidated()
    }

    /// [`StoreOp::AcquireLock`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn acquire_grant_lock(&self, ttl: Duration) -> Result<GrantLock, StoreError> {
        self.run(StoreOp::AcquireLock(ttl))?.into_lock()
    }

    /// [`StoreOp::ReleaseLock`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn release_grant_lock(&self, lease: GrantLease) -> Result<(), StoreError> {
        self.run(StoreOp::ReleaseLock(lease))?.into_done()
    }

    /// [`StoreOp::ExtendLock`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn extend_grant_lock(&self, lease: GrantLease, ttl: Duration) -> Result<bool, StoreError> {
        self.run(StoreOp::ExtendLock(lease, ttl))?.into_extended()
    }

    /// [`StoreOp::LoadRefusals`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn load_refusals(&self) -> Result<Option<QuickRefusals>, StoreError> {
        self.run(StoreOp::LoadRefusals)?.into_refusals()
    }

    /// [`StoreOp::SaveRefusals`].
    ///
    /// # Errors
    /// As [`run`](Self::run).
    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> Result<bool, StoreError> {
        self.run(StoreOp::SaveRefusals(refusals, keep_for))?
            .into_refusals_saved()
    }
}

/// A shared handle is a store too, so the caller can keep one (e.g. to read a store's own
/// counters) while the manager uses it.
impl<S: TokenStore + ?Sized> TokenStore for Arc<S> {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        (**self).run(op)
    }
}

/// The answer to "may this process grant a token now?".
#[derive(Debug)]
#[non_exhaustive]
pub enum GrantLock {
    /// Yes: grant, save, then give the lease back with [`StoreOp::ReleaseLock`].
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

    /// The lease of a store without a shared lock ([`StoreOp::default_reply`] hands it out).
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

/// The fleet's memory of tokens refused soon after their grant: how many in a row, and when
/// the last was reported. Stores keep it ([`StoreOp::SaveRefusals`]) so that every process
/// sharing the store sees the same streak; what the manager does with it is in the
/// [manual](crate::manual::lifetimes#bounded-re-grants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuickRefusals {
    count: u32,
    last_at: SystemTime,
}

impl QuickRefusals {
    /// `count` quick refusals in a row, the last reported at `last_at` (a store rebuilding a
    /// saved record).
    pub fn new(count: u32, last_at: SystemTime) -> Self {
        Self { count, last_at }
    }

    /// How many quick refusals in a row.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// When the last one was reported, by the manager's clock.
    pub fn last_at(&self) -> SystemTime {
        self.last_at
    }
}

/// A token store failed. The message must not contain the token.
#[derive(Debug, Clone)]
pub struct StoreError {
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
    unavailable: bool,
}

impl StoreError {
    /// The store failed as `message` says (which must not contain the token). A load that
    /// fails so, with no copy of the token in this process, fails the caller's call: use it
    /// for a store that must not be worked around (e.g. one whose content cannot be trusted).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
            unavailable: false,
        }
    }

    /// The store's backend could not be reached (down, slow, unreachable), as `source`
    /// says. The manager then goes on without the store: a load that fails so, with no copy
    /// of the token in this process, reads as "no token", and the process grants on its own
    /// (one extra grant per process and outage, not one per call: it keeps that token).
    pub fn unavailable(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            unavailable: true,
            ..Self::with_source(message, source)
        }
    }

    /// Whether this is an [`unavailable`](Self::unavailable) backend.
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
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
            unavailable: false,
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
