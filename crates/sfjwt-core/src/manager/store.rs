//! Where the current token lives between calls.
//!
//! The default [`MemoryStore`] serves one process. A fleet of processes can share one token
//! (and one login budget) by implementing [`TokenStore`] over a shared cache, e.g. Redis:
//!
//! - `load`: `GET sfjwt:{client_id}:{username}` → [`TokenResponse::from_json`] plus the
//!   `obtained_at` stored beside it.
//! - `save`: `SET` the [`TokenResponse::to_json`] value (encrypt it at rest if the cache is
//!   shared with other tenants; it is a bearer credential).
//! - `invalidate`: compare-and-delete in one round trip (a Lua script comparing the stored
//!   `access_token` with the stale one), so a process reporting an old token never deletes the
//!   new token another process just stored.
//!
//! Single flight is per process: several processes sharing a store may each grant once when the
//! token is invalidated; a distributed lock (`SET NX PX`) around the grant removes that too.

use core::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

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
}

/// The in-process default store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    slot: Mutex<Option<StoredToken>>,
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
}

/// A token store failed. The message must not contain the token.
#[derive(Debug, Clone)]
pub struct StoreError {
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure described by `message`, caused by `source`.
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
