//! # sfjwt-aws-lc
//!
//! An RS256 [`Signer`] for sfjwt backed by [aws-lc-rs](https://docs.rs/aws-lc-rs), AWS's
//! fork of BoringSSL: about five times faster than the pure-Rust default signer, for servers
//! that mint many assertions (one per org, user or tenant).
//!
//! ## What this crate does not do
//!
//! - **It is not needed.** The default signer ([`sfjwt_core::key::PrivateKey`]) is pure Rust
//!   and signs an assertion in about a millisecond; a client that reuses its access token
//!   (as Salesforce's login rate limit requires) signs rarely. Use this crate only when
//!   signing shows up in a profile.
//! - **No encrypted keys, certificates or verification.** Load encrypted keys with
//!   `sfjwt-core`; verify with [`sfjwt_core::jws::Verifier`].
//!
//! ## Why a separate crate
//!
//! aws-lc is C and assembly, built by a C compiler at `cargo build` time. Keeping it out of
//! `sfjwt-core` keeps the core and the default build pure Rust (`#![forbid(unsafe_code)]`
//! all the way down to the `rsa` crate), cross-compilable without a C toolchain, and
//! auditable as one language. The [`Signer`] trait is the seam: the protocol code is the
//! same whichever backend signs, and the same known-answer tests pin the output of both.
//!
//! ## Side channels
//!
//! aws-lc computes the RSA private operation with constant-time Montgomery exponentiation
//! (`BN_mod_exp_mont_consttime`, fixed windows, no secret-dependent branches or memory
//! indices) and always applies RSA *blinding* (a fresh random `r`, multiplying the input by
//! `r^e` before and by `r^-1` after), so the exponentiation's timing is decorrelated from the
//! message, as with the blinded default signer (RUSTSEC-2023-0071). aws-lc also checks the
//! signature against the public key before returning it, so a fault during the CRT
//! computation cannot leak a factor of the modulus (the Bellcore attack). RSASSA-PKCS1-v1_5
//! (RFC 8017 §8.2.1) is deterministic: blinding changes the computation, not the result, so
//! both backends produce byte-identical signatures.
//!
//! ## Example
//!
//! ```
//! # let pem = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
//! use std::time::SystemTime;
//! use sfjwt_aws_lc::AwsLcSigner;
//! use sfjwt_core::{claims::Claims, jws};
//!
//! let signer = AwsLcSigner::from_pem(pem)?;
//! let claims = Claims::builder()
//!     .client_id("3MVG9_your_consumer_key")
//!     .username("integration@acme.com")
//!     .build(SystemTime::now())?;
//! let assertion = jws::sign(&claims, &signer)?;
//! # assert!(assertion.expose_secret().starts_with("eyJhbGciOiJSUzI1NiJ9."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod error;
mod signer;

pub use error::AwsLcKeyError;
#[doc(no_inline)]
pub use sfjwt_core::jws::Signer;
pub use signer::AwsLcSigner;
