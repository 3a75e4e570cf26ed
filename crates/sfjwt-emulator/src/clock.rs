//! Time for the emulator, injectable.
//!
//! Session timeouts, the login-rate window, `exp` checks and `issued_at` all read the time
//! through a [`Clock`], so a test can move time forward with [`ManualClock::advance`] instead of
//! sleeping for two hours to see a session expire. Network-level behaviour (fault latency,
//! stalls, read timeouts) uses real time: it is about sockets, not about Salesforce's rules.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A source of the current time for the emulator's rules.
///
/// Implement it to drive the emulator from your own test clock; [`SystemClock`] and
/// [`ManualClock`] cover the usual needs.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until told to move. Clones share the same time, so a test keeps
/// one clone and hands another to [`EmulatorBuilder::clock`](crate::EmulatorBuilder::clock).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use sfjwt_emulator::{Clock, ManualClock};
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let view = clock.clone();
/// clock.advance(Duration::from_secs(7200));
/// assert_eq!(view.now(), UNIX_EPOCH + Duration::from_secs(1_700_007_200));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<SystemTime>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// A clock standing at the current wall-clock time, so assertions signed with
    /// `SystemTime::now()` are accepted until the test moves it.
    pub fn starting_now() -> Self {
        Self::new(SystemTime::now())
    }

    /// Moves the clock forward by `by` (saturating far in the future).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }

    /// Sets the clock to `to` (which may be in the past: clocks do jump).
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
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
