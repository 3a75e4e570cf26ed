//! The known-answer vectors of `testdata/kat/` and how a test turns one into claims. Every
//! `Signer` implementation's tests (the core's key, sfjwt-aws-lc, a PKCS#11 token) use them,
//! so each backend is held to exactly the same vectors.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use sfjwt_core::claims::{Audience, Claims, ClaimsError};

use crate::testdata;

/// One entry of `kat/assertions.json`.
#[derive(Debug, Deserialize)]
pub struct AssertionVector {
    /// What the vector covers.
    pub name: String,
    /// The signing key, a path under `testdata/`.
    pub key: String,
    /// `iss`.
    pub iss: String,
    /// `sub`.
    pub sub: String,
    /// `aud`.
    pub aud: String,
    /// `exp`, seconds since the epoch.
    pub exp: u64,
    /// The expected compact JWS, byte for byte.
    pub jwt: String,
    /// Which independent implementation produced `jwt`.
    pub made_with: String,
}

/// `kat/rfc7515-a2.json`: RFC 7515 Appendix A.2's RS256 example.
#[derive(Debug, Deserialize)]
pub struct RfcVector {
    /// The key, a path under `testdata/`.
    pub key: String,
    /// The signing input.
    pub signing_input: String,
    /// The expected signature, base64url.
    pub signature_b64url: String,
}

/// All of `kat/assertions.json`.
pub fn assertion_vectors() -> Vec<AssertionVector> {
    serde_json::from_slice(&testdata::read("kat/assertions.json")).unwrap()
}

/// `kat/rfc7515-a2.json`.
pub fn rfc7515_a2() -> RfcVector {
    serde_json::from_slice(&testdata::read("kat/rfc7515-a2.json")).unwrap()
}

/// `now` one minute before `exp`, inside Salesforce's 3-minute window.
pub fn now_for(v: &AssertionVector) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(v.exp.saturating_sub(60))
}

/// The vector's claims, through the same builder (and rules) callers use.
///
/// # Errors
/// What the claims builder refuses in the vector.
pub fn build_claims(v: &AssertionVector) -> Result<Claims, ClaimsError> {
    Claims::builder()
        .client_id(&v.iss)
        .username(&v.sub)
        .audience(Audience::parse(&v.aud)?)
        .expires_at(v.exp)
        .build(now_for(v))
}
