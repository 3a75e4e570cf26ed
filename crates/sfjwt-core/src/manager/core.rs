//! What the sync and async managers share: the store, the max-age check, the retry decision,
//! the single-flight slot and the tracing events. The two flavours differ only in how they
//! send and sleep.

use std::sync::Arc;
use std::time::Duration;

use super::error::ManagerError;
use super::flight::SingleFlight;
use super::lock::LockPolicy;
use super::retry::{RetryPolicy, jitter_random};
use super::store::{GrantLease, GrantLock, MemoryStore, StoreError, StoredToken, TokenStore};
use crate::exchange::{ExchangeError, JwtBearer};
use crate::response::{AccessToken, TokenResponse};

pub(crate) struct Core {
    pub(crate) client: JwtBearer,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_age: Option<Duration>,
    pub(crate) lock: LockPolicy,
    pub(crate) flight: SingleFlight,
}

/// What to do after one grant attempt.
pub(crate) enum Step {
    /// Save this token, then hand it out.
    Granted(StoredToken),
    /// Give up with this error.
    Failed(ManagerError),
    RetryAfter(Duration),
}

/// What the leader does after asking the store for the fleet's grant lock.
pub(crate) enum LockStep {
    /// Grant; release the lease afterwards (`None`: granting without the lock).
    Grant(Option<GrantLease>),
    /// Another process is granting: pause for this long, re-read the store, ask again.
    Wait(Duration),
}

impl Core {
    pub(crate) fn new(client: JwtBearer) -> Self {
        Self {
            client,
            store: Arc::new(MemoryStore::new()),
            retry: RetryPolicy::default(),
            max_age: None,
            lock: LockPolicy::default(),
            flight: SingleFlight::default(),
        }
    }

    /// The stored token, unless it is older than the maximum age.
    pub(crate) fn cached(&self) -> Result<Option<Arc<TokenResponse>>, ManagerError> {
        Ok(self.fresh(self.store.load()?))
    }

    /// `stored`, unless it is older than the maximum age.
    pub(crate) fn fresh(&self, stored: Option<StoredToken>) -> Option<Arc<TokenResponse>> {
        let stored = stored?;
        if let Some(max_age) = self.max_age {
            // A clock that went backwards reads as age zero: keep the token.
            let age = self
                .client
                .current_time()
                .duration_since(stored.obtained_at)
                .unwrap_or_default();
            if age >= max_age {
                return None;
            }
        }
        Some(stored.token)
    }

    pub(crate) fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        let removed = self.store.invalidate(stale)?;
        Ok(Self::invalidated(removed))
    }

    pub(crate) fn invalidated(removed: bool) -> bool {
        #[cfg(feature = "tracing")]
        tracing::debug!(removed, "sfjwt: token reported invalid");
        removed
    }

    /// Decides what the leader does with the store's answer to "may I grant?". `waited` is
    /// the pause so far; past [`LockPolicy::max_wait`] (or when the store fails) the leader
    /// grants without the lock: the lock saves logins, it must never cost the ability to log in.
    pub(crate) fn on_lock(
        &self,
        answer: Result<GrantLock, StoreError>,
        waited: Duration,
    ) -> LockStep {
        match answer {
            Ok(GrantLock::Acquired(lease)) => LockStep::Grant(Some(lease)),
            Ok(GrantLock::HeldElsewhere) if waited < self.lock.max_wait() => {
                LockStep::Wait(self.lock.poll_interval())
            }
            Ok(GrantLock::HeldElsewhere) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    waited_ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
                    "sfjwt: another process held the grant lock past max_wait; granting without it"
                );
                LockStep::Grant(None)
            }
            Err(_error) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(error = %_error, "sfjwt: grant lock unavailable; granting without it");
                LockStep::Grant(None)
            }
        }
    }

    /// Logs a failed lock release (the lock then expires by itself after its TTL).
    pub(crate) fn released(result: Result<(), StoreError>) {
        if let Err(_error) = result {
            #[cfg(feature = "tracing")]
            tracing::warn!(error = %_error, "sfjwt: grant lock release failed; it will expire");
        }
    }

    /// Handles the result of attempt `attempt` (1-based).
    pub(crate) fn step(&self, attempt: u32, result: Result<TokenResponse, ExchangeError>) -> Step {
        match result {
            Ok(token) => {
                #[cfg(feature = "tracing")]
                tracing::info!(attempt, "sfjwt: token granted");
                Step::Granted(StoredToken {
                    token: Arc::new(token),
                    obtained_at: self.client.current_time(),
                })
            }
            Err(error) => match self.retry.delay_after(attempt, &error, jitter_random()) {
                Some(delay) => {
                    #[cfg(feature = "tracing")]
                    tracing::warn!(
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error_code = %error_code(&error),
                        status = error.status().map(|s| s.as_u16()),
                        "sfjwt: grant failed, retrying"
                    );
                    Step::RetryAfter(delay)
                }
                None => {
                    #[cfg(feature = "tracing")]
                    tracing::error!(
                        attempt,
                        error_code = %error_code(&error),
                        status = error.status().map(|s| s.as_u16()),
                        retryable = error.is_retryable(),
                        "sfjwt: grant failed"
                    );
                    Step::Failed(error.into())
                }
            },
        }
    }

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

/// A log-safe name for the failure: the OAuth `error` code or the error class.
#[cfg(feature = "tracing")]
fn error_code(error: &ExchangeError) -> String {
    match error {
        // Server-chosen text: sanitised like everything a server says that reaches a log.
        ExchangeError::OAuth(e) => crate::response::sanitize(e.error()),
        ExchangeError::Response(_) => "malformed_response".to_owned(),
        ExchangeError::Transport { .. } => "transport".to_owned(),
        ExchangeError::Claims(_) => "claims".to_owned(),
        ExchangeError::Sign(_) => "sign".to_owned(),
        _ => "other".to_owned(),
    }
}
