//! sfjwt as the login of the [force] Salesforce client: [`ForceAuthenticator`] implements
//! force's [`Authenticator`] over a [`SharedTokenManager`], so a program keeps its force calls
//! and gets sfjwt's grant: one in flight for all tasks and processes (a fleet store), keys in
//! a vault (PKCS#11, AWS KMS), My Domain and External Client App audiences, typed hints, and
//! bounded re-grants.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sf = sfjwt_emulator::Emulator::builder()
//! #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../testdata/keys/rsa2048.crt.pem"))?)
//! #     .user(sfjwt_emulator::User::new("etl@acme.com"))
//! #     .start()?;
//! # let key = sfjwt_reqwest::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! # let client = sfjwt_reqwest::JwtBearer::builder()
//! #     .endpoint(sfjwt_reqwest::TokenEndpoint::parse(sf.base_url())?)
//! #     .client_id("3MVG9_consumer_key").username("etl@acme.com").signer(key).build();
//! use force::auth::TokenManager;
//! use sfjwt_reqwest::{SharedTokenManager, force::ForceAuthenticator};
//!
//! let tokens = TokenManager::new(ForceAuthenticator::new(SharedTokenManager::new(client)));
//! let token = tokens.token().await?;
//! assert!(token.instance_url().starts_with("http://127.0.0.1"));
//! # Ok(())
//! # }
//! ```
//!
//! ## What force decides
//!
//! force's `refresh()` takes no token, and force calls it after any 401, not only
//! `INVALID_SESSION_ID`. So [`ForceAuthenticator`] reports the token it handed out last as
//! stale (compare-and-invalidate: a token another task already replaced stays), and a 401 that
//! a login does not cure costs a grant; the manager's bounded re-grants stop that after two
//! quick refusals ([`ManagerError::RegrantBlocked`](sfjwt_core::ManagerError::RegrantBlocked),
//! reported to force as `TokenRefreshFailed` with the manager's message).
//!
//! Late 401s: force's `TokenManager` serialises refreshes and skips one when the token changed
//! while it waited, but a request that was sent with the old token and is answered 401 after
//! the refresh finished makes force refresh the *new* token. Without the refused token,
//! `refresh` cannot tell that apart from the new token being refused, so it reports it: one
//! more grant, and with many requests in flight across a revocation, two quick reports in a
//! row, which the bounded re-grant rule answers with `RegrantBlocked` (for the window, or
//! until `reset_refusals`). The middleware of this crate (`SalesforceAuth`,
//! feature `middleware`) knows which token each request carried and has no such case; with
//! force, keep concurrency across a revocation low or call `reset_refusals` on that error.
//!
//! ## Versions
//!
//! The feature pins `force = "=0.5.0"`. force is pre-1.0, so its next minor may change the
//! trait: this crate then moves the pin in a release of its own. force brings its own reqwest
//! 0.12 (rustls) next to this crate's 0.13, tokio with all features, chrono and secrecy, which
//! is why the feature is off by default.
//!
//! [force]: https://docs.rs/force

use std::sync::{Arc, Mutex};

use force::auth::{AccessToken as ForceToken, Authenticator, TokenResponse as ForceTokenResponse};
use force::error::{AuthenticationError, ForceError};
use sfjwt_core::response::TokenResponse;

use crate::SharedTokenManager;

/// A [`SharedTokenManager`] as a force [`Authenticator`].
#[derive(Debug, Clone)]
pub struct ForceAuthenticator {
    manager: SharedTokenManager,
    /// The token handed to force last: what `refresh` reports stale.
    last: Arc<Mutex<Option<Arc<TokenResponse>>>>,
}

impl ForceAuthenticator {
    /// An authenticator handing out `manager`'s token.
    pub fn new(manager: SharedTokenManager) -> Self {
        Self {
            manager,
            last: Arc::default(),
        }
    }

    /// The shared manager.
    pub fn manager(&self) -> &SharedTokenManager {
        &self.manager
    }

    fn last(&self) -> Option<Arc<TokenResponse>> {
        self.last.lock().ok().and_then(|last| last.clone())
    }
}

/// force's errors carry text only; the manager's message names the cause and the fix.
fn refused(e: impl ToString, refreshing: bool) -> ForceError {
    let message = e.to_string();
    ForceError::Authentication(if refreshing {
        AuthenticationError::TokenRefreshFailed(message)
    } else {
        AuthenticationError::TokenRequestFailed(message)
    })
}

impl ForceAuthenticator {
    async fn current(&self, refreshing: bool) -> force::error::Result<ForceToken> {
        let token = self
            .manager
            .token()
            .await
            .map_err(|e| refused(e, refreshing))?;
        // force builds its token only from its `TokenResponse` (its constructor is test-only),
        // which holds the secret in a `secrecy` string: deserialized, so no `secrecy`
        // dependency here. No `expires_in`: Salesforce sends no lifetime, the token lives
        // until the API refuses it.
        let response = serde_json::json!({
            "access_token": token.access_token().expose_secret(),
            "instance_url": token.instance_url(),
            "token_type": "Bearer",
        });
        let handed = serde_json::from_value::<ForceTokenResponse>(response)
            .map(ForceToken::from_response)
            .map_err(|e| refused(e, refreshing))?;
        if let Ok(mut last) = self.last.lock() {
            *last = Some(token);
        }
        Ok(handed)
    }
}

#[async_trait::async_trait]
impl Authenticator for ForceAuthenticator {
    async fn authenticate(&self) -> force::error::Result<ForceToken> {
        self.current(false).await
    }

    async fn refresh(&self) -> force::error::Result<ForceToken> {
        if let Some(stale) = self.last() {
            self.manager
                .invalidate(stale.access_token())
                .await
                .map_err(|e| refused(e, true))?;
        }
        self.current(true).await
    }
}
