//! # sfjwt-aws-kms
//!
//! An RS256 signer for sfjwt whose RSA private key never leaves AWS KMS. The JWT bearer key
//! logs in as the integration user with no password and no MFA; in KMS it can be used (and
//! every use audited in CloudTrail) but never copied.
//!
//! - [`KmsSigner`]: an [`AsyncSigner`](sfjwt_core::jws::AsyncSigner), for
//!   `JwtBearerBuilder::async_signer` and the async token manager; a KMS call is network I/O
//!   and never blocks the executor.
//! - [`BlockingKmsSigner`]: the same as a [`Signer`](sfjwt_core::jws::Signer), for blocking
//!   code and the `sfjwt` CLI.
//! - Key by id, ARN or alias (`alias/sfjwt-prod`); credentials, region and endpoint from the
//!   standard AWS configuration chain, including `AWS_ENDPOINT_URL` and
//!   `AWS_ENDPOINT_URL_KMS` (how tests reach a local KMS).
//! - [`KmsError`] says what is wrong and whether to retry ([`KmsError::is_retryable`]);
//!   retryable failures reach the token managers as retryable sign errors.
//!
//! The key needs only `kms:Sign` and `kms:GetPublicKey` (see the README for a key policy).
//! RSASSA-PKCS1-v1_5 is deterministic, so KMS signs exactly what a file holding the same
//! key would.
//!
//! ## The certificate for the connected app
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::SystemTime;
//! use sfjwt_core::key::CertificateSpec;
//! let signer = sfjwt_aws_kms::KmsSigner::from_env("alias/sfjwt-prod").await?;
//! let pem = signer.self_signed_certificate(&CertificateSpec::new("acme"), SystemTime::now()).await?;
//! std::fs::write("server.crt", pem)?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod error;
mod http;
mod signer;

pub use error::KmsError;
pub use http::https_client;
pub use signer::{BlockingKmsSigner, KmsSigner};
