//! Time for the emulator, injectable.
//!
//! Session timeouts, the login-rate window, `exp` checks and `issued_at` all read the time
//! through the core's [`Clock`], so a test can move time forward with a
//! [`ManualClock`](sfjwt_core::clock::ManualClock) instead of sleeping for two hours to see a
//! session expire, and the same clock can drive the client. Network-level behaviour (fault
//! latency, stalls, read timeouts) uses real time: it is about sockets, not about Salesforce's
//! rules.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use sfjwt_core::clock::Clock;

/// The emulator's clock, shared by the server tasks; `Debug` without requiring it of every
/// [`Clock`] a test passes in.
#[derive(Clone)]
pub(crate) struct SharedClock(Arc<dyn Clock>);

impl SharedClock {
    pub(crate) fn new(clock: impl Clock + 'static) -> Self {
        Self(Arc::new(clock))
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.0.now()
    }
}

impl fmt::Debug for SharedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[clock]")
    }
}

/// Seconds since the Unix epoch; 0 for times before it.
pub(crate) fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Milliseconds since the Unix epoch; 0 for times before it.
pub(crate) fn unix_millis(t: SystemTime) -> u128 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}
