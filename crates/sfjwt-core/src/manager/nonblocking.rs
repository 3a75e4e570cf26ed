use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::async_store::{AnyStore, AsyncTokenStore};
use super::core::{Core, LockStep, Step};
use super::error::ManagerError;
use super::flight::Role;
use super::lock::LockPolicy;
use super::regrant::RegrantPolicy;
use super::retry::RetryPolicy;
use super::sleep::AsyncSleep;
use super::store::{GrantLease, StoreError, TokenStore};
use crate::exchange::JwtBearer;
use crate::response::{AccessToken, TokenResponse};
use crate::transport::{AsyncTransport, TransportErrorKind};

/// The async twin of [`TokenManager`](super::TokenManager): one reused token for many tasks,
/// on any runtime. The caller passes the timer used between retries.
///
/// ```
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer, manager::AsyncTokenManager};
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_key")
///     .username("etl@acme.com")
///     .signer(key)
///     .build();
/// let transport = |_req: http::Request<Vec<u8>>| async {
///     Ok::<_, std::io::Error>(http::Response::builder().status(503).body(Vec::new()).unwrap())
/// };
/// // With tokio: `|d| tokio::time::sleep(d)`.
/// let manager = AsyncTokenManager::new(client, transport, |_d| async {});
/// # let _ = manager;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AsyncTokenManager<T, S> {
    core: Core,
    /// The store the manager talks to: `core.store` (sync, called inline) unless an async
    /// store was set.
    store: AnyStore,
    transport: T,
    sleep: S,
}

