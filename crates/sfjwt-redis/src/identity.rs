//! Which Redis keys belong to which login identity.
//!
//! One token per identity, the same identity as every other sfjwt cache (the CLI's file cache
//! included): login URL (scheme, host and port), audience, client id, username and, when the
//! caller gives one, the key's fingerprint — [`CacheIdentity`], written once in the core. Key
//! names are its SHA-256 digest in hex: nothing about the org, the app or the user is readable
//! in `KEYS`/`SCAN` output or in Redis logs, and no secret is ever part of a key.

use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::store::CacheIdentity;

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "sfjwt:";

/// The domain tag of the digest: a Redis key and a cache file of one identity differ.
const DOMAIN: &str = "sfjwt-redis/v2";

/// The Redis key names of one identity: `{prefix}token:{hash}` for the token,
/// `{prefix}lock:{hash}` for the grant lock and `{prefix}refusals:{hash}` for the streak of
/// tokens refused right after their grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    token: String,
    lock: String,
    refusals: String,
}

impl Keys {
    /// The keys of `client`'s identity under `prefix` (no key fingerprint).
    pub fn of(client: &JwtBearer, prefix: &str) -> Self {
        Self::new(&CacheIdentity::of(client), prefix)
    }

    /// The keys of `identity` under `prefix`.
    pub fn new(identity: &CacheIdentity, prefix: &str) -> Self {
        let hex = identity.hex_digest(DOMAIN);
        Self {
            token: format!("{prefix}token:{hex}"),
            lock: format!("{prefix}lock:{hex}"),
            refusals: format!("{prefix}refusals:{hex}"),
        }
    }

    /// Where the token lives (a Redis hash).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Where the grant lock lives (a string holding the owner's random token).
    pub fn lock(&self) -> &str {
        &self.lock
    }

    /// Where the fleet's streak of quick refusals lives (a hash: count and time; see
    /// [`RegrantPolicy`](sfjwt_core::manager::RegrantPolicy)).
    pub fn refusals(&self) -> &str {
        &self.refusals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_length_prefixed_and_hidden() {
        let a = Keys::new(&CacheIdentity::new("https://h", "aud", "ab", "c"), "p:");
        let b = Keys::new(&CacheIdentity::new("https://h", "aud", "a", "bc"), "p:");
        assert_ne!(a, b);
        assert!(a.token().starts_with("p:token:"));
        assert!(a.lock().starts_with("p:lock:"));
        assert_eq!(a.token().len(), "p:token:".len() + 64);
        assert!(!a.token().contains("ab"));
    }
}
