//! Waiting for another process's grant, out loud and within a bound.
//!
//! While another `sfjwt` process holds an identity's grant lock (it is logging in), this one
//! waits for its token rather than logging in too. A person at a terminal must not watch a
//! silent command, so after [`NOTICE_AFTER`] of waiting one stderr line says what it waits for
//! (the lock file's path, or the Redis key) and for how long at most. The bound itself is the
//! grant lock policy's `max_wait`, measured in elapsed time: a grant waiter then logs in on
//! its own (the core's token manager), a `--refresh`/`--invalidate` waiter gives up with exit
//! 4 naming the lock (`sfjwt-file-store` reports the wait, this module says it).

use std::io::Write as _;
use std::time::{Duration, Instant};

/// How long a wait stays silent.
pub(crate) const NOTICE_AFTER: Duration = Duration::from_secs(2);

/// One wait's notice: said once, after [`NOTICE_AFTER`].
#[derive(Debug)]
pub(crate) struct WaitNotice {
    what: String,
    bound: Duration,
    started: Option<Instant>,
    said: bool,
}

impl WaitNotice {
    /// A notice for waiting on `what` (e.g. "the grant lock /path/x.lock"), at most `bound`.
    pub(crate) fn new(what: String, bound: Duration) -> Self {
        Self {
            what,
            bound,
            started: None,
            said: false,
        }
    }

    /// The lock was found held again: starts the clock, and says so once the wait is long
    /// enough to be noticed. Returns how long this wait has lasted.
    pub(crate) fn still_held(&mut self) -> Duration {
        let started = *self.started.get_or_insert_with(Instant::now);
        let waited = started.elapsed();
        if !self.said && waited >= NOTICE_AFTER {
            self.said = true;
            let _ = writeln!(
                std::io::stderr(),
                "sfjwt: waiting for {} (another sfjwt process is logging in as this identity); at most {} s",
                self.what,
                self.bound.as_secs()
            );
        }
        waited
    }
}
