//! Settings shared by the blocking and async stores, and the builder that makes either.

use core::fmt;
use std::time::Duration;

use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::store::CacheIdentity;

use crate::error::RedisStoreError;
use crate::identity::{DEFAULT_PREFIX, Keys};
use crate::{AsyncRedisStore, RedisStore};

/// Settings of a Redis store. Defaults: prefix `sfjwt:`, connect and response timeouts 500 ms,
/// retry Redis 5 s after it failed, record TTL 2 h (sliding).
///
/// ```
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use std::time::Duration;
/// use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer};
/// use sfjwt_redis::RedisStore;
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_key")
///     .username("etl@acme.com")
///     .signer(key)
///     .build();
/// let store = RedisStore::builder("redis://127.0.0.1:6379/0", &client)
///     .prefix("etl:")
///     .response_timeout(Duration::from_millis(200))
///     .build()?; // connects lazily: building never waits for Redis
/// assert!(store.keys().token().starts_with("etl:token:"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RedisStoreBuilder {
    url: String,
    identity: CacheIdentity,
    pub(crate) settings: Settings,
}

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) prefix: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) response_timeout: Duration,
    pub(crate) retry_after: Duration,
    pub(crate) record_ttl: Duration,
}

/// The default record TTL: Salesforce's default session timeout.
pub const DEFAULT_RECORD_TTL: Duration = Duration::from_secs(2 * 3600);
/// The longest record TTL: Salesforce's longest session timeout.
pub const MAX_RECORD_TTL: Duration = Duration::from_secs(24 * 3600);

impl RedisStoreBuilder {
    pub(crate) fn new(url: &str, client: &JwtBearer) -> Self {
        Self {
            url: url.to_owned(),
            identity: CacheIdentity::of(client),
            settings: Settings {
                prefix: DEFAULT_PREFIX.to_owned(),
                connect_timeout: Duration::from_millis(500),
                response_timeout: Duration::from_millis(500),
                retry_after: Duration::from_secs(5),
                record_ttl: DEFAULT_RECORD_TTL,
            },
        }
    }

    /// Keys the record to the signing key too: tokens obtained with another key (a rotated
    /// one, another process's) are kept apart. `fingerprint` is any stable SHA-256 standing
    /// for the key — [`CacheIdentity::fingerprint`] of its public key's DER, or of what the
    /// CLI hashes for its file cache — never of a short secret.
    #[must_use]
    pub fn key_fingerprint(mut self, fingerprint: [u8; 32]) -> Self {
        self.identity = self.identity.with_key_fingerprint(fingerprint);
        self
    }

    /// Prefixes every key name (default `sfjwt:`), e.g. to match a Redis ACL key pattern.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.settings.prefix = prefix.into();
        self
    }

    /// How long to wait for a connection to Redis before the call fails as unavailable
    /// (default 500 ms; the token manager then serves its own copy).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long to wait for each Redis answer before the call fails as unavailable (default
    /// 500 ms).
    #[must_use]
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.settings.response_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// After Redis failed to connect or answer, answer every call as unavailable without
    /// trying Redis for this long (default 5 s; the token manager serves its own copy), so a
    /// dead Redis costs one timeout, not one per call.
    #[must_use]
    pub fn retry_after(mut self, pause: Duration) -> Self {
        self.settings.retry_after = pause;
        self
    }

    /// How long the shared token record stays in Redis after it was last written or read
    /// (default 2 h, at most 24 h). Every `token()` call reads it and so renews it, the way
    /// Salesforce renews a session in use; a record nobody reads expires, so a dead session's
    /// token does not linger in Redis. Set it to the org's session timeout (Setup > Session
    /// Settings: 15 min to 24 h, default 2 h). Checked by `build`.
    #[must_use]
    pub fn record_ttl(mut self, ttl: Duration) -> Self {
        self.settings.record_ttl = ttl;
        self
    }

    fn checked(self) -> Result<Self, RedisStoreError> {
        let ttl = self.settings.record_ttl;
        if ttl < Duration::from_secs(1) || ttl > MAX_RECORD_TTL {
            return Err(RedisStoreError::RecordTtlOutOfRange { ttl });
        }
        Ok(self)
    }

    pub(crate) fn keys(&self) -> Keys {
        Keys::new(&self.identity, &self.settings.prefix)
    }

    pub(crate) fn client(&self) -> Result<redis::Client, RedisStoreError> {
        let tls = self
            .url
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("rediss:");
        if tls {
            install_tls_provider()?;
        }
        redis::Client::open(self.url.as_str()).map_err(RedisStoreError::InvalidUrl)
    }

    /// A blocking store, for [`TokenManager`](sfjwt_core::manager::TokenManager).
    ///
    /// # Errors
    /// [`RedisStoreError`] when the URL or the record TTL is invalid (Redis is not contacted
    /// yet).
    pub fn build(self) -> Result<RedisStore, RedisStoreError> {
        RedisStore::from_builder(self.checked()?)
    }

    /// An async store (tokio), for
    /// [`AsyncTokenManager::with_store`](sfjwt_core::manager::AsyncTokenManager::with_store).
    ///
    /// # Errors
    /// [`RedisStoreError`] when the URL or the record TTL is invalid (Redis is not contacted
    /// yet).
    pub fn build_async(self) -> Result<AsyncRedisStore, RedisStoreError> {
        AsyncRedisStore::from_builder(self.checked()?)
    }
}

/// rustls needs a process-wide crypto provider. Install ring's unless the application chose
/// one already — never rely on feature unification picking exactly one (which panics at run
/// time when two crates enable different providers).
#[cfg(feature = "tls")]
fn install_tls_provider() -> Result<(), RedisStoreError> {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread installed one in between: just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    Ok(())
}

#[cfg(not(feature = "tls"))]
fn install_tls_provider() -> Result<(), RedisStoreError> {
    Err(RedisStoreError::TlsNotEnabled)
}

impl fmt::Debug for RedisStoreBuilder {
    // The URL may carry a password: not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("keys", &self.keys())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
