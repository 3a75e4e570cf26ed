//! The blocking driver: runs the managers' machines on the calling thread.

use std::sync::Arc;

use super::error::ManagerError;
use super::fallback::FallbackStore;
use super::flight::Role;
use super::grant::Grant;
use super::machine::{Action, Input, Lookup, Machine};
use super::report::{Report, Reset};
use super::retry::jitter_random;
use super::sleep::{Sleep, ThreadSleep};
use super::state::Manager;
use crate::store::{MemoryStore, TokenStore};
use crate::transport::{SyncTransport, TransportErrorKind};
use crate::{exchange::JwtBearer, response::AccessToken, response::TokenResponse};

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
pub type TokenManager<T> = Manager<BlockingIo<T>>;

/// How a [`TokenManager`] reaches the world: a sync store, a blocking transport, a sleep.
pub struct BlockingIo<T> {
    store: FallbackStore<Arc<dyn TokenStore>>,
    transport: T,
    sleep: Arc<dyn Sleep>,
}

impl<T> Manager<BlockingIo<T>>
where
    T: SyncTransport,
    T::Error: TransportErrorKind,
{
    /// A manager for `client` sending through `transport`, with an in-memory store, the
    /// default [`RetryPolicy`](super::RetryPolicy), [`ThreadSleep`] and no maximum age.
    pub fn new(client: JwtBearer, transport: T) -> Self {
        let store = FallbackStore::new(Arc::new(MemoryStore::new()) as Arc<dyn TokenStore>);
        let sleep = Arc::new(ThreadSleep);
        Self::with_io(
            client,
            BlockingIo {
                store,
                transport,
                sleep,
            },
        )
    }

    /// Uses `store` instead of the in-memory default (e.g. a store shared by a fleet).
    #[must_use]
    pub fn with_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.io.store = FallbackStore::new(Arc::new(store));
        self
    }

    /// Replaces how retries wait (tests record the waits instead of sleeping).
    #[must_use]
    pub fn with_sleep(mut self, sleep: impl Sleep + 'static) -> Self {
        self.io.sleep = Arc::new(sleep);
        self
    }

    /// The current token, granting one if there is none (or it is too old). Concurrent callers
    /// share one grant; its failure reaches them all, and the next call tries again.
    ///
    /// # Errors
    /// [`ManagerError`] when the grant (after retries) fails, when the store fails and this
    /// process has no copy of the token, or [`ManagerError::RegrantBlocked`] while tokens are
    /// refused right after their grant.
    pub fn token(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        if let Some(token) = self.drive(Lookup)? {
            return Ok(token);
        }
        match self.flight.join() {
            Role::Follower(flight) => flight.wait(),
            Role::Leader(guard) => guard.finish(self.drive(Grant::default())),
        }
    }

    /// Reports that the API refused `stale` (401 `INVALID_SESSION_ID`); the next
    /// [`token`](Self::token) call grants a new one. If `stale` was already replaced, the newer
    /// token is kept. Returns whether `stale` was the current token.
    ///
    /// Re-grants are bounded: [`manual::regrant`](crate::manual::regrant).
    ///
    /// A store that fails here is worked around (the refused token is never served again by
    /// this process) and counted in [`store_failures`](Self::store_failures).
    ///
    /// # Errors
    /// None today; the `Result` leaves room for stores that must report.
    pub fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        self.drive(Report::new(stale))
    }

    /// Lets grants start again after [`ManagerError::RegrantBlocked`], for the whole fleet
    /// when the store is shared: call it once the org or the network is fixed.
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store could not clear the fleet's record.
    pub fn reset_refusals(&self) -> Result<(), ManagerError> {
        self.drive(Reset)
    }

    /// How many store calls failed since this manager was made. The manager works around
    /// each (a token the store failed to save is kept for this process, so it costs no second
    /// grant) and logs it as a `tracing` warning; a rising count means the store needs a look.
    pub fn store_failures(&self) -> u64 {
        self.io.store.failures()
    }

    /// Runs `machine` to the end, doing each action it asks for.
    fn drive<M: Machine>(&self, mut machine: M) -> M::Output {
        let (policy, io) = (&self.policy, &self.io);
        let mut input = Input::Start;
        loop {
            input = match machine.step(policy, input, policy.client.current_time()) {
                Action::Store(op) => Input::Store(io.store.run(op)),
                Action::Send(_attempt) => {
                    #[cfg(feature = "tracing")]
                    let _span = policy.span(_attempt).entered();
                    let result = policy.client.request_token(&io.transport);
                    if result.is_ok() {
                        self.granted();
                    }
                    Input::Response(result, jitter_random())
                }
                Action::Sleep(pause) => {
                    io.sleep.sleep(pause);
                    Input::Slept
                }
                Action::Done(output) => return output,
            };
        }
    }
}
