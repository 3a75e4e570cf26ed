use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::core::{Core, LockStep, Step};
use super::error::ManagerError;
use super::flight::Role;
use super::lock::LockPolicy;
use super::regrant::RegrantPolicy;
use super::retry::RetryPolicy;
use super::sleep::{Sleep, ThreadSleep};
use super::store::{GrantLease, TokenStore};
use crate::exchange::JwtBearer;
use crate::response::{AccessToken, TokenResponse};
use crate::transport::{SyncTransport, TransportErrorKind};

/// Hands out one reused token to many threads, granting a new one only when needed.
///
/// ```
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer, manager::TokenManager};
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_key")
///     .username("etl@acme.com")
///     .signer(key)
///     .build();
/// let transport = |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
///     Ok(http::Response::builder().status(200).body(br#"{"access_token":"00D000000000001!AQ","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}"#.to_vec()).unwrap())
/// };
/// let manager = TokenManager::new(client, transport);
/// let token = manager.token()?;
/// // … the API answered 401 INVALID_SESSION_ID with this token:
/// manager.invalidate(token.access_token())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TokenManager<T> {
    core: Core,
    transport: T,
    sleep: Arc<dyn Sleep>,
}

impl<T> TokenManager<T>
where
    T: SyncTransport,
    T::Error: TransportErrorKind,
{
    /// A manager for `client` sending through `transport`, with an in-memory store, the
    /// default [`RetryPolicy`], [`ThreadSleep`] and no maximum age.
    pub fn new(client: JwtBearer, transport: T) -> Self {
        Self {
            core: Core::new(client),
            transport,
            sleep: Arc::new(ThreadSleep),
        }
    }

    /// Uses `store` instead of the in-memory default (e.g. a store shared by a fleet).
    #[must_use]
    pub fn with_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.core.store = Arc::new(store);
        self
    }

    /// Sets the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.core.retry = retry;
        self
    }

    /// Replaces how retries wait (tests record the waits instead of sleeping).
    #[must_use]
    pub fn with_sleep(mut self, sleep: impl Sleep + 'static) -> Self {
        self.sleep = Arc::new(sleep);
        self
    }

    /// Re-grants tokens older than `max_age` (by the client's clock). Off by default:
    /// Salesforce sessions slide with use, so age alone does not expire them.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.core.max_age = Some(max_age);
        self
    }

    /// Sets how long the fleet's grant lock lives and how long to wait for another process's
    /// grant. Only a shared store (e.g. `sfjwt-redis`) hands out a real lock; see
    /// [`LockPolicy`].
    #[must_use]
    pub fn with_lock_policy(mut self, policy: LockPolicy) -> Self {
        self.core.lock = policy;
        self
    }

    /// Sets how soon after its grant a refused token counts against re-granting (default
    /// 60 s; [`RegrantPolicy::unbounded`] turns the rule off).
    #[must_use]
    pub fn with_regrant_policy(mut self, policy: RegrantPolicy) -> Self {
        self.core.regrant = policy;
        self
    }

    /// The client.
    pub fn client(&self) -> &JwtBearer {
        &self.core.client
    }

    /// The current token, granting one if there is none (or it is too old). Concurrent callers
    /// share one grant; its failure reaches them all, and the next call tries again.
    ///
    /// # Errors
    /// [`ManagerError`] when the grant (after retries) fails, when the store fails and this
    /// process has no copy of the token, or [`ManagerError::RegrantBlocked`] while tokens are
    /// refused right after their grant.
    pub fn token(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        if let Some(token) = self.core.cached()? {
            return Ok(token);
        }
        match self.core.flight.join() {
            Role::Follower(flight) => flight.wait(),
            Role::Leader(guard) => {
                // Another grant may have finished between the check above and `join`.
                let outcome = self.lead();
                guard.finish(outcome.clone());
                outcome
            }
        }
    }

    /// Reports that the API refused `stale` (401 `INVALID_SESSION_ID`); the next
    /// [`token`](Self::token) call grants a new one. If `stale` was already replaced, the newer
    /// token is kept. Returns whether `stale` was the current token.
    ///
    /// A token refused within the [`RegrantPolicy`] window of its grant counts towards
    /// blocking re-grants: after two in a row, [`token`](Self::token) fails with
    /// [`ManagerError::RegrantBlocked`] instead of logging in again.
    ///
    /// A store that fails here is worked around (the refused token is never served again by
    /// this process) and counted in [`store_failures`](Self::store_failures).
    ///
    /// # Errors
    /// None today; the `Result` leaves room for stores that must report.
    pub fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        self.core.invalidate(stale)
    }

    /// Lets grants start again after [`ManagerError::RegrantBlocked`], for the whole fleet
    /// when the store is shared: call it once the org or the network is fixed.
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store could not clear the fleet's record.
    pub fn reset_refusals(&self) -> Result<(), ManagerError> {
        self.core.reset_refusals()
    }

    /// How many store calls failed since this manager was made. The manager works around
    /// each (a token the store failed to save is kept for this process, so it costs no second
    /// grant) and logs it as a `tracing` warning; a rising count means the store needs a look.
    pub fn store_failures(&self) -> u64 {
        self.core.store_failures()
    }

    /// The in-process leader: takes the fleet's grant lock (waiting while another process
    /// grants), then grants unless a token turned up meanwhile.
    fn lead(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        let mut waited = Duration::ZERO;
        loop {
            // Another grant (here or in another process) may have finished meanwhile.
            if let Some(token) = self.core.cached()? {
                return Ok(token);
            }
            let answer = self.core.store.acquire_grant_lock(self.core.lock.ttl());
            match self.core.on_lock(answer, waited) {
                LockStep::Wait(pause) => {
                    self.sleep.sleep(pause);
                    waited = waited.saturating_add(pause);
                }
                LockStep::Grant(lease) => {
                    // The holder before us may have saved its token just before releasing.
                    let outcome = if lease.is_some() {
                        match self.core.cached() {
                            Ok(Some(token)) => Ok(token),
                            Ok(None) => self.grant(lease.as_ref()),
                            Err(e) => Err(e),
                        }
                    } else {
                        self.grant(None)
                    };
                    if let Some(lease) = lease {
                        Core::released(self.core.store.release_grant_lock(lease));
                    }
                    return outcome;
                }
            }
        }
    }

    /// Grants (unless the re-grant rule blocks it), retrying and keeping `lease` alive.
    fn grant(&self, lease: Option<&GrantLease>) -> Result<Arc<TokenResponse>, ManagerError> {
        self.core.may_grant(self.core.store.load_refusals())?;
        let mut attempt = 1;
        loop {
            #[cfg(feature = "tracing")]
            let _span = self.core.span(attempt).entered();
            let result = self.core.client.request_token(&self.transport);
            match self.core.step(attempt, result) {
                Step::Granted(stored) => {
                    let saved = self.core.store.save(stored.clone());
                    return Ok(self.core.saved(&stored, saved));
                }
                Step::Failed(error) => return Err(error),
                Step::RetryAfter(delay) => {
                    self.sleep.sleep(delay);
                    if let Some(lease) = lease {
                        let ttl = self.core.lock.ttl();
                        self.core
                            .extended(self.core.store.extend_grant_lock(lease, ttl));
                    }
                }
            }
            attempt += 1;
        }
    }
}

impl<T> fmt::Debug for TokenManager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("client", &self.core.client)
            .field("retry", &self.core.retry)
            .field("max_age", &self.core.max_age)
            .field("lock", &self.core.lock)
            .field("regrant", &self.core.regrant)
            .finish_non_exhaustive()
    }
}
