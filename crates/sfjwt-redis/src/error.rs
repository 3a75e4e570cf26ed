//! [`RedisStoreError`]. It follows the core's error convention
//! ([`sfjwt_core::manual::errors`]): a message says its own sentence, the cause is the
//! `source`.

use core::fmt;

/// Why a Redis store could not be set up. (Once built, a failing Redis is a
/// [`StoreError::unavailable`](sfjwt_core::store::StoreError::unavailable), which the token
/// manager works around.)
#[derive(Debug)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The Redis URL is not valid: expected `redis://[user:password@]host[:port][/db]` or
    /// `rediss://…` for TLS. The URL itself is not repeated here (it may hold a password).
    InvalidUrl(redis::RedisError),
    /// The URL is `rediss://`, but this build has no TLS: enable the `tls` feature of
    /// `sfjwt-redis` (on by default).
    TlsNotEnabled,
    /// The record TTL given to [`RedisStoreBuilder::record_ttl`](crate::RedisStoreBuilder::record_ttl)
    /// is outside 1 s ..= 24 h (Salesforce sessions time out after 15 min to 24 h).
    RecordTtlOutOfRange {
        /// The TTL given.
        ttl: std::time::Duration,
    },
}

impl fmt::Display for RedisStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Redis's own reason is the source (static text, never the URL).
            Self::InvalidUrl(_) => f.write_str(
                "invalid Redis URL: expected redis://[user:password@]host[:port][/db] or rediss://… for TLS",
            ),
            Self::TlsNotEnabled => f.write_str(
                "the Redis URL is rediss:// but sfjwt-redis was built without its `tls` feature: enable it",
            ),
            Self::RecordTtlOutOfRange { ttl } => write!(
                f,
                "record TTL {ttl:?} is outside 1 s ..= 24 h: use the org's session timeout \
                 (Setup > Session Settings; Salesforce allows 15 min to 24 h, default 2 h)"
            ),
        }
    }
}

impl std::error::Error for RedisStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidUrl(e) => Some(e),
            Self::TlsNotEnabled | Self::RecordTtlOutOfRange { .. } => None,
        }
    }
}
