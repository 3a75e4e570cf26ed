//! sfjwt as the login of the [cirrus] Salesforce client: [`CirrusSession`] implements
//! cirrus-auth's [`AuthSession`] over a [`SharedTokenManager`], so a program keeps its cirrus
//! calls and gets sfjwt's grant: one in flight for all tasks, a fleet store (Redis), keys in a
//! vault (PKCS#11, AWS KMS), My Domain and External Client App audiences, typed hints, and
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
//! use std::sync::Arc;
//! use sfjwt_reqwest::{SharedTokenManager, cirrus::CirrusSession};
//!
//! let session = CirrusSession::connect(SharedTokenManager::new(client)).await?;
//! let api = cirrus::Cirrus::builder().auth(Arc::new(session)).api_version("v62.0").build()?;
//! let limits = api.limits().await?;
//! # assert!(!limits.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! ## Versions
//!
//! The feature pins `cirrus-auth = "=0.5.0"`, the version cirrus 0.8 depends on. cirrus-auth
//! is pre-1.0, so its next minor may change the trait: this crate then moves its pin in a
//! release of its own, and a cirrus that needs another cirrus-auth stops type-checking
//! against this one (two `AuthSession` traits) instead of misbehaving.
//!
//! Enabling `cirrus` also turns on reqwest's `gzip`, `system-proxy` and `form` features
//! (cirrus-auth asks for them) and builds cirrus-auth's own dependencies (jsonwebtoken with
//! aws-lc-rs), which sfjwt does not use.
//!
//! [cirrus]: https://docs.rs/cirrus

use std::borrow::Cow;

use cirrus_auth::{AuthError, AuthResult, AuthSession};
use sfjwt_core::manager::ManagerError;
use sfjwt_core::response::AccessToken;

use crate::SharedTokenManager;

/// A [`SharedTokenManager`] as a cirrus [`AuthSession`].
///
/// cirrus asks for the instance URL without waiting (`fn instance_url(&self) -> &str`), so
/// [`connect`](Self::connect) takes the first token and keeps its `instance_url`; a later
/// token for another instance is refused with [`AuthError::InstanceUrlMismatch`], as
/// cirrus's own JWT session does. `invalidate` is compare-and-invalidate: cirrus's report of a
/// token another task already replaced keeps the new one.
#[derive(Debug, Clone)]
pub struct CirrusSession {
    manager: SharedTokenManager,
    instance_url: String,
}

impl CirrusSession {
    /// A session over `manager`, after its first token (granted now unless the manager has
    /// one).
    ///
    /// # Errors
    /// [`ManagerError`] when no token could be had.
    pub async fn connect(manager: SharedTokenManager) -> Result<Self, ManagerError> {
        let token = manager.token().await?;
        let instance_url = normalize(token.instance_url()).to_owned();
        Ok(Self {
            manager,
            instance_url,
        })
    }

    /// The shared manager.
    pub fn manager(&self) -> &SharedTokenManager {
        &self.manager
    }
}

/// `url` without trailing slashes, as cirrus compares instance URLs.
fn normalize(url: &str) -> &str {
    url.trim_end_matches('/')
}

#[async_trait::async_trait]
impl AuthSession for CirrusSession {
    async fn access_token(&self) -> AuthResult<Cow<'_, str>> {
        // cirrus-auth has no variant carrying another crate's error, so the manager's message
        // (which names the cause and the fix) travels as text.
        let token = self
            .manager
            .token()
            .await
            .map_err(|e| AuthError::Other(e.to_string()))?;
        let returned = normalize(token.instance_url());
        if !returned.eq_ignore_ascii_case(&self.instance_url) {
            return Err(AuthError::InstanceUrlMismatch {
                configured: self.instance_url.clone(),
                returned: returned.to_owned(),
            });
        }
        Ok(Cow::Owned(token.access_token().expose_secret().to_owned()))
    }

    fn instance_url(&self) -> &str {
        &self.instance_url
    }

    async fn invalidate(&self, stale_token: &str) {
        // The trait returns nothing; the manager's invalidate cannot fail today (its `Result`
        // is room for stores that must report), and a failed report only costs a later 401.
        let _ = self
            .manager
            .invalidate(&AccessToken::new(stale_token))
            .await;
    }
}
