//! Which Redis keys belong to which login identity.
//!
//! One token per identity: the token endpoint host, the consumer key (client id), the username
//! and the audience. Key names are a SHA-256 of those (length-prefixed, so `("ab","c")` and
//! `("a","bc")` differ) in hex: nothing about the org, the app or the user is readable in
//! `KEYS`/`SCAN` output or in Redis logs, and no secret is ever part of a key.

use sfjwt_core::exchange::JwtBearer;
use sha2::{Digest, Sha256};

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "sfjwt:";

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
    /// The keys of `client`'s identity under `prefix`.
    pub fn of(client: &JwtBearer, prefix: &str) -> Self {
        Self::new(
            client.endpoint().host(),
            client.client_id(),
            client.username(),
            // No audience (an endpoint without a default and no override) cannot grant: the
            // empty string keys it apart from every real one.
            client.audience().as_ref().map_or("", |a| a.as_str()),
            prefix,
        )
    }

    /// The keys of an identity given field by field.
    pub fn new(host: &str, client_id: &str, username: &str, audience: &str, prefix: &str) -> Self {
        let mut hash = Sha256::new();
        for field in ["sfjwt-redis/v1", host, client_id, username, audience] {
            hash.update((field.len() as u64).to_be_bytes());
            hash.update(field.as_bytes());
        }
        let hex = hex::encode(hash.finalize());
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
        let a = Keys::new("h", "ab", "c", "aud", "p:");
        let b = Keys::new("h", "a", "bc", "aud", "p:");
        assert_ne!(a, b);
        assert!(a.token().starts_with("p:token:"));
        assert!(a.lock().starts_with("p:lock:"));
        assert_eq!(a.token().len(), "p:token:".len() + 64);
        assert!(!a.token().contains("ab"));
    }
}
