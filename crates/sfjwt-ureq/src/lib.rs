//! # sfjwt-ureq
//!
//! A blocking transport for [`sfjwt_core`] over [ureq] 3: log in to Salesforce with the
//! OAuth 2.0 JWT Bearer flow in one call. The types a program needs are re-exported here, so
//! this crate is the only dependency to add; the whole core is at [`sfjwt_core`].
//!
//! ```
//! # let sf = sfjwt_emulator::Emulator::builder()
//! #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../testdata/keys/rsa2048.crt.pem"))?)
//! #     .user(sfjwt_emulator::User::new("etl@acme.com"))
//! #     .start()?;
//! # let endpoint = sf.base_url(); // "https://login.salesforce.com" in real life
//! # let key_pem = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
//! use sfjwt_ureq::{JwtBearer, PrivateKey, TokenEndpoint};
//!
//! let client = JwtBearer::builder()
//!     .endpoint(TokenEndpoint::parse(endpoint)?)
//!     .client_id("3MVG9_consumer_key")
//!     .username("etl@acme.com")
//!     .signer(PrivateKey::from_pem(key_pem)?)
//!     .build();
//! let token = sfjwt_ureq::request_token(&client)?;
//! println!("API calls go to {}", token.instance_url());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Reuse the token: the manager
//!
//! Salesforce allows 3,600 logins per user per hour and sends no token lifetime, so a service
//! should keep the token and re-grant only when the API answers 401 `INVALID_SESSION_ID`.
//! [`token_manager`] does that for many threads, with one grant in flight at a time:
//!
//! ```
//! # let sf = sfjwt_emulator::Emulator::builder()
//! #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../testdata/keys/rsa2048.crt.pem"))?)
//! #     .user(sfjwt_emulator::User::new("etl@acme.com"))
//! #     .start()?;
//! # let key = sfjwt_ureq::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! # let client = sfjwt_ureq::JwtBearer::builder()
//! #     .endpoint(sfjwt_ureq::TokenEndpoint::parse(sf.base_url())?)
//! #     .client_id("3MVG9_consumer_key").username("etl@acme.com").signer(key).build();
//! let manager = sfjwt_ureq::token_manager(client);
//! let token = manager.token()?; // granted once, then reused by every caller
//! // … if the API answers 401 INVALID_SESSION_ID with this token:
//! manager.invalidate(token.access_token())?; // the next `token()` grants a new one
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Call the API: the middleware
//!
//! [`SalesforceAuth`] does the above for every request of a ureq agent: it attaches the token
//! only on the org's host and after 401 `INVALID_SESSION_ID` reports it and retries once with
//! the next one, for bodies it can send twice. [`org_url`] writes a path on the token's
//! `instance_url`; the rules and the [`NotRetried`] marker are in the [`middleware`] module
//! docs.
//!
//! ```
//! # let sf = sfjwt_emulator::Emulator::builder()
//! #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../testdata/keys/rsa2048.crt.pem"))?)
//! #     .user(sfjwt_emulator::User::new("etl@acme.com"))
//! #     .start()?;
//! # let key = sfjwt_ureq::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! # let client = sfjwt_ureq::JwtBearer::builder()
//! #     .endpoint(sfjwt_ureq::TokenEndpoint::parse(sf.base_url())?)
//! #     .client_id("3MVG9_consumer_key").username("etl@acme.com").signer(key).build();
//! let api = sfjwt_ureq::SalesforceAuth::new(sfjwt_ureq::token_manager(client)).agent();
//! let url = sfjwt_ureq::org_url("/services/data/v62.0/limits")?;
//! assert_eq!(api.get(url).call()?.status(), 200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Configure the transport
//!
//! [`UreqTransport::default`] reads error bodies, follows no redirects, times out (10 s
//! connect, 30 s overall), stops reading bodies at 1 MiB, uses rustls with the Mozilla roots and
//! takes a proxy from the first set of `ALL_PROXY`, `HTTPS_PROXY` and `HTTP_PROXY` (honouring
//! `NO_PROXY`), except for plain http to a loopback host (an emulator), which always goes
//! direct. Change what you need with the builder:
//!
//! ```
//! # let key = sfjwt_ureq::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! use std::time::Duration;
//! use sfjwt_ureq::sfjwt_core::manager::RetryPolicy;
//! use sfjwt_ureq::{JwtBearer, TokenEndpoint, TokenManager, UreqTransport};
//!
//! let client = JwtBearer::builder()
//!     .endpoint(TokenEndpoint::production())
//!     .client_id("3MVG9_consumer_key")
//!     .username("etl@acme.com")
//!     .signer(key)
//!     .build();
//! let transport = UreqTransport::builder().timeout(Duration::from_secs(5)).build();
//! let manager = TokenManager::new(client, transport)
//!     .with_retry(RetryPolicy::new(5, Duration::from_millis(200), Duration::from_secs(5)));
//! # let _ = manager;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! An agent you configured yourself works too (`UreqTransport::from(agent)`): it keeps its TLS,
//! proxy and pool, and sfjwt's per-request rules (no redirects, readable error bodies,
//! timeouts, body limit) still apply.
//!
//! ## Any closure is a transport
//!
//! The adapters are conveniences: a closure taking an `http::Request<Vec<u8>>` and returning
//! an `http::Response<Vec<u8>>` is a transport too, for another HTTP stack, for middleware
//! around this one, or as a fake Salesforce in a unit test:
//!
//! ```
//! # let key = sfjwt_ureq::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! use sfjwt_ureq::{JwtBearer, TokenEndpoint};
//!
//! let client = JwtBearer::builder()
//!     .endpoint(TokenEndpoint::production())
//!     .client_id("3MVG9_consumer_key")
//!     .username("etl@acme.com")
//!     .signer(key)
//!     .build();
//! let fake_salesforce = |request: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
//!     assert_eq!(request.uri(), "https://login.salesforce.com/services/oauth2/token");
//!     Ok(http::Response::builder()
//!         .status(200)
//!         .header("content-type", "application/json")
//!         .body(br#"{"access_token":"00D000000000001!AQ","instance_url":"https://acme.my.salesforce.com",
//!                   "id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
//!                   "token_type":"Bearer","scope":"api"}"#.to_vec())
//!         .map_err(std::io::Error::other)?)
//! };
//! let token = client.request_token(&fake_salesforce)?;
//! assert_eq!(token.instance_url(), "https://acme.my.salesforce.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The closure's error type must implement
//! [`TransportErrorKind`](sfjwt_core::transport::TransportErrorKind) (`std::io::Error` does)
//! so the exchange knows what is worth retrying. A transport must not follow redirects and
//! should cap the body it reads.
//!
//! ## Features
//!
//! - `rustls` (default): rustls with ring and the Mozilla root certificates compiled in.
//! - `platform-verifier` (alias `native-roots`): verify with the operating system's trust
//!   store instead, e.g. behind a TLS-inspecting corporate proxy whose root is installed there.
//!
//! [ureq]: https://docs.rs/ureq/3
#![forbid(unsafe_code)]

