//! What the sync and async managers share: the store, the max-age check, the retry decision,
//! the bounded re-grant rule, the fallback when the store fails, the single-flight slot and the
//! tracing events. The two flavours differ only in how they send, sleep and call the store.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::error::ManagerError;
use super::fallback::{Fallback, Refusal};
use super::flight::SingleFlight;
use super::lock::LockPolicy;
use super::regrant::{QuickRefusals, RegrantPolicy};
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
    pub(crate) regrant: RegrantPolicy,
    pub(crate) flight: SingleFlight,
    fallback: Fallback,
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
            regrant: RegrantPolicy::default(),
            flight: SingleFlight::default(),
            fallback: Fallback::default(),
        }
    }

    /// The stored token, unless it is older than the maximum age.
    pub(crate) fn cached(&self) -> Result<Option<Arc<TokenResponse>>, ManagerError> {
        self.current(self.store.load())
    }

    /// The token to serve, from the store's answer (or the process's own copy when the store
    /// failed to save or to answer), unless it is older than the maximum age.
    pub(crate) fn current(
        &self,
        loaded: Result<Option<StoredToken>, StoreError>,
    ) -> Result<Option<Arc<TokenResponse>>, ManagerError> {
        Ok(self.fresh(self.fallback.current(loaded)?))
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

    /// Reports `stale` to a sync store (steps 1–4 below); the async manager runs the same
    /// steps with `.await`.
    pub(crate) fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        let refusal = self.refusal(self.store.load(), stale);
        let (removed, granted_at) = self.dropped(&refusal, stale, self.store.invalidate(stale));
        if let Some(granted_at) = granted_at {
            let next = self.next_refusals(granted_at, self.store.load_refusals());
            let keep_for = self.regrant.record_lifetime();
            // A failure is counted and logged; this process keeps the streak itself.
            let _ = self.refusals_saved(next, self.store.save_refusals(next, keep_for));
        }
        Ok(removed)
    }

    /// Clears the streak in a sync store and in this process.
    pub(crate) fn reset_refusals(&self) -> Result<(), ManagerError> {
        self.refusals_saved(None, self.store.save_refusals(None, Duration::ZERO))
    }

    /// Step 1 of reporting `stale`: what the store (`loaded`) says about it before dropping it.
    pub(crate) fn refusal(
        &self,
        loaded: Result<Option<StoredToken>, StoreError>,
        stale: &AccessToken,
    ) -> Refusal {
        self.fallback.refusal(loaded, stale)
    }

    /// Step 2: the store's answer to dropping `stale`. Returns whether it was the current
    /// token and, when this report dropped it, its grant time (step 3 updates the streak).
    pub(crate) fn dropped(
        &self,
        refusal: &Refusal,
        stale: &AccessToken,
        result: Result<bool, StoreError>,
    ) -> (bool, Option<SystemTime>) {
        let (removed, granted_at) = self.fallback.dropped(refusal, stale, result);
        #[cfg(feature = "tracing")]
        tracing::debug!(removed, "sfjwt: token reported invalid");
        (removed, granted_at)
    }

    /// Step 3: the fleet's streak after the token granted at `granted_at` was refused now,
    /// from the streak the store holds (`loaded`).
    pub(crate) fn next_refusals(
        &self,
        granted_at: SystemTime,
        loaded: Result<Option<QuickRefusals>, StoreError>,
    ) -> Option<QuickRefusals> {
        let previous = self.fallback.refusals(loaded);
        let next = self
            .regrant
            .on_refused(previous, granted_at, self.client.current_time());
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

    /// Step 4: how saving the streak went (the process keeps it unless the store does).
    pub(crate) fn refusals_saved(
        &self,
        next: Option<QuickRefusals>,
        result: Result<bool, StoreError>,
    ) -> Result<(), ManagerError> {
        Ok(self.fallback.refusals_saved(next, result)?)
    }

    /// Whether a grant may start, given the streak the store holds (`loaded`).
    ///
    /// # Errors
    /// [`ManagerError::RegrantBlocked`] while a streak blocks grants.
    pub(crate) fn may_grant(
        &self,
        loaded: Result<Option<QuickRefusals>, StoreError>,
    ) -> Result<(), ManagerError> {
        let streak = self.fallback.refusals(loaded);
        let verdict = self.regrant.check(streak, self.client.current_time());
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

    /// Logs a failed or lost lock extension (the grant goes on).
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
