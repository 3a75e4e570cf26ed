//! The known-answer vectors of `testdata/kat/` and how a test turns one into claims. Shared by
//! the core's KATs and every other `Signer` implementation's (sfjwt-aws-lc includes this file),
//! so each backend is held to exactly the same vectors.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use sfjwt_core::claims::{Audience, Claims, ClaimsError};

use super::common;

/// One entry of `kat/assertions.json`.
#[derive(Deserialize)]
pub struct AssertionVector {
    pub name: String,
    pub key: String,
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: u64,
    pub jwt: String,
    pub made_with: String,
}

/// `kat/rfc7515-a2.json`.
#[derive(Deserialize)]
pub struct RfcVector {
    pub key: String,
    pub signing_input: String,
    pub signature_b64url: String,
}

pub fn assertion_vectors() -> Vec<AssertionVector> {
    serde_json::from_slice(&common::read("kat/assertions.json")).unwrap()
}

pub fn rfc7515_a2() -> RfcVector {
    serde_json::from_slice(&common::read("kat/rfc7515-a2.json")).unwrap()
}

/// `now` one minute before `exp`, inside Salesforce's 3-minute window.
pub fn now_for(v: &AssertionVector) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(v.exp.saturating_sub(60))
}

/// The vector's claims, through the same builder (and rules) callers use.
pub fn build_claims(v: &AssertionVector) -> Result<Claims, ClaimsError> {
    Claims::builder()
        .client_id(&v.iss)
        .username(&v.sub)
        .audience(Audience::parse(&v.aud)?)
        .expires_at(v.exp)
        .build(now_for(v))
}
