//! The state and settings both managers share, and the helpers the machines use to read a
//! store's answers: the maximum-age check, the fallback when the store fails, the refusal
//! streak and the tracing events. Nothing here does I/O.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::error::ManagerError;
use super::fallback::Fallback;
use super::flight::SingleFlight;
use super::lock::LockPolicy;
use super::regrant::{QuickRefusals, RegrantPolicy};
use super::retry::RetryPolicy;
use super::store::{StoreError, StoredToken};
#[cfg(feature = "tracing")]
use crate::exchange::ExchangeError;
use crate::exchange::JwtBearer;
use crate::response::TokenResponse;

pub(crate) struct Shared {
    pub(crate) client: JwtBearer,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_age: Option<Duration>,
    pub(crate) lock: LockPolicy,
    pub(crate) regrant: RegrantPolicy,
    pub(crate) flight: SingleFlight,
    /// What the process keeps when the store cannot.
    pub(crate) fallback: Fallback,
}

impl Shared {
    pub(crate) fn new(client: JwtBearer) -> Self {
        Self {
            client,
            retry: RetryPolicy::default(),
            max_age: None,
            lock: LockPolicy::default(),
            regrant: RegrantPolicy::default(),
            flight: SingleFlight::default(),
            fallback: Fallback::default(),
        }
    }

    /// The time by the client's clock (the drivers pass it to the machines).
    pub(crate) fn now(&self) -> SystemTime {
        self.client.current_time()
    }

    /// The token to serve, from the store's answer (or the process's own copy when the store
    /// failed to save or to answer), unless it is older than the maximum age at `now`.
    ///
    /// # Errors
    /// The store's error when it failed and this process has no copy.
    pub(crate) fn current(
        &self,
        loaded: Result<Option<StoredToken>, StoreError>,
        now: SystemTime,
    ) -> Result<Option<Arc<TokenResponse>>, ManagerError> {
        let stored = self.fallback.current(loaded)?;
        Ok(stored.filter(|s| self.young(s, now)).map(|s| s.token))
    }

    /// Whether `stored` is younger than the maximum age at `now` (always, without one).
    fn young(&self, stored: &StoredToken, now: SystemTime) -> bool {
        // A clock that went backwards reads as age zero: keep the token.
        let age = now.duration_since(stored.obtained_at).unwrap_or_default();
        self.max_age.is_none_or(|max_age| age < max_age)
    }

    /// How many store calls failed and were worked around (each also a `tracing` warning).
    pub(crate) fn store_failures(&self) -> u64 {
        self.fallback.failures()
    }

    /// Hands out a fresh grant whether or not the store saved it: a token the store failed to
    /// save is kept for this process, so the failure costs no second grant.
    pub(crate) fn saved(
        &self,
        stored: &StoredToken,
        result: Result<(), StoreError>,
    ) -> Arc<TokenResponse> {
        self.fallback.saved(stored, result);
        Arc::clone(&stored.token)
    }

    /// The fleet's streak after the token granted at `granted_at` was refused at `now`, from
    /// the streak the store holds (`loaded`).
    pub(crate) fn next_refusals(
        &self,
        granted_at: SystemTime,
        loaded: Result<Option<QuickRefusals>, StoreError>,
        now: SystemTime,
    ) -> Option<QuickRefusals> {
        let previous = self.fallback.refusals(loaded);
        let next = self.regrant.on_refused(previous, granted_at, now);
        #[cfg(feature = "tracing")]
        if let Some(next) = next {
            tracing::warn!(
                quick_refusals = next.count(),
                window_s = self.regrant.window().as_secs(),
                "sfjwt: token refused soon after its grant"
            );
        }
        next
    }

    /// Whether a grant may start at `now`, given the streak the store holds (`loaded`).
    ///
    /// # Errors
    /// [`ManagerError::RegrantBlocked`] while a streak blocks grants.
    pub(crate) fn regrant_check(
        &self,
        loaded: Result<Option<QuickRefusals>, StoreError>,
        now: SystemTime,
    ) -> Result<(), ManagerError> {
        let streak = self.fallback.refusals(loaded);
        let verdict = self.regrant.check(streak, now);
        #[cfg(feature = "tracing")]
        if let Err(ManagerError::RegrantBlocked {
            refusals, retry_in, ..
        }) = &verdict
        {
            tracing::error!(
                refusals,
                retry_in_s = retry_in.as_secs(),
                "sfjwt: grant blocked: tokens are refused right after their grant"
            );
        }
        verdict
    }

    /// Logs a failed or lost lock renewal (the grant goes on).
    pub(crate) fn extended(&self, result: Result<bool, StoreError>) {
        match result {
            Ok(true) => {}
            Ok(false) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    "sfjwt: the grant lock expired while granting; another process may grant too"
                );
            }
            Err(error) => self.fallback.failed("extend_grant_lock", &error),
        }
    }

    /// Logs a failed lock release (the lock then expires by itself after its TTL).
    pub(crate) fn released(result: Result<(), StoreError>) {
        if let Err(_error) = result {
            #[cfg(feature = "tracing")]
            tracing::warn!(error = %_error, "sfjwt: grant lock release failed; it will expire");
        }
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

/// A log-safe name for the failure: the OAuth `error` code or the error class.
#[cfg(feature = "tracing")]
pub(crate) fn error_code(error: &ExchangeError) -> String {
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
