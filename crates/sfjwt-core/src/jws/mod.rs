//! JWS compact serialization with RS256 (RFC 7515 §3.1 and §7.1, RFC 7518 §3.3).
//!
//! - [`Signer`]: one method, "sign these bytes with RS256"; [`PrivateKey`](crate::key::PrivateKey)
//!   implements it with the `rsa` crate's blinded path, and HSM/KMS signers can plug in.
//! - [`AsyncSigner`]: the same for signers behind network I/O (a cloud KMS); every
//!   [`Signer`] is one.
//! - [`sign`] / [`sign_async`]: claims → [`SignedAssertion`], in sfjwt's canonical encoding.
//! - [`Verifier`]: strict verification of a compact JWS, for servers, emulators and audits.

mod assertion;
mod b64;
mod signer;
mod strict_json;
mod verify;
mod verify_error;

pub use assertion::{HEADER_JSON, SignedAssertion, sign, sign_async, signing_input};
pub use signer::{AsyncSigner, SignError, SignFuture, Signer};
pub use verify::{DEFAULT_MAX_TOKEN_LEN, VerifiedClaims, Verifier, verify_rs256_signature};
pub use verify_error::{Segment, VerifyError};
