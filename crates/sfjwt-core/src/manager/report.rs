//! Reporting a refused token (`invalidate`) and clearing the refusal streak
//! (`reset_refusals`), as sans-IO [`Machine`]s both managers drive with any store.
//!
//! Reporting is compare-and-invalidate: a token that was already replaced is not dropped, so
//! a late report never throws away the newer token. When this report does drop the current
//! token and it was refused soon after its grant, the fleet's streak grows (see
//! [`RegrantPolicy`](super::RegrantPolicy)).

use std::time::{Duration, SystemTime};

use super::error::ManagerError;
use super::machine::{Action, Input, Machine, out_of_order};
use super::state::Policy;
use crate::response::AccessToken;
use crate::store::{QuickRefusals, StoreOp, StoreReply};

#[derive(Debug)]
enum State {
    /// What the store holds before the token is dropped.
    Loading,
    /// The store's answer to dropping it; when the token was granted, if it was current.
    Dropping(Option<SystemTime>),
    /// The streak the store holds, for the token granted then. Only a token the report
    /// removed gets here, so the report's answer from here on is `true`.
    Streak(SystemTime),
    /// The store's answer to saving the new streak.
    SavingStreak,
    Done,
}

/// Reports `stale` as refused by the API. Ends with whether it was the current token.
#[derive(Debug)]
pub(crate) struct Report {
    stale: AccessToken,
    state: State,
}

impl Report {
    pub(crate) fn new(stale: &AccessToken) -> Self {
        Self {
            stale: stale.clone(),
            state: State::Loading,
        }
    }
}

impl Machine for Report {
    type Output = Result<bool, ManagerError>;

    fn step(&mut self, policy: &Policy, input: Input, now: SystemTime) -> Action<Self::Output> {
        match (std::mem::replace(&mut self.state, State::Done), input) {
            (State::Loading, Input::Start) => {
                self.state = State::Loading;
                Action::Store(StoreOp::Load)
            }
            (State::Loading, Input::Store(reply)) => {
                let current = reply.and_then(StoreReply::into_token).ok().flatten();
                let granted_at = current
                    .filter(|s| s.token.access_token().same_as(&self.stale))
                    .map(|s| s.obtained_at);
                self.state = State::Dropping(granted_at);
                Action::Store(StoreOp::Invalidate(self.stale.clone()))
            }
            (State::Dropping(granted_at), Input::Store(reply)) => {
                let removed = match reply.and_then(StoreReply::into_invalidated) {
                    Ok(removed) => removed,
                    Err(e) => return Action::Done(Err(e.into())),
                };
                #[cfg(feature = "tracing")]
                tracing::debug!(removed, "sfjwt: token reported invalid");
                match granted_at.filter(|_| removed) {
                    Some(granted_at) => {
                        self.state = State::Streak(granted_at);
                        Action::Store(StoreOp::LoadRefusals)
                    }
                    None => Action::Done(Ok(removed)),
                }
            }
            (State::Streak(granted_at), Input::Store(reply)) => {
                let previous: Option<QuickRefusals> = reply
                    .and_then(StoreReply::into_refusals)
                    .unwrap_or_default();
                let next = policy.regrant.on_refused(previous, granted_at, now);
                self.state = State::SavingStreak;
                Action::Store(StoreOp::SaveRefusals(
                    next,
                    policy.regrant.record_lifetime(),
                ))
            }
            // A failure is counted and logged by the fallback, which keeps the streak itself.
            (State::SavingStreak, Input::Store(_)) => Action::Done(Ok(true)),
            (_, other) => out_of_order(&other),
        }
    }
}

/// Clears the streak, in the store and in this process.
#[derive(Debug, Default)]
pub(crate) struct Reset;

impl Machine for Reset {
    type Output = Result<(), ManagerError>;

