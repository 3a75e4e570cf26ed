//! Where the current time comes from.
//!
//! The protocol code never reads the system clock itself: it asks a [`Clock`], so tests can pin
//! time (an `exp` one second in the past, a token exactly at its maximum age) without sleeping.
//! [`SystemClock`] is the only place in the crate that calls [`SystemTime::now`].

use std::time::SystemTime;

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

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}
