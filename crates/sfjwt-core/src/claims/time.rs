use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch of a caller-supplied instant. The core never reads the clock;
/// this only converts the `now` it was given.
pub(crate) fn unix_seconds(instant: SystemTime) -> Option<u64> {
    instant.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}