    fn step(&mut self, _policy: &Policy, input: Input, _now: SystemTime) -> Action<Self::Output> {
        match input {
            Input::Start => Action::Store(StoreOp::SaveRefusals(None, Duration::ZERO)),
            Input::Store(reply) => Action::Done(
                reply
                    .and_then(StoreReply::into_refusals_saved)
                    .map(|_| ())
                    .map_err(ManagerError::Store),
            ),
            other => out_of_order(&other),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use std::time::UNIX_EPOCH;

    use std::sync::atomic::{AtomicBool, Ordering};

    use super::super::fallback::FallbackStore;
    use super::super::machine::Lookup;
    use super::super::machine::{Feed, policy, run, stored};
    use super::*;
    use crate::store::MemoryStore;
    use crate::store::{StoreError, TokenStore};

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    fn stale(name: &str) -> AccessToken {
        stored(name, 0).token.access_token().clone()
    }

    #[test]
    fn a_token_refused_long_after_its_grant_is_dropped_without_touching_the_streak() {
        run(
            &mut Report::new(&stale("A")),
            &policy(),
            &[
                (Feed::Start, "Load"),
                (Feed::Token("A", 0), "Invalidate(A)"),
                // Now is 1000 s: the token lived well past the 60 s window.
                (Feed::Invalidated(true), "LoadRefusals"),
                (Feed::Streak(None), "SaveRefusals(none, 120s)"),
                (Feed::StreakSaved(true), "Done(Ok true)"),
            ],
            at(1000),
        );
    }

    #[test]
    fn a_quick_refusal_grows_the_fleets_streak() {
        let one = Some(QuickRefusals::new(1, at(5)));
        run(
            &mut Report::new(&stale("A")),
            &policy(),
            &[
                (Feed::Start, "Load"),
                (Feed::Token("A", 8), "Invalidate(A)"),
                (Feed::Invalidated(true), "LoadRefusals"),
                (Feed::Streak(one), "SaveRefusals(2, 120s)"),
                (Feed::StreakSaved(true), "Done(Ok true)"),
            ],
            at(10),
        );
    }

    #[test]
    fn a_late_report_of_a_replaced_token_changes_nothing() {
        run(
            &mut Report::new(&stale("A")),
            &policy(),
            &[
                (Feed::Start, "Load"),
                (Feed::Token("B", 9), "Invalidate(A)"),
                (Feed::Invalidated(false), "Done(Ok false)"),
            ],
            at(10),
        );
    }

    /// A memory store whose every call but `Load` and `Save` fails while `down` is set.
    #[derive(Default)]
    struct CannotDrop {
        inner: MemoryStore,
        down: AtomicBool,
    }

    impl TokenStore for CannotDrop {
        fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
            match op {
                StoreOp::Load | StoreOp::Save(_) => self.inner.run(op),
                _ if self.down.load(Ordering::SeqCst) => Err(StoreError::new("down")),
                op => self.inner.run(op),
            }
        }
    }

    /// Runs `machine` against `store` as the blocking driver does (no transport, no sleep).
    fn drive<M: Machine>(mut machine: M, store: &dyn TokenStore, now: SystemTime) -> M::Output {
        let policy = policy();
        let mut input = Input::Start;
        loop {
            input = match machine.step(&policy, input, now) {
                Action::Store(op) => Input::Store(store.run(op)),
                Action::Done(output) => return output,
                _ => panic!("no store operation"),
            };
        }
    }

    #[test]
    fn a_store_that_cannot_drop_the_token_is_worked_around() {
        let store = FallbackStore::new(CannotDrop::default());
        store.inner().save(stored("A", 8)).unwrap();
        store.inner().down.store(true, Ordering::SeqCst);
        assert!(drive(Report::new(&stale("A")), &store, at(10)).unwrap());
        // The refused token is never served again, although the store still holds it…
        assert!(drive(Lookup, &store, at(11)).unwrap().is_none());
        // … and the streak this process kept counts towards the next report.
        store.inner().down.store(false, Ordering::SeqCst);
        store.inner().save(stored("B", 11)).unwrap();
        assert!(drive(Report::new(&stale("B")), &store, at(12)).unwrap());
        let streak = store
            .inner()
            .run(StoreOp::LoadRefusals)
            .unwrap()
            .into_refusals();
        assert_eq!(streak.unwrap().map(|s| s.count()), Some(2));
        // The failed drop, streak load and streak save.
        assert_eq!(store.failures(), 3);
    }

    #[test]
    fn reset_clears_the_streak_and_reports_a_store_that_cannot() {
        run(
            &mut Reset,
            &policy(),
            &[
                (Feed::Start, "SaveRefusals(none, 0ns)"),
                (Feed::StreakSaved(true), "Done(Ok)"),
            ],
            at(0),
        );
        run(
            &mut Reset,
            &policy(),
            &[
                (Feed::Start, "SaveRefusals(none, 0ns)"),
                (Feed::StoreDown, "Done(Err store)"),
            ],
            at(0),
        );
    }
}
