//! One entry: which identity it belongs to, its file name, and its on-disk format.
//!
//! A token is valid for one (login URL, client id, username, audience) and was obtained with
//! one key; the entry's name is the core's `CacheIdentity` digest over those five
//! (length-prefixed, so `("ab","c")` and `("a","bc")` differ), in hex — the same identity a
//! Redis cache keys by. The key enters only as a fingerprint — a SHA-256 of the key as given
//! (the CLI hashes the key file's bytes or `SFJWT_KEY`'s text; for a vault key its URI
//! *without* `pin-value` and `pin-source`, so a PIN cannot be recovered from the name by
//! trying PINs) — so neither the
//! key nor anything derived from it in a usable way is ever written, and a cache hit needs
//! neither the key's passphrase nor its RSA parsing. A new key (rotation) simply makes a new
//! entry; a new PIN for the same key does not.
//!
//! The file is one JSON object: a format tag, the entry name, the four identity fields in
//! clear (so a logout can find an identity's entries without the key, and a person can
//! see what a file is), when the token was obtained, and the token response itself (the
//! access token is a bearer credential: hence mode 0600 in a 0700 directory). Anything else
//! — another format, another entry's name, a truncated or edited file — reads as "no entry".

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sfjwt_core::response::TokenResponse;
use sfjwt_core::store::{CacheIdentity, StoredToken};
use zeroize::Zeroizing;

/// The format tag of an entry file; a file with another tag is foreign.
pub const FORMAT: &str = "sfjwt-token-cache/1";

/// The identity a cached token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The login server's base URL (scheme, host, port), as
    /// [`TokenEndpoint::base_url`](sfjwt_core::endpoint::TokenEndpoint::base_url) gives it.
    pub login_url: String,
    /// The client id (`iss`).
    pub client_id: String,
    /// The username (`sub`).
    pub username: String,
    /// The audience (`aud`).
    pub audience: String,
}

/// An identity plus the fingerprint of the key: one entry.
#[derive(Clone)]
pub struct EntryKey {
    /// The identity.
    pub identity: Identity,
    key_fingerprint: [u8; 32],
}

impl core::fmt::Debug for EntryKey {
    // The fingerprint is a hash of the private key as given: not shown, on principle.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EntryKey")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl EntryKey {
    /// `key_bytes` is the key as given (file content or environment value); only its SHA-256
    /// is kept.
    pub fn new(identity: Identity, key_bytes: &[u8]) -> Self {
        Self {
            identity,
            key_fingerprint: CacheIdentity::fingerprint(key_bytes),
        }
    }

    /// The shared cache identity (also the one `sfjwt-redis` keys by).
    pub fn cache_identity(&self) -> CacheIdentity {
        let id = &self.identity;
        CacheIdentity::new(
            id.login_url.as_str(),
            id.audience.as_str(),
            id.client_id.as_str(),
            id.username.as_str(),
        )
        .with_key_fingerprint(self.key_fingerprint)
    }

    /// The key's fingerprint (for a Redis store's identity).
    pub fn key_fingerprint(&self) -> [u8; 32] {
        self.key_fingerprint
    }

    /// The entry's name: 64 hex digits.
    pub fn name(&self) -> String {
        self.cache_identity().hex_digest(FORMAT)
    }
}

/// Whether `file_name` looks like an entry this crate wrote (`<64 hex>.json`).
pub fn is_entry_file(file_name: &str) -> bool {
    file_name
        .strip_suffix(".json")
        .is_some_and(|stem| stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The file content for `stored` under `key`.
pub(crate) fn encode(key: &EntryKey, stored: &StoredToken) -> Zeroizing<Vec<u8>> {
    let millis = stored
        .obtained_at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let header = serde_json::json!({
        "format": FORMAT,
        "entry": key.name(),
        "login_url": key.identity.login_url,
        "client_id": key.identity.client_id,
        "username": key.identity.username,
        "audience": key.identity.audience,
        "obtained_at_ms": u64::try_from(millis).unwrap_or(u64::MAX),
    })
    .to_string();
    // The header is a non-empty object ending in `}`; splice the token response in as one
    // more member without copying it through a `serde_json::Value` (which is not zeroized).
    let head = header.strip_suffix('}').unwrap_or(&header);
    let token = stored.token.to_json();
    let mut out = Zeroizing::new(Vec::with_capacity(head.len() + token.len() + 12));
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(b",\"token\":");
    out.extend_from_slice(token.as_bytes());
    out.extend_from_slice(b"}\n");
    out
}

/// The stored token in `bytes` if it is a well-formed entry named `expected_name`; `None` for
/// anything else (corrupt, foreign, another entry's file).
pub(crate) fn decode(bytes: &[u8], expected_name: &str) -> Option<StoredToken> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    if value.get("format")?.as_str()? != FORMAT || value.get("entry")?.as_str()? != expected_name {
        return None;
    }
    let millis = value.get("obtained_at_ms")?.as_u64()?;
    let token = Zeroizing::new(serde_json::to_vec(value.get("token")?).ok()?);
    let token = TokenResponse::from_json(&token).ok()?;
    Some(StoredToken {
        token: Arc::new(token),
        obtained_at: UNIX_EPOCH + Duration::from_millis(millis),
    })
}

/// The identity recorded in an entry file, for a logout (no key needed).
pub fn identity_of(bytes: &[u8]) -> Option<Identity> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    if value.get("format")?.as_str()? != FORMAT {
        return None;
    }
    let field = |name: &str| value.get(name)?.as_str().map(str::to_owned);
    Some(Identity {
        login_url: field("login_url")?,
        client_id: field("client_id")?,
        username: field("username")?,
        audience: field("audience")?,
    })
}

