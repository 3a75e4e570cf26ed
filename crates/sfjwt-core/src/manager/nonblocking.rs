//! The async driver: runs the managers' machines in a task, on any runtime.

use std::sync::Arc;

use super::error::ManagerError;
use super::fallback::FallbackStore;
use super::flight::Role;
use super::grant::Grant;
use super::machine::{Action, Input, Lookup, Machine};
use super::report::{Report, Reset};
use super::retry::jitter_random;
use super::sleep::AsyncSleep;
use super::state::Manager;
use crate::store::{AsyncTokenStore, MemoryStore};
use crate::transport::{AsyncTransport, TransportErrorKind};
use crate::{exchange::JwtBearer, response::AccessToken, response::TokenResponse};

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
pub type AsyncTokenManager<T, S> = Manager<AsyncIo<T, S>>;

/// How an [`AsyncTokenManager`] reaches the world: a store, an async transport, a timer.
pub struct AsyncIo<T, S> {
    store: FallbackStore<Arc<dyn AsyncTokenStore>>,
    transport: T,
    sleep: S,
}

impl<T, S> Manager<AsyncIo<T, S>>
where
    T: AsyncTransport + Sync,
    T::Error: TransportErrorKind,
    S: AsyncSleep,
{
    /// A manager for `client` sending through `transport` and waiting between retries with
    /// `sleep`; in-memory store, default [`RetryPolicy`](super::RetryPolicy), no maximum age.
    pub fn new(client: JwtBearer, transport: T, sleep: S) -> Self {
        let store = FallbackStore::new(Arc::new(MemoryStore::new()) as Arc<dyn AsyncTokenStore>);
        Self::with_io(
            client,
            AsyncIo {
                store,
                transport,
                sleep,
            },
        )
    }

    /// Uses `store` instead of the in-memory default: an [`AsyncTokenStore`] (e.g. one shared
    /// by a fleet over Redis), or any [`TokenStore`](crate::store::TokenStore), whose calls then run
    /// inline on the task (right for stores that never wait on I/O, such as
    /// [`MemoryStore`]).
    #[must_use]
    pub fn with_store(mut self, store: impl AsyncTokenStore + 'static) -> Self {
        self.io.store = FallbackStore::new(Arc::new(store));
        self
    }

    /// Uses a store the caller keeps a handle to (e.g. to read its counters). An
    /// `Arc<SyncStore>` also works with [`with_store`](Self::with_store); an `Arc` of an
    /// async-only store comes here.
    #[must_use]
    pub fn with_shared_store(mut self, store: Arc<dyn AsyncTokenStore>) -> Self {
        self.io.store = FallbackStore::new(store);
        self
    }

    /// The current token, granting one if there is none (or it is too old). Concurrent tasks
    /// share one grant; its failure reaches them all, and the next call tries again.
    ///
    /// # Errors
    /// [`ManagerError`] when the grant (after retries) fails, when the store fails and this
    /// process has no copy of the token, or [`ManagerError::RegrantBlocked`] while tokens are
    /// refused right after their grant.
    pub async fn token(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        if let Some(token) = self.drive(Lookup).await? {
            return Ok(token);
        }
        match self.flight.join() {
            Role::Follower(flight) => flight.wait_async().await,
            Role::Leader(guard) => guard.finish(self.drive(Grant::default()).await),
        }
    }

    /// Reports that the API refused `stale` (401 `INVALID_SESSION_ID`); see
    /// [`TokenManager::invalidate`](super::TokenManager::invalidate).
    ///
    /// # Errors
    /// None today; the `Result` leaves room for stores that must report.
    pub async fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        self.drive(Report::new(stale)).await
    }

    /// Lets grants start again after [`ManagerError::RegrantBlocked`]; see
    /// [`TokenManager::reset_refusals`](super::TokenManager::reset_refusals).
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store could not clear the fleet's record.
    pub async fn reset_refusals(&self) -> Result<(), ManagerError> {
        self.drive(Reset).await
    }

    /// How many store calls failed since this manager was made; see
    /// [`TokenManager::store_failures`](super::TokenManager::store_failures).
    pub fn store_failures(&self) -> u64 {
        self.io.store.failures()
    }

    /// Runs `machine` to the end, awaiting each action it asks for.
    async fn drive<M: Machine>(&self, mut machine: M) -> M::Output {
        let (policy, io) = (&self.policy, &self.io);
        let mut input = Input::Start;
        loop {
            input = match machine.step(policy, input, policy.client.current_time()) {
                Action::Store(op) => Input::Store(io.store.run_async(op).await),
                Action::Send(_attempt) => {
                    let request = policy.client.request_token_async(&io.transport);
                    #[cfg(feature = "tracing")]
                    let request = tracing::Instrument::instrument(request, policy.span(_attempt));
                    // Boxed so that the many calls that never send (token lookups, reports)
                    // do not carry the transport's large future in theirs.
                    let result = Box::pin(request).await;
                    if result.is_ok() {
                        self.granted();
                    }
                    Input::Response(result, jitter_random())
                }
                Action::Sleep(pause) => {
                    io.sleep.sleep(pause).await;
                    Input::Slept
                }
                Action::Done(output) => return output,
            };
        }
    }
}
