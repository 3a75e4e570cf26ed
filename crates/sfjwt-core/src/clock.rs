//! Where the current time comes from.
//!
//! The protocol code never reads the system clock itself: it asks a [`Clock`], so tests can pin
//! time (an `exp` one second in the past, a token exactly at its maximum age) without sleeping.
//! [`SystemClock`] is the only place in the crate that calls [`SystemTime::now`];
//! [`ManualClock`] is the clock tests move by hand. The emulator reads its time through the
//! same trait, so one test clock drives both client and server.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A source of the current wall-clock time.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use sfjwt_core::clock::Clock;
/// struct Fixed(SystemTime);
/// impl Clock for Fixed {
///     fn now(&self) -> SystemTime { self.0 }
/// }
/// let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(Fixed(t).now(), t);
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock: the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until told to move: for tests that pin time or skip ahead
/// (an `exp` one second in the past, a session two hours old) without sleeping.
///
/// Clones share the same time, so a test keeps one clone and hands others to the code under
/// test (a [`JwtBearer`](crate::exchange::JwtBearer), an emulator).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use sfjwt_core::clock::{Clock, ManualClock};
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let view = clock.clone();
/// clock.advance(Duration::from_secs(7200));
/// assert_eq!(view.now(), UNIX_EPOCH + Duration::from_secs(1_700_007_200));
/// clock.set(UNIX_EPOCH);
/// assert_eq!(view.now(), UNIX_EPOCH);
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

    /// A clock standing at the current wall-clock time, so what is signed or checked with the
    /// real time agrees with it until the test moves it.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now())
    }

    /// Moves the clock forward by `by` (it stays put if that would overflow `SystemTime`).
    pub fn advance(&self, by: Duration) {
        // A panic elsewhere while holding the lock cannot leave a torn `SystemTime`: keep going.
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }

    /// Sets the clock to `to`, which may be in the past: real clocks jump too.
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}