/// How old `stored` is now (zero if the clock went backwards).
pub fn age(stored: &StoredToken) -> Duration {
    SystemTime::now()
        .duration_since(stored.obtained_at)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn identity() -> Identity {
        Identity {
            login_url: "https://login.salesforce.com".into(),
            client_id: "3MVG9_key".into(),
            username: "etl@acme.com".into(),
            audience: "https://login.salesforce.com".into(),
        }
    }

    fn stored() -> StoredToken {
        let json = br#"{"access_token":"00D000000000001!AQcAQ.secret","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA","token_type":"Bearer","scope":"api"}"#;
        StoredToken {
            token: Arc::new(TokenResponse::from_json(json).unwrap()),
            obtained_at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
        }
    }

    #[test]
    fn round_trips_and_refuses_other_entries() {
        let key = EntryKey::new(identity(), b"-----BEGIN PRIVATE KEY-----");
        let bytes = encode(&key, &stored());
        let back = decode(&bytes, &key.name()).unwrap();
        assert_eq!(
            back.token.access_token().expose_secret(),
            "00D000000000001!AQcAQ.secret"
        );
        assert_eq!(back.obtained_at, stored().obtained_at);
        let other = EntryKey::new(identity(), b"another key");
        assert!(decode(&bytes, &other.name()).is_none());
        assert_eq!(identity_of(&bytes), Some(identity()));
        for garbage in [
            &b""[..],
            b"{",
            b"[]",
            b"{\"format\":\"x\"}",
            &bytes[..bytes.len() / 2],
        ] {
            assert!(decode(garbage, &key.name()).is_none());
        }
    }

    #[test]
    fn names_are_the_length_prefixed_digest_of_the_identity_and_the_key() {
        // Checked against a hand-rolled digest, so no existing cache is orphaned.
        use sha2::Digest as _;
        let key = EntryKey::new(identity(), b"k");
        let mut hash = sha2::Sha256::new();
        let fp = CacheIdentity::fingerprint(b"k");
        for field in [
            FORMAT.as_bytes(),
            b"https://login.salesforce.com",
            b"3MVG9_key",
            b"etl@acme.com",
            b"https://login.salesforce.com",
            &fp[..],
        ] {
            hash.update((field.len() as u64).to_be_bytes());
            hash.update(field);
        }
        assert_eq!(key.name(), hex::encode(hash.finalize()));
    }

    #[test]
    fn names_are_hex_length_prefixed_and_never_contain_the_key() {
        let key = EntryKey::new(identity(), b"SECRETKEYBYTES");
        let name = key.name();
        assert!(is_entry_file(&format!("{name}.json")));
        assert!(!is_entry_file("notes.json"));
        let mut a = identity();
        a.client_id = "ab".into();
        a.username = "c".into();
        let mut b = identity();
        b.client_id = "a".into();
        b.username = "bc".into();
        assert_ne!(EntryKey::new(a, b"k").name(), EntryKey::new(b, b"k").name());
        let file = encode(&key, &stored());
        assert!(!String::from_utf8_lossy(&file).contains("SECRETKEYBYTES"));
        let fingerprint = hex::encode(CacheIdentity::fingerprint(b"SECRETKEYBYTES"));
        assert!(!String::from_utf8_lossy(&file).contains(&fingerprint));
        let debug = format!("{key:?}");
        assert!(
            !debug.contains(&fingerprint) && !debug.contains("SECRET"),
            "{debug}"
        );
    }
}
