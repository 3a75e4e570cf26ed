//! # sfjwt-core
//!
//! The sans-IO core of sfjwt: everything needed to log in to Salesforce with the OAuth 2.0
//! JWT Bearer flow (RFC 7523 as Salesforce profiles it), except moving bytes.
//!
//! ## Quick start
//!
//! A [`JwtBearer`] client holds the app's consumer key, the user to act as, the login URL and
//! the key; [`request_token`](JwtBearer::request_token) signs the assertion, sends it through
//! a transport and parses Salesforce's answer. The transport is the `sfjwt-ureq` or
//! `sfjwt-reqwest` adapter in a program; any closure from `http::Request<Vec<u8>>` to
//! `http::Response<Vec<u8>>` works too, as this stand-in for Salesforce does:
//!
//! ```
//! # let pem = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
//! use sfjwt_core::{JwtBearer, PrivateKey, TokenEndpoint};
//!
//! let client = JwtBearer::builder()
//!     .endpoint(TokenEndpoint::production()) // or your My Domain / test.salesforce.com
//!     .client_id("3MVG9_your_consumer_key")  // the app's consumer key
//!     .username("integration@acme.com")     // the user to act as
//!     .signer(PrivateKey::from_pem(pem)?)
//!     .build();
//! # let transport = |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
//! #     Ok(http::Response::builder().status(200).body(br#"{"access_token":"00D000000000001!AQ","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}"#.to_vec()).unwrap())
//! # };
//! let token = client.request_token(&transport)?;
//! assert_eq!(token.instance_url(), "https://acme.my.salesforce.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A program that calls the API keeps the token and re-grants only when the API refuses it:
//! [`TokenManager`] (blocking) and [`AsyncTokenManager`] do that with one grant in flight for
//! all callers, and the adapters' middleware attaches the token to API requests
//! ([`manual::regrant`] says when a refused token is re-granted). Failures are typed and say
//! the likely fix ([`ExchangeError`], [`manual::errors`]).
//!
//! ## What this crate does not do
//!
//! - **No I/O.** It opens no socket and depends on no HTTP client or async runtime. It builds
//!   `http::Request` values and parses `http::Response` values; a transport (the `sfjwt-ureq`
//!   or `sfjwt-reqwest` adapter, or any closure) moves them.
//! - **No clock.** Every function that needs the time takes `now` as an argument, so every
//!   path is deterministic and testable without sleeping.
//! - **No `unsafe`**, and no panics on any input: bad input is a typed error that says what is
//!   wrong and how to fix it.
//! - **Only RS256.** Salesforce accepts nothing else for this flow; the verifier refuses every
//!   other `alg`, `none` included.
//!
//! ## What it is made of
//!
//! - [`exchange`]: the [`JwtBearer`] client above; [`endpoint`] and [`url`] check the URLs a
//!   token is sent to (https, or plain http only to a loopback host).
//! - [`manager`]: token reuse, single-flight grants, stores shared by a fleet.
//! - [`key`]: load RSA private keys in every form people have (PKCS#1/PKCS#8, PEM/DER,
//!   encrypted), public keys and X.509 certificates.
//! - [`claims`]: build the `iss`/`sub`/`aud`/`exp` claims and refuse, before signing, what
//!   Salesforce would reject.
//! - [`jws`]: sign them as a compact JWS with RS256 through a [`Signer`](jws::Signer) (blinded
//!   RSA by default), and verify tokens strictly.
//! - [`diagnose`]: the offline health check of a set-up (certificate pair and expiry, claims,
//!   audience), as typed findings a service can run at start-up.
//! - [`manual`]: the protocol facts the code relies on, with their sources.
//!
//! ## The building blocks, without the client
//!
//! Signing an assertion by hand, for a transport or a flow of your own:
//!
//! ```
//! # let pem = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
//! use std::time::SystemTime;
//! use sfjwt_core::{claims::Claims, jws, key::PrivateKey};
//!
//! let key = PrivateKey::from_pem(pem)?;
//! let claims = Claims::builder()
//!     .client_id("3MVG9_your_consumer_key")
//!     .username("integration@acme.com")
//!     .build(SystemTime::now())?;
//! let assertion = jws::sign(&claims, &key)?;
//! // POST it as `assertion=` with grant_type urn:ietf:params:oauth:grant-type:jwt-bearer
//! // (`sfjwt_core::request::token_request` builds that request).
//! # assert!(assertion.expose_secret().starts_with("eyJhbGciOiJSUzI1NiJ9."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod api;
pub mod claims;
pub mod clock;
pub mod diagnose;
pub mod endpoint;
pub mod exchange;
pub mod jws;
pub mod key;
pub mod manager;
pub mod manual;
pub mod request;
pub mod response;
mod salesforce_host;
pub mod store;
mod time;
pub mod transport;
pub mod url;

// The types a first program names, at the root: `sfjwt_core::JwtBearer` rather than
// `sfjwt_core::exchange::JwtBearer`. The adapters re-export the same set.
pub use claims::Audience;
pub use endpoint::TokenEndpoint;
pub use exchange::{ExchangeError, JwtBearer};
pub use key::PrivateKey;
pub use manager::{AsyncTokenManager, ManagerError, TokenManager};
pub use response::{AccessToken, TokenResponse};
