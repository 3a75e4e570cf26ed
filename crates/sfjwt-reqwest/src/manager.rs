//! The async token manager handle: one [`AsyncTokenManager`] behind an `Arc`, so every task
//! of a service shares one token and one in-flight grant.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::manager::{AsyncSleep, AsyncTokenManager, ManagerError};
use sfjwt_core::response::{AccessToken, TokenResponse};

use crate::transport::ReqwestTransport;

/// Waits between grant retries with [`tokio::time::sleep`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl AsyncSleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// The manager type the handle shares: [`AsyncTokenManager`] over a [`ReqwestTransport`]
/// with [`TokioSleep`]. Configure it (retry policy, store, maximum age) before wrapping it in a
/// [`SharedTokenManager`].
pub type ReqwestTokenManager = AsyncTokenManager<ReqwestTransport, TokioSleep>;

/// A cloneable handle to one shared token manager (`Clone + Send + Sync`): give a clone to each
/// task. Concurrent callers share one grant; the token is reused until
/// [`invalidate`](Self::invalidate)d.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sf = sfjwt_emulator::Emulator::builder()
/// #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../testdata/keys/rsa2048.crt.pem"))?)
/// #     .user(sfjwt_emulator::User::new("etl@acme.com"))
/// #     .start()?;
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// # let client = sfjwt_reqwest::JwtBearer::builder()
/// #     .endpoint(sfjwt_reqwest::TokenEndpoint::parse(sf.base_url())?)
/// #     .client_id("3MVG9_consumer_key").username("etl@acme.com").signer(key).build();
/// let manager = sfjwt_reqwest::SharedTokenManager::new(client);
/// let tasks: Vec<_> = (0..4)
///     .map(|_| {
///         let manager = manager.clone();
///         tokio::spawn(async move { manager.token().await })
///     })
///     .collect();
/// for task in tasks {
///     task.await??;
/// }
/// # assert_eq!(sf.grant_count(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SharedTokenManager {
    inner: Arc<ReqwestTokenManager>,
}

impl SharedTokenManager {
    /// A manager for `client` over a [`ReqwestTransport::default`] with the default retry
    /// policy (3 attempts).
    pub fn new(client: JwtBearer) -> Self {
        Self::from(AsyncTokenManager::new(
            client,
            ReqwestTransport::default(),
            TokioSleep,
        ))
    }

    /// The current token, granting one if there is none. See [`AsyncTokenManager::token`].
    ///
    /// # Errors
    /// [`ManagerError`] when the grant (after retries) or the store fails.
    pub async fn token(&self) -> Result<Arc<TokenResponse>, ManagerError> {
        self.inner.token().await
    }

    /// Reports that the API refused `stale` (401 `INVALID_SESSION_ID`); the next
    /// [`token`](Self::token) grants a new one unless another task already did. Returns whether
    /// `stale` was the current token.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for stores that must report.
    pub async fn invalidate(&self, stale: &AccessToken) -> Result<bool, ManagerError> {
        self.inner.invalidate(stale).await
    }

    /// Lets grants start again after [`ManagerError::RegrantBlocked`]; see
    /// [`AsyncTokenManager::reset_refusals`].
    ///
    /// # Errors
    /// [`ManagerError::Store`] when the store could not clear the fleet's record.
    pub async fn reset_refusals(&self) -> Result<(), ManagerError> {
        self.inner.reset_refusals().await
    }

    /// How many store calls failed and were worked around; see
    /// [`AsyncTokenManager::store_failures`].
    pub fn store_failures(&self) -> u64 {
        self.inner.store_failures()
    }

    /// The client.
    pub fn client(&self) -> &JwtBearer {
        self.inner.client()
    }

    /// The shared manager.
    pub fn manager(&self) -> &ReqwestTokenManager {
        &self.inner
    }
}

impl From<ReqwestTokenManager> for SharedTokenManager {
    fn from(manager: ReqwestTokenManager) -> Self {
        Self {
            inner: Arc::new(manager),
        }
    }
}

impl fmt::Debug for SharedTokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedTokenManager")
            .field(&self.inner)
            .finish()
    }
}
