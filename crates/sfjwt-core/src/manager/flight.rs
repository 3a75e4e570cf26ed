//! Single flight: while one caller grants a token, every other caller waits for its outcome.
//!
//! One mechanism serves both flavours: an [`event_listener::Event`] wakes blocked threads
//! (`Listener::wait`) and pending futures (`.await`) alike, without an async runtime. The
//! leader publishes the outcome and then notifies; a waiter registers its listener *before*
//! re-checking the outcome, so no notification is missed.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use event_listener::{Event, EventListener, Listener as _};

use super::error::{ManagerError, Outcome};

/// One grant in the air and its outcome once known.
#[derive(Default)]
pub(crate) struct Flight {
    outcome: Mutex<Option<Outcome>>,
    done: Event,
}

impl Flight {
    fn outcome(&self) -> Option<Outcome> {
        locked(&self.outcome).clone()
    }

    /// The outcome if the leader finished, or a listener that fires when it does. The
    /// listener is registered before the second look, so no notification is missed.
    fn outcome_or_listener(&self) -> Result<Outcome, EventListener> {
        if let Some(outcome) = self.outcome() {
            return Ok(outcome);
        }
        let listener = self.done.listen();
        self.outcome().ok_or(listener)
    }

    /// Blocks until the leader finishes.
    pub(crate) fn wait(&self) -> Outcome {
        loop {
            match self.outcome_or_listener() {
                Ok(outcome) => return outcome,
                Err(listener) => listener.wait(),
            }
        }
    }

    /// Resolves when the leader finishes.
    pub(crate) async fn wait_async(&self) -> Outcome {
        loop {
            match self.outcome_or_listener() {
                Ok(outcome) => return outcome,
                Err(listener) => listener.await,
            }
        }
    }
}

/// The manager's single-flight slot.
#[derive(Default)]
pub(crate) struct SingleFlight {
    current: Mutex<Option<Arc<Flight>>>,
}

/// What a caller does: lead the grant, or wait for the one in the air.
pub(crate) enum Role<'a> {
    Leader(LeaderGuard<'a>),
    Follower(Arc<Flight>),
}

impl SingleFlight {
    pub(crate) fn join(&self) -> Role<'_> {
        let mut current = locked(&self.current);
        if let Some(flight) = current.as_ref() {
            return Role::Follower(Arc::clone(flight));
        }
        let flight = Arc::new(Flight::default());
        *current = Some(Arc::clone(&flight));
        Role::Leader(LeaderGuard {
            slot: self,
            flight,
            finished: false,
        })
    }
}

/// Held by the caller doing the grant. Dropping it unfinished (a panic in a transport, a
/// cancelled future) releases the waiters with [`ManagerError::GrantAbandoned`] instead of
/// leaving them blocked forever.
pub(crate) struct LeaderGuard<'a> {
    slot: &'a SingleFlight,
    flight: Arc<Flight>,
    finished: bool,
}

impl LeaderGuard<'_> {
    /// Hands `outcome` to the waiters, and back to the leader.
    pub(crate) fn finish(mut self, outcome: Outcome) -> Outcome {
        self.publish(outcome.clone());
        outcome
    }

    fn publish(&mut self, outcome: Outcome) {
        self.finished = true;
        *locked(&self.flight.outcome) = Some(outcome);
        // Clear the slot before waking anyone, so the next call after a failure starts afresh.
        *locked(&self.slot.current) = None;
        self.flight.done.notify(usize::MAX);
    }
}

impl Drop for LeaderGuard<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.publish(Err(ManagerError::GrantAbandoned));
        }
    }
}

/// A poisoned lock still holds a consistent value here (every write is one assignment).
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
