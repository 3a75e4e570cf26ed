//! Which cached token belongs to which login, defined once for every store (the CLI's file
//! cache, `sfjwt-redis`), so two stores can never disagree about whether two logins may share
//! a token.
//!
//! A token is valid for one login server (scheme, host *and port*: two emulators on one host
//! are two orgs), one audience, one client id, one username, and was obtained with one key.
//! A store names its entry by a SHA-256 over those fields, each prefixed with its length (so
//! `("ab", "c")` and `("a", "bc")` differ) and led by a domain tag chosen by the store (so a
//! file name and a Redis key of the same login are different strings). The key enters only as
//! a fingerprint chosen by the caller — for example a SHA-256 of the key file, of the public
//! key, or of a vault URI *without* its PIN — never the key or a secret itself: the digest is
//! unsalted, so anything short hashed into it could be recovered by trying every value.

use sha2::{Digest as _, Sha256};

use crate::exchange::JwtBearer;

/// The identity a cached token belongs to: login URL (scheme, host, port), audience, client
/// id, username and, optionally, a fingerprint of the signing key.
///
/// ```
/// use sfjwt_core::store::CacheIdentity;
/// let a = CacheIdentity::new("http://127.0.0.1:18090", "https://login.salesforce.com", "3MVG9_key", "etl@acme.com");
/// let b = CacheIdentity::new("http://127.0.0.1:18099", "https://login.salesforce.com", "3MVG9_key", "etl@acme.com");
/// assert_ne!(a.hex_digest("store/v1"), b.hex_digest("store/v1"));
/// let rotated = a.clone().with_key_fingerprint(CacheIdentity::fingerprint(b"new key"));
/// assert_ne!(a.hex_digest("store/v1"), rotated.hex_digest("store/v1"));
/// assert_eq!(a.hex_digest("store/v1").len(), 64);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CacheIdentity {
    login_url: String,
    audience: String,
    client_id: String,
    username: String,
    key_fingerprint: Option<[u8; 32]>,
}

impl CacheIdentity {
    /// An identity given field by field; `login_url` as
    /// [`TokenEndpoint::base_url`](crate::endpoint::TokenEndpoint::base_url) gives it (scheme,
    /// host and port).
    pub fn new(
        login_url: impl Into<String>,
        audience: impl Into<String>,
        client_id: impl Into<String>,
        username: impl Into<String>,
    ) -> Self {
        Self {
            login_url: login_url.into(),
            audience: audience.into(),
            client_id: client_id.into(),
            username: username.into(),
            key_fingerprint: None,
        }
    }

    /// The identity `client` logs in as, without a key fingerprint (the client's signer does
    /// not reveal its key: add one with [`with_key_fingerprint`](Self::with_key_fingerprint)).
    pub fn of(client: &JwtBearer) -> Self {
        Self::new(
            client.endpoint().base_url(),
            // No audience (an endpoint without a default and no override) cannot grant: the
            // empty string keys it apart from every real one.
            client.audience().as_ref().map_or("", |a| a.as_str()),
            client.client_id(),
            client.username(),
        )
    }

    /// The same identity for tokens obtained with the key `fingerprint` stands for (see
    /// [`fingerprint`](Self::fingerprint)).
    #[must_use]
    pub fn with_key_fingerprint(mut self, fingerprint: [u8; 32]) -> Self {
        self.key_fingerprint = Some(fingerprint);
        self
    }

    /// A SHA-256 fingerprint of `key_as_given` (key file bytes, a public key's DER, a vault
    /// URI without its PIN). Never pass a short secret: the fingerprint is not salted.
    pub fn fingerprint(key_as_given: &[u8]) -> [u8; 32] {
        Sha256::digest(key_as_given).into()
    }

    /// The login URL (scheme, host, port).
    pub fn login_url(&self) -> &str {
        &self.login_url
    }

    /// The audience (`aud`), empty if there is none.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The client id (`iss`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The username (`sub`).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// SHA-256 over `domain` and every field, each length-prefixed.
    pub fn digest(&self, domain: &str) -> [u8; 32] {
        let mut hash = Sha256::new();
        let fingerprint = self.key_fingerprint.as_ref().map_or(&[][..], |f| &f[..]);
        for field in [
            domain.as_bytes(),
            self.login_url.as_bytes(),
            self.client_id.as_bytes(),
            self.username.as_bytes(),
            self.audience.as_bytes(),
            fingerprint,
        ] {
            hash.update((field.len() as u64).to_be_bytes());
            hash.update(field);
        }
        hash.finalize().into()
    }

    /// [`digest`](Self::digest) as 64 lower-case hex digits: a file or key name.
    pub fn hex_digest(&self, domain: &str) -> String {
        use core::fmt::Write as _;
        let mut out = String::with_capacity(64);
        for byte in self.digest(domain) {
            let _ = write!(out, "{byte:02x}");
        }
        out
    }
}

impl core::fmt::Debug for CacheIdentity {
    // The fingerprint is derived from the key: not shown, on principle.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CacheIdentity")
            .field("login_url", &self.login_url)
            .field("audience", &self.audience)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("key_fingerprint", &self.key_fingerprint.map(|_| "[hidden]"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> CacheIdentity {
        CacheIdentity::new("https://login.salesforce.com", "aud", "ab", "c")
    }

    #[test]
    fn every_field_counts_and_fields_are_length_prefixed() {
        let d = |i: &CacheIdentity| i.hex_digest("t/1");
        let shifted = CacheIdentity::new("https://login.salesforce.com", "aud", "a", "bc");
        assert_ne!(d(&base()), d(&shifted));
        for other in [
            CacheIdentity::new("http://login.salesforce.com", "aud", "ab", "c"),
            CacheIdentity::new("https://login.salesforce.com:8443", "aud", "ab", "c"),
            CacheIdentity::new("https://login.salesforce.com", "aud2", "ab", "c"),
            base().with_key_fingerprint(CacheIdentity::fingerprint(b"k")),
        ] {
            assert_ne!(d(&base()), d(&other), "{other:?}");
        }
        assert_ne!(base().hex_digest("a"), base().hex_digest("b"));
        assert_eq!(d(&base()), d(&base().clone()));
    }

    #[test]
    fn debug_hides_the_fingerprint() {
        let fp = CacheIdentity::fingerprint(b"key");
        let text = format!("{:?}", base().with_key_fingerprint(fp));
        let hex: String = fp.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!text.contains(&hex) && text.contains("[hidden]"), "{text}");
    }
}
