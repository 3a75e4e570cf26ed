//! # sfjwt-reqwest
//!
//! An async transport for [`sfjwt_core`] over [reqwest] on tokio: log in to Salesforce with the
//! OAuth 2.0 JWT Bearer flow in one call. The types a program needs are re-exported here, so
//! this crate is the only sfjwt dependency to add; the whole core is at [`sfjwt_core`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sf = sfjwt_emulator::Emulator::builder()
//! #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../testdata/keys/rsa2048.crt.pem"))?)
//! #     .user(sfjwt_emulator::User::new("etl@acme.com"))
//! #     .start()?;
//! # let endpoint = sf.base_url(); // "https://login.salesforce.com" in real life
//! # let key_pem = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
//! use sfjwt_reqwest::{JwtBearer, PrivateKey, TokenEndpoint};
//!
//! let client = JwtBearer::builder()
//!     .endpoint(TokenEndpoint::parse(endpoint)?)
//!     .client_id("3MVG9_consumer_key")
//!     .username("etl@acme.com")
//!     .signer(PrivateKey::from_pem(key_pem)?)
//!     .build();
//! let token = sfjwt_reqwest::request_token(&client).await?;
//! println!("API calls go to {}", token.instance_url());
//! # Ok(())
//! # }
//! ```
//!
//! ## Reuse the token across tasks
//!
//! Salesforce allows 3,600 logins per user per hour and sends no token lifetime, so a service
//! keeps one token and re-grants only when the API answers 401 `INVALID_SESSION_ID`.
//! [`SharedTokenManager`] is a cheap-to-clone handle (`Clone + Send + Sync`) for that:
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
//! let manager = sfjwt_reqwest::SharedTokenManager::new(client);
//! let worker = manager.clone(); // one per task
//! let token = tokio::spawn(async move { worker.token().await }).await??;
//! // … if the API answers 401 INVALID_SESSION_ID with this token:
//! manager.invalidate(token.access_token()).await?; // the next `token()` grants a new one
//! # Ok(())
//! # }
//! ```
//!
//! ## Call the API: the middleware
//!
//! [`SalesforceAuth`] (feature `middleware`, on by default) does the above for every request
//! of a [`reqwest_middleware`] client: it attaches the token only on the org's host and after
//! 401 `INVALID_SESSION_ID` reports it and retries once with the next one. [`org_url`] writes
//! a path on the token's `instance_url`. The rules and the [`NotRetried`] marker are in the
//! [`middleware`] module docs.
//!
//! ```
//! # #[cfg(not(feature = "middleware"))] fn main() {}
//! # #[cfg(feature = "middleware")]
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
//! use sfjwt_reqwest::{SalesforceAuth, SharedTokenManager, org_url, reqwest};
//!
//! let api = SalesforceAuth::new(SharedTokenManager::new(client)).client(reqwest::Client::new());
//! let limits = api.get(org_url("/services/data/v62.0/limits")?).send().await?;
//! assert_eq!(limits.status(), 200);
//! # Ok(())
//! # }
//! ```
//!
//! To set a retry policy, a store or timeouts, build the manager yourself and wrap it:
//!
//! ```
//! # let key = sfjwt_reqwest::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! use std::time::Duration;
//! use sfjwt_reqwest::sfjwt_core::manager::RetryPolicy;
//! use sfjwt_reqwest::{AsyncTokenManager, JwtBearer, ReqwestTransport, SharedTokenManager, TokenEndpoint, TokioSleep};
//!
//! let client = JwtBearer::builder()
//!     .endpoint(TokenEndpoint::production())
//!     .client_id("3MVG9_consumer_key")
//!     .username("etl@acme.com")
//!     .signer(key)
//!     .build();
//! let transport = ReqwestTransport::builder().timeout(Duration::from_secs(5)).build()?;
//! let manager = SharedTokenManager::from(
//!     AsyncTokenManager::new(client, transport, TokioSleep)
//!         .with_retry(RetryPolicy::new(5, Duration::from_millis(200), Duration::from_secs(5))),
//! );
//! # let _ = manager;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The transport's settings
//!
//! [`ReqwestTransport::default`] follows no redirects, times out (10 s connect, 30 s overall,
//! body included), stops reading bodies past 1 MiB and takes a proxy from `HTTP_PROXY` (http
//! URLs), `HTTPS_PROXY` (https URLs) or `ALL_PROXY`, honouring `NO_PROXY`; plain http to a
//! loopback host (an emulator) always goes direct. A `reqwest::Client` you built yourself works too
//! (`ReqwestTransport::from(client)`); build it with `redirect::Policy::none()`.
//!
//! ## Features
//!
//! reqwest is used without its default features; pick the TLS backend:
//! - `rustls-tls` (default): rustls (aws-lc-rs) verifying with the operating system's trust
//!   store (rustls-platform-verifier), reqwest 0.13's own default.
//! - `native-tls`: the platform's TLS library (OpenSSL on Linux).
//! - `middleware` (default): [`SalesforceAuth`], with reqwest-middleware (two small crates
//!   more to build).
//! - `cirrus`: `cirrus::CirrusSession`, sfjwt as the `AuthSession` of the cirrus client
//!   (cirrus-auth 0.5, pinned).
//! - `force`: `force::ForceAuthenticator`, sfjwt as the `Authenticator` of the force client
//!   (force 0.5, pinned; brings its own reqwest 0.12 stack).
//!
//! [reqwest]: https://docs.rs/reqwest/0.13
#![forbid(unsafe_code)]

#[cfg(feature = "cirrus")]
pub mod cirrus;
mod error;
#[cfg(feature = "force")]
pub mod force;
mod manager;
#[cfg(feature = "middleware")]
pub mod middleware;
mod transport;

/// The sans-IO core, for what the re-exports below leave out (claims, JWS, keys, stores).
pub use sfjwt_core;
/// The types of a first program, re-exported so `sfjwt-reqwest` is the only sfjwt dependency
/// it needs. ([`SharedTokenManager`] is this crate's cheap-to-clone async handle.)
pub use sfjwt_core::{
    AccessToken, AsyncTokenManager, Audience, ExchangeError, JwtBearer, ManagerError, PrivateKey,
    TokenEndpoint, TokenResponse,
};

pub use error::{Error, ErrorKind};
pub use manager::{ReqwestTokenManager, SharedTokenManager, TokioSleep};
#[cfg(feature = "middleware")]
pub use middleware::{
    MiddlewareError, NotRetried, OrgPathError, SalesforceAuth, middleware_error, org_url,
};
/// The HTTP client, re-exported so a program calling the API needs no version of its own.
pub use reqwest;
/// The middleware stack [`SalesforceAuth`] plugs into.
#[cfg(feature = "middleware")]
pub use reqwest_middleware;
pub use sfjwt_core::response::DEFAULT_MAX_BODY;
pub use transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ReqwestTransport, ReqwestTransportBuilder,
};

/// Requests a token once through a [`ReqwestTransport::default`].
///
/// For a program that logs in once. A service should reuse the token with [`SharedTokenManager`].
///
/// # Errors
/// Any [`ExchangeError`]: an OAuth refusal with its remediation ([`ExchangeError::oauth`]),
/// a transport failure (its source is an [`Error`]), or an unexpected response.
pub async fn request_token(client: &JwtBearer) -> Result<TokenResponse, ExchangeError> {
    client
        .request_token_async(&ReqwestTransport::default())
        .await
}
