//! The stored values.
//!
//! The token record, a Redis hash of three fields that expires after the record TTL (default
//! 2 h, the default Salesforce session timeout; renewed by every read, as Salesforce renews a
//! session in use):
//!
//! - `token`: the token response JSON ([`TokenResponse::to_json`]), the access token exactly as
//!   Salesforce issued it (a bearer credential: see the crate docs' security note);
//! - `at`: when it was obtained, milliseconds since the Unix epoch (the manager's max age
//!   counts from here);
//! - `fp`: SHA-256 of the access token, hex. The compare-and-delete script compares this, so
//!   invalidation never sends the token itself to Redis.
//!
//! The streak of tokens refused right after their grant (the `refusals` key, see
//! [`RegrantPolicy`](sfjwt_core::manager::RegrantPolicy)), a hash that expires when it stops
//! mattering (two windows after the last refusal):
//!
//! - `n`: how many in a row;
//! - `at`: when the last was reported, milliseconds since the Unix epoch.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sfjwt_core::response::{AccessToken, TokenResponse};
use sfjwt_core::store::{QuickRefusals, StoredToken};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub(crate) const TOKEN: &str = "token";
pub(crate) const AT: &str = "at";
pub(crate) const FP: &str = "fp";
pub(crate) const REFUSALS: &str = "n";
pub(crate) const REFUSED_AT: &str = "at";

/// The fingerprint of an access token (`fp`).
pub(crate) fn fingerprint(token: &AccessToken) -> String {
    hex::encode(Sha256::digest(token.expose_secret().as_bytes()))
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

/// The streak's fields `n` and `at`.
pub(crate) fn encode_refusals(streak: QuickRefusals) -> (u32, u64) {
    (streak.count(), unix_millis(streak.last_at()))
}

/// The streak from `HMGET n at`; `None` when there is none or it does not parse (written by
/// something else: the next refusal overwrites it).
pub(crate) fn decode_refusals(n: Option<String>, at: Option<String>) -> Option<QuickRefusals> {
    let count = n?.parse().ok()?;
    let millis: u64 = at?.parse().ok()?;
    Some(QuickRefusals::new(
        count,
        UNIX_EPOCH + Duration::from_millis(millis),
    ))
}

fn unix_millis(at: SystemTime) -> u64 {
    u64::try_from(
        at.duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX)
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
    hex::encode(bytes)
}
