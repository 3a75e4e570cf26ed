//! The stored value: a Redis hash of three fields.
//!
//! - `token`: the token response JSON ([`TokenResponse::to_json`]), the access token exactly as
//!   Salesforce issued it (a bearer credential: see the crate docs' security note);
//! - `at`: when it was obtained, milliseconds since the Unix epoch (the manager's max age
//!   counts from here);
//! - `fp`: SHA-256 of the access token, hex. The compare-and-delete script compares this, so
//!   invalidation never sends the token itself to Redis.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sfjwt_core::manager::StoredToken;
use sfjwt_core::response::{AccessToken, TokenResponse};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::identity::hex;

pub(crate) const TOKEN: &str = "token";
pub(crate) const AT: &str = "at";
pub(crate) const FP: &str = "fp";

/// The fingerprint of an access token (`fp`).
pub(crate) fn fingerprint(token: &AccessToken) -> String {
    hex(&Sha256::digest(token.expose_secret().as_bytes()))
}

/// The fields to `HSET`.
pub(crate) fn encode(stored: &StoredToken) -> [(&'static str, Zeroizing<Vec<u8>>); 3] {
    let at = stored
        .obtained_at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let json = stored.token.to_json();
    [
        (TOKEN, Zeroizing::new(json.as_bytes().to_vec())),
        (AT, Zeroizing::new(at.to_string().into_bytes())),
        (
            FP,
            Zeroizing::new(fingerprint(stored.token.access_token()).into_bytes()),
        ),
    ]
}

/// Why a stored record could not be read back.
#[derive(Debug)]
pub(crate) enum Corrupt {
    Token,
    Time,
}

/// The record from `HMGET token at`; `None` when there is none.
pub(crate) fn decode(
    token: Option<Zeroizing<Vec<u8>>>,
    at: Option<Vec<u8>>,
) -> Result<Option<StoredToken>, Corrupt> {
    let Some(token) = token else {
        return Ok(None);
    };
    let token = TokenResponse::from_json(&token).map_err(|_| Corrupt::Token)?;
    let millis: u64 = at
        .as_deref()
        .and_then(|a| core::str::from_utf8(a).ok())
        .and_then(|a| a.parse().ok())
        .ok_or(Corrupt::Time)?;
    Ok(Some(StoredToken {
        token: Arc::new(token),
        obtained_at: UNIX_EPOCH + Duration::from_millis(millis),
    }))
}

/// A random owner token for the grant lock: 128 bits from the OS, hex.
pub(crate) fn owner_token() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to something unique to this process and moment, which
        // still tells owners apart (the token guards against mistakes, not attackers).
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        return format!("{:x}-{nanos:x}", std::process::id());
    }
    hex(&bytes)
}
