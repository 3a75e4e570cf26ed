//! Reporting a refused token (`invalidate`) and clearing the refusal streak
//! (`reset_refusals`), as sans-IO [`Machine`]s both managers drive with any store.
//!
//! Reporting is compare-and-invalidate: a token that was already replaced is not dropped, so
//! a late report never throws away the newer token. When this report does drop the current
//! token and it was refused soon after its grant, the fleet's streak grows (see
//! [`RegrantPolicy`](super::RegrantPolicy)).

use std::time::{Duration, SystemTime};

use super::error::ManagerError;
use super::fallback::Refusal;
use super::machine::{Action, Input, Machine, StoreCall, out_of_order};
use super::regrant::QuickRefusals;
use super::shared::Shared;
use crate::response::AccessToken;

#[derive(Debug)]
enum State {
    /// What the store holds before the token is dropped.
    Loading,
    /// The store's answer to dropping it.
    Dropping(Refusal),
    /// The streak the store holds; `removed` is the report's answer.
    Streak {
        removed: bool,
        granted_at: SystemTime,
    },
    /// The store's answer to saving the new streak.
    SavingStreak {
        removed: bool,
        next: Option<QuickRefusals>,
    },
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

    fn step(&mut self, shared: &Shared, input: Input, now: SystemTime) -> Action<Self::Output> {
        match (std::mem::replace(&mut self.state, State::Done), input) {
            (State::Loading, Input::Start) => {
                self.state = State::Loading;
                Action::Store(StoreCall::Load)
            }
            (State::Loading, Input::Loaded(loaded)) => {
                self.state = State::Dropping(shared.fallback.refusal(loaded, &self.stale));
                Action::Store(StoreCall::Invalidate(self.stale.clone()))
            }
            (State::Dropping(refusal), Input::Invalidated(result)) => {
                let dropped = shared.fallback.dropped(&refusal, &self.stale, result);
                #[cfg(feature = "tracing")]
                tracing::debug!(removed = dropped.0, "sfjwt: token reported invalid");
                match dropped {
                    (removed, Some(granted_at)) => {
                        self.state = State::Streak {
                            removed,
                            granted_at,
                        };
                        Action::Store(StoreCall::LoadRefusals)
                    }
                    (removed, None) => Action::Done(Ok(removed)),
                }
            }
            (
                State::Streak {
                    removed,
                    granted_at,
                },
                Input::Refusals(loaded),
            ) => {
                let next = shared.next_refusals(granted_at, loaded, now);
                self.state = State::SavingStreak { removed, next };
                Action::Store(StoreCall::SaveRefusals(
                    next,
                    shared.regrant.record_lifetime(),
                ))
            }
            (State::SavingStreak { removed, next }, Input::RefusalsSaved(result)) => {
                // A failure is counted and logged; this process keeps the streak itself.
                let _ = shared.fallback.refusals_saved(next, result);
                Action::Done(Ok(removed))
            }
            (_, other) => out_of_order(&other),
        }
    }
}

/// Clears the streak, in the store and in this process.
#[derive(Debug, Default)]
pub(crate) struct Reset;

impl Machine for Reset {
    type Output = Result<(), ManagerError>;

    fn step(&mut self, shared: &Shared, input: Input, _now: SystemTime) -> Action<Self::Output> {
        match input {
            Input::Start => Action::Store(StoreCall::SaveRefusals(None, Duration::ZERO)),
            Input::RefusalsSaved(result) => Action::Done(
                shared
                    .fallback
                    .refusals_saved(None, result)
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

    use super::super::machine::Lookup;
    use super::super::machine::test_support::{Feed, run, shared, stored};
    use super::*;

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
            &shared(),
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
            &shared(),
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
            &shared(),
            &[
                (Feed::Start, "Load"),
                (Feed::Token("B", 9), "Invalidate(A)"),
                (Feed::Invalidated(false), "Done(Ok false)"),
            ],
            at(10),
        );
    }

    #[test]
    fn a_store_that_cannot_drop_the_token_is_worked_around() {
        let s = shared();
        run(
            &mut Report::new(&stale("A")),
            &s,
            &[
                (Feed::Start, "Load"),
                (Feed::Token("A", 8), "Invalidate(A)"),
                (Feed::StoreDown, "LoadRefusals"),
                (Feed::StoreDown, "SaveRefusals(1, 120s)"),
                (Feed::StoreDown, "Done(Ok true)"),
            ],
            at(10),
        );
        // The refused token is never served again, although the store still holds it…
        run(
            &mut Lookup,
            &s,
            &[
                (Feed::Start, "Load"),
                (Feed::Token("A", 8), "Done(Ok none)"),
            ],
            at(11),
        );
        // … and the streak this process kept counts towards the next report.
        run(
            &mut Report::new(&stale("B")),
            &s,
            &[
                (Feed::Start, "Load"),
                (Feed::Token("B", 11), "Invalidate(B)"),
                (Feed::Invalidated(true), "LoadRefusals"),
                (Feed::Streak(None), "SaveRefusals(2, 120s)"),
                (Feed::StreakSaved(false), "Done(Ok true)"),
            ],
            at(12),
        );
        assert_eq!(s.store_failures(), 3);
    }

    #[test]
    fn reset_clears_the_streak_and_reports_a_store_that_cannot() {
        run(
            &mut Reset,
            &shared(),
            &[
                (Feed::Start, "SaveRefusals(none, 0ns)"),
                (Feed::StreakSaved(true), "Done(Ok)"),
            ],
            at(0),
        );
        run(
            &mut Reset,
            &shared(),
            &[
                (Feed::Start, "SaveRefusals(none, 0ns)"),
                (Feed::StoreDown, "Done(Err store)"),
            ],
            at(0),
        );
    }
}
