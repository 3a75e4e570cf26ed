//! # sfjwt-core
//!
//! The sans-IO core of sfjwt: everything needed to log in to Salesforce with the OAuth 2.0
//! JWT Bearer flow (RFC 7523 as Salesforce profiles it), except moving bytes.
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
//! ## What it does
//!
//! - [`key`]: load RSA private keys in every form people have (PKCS#1/PKCS#8, PEM/DER,
//!   encrypted), public keys and X.509 certificates.
//! - [`claims`]: build the `iss`/`sub`/`aud`/`exp` claims and refuse, before signing, what
//!   Salesforce would reject.
//! - [`jws`]: sign them as a compact JWS with RS256 through a [`Signer`](jws::Signer) (blinded
//!   RSA by default), and verify tokens strictly.
//!
//! ## Quick start
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
//! // POST it as `assertion=` with grant_type urn:ietf:params:oauth:grant-type:jwt-bearer.
//! # assert!(assertion.expose_secret().starts_with("eyJhbGciOiJSUzI1NiJ9."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod claims;
pub mod clock;
pub mod endpoint;
pub mod exchange;
mod host;
pub mod jws;
pub mod key;
pub mod manager;
pub mod manual;
pub mod request;
pub mod response;
mod salesforce_host;
mod time;
pub mod transport;

// The types a first program names, at the root: `sfjwt_core::JwtBearer` rather than
// `sfjwt_core::exchange::JwtBearer`. The adapters re-export the same set.
pub use claims::Audience;
pub use endpoint::TokenEndpoint;
pub use exchange::{ExchangeError, JwtBearer};
pub use key::PrivateKey;
pub use manager::{AsyncTokenManager, ManagerError, TokenManager};
pub use response::{AccessToken, TokenResponse};
mod url;