impl<T, S> AsyncTokenManager<T, S>
where
    T: AsyncTransport + Sync,
    T::Error: TransportErrorKind,
    S: AsyncSleep,
{
    /// A manager for `client` sending through `transport` and waiting between retries with
    /// `sleep`; in-memory store, default [`RetryPolicy`], no maximum age.
    pub fn new(client: JwtBearer, transport: T, sleep: S) -> Self {
        let core = Core::new(client);
        Self {
            store: AnyStore::Sync(Arc::clone(&core.store)),
            core,
            transport,
            sleep,
        }
    }

    /// Uses `store` instead of the in-memory default. Its methods run inline on the task, so
    /// this suits stores that never wait on I/O; for a network store use
    /// [`with_async_store`](Self::with_async_store).
    #[must_use]
    pub fn with_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.core.store = Arc::new(store);
        self.store = AnyStore::Sync(Arc::clone(&self.core.store));
        self
    }

    /// Uses an [`AsyncTokenStore`] (e.g. one shared by a fleet over Redis), so store I/O never
    /// blocks the executor. Report refused tokens with
    /// [`invalidate_async`](Self::invalidate_async) then.
    #[must_use]
    pub fn with_async_store(mut self, store: impl AsyncTokenStore + 'static) -> Self {
        self.store = AnyStore::Async(Arc::new(store));
        self
    }

    /// Sets how long the fleet's grant lock lives and how long to wait for another process's
    /// grant; see [`LockPolicy`].
    #[must_use]
    pub fn with_lock_policy(mut self, policy: LockPolicy) -> Self {
        self.core.lock = policy;
        self
    }

    /// Sets how soon after its grant a refused token counts against re-granting; see
    /// [`TokenManager::with_regrant_policy`](super::TokenManager::with_regrant_policy).
    #[must_use]
    pub fn with_regrant_policy(mut self, policy: RegrantPolicy) -> Self {
        self.core.regrant = policy;
        self
    }

    /// Sets the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.core.retry = retry;
        self
    }

    /// Re-grants tokens older than `max_age` (by the client's clock). Off by default.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.core.max_age = Some(max_age);
        self
    }

    /// The client.
    pub fn client(&self) -> &JwtBearer {
        &self.core.client
    }

    /// The current token, granting one if there is none (or it is too old). Concurrent tasks
    /// share one grant; its failure reaches them all, and the next call tries again.
    ///
    /// # Errors
    /// [`ManagerError`] when the grant (after retries) fails, when the store fails and this
    /// process has no copy of the token, or [`ManagerError::RegrantBlocked`] while tokens are
    /// refused right after their grant.
    pub async fn token(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        if let Some(token) = self.cached().await? {
            return Ok(token);
        }
        match self.core.flight.join() {
            Role::Follower(flight) => flight.wait_async().await,
            Role::Leader(guard) => {
                let outcome = self.lead().await;
                guard.finish(outcome.clone());
                outcome
            }
        }
    }

    /// Reports that the API refused `stale` (401 `INVALID_SESSION_ID`); see
    /// [`TokenManager::invalidate`](super::TokenManager::invalidate). Works with a sync store
    /// ([`with_store`](Self::with_store), the default); with an async store it cannot run
    /// without awaiting, so it fails: use [`invalidate_async`](Self::invalidate_async).
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store fails, or is an async store.
    pub fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        match &self.store {
            AnyStore::Sync(_) => self.core.invalidate(stale),
            AnyStore::Async(_) => Err(StoreError::new(
                "this manager uses an async token store: report the token with `invalidate_async`",
            )
            .into()),
        }
    }

    /// Reports that the API refused `stale` (401 `INVALID_SESSION_ID`), with any store: the
    /// next [`token`](Self::token) call grants a new one unless `stale` was already replaced.
    /// Returns whether `stale` was the current token.
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store fails.
    pub async fn invalidate_async(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        // The steps of `Core::invalidate`, awaited.
        let refusal = self.core.refusal(self.store.load().await, stale);
        let dropped = self.store.invalidate(stale).await;
        let (removed, granted_at) = self.core.dropped(&refusal, stale, dropped);
        if let Some(granted_at) = granted_at {
            let next = self
                .core
                .next_refusals(granted_at, self.store.load_refusals().await);
            let keep_for = self.core.regrant.record_lifetime();
            let saved = self.store.save_refusals(next, keep_for).await;
            // A failure is counted and logged; this process keeps the streak itself.
            let _ = self.core.refusals_saved(next, saved);
        }
        Ok(removed)
    }

    /// Lets grants start again after [`ManagerError::RegrantBlocked`]; see
    /// [`TokenManager::reset_refusals`](super::TokenManager::reset_refusals). Works with any
    /// store.
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store could not clear the fleet's record.
    pub async fn reset_refusals(&self) -> Result<(), ManagerError> {
        let saved = self.store.save_refusals(None, Duration::ZERO).await;
        self.core.refusals_saved(None, saved)
    }

    /// How many store calls failed and were worked around; see
    /// [`TokenManager::store_failures`](super::TokenManager::store_failures).
    pub fn store_failures(&self) -> u64 {
        self.core.store_failures()
    }

    async fn cached(&self) -> Result<Option<Arc<TokenResponse>>, ManagerError> {
        self.core.current(self.store.load().await)
    }

    /// The in-process leader: see [`TokenManager`](super::TokenManager)'s twin.
    async fn lead(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        let mut waited = Duration::ZERO;
        loop {
            if let Some(token) = self.cached().await? {
                return Ok(token);
            }
            let answer = self.store.acquire_grant_lock(self.core.lock.ttl()).await;
            match self.core.on_lock(answer, waited) {
                LockStep::Wait(pause) => {
                    self.sleep.sleep(pause).await;
                    waited = waited.saturating_add(pause);
                }
                LockStep::Grant(lease) => {
                    let outcome = if lease.is_some() {
                        match self.cached().await {
                            Ok(Some(token)) => Ok(token),
                            Ok(None) => self.grant(lease.as_ref()).await,
                            Err(e) => Err(e),
                        }
                    } else {
                        self.grant(None).await
                    };
                    if let Some(lease) = lease {
                        Core::released(self.store.release_grant_lock(lease).await);
                    }
                    return outcome;
                }
            }
        }
    }

    async fn grant(&self, lease: Option<&GrantLease>) -> Result<Arc<TokenResponse>, ManagerError> {
        self.core.may_grant(self.store.load_refusals().await)?;
        let mut attempt = 1;
        loop {
            let request = self.core.client.request_token_async(&self.transport);
            #[cfg(feature = "tracing")]
            let request = tracing::Instrument::instrument(request, self.core.span(attempt));
            let result = request.await;
            match self.core.step(attempt, result) {
                Step::Granted(stored) => {
                    let saved = self.store.save(stored.clone()).await;
                    return Ok(self.core.saved(&stored, saved));
                }
                Step::Failed(error) => return Err(error),
                Step::RetryAfter(delay) => {
                    self.sleep.sleep(delay).await;
                    if let Some(lease) = lease {
                        let ttl = self.core.lock.ttl();
                        let extended = self.store.extend_grant_lock(lease, ttl).await;
                        self.core.extended(extended);
                    }
                }
            }
            attempt += 1;
        }
    }
}

impl<T, S> fmt::Debug for AsyncTokenManager<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncTokenManager")
            .field("client", &self.core.client)
            .field("retry", &self.core.retry)
            .field("max_age", &self.core.max_age)
            .field("lock", &self.core.lock)
            .field("regrant", &self.core.regrant)
            .finish_non_exhaustive()
    }
}
