use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::core::{Core, Step};
use super::error::ManagerError;
use super::flight::Role;
use super::retry::RetryPolicy;
use super::sleep::AsyncSleep;
use super::store::TokenStore;
use crate::exchange::JwtBearer;
use crate::response::{AccessToken, TokenResponse};
use crate::transport::{AsyncTransport, TransportErrorKind};

/// The async twin of [`TokenManager`](super::TokenManager): one reused token for many tasks,
/// on any runtime. The caller passes the timer used between retries.
///
/// ```
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer, manager::AsyncTokenManager};
/// let client = JwtBearer::new(TokenEndpoint::production(), "3MVG9_key", "etl@acme.com", key);
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
        Self {
            core: Core::new(client),
            transport,
            sleep,
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
    /// [`ManagerError`] when the grant (after retries) or the store fails.
    pub async fn token(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        if let Some(token) = self.core.cached()? {
            return Ok(token);
        }
        match self.core.flight.join() {
            Role::Follower(flight) => flight.wait_async().await,
            Role::Leader(guard) => {
                let outcome = match self.core.cached() {
                    Ok(Some(token)) => Ok(token),
                    Ok(None) => self.grant().await,
                    Err(e) => Err(e),
                };
                guard.finish(outcome.clone());
                outcome
            }
        }
    }

    /// Reports that the API refused `stale` (401 `INVALID_SESSION_ID`); see
    /// [`TokenManager::invalidate`](super::TokenManager::invalidate).
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store fails.
    pub fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        self.core.invalidate(stale)
    }

    async fn grant(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        let mut attempt = 1;
        loop {
            let request = self.core.client.request_token_async(&self.transport);
            #[cfg(feature = "tracing")]
            let request = tracing::Instrument::instrument(request, self.core.span(attempt));
            let result = request.await;
            match self.core.step(attempt, result) {
                Step::Done(outcome) => return outcome,
                Step::RetryAfter(delay) => self.sleep.sleep(delay).await,
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
            .finish_non_exhaustive()
    }
}