mod error;
pub mod middleware;
mod transport;

/// The sans-IO core, for what the re-exports below leave out (claims, JWS, keys, stores).
pub use sfjwt_core;
/// The types of a first program, re-exported so `sfjwt-ureq` is the only dependency it needs.
pub use sfjwt_core::{
    AccessToken, Audience, ExchangeError, JwtBearer, ManagerError, PrivateKey, TokenEndpoint,
    TokenManager, TokenResponse,
};

pub use error::{Error, ErrorKind};
pub use middleware::{
    MiddlewareError, NotRetried, OrgPathError, SalesforceAuth, middleware_error, org_url,
};
pub use sfjwt_core::response::DEFAULT_MAX_BODY;
pub use transport::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, UreqTransport, UreqTransportBuilder,
};
/// The HTTP client, re-exported so a program calling the API needs no version of its own.
pub use ureq;

/// A [`TokenManager`] sending through a [`UreqTransport`].
pub type UreqTokenManager = TokenManager<UreqTransport>;

/// Requests a token once through a [`UreqTransport::default`].
///
/// For a program that logs in once (a script, a CLI). A long-running service should reuse the
/// token with [`token_manager`].
///
/// # Errors
/// Any [`ExchangeError`]: an OAuth refusal with its remediation ([`ExchangeError::oauth`]),
/// a transport failure (its source is an [`Error`]), or an unexpected response.
pub fn request_token(client: &JwtBearer) -> Result<TokenResponse, ExchangeError> {
    client.request_token(&UreqTransport::default())
}

/// A [`TokenManager`] for `client` over a [`UreqTransport::default`], with the default retry
/// policy (3 attempts). Share it between threads by reference or in an `Arc`.
pub fn token_manager(client: JwtBearer) -> UreqTokenManager {
    TokenManager::new(client, UreqTransport::default())
}

/// The repository README's rust snippets, compiled (and run, unless marked otherwise) as
/// doctests of this crate: its quick start must build with `sfjwt-ureq` alone.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
