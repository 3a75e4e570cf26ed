//! What the sync and async managers share: the store, the max-age check, the retry decision,
//! the single-flight slot and the tracing events. The two flavours differ only in how they
//! send and sleep.

use std::sync::Arc;
use std::time::Duration;

use super::Outcome;
use super::error::ManagerError;
use super::flight::SingleFlight;
use super::retry::{RetryPolicy, jitter_random};
use super::store::{MemoryStore, StoredToken, TokenStore};
use crate::exchange::{ExchangeError, JwtBearer};
use crate::response::{AccessToken, TokenResponse};

pub(crate) struct Core {
    pub(crate) client: JwtBearer,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_age: Option<Duration>,
    pub(crate) flight: SingleFlight,
}

/// What to do after one grant attempt.
pub(crate) enum Step {
    Done(Outcome),
    RetryAfter(Duration),
}

impl Core {
    pub(crate) fn new(client: JwtBearer) -> Self {
        Self {
            client,
            store: Arc::new(MemoryStore::new()),
            retry: RetryPolicy::default(),
            max_age: None,
            flight: SingleFlight::default(),
        }
    }

    /// The stored token, unless it is older than the maximum age.
    pub(crate) fn cached(&self) -> Result<Option<Arc<TokenResponse>>, ManagerError> {
        let Some(stored) = self.store.load()? else {
            return Ok(None);
        };
        if let Some(max_age) = self.max_age {
            // A clock that went backwards reads as age zero: keep the token.
            let age = self
                .client
                .current_time()
                .duration_since(stored.obtained_at)
                .unwrap_or_default();
            if age >= max_age {
                return Ok(None);
            }
        }
        Ok(Some(stored.token))
    }

    pub(crate) fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        let removed = self.store.invalidate(stale)?;
        #[cfg(feature = "tracing")]
        tracing::debug!(removed, "sfjwt: token reported invalid");
        Ok(removed)
    }

    /// Handles the result of attempt `attempt` (1-based).
    pub(crate) fn step(&self, attempt: u32, result: Result<TokenResponse, ExchangeError>) -> Step {
        match result {
            Ok(token) => {
                let token = Arc::new(token);
                let stored = StoredToken {
                    token: Arc::clone(&token),
                    obtained_at: self.client.current_time(),
                };
                #[cfg(feature = "tracing")]
                tracing::info!(attempt, "sfjwt: token granted");
                Step::Done(self.store.save(stored).map(|()| token).map_err(Into::into))
            }
            Err(error) => match self.retry.delay_after(attempt, &error, jitter_random()) {
                Some(delay) => {
                    #[cfg(feature = "tracing")]
                    tracing::warn!(
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error_code = error_code(&error),
                        status = error.status().map(|s| s.as_u16()),
                        "sfjwt: grant failed, retrying"
                    );
                    Step::RetryAfter(delay)
                }
                None => {
                    #[cfg(feature = "tracing")]
                    tracing::error!(
                        attempt,
                        error_code = error_code(&error),
                        status = error.status().map(|s| s.as_u16()),
                        retryable = error.is_retryable(),
                        "sfjwt: grant failed"
                    );
                    Step::Done(Err(error.into()))
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
fn error_code(error: &ExchangeError) -> &str {
    match error {
        ExchangeError::OAuth(e) => e.error(),
        ExchangeError::Response(_) => "malformed_response",
        ExchangeError::Transport { .. } => "transport",
        ExchangeError::Claims(_) => "claims",
        ExchangeError::Sign(_) => "sign",
        _ => "other",
    }
}
