//! # sfjwt-pkcs11
//!
//! An RS256 [`Signer`] for sfjwt whose RSA private key never leaves a PKCS#11 token: SoftHSM2,
//! a YubiHSM 2, a smart card, or a cloud HSM's PKCS#11 library (AWS CloudHSM, Azure Managed
//! HSM, Google Cloud HSM via kmsp11, Thales Luna). The JWT bearer key logs in as the
//! integration user with no password and no MFA; in a token, it can be used but not copied.
//!
//! ## How
//!
//! - The key is named by an RFC 7512 URI ([`Pkcs11Uri`]):
//!   `pkcs11:token=sfjwt;object=jwt-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin`.
//! - [`Pkcs11Signer::open`] loads the vendor's module (once per process), logs in, finds the
//!   key and checks it (RSA, at least 2048 bits) before the first signature.
//! - Signing uses `CKM_SHA256_RSA_PKCS`, or `CKM_RSA_PKCS` over a `DigestInfo` on tokens that
//!   lack it. RSASSA-PKCS1-v1_5 is deterministic, so a token holding the same key produces the
//!   same bytes as the file key: sfjwt's known-answer tests apply unchanged.
//! - Sessions are pooled and reused; the signer is `Send + Sync`.
//! - The PIN is a [`Pin`]: redacted in `Debug`, zeroized on drop, never in an error.
//!
//! A PKCS#11 call is a local library call (for network HSMs the library does the I/O), so
//! this is a sync [`Signer`]; through the core's blanket implementation it is an
//! [`AsyncSigner`](sfjwt_core::jws::AsyncSigner) too.
//!
//! ## The certificate for the connected app
//!
//! The key cannot be exported, so the certificate is signed by the token:
//!
//! ```no_run
//! use std::time::SystemTime;
//! use sfjwt_core::key::{CertificateSpec, self_signed_certificate};
//! use sfjwt_pkcs11::Pkcs11Signer;
//!
//! let signer = Pkcs11Signer::open(&"pkcs11:token=sfjwt;object=jwt-key\
//!     ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin".parse()?)?;
//! let pem = self_signed_certificate(&signer, signer.public_key(), &CertificateSpec::new("acme"), SystemTime::now())?;
//! std::fs::write("server.crt", pem)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod error;
mod module;
mod pin;
mod signer;
mod uri;

pub use error::Pkcs11Error;
pub use pin::Pin;
#[doc(no_inline)]
pub use sfjwt_core::jws::Signer;
pub use signer::{Pkcs11Signer, RsaMechanism};
pub use uri::Pkcs11Uri;
