//! Instants as the wire formats want them. The core never reads the clock: every function here
//! converts a `now` it was given.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (RFC 7519 §2 `NumericDate`) of a caller-supplied instant, or
/// `None` before the epoch.
pub(crate) fn unix_seconds(instant: SystemTime) -> Option<u64> {
    instant.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}
