//! The grant: what the in-process leader does when there is no fresh token. Written once, as a
//! sans-IO [`Machine`], and driven by both managers.
//!
//! 1. Re-read the store: another grant (here or in another process) may have just finished.
//! 2. Ask the store for the fleet's grant lock. While another process holds it, sleep a poll
//!    interval and go back to 1; past [`LockPolicy::max_wait`](super::LockPolicy), or when the
//!    store cannot answer, grant without the lock: the lock saves logins, it must never cost
//!    the ability to log in. The wait is measured in *elapsed* time (the `now` each step is
//!    given, from the manager's clock), not as the sum of the pauses: a slow store or a
//!    descheduled process must not stretch the bound (a store taking as long per call as the
//!    poll interval once doubled it).
//! 3. Holding the lock, re-read the store once more: the previous holder may have saved its
//!    token just before releasing.
//! 4. The bounded re-grant rule ([`RegrantPolicy`](super::RegrantPolicy)): while tokens are
//!    refused right after their grant, fail with
//!    [`ManagerError::RegrantBlocked`](super::ManagerError::RegrantBlocked).
//! 5. Send; on a retryable failure sleep the backoff ([`RetryPolicy`](super::RetryPolicy)),
//!    renew the lock, send again.
//! 6. Save the token (a store that fails to save costs no second grant), release the lock,
//!    hand out the token.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::error::Outcome;
use super::machine::{Action, Input, Machine, out_of_order};
use super::state::Policy;
use crate::exchange::ExchangeError;
use crate::response::TokenResponse;
use crate::store::{GrantLease, GrantLock, StoreError, StoreOp, StoreReply, StoredToken};

/// What the grant waits for.
#[derive(Debug)]
enum State {
    /// Step 1: the store's token.
    Check,
    /// Step 2: the store's answer about the lock.
    Lock,
    /// Step 2: the pause while another process holds the lock.
    Waiting,
    /// Step 3: the store's token, read under the lock.
    Recheck,
    /// Step 4: the fleet's refusal streak.
    Refusals,
    /// Step 5: the token endpoint's answer.
    Sending,
    /// Step 5: the backoff before the next attempt.
    Backoff,
    /// Step 5: the lock's renewal.
    Extending,
    /// Step 6: the store's answer to saving this token.
    Saving(StoredToken),
    /// Step 6: the lock's release; then this outcome.
    Releasing(Outcome),
    /// Finished.
    Done,
}

/// One grant by the in-process leader.
#[derive(Debug)]
pub(crate) struct Grant {
    state: State,
    /// The sum of pauses while another process held the lock.
    waited: Duration,
    /// When the lock was first found held elsewhere: the wait's elapsed time counts from here.
    wait_started: Option<SystemTime>,
    /// The current attempt, 1-based.
    attempt: u32,
    /// The lock this grant holds (`None`: granting without one).
    lease: Option<GrantLease>,
}

impl Default for Grant {
    fn default() -> Self {
        Self {
            state: State::Check,
            waited: Duration::ZERO,
            wait_started: None,
            attempt: 1,
            lease: None,
        }
    }
}

impl Machine for Grant {
    type Output = Outcome;

    fn step(&mut self, policy: &Policy, input: Input, now: SystemTime) -> Action<Outcome> {
        let state = std::mem::replace(&mut self.state, State::Done);
        match (state, input) {
            (State::Check, Input::Start) | (State::Waiting, Input::Slept) => {
                self.ask(State::Check, StoreOp::Load)
            }
            (State::Check, Input::Store(reply)) => match policy.current(reply, now).transpose() {
                None => self.ask(State::Lock, StoreOp::AcquireLock(policy.lock.ttl())),
                Some(found) => self.finish(found),
            },
            (State::Lock, Input::Store(reply)) => {
                self.on_lock(policy, reply.and_then(StoreReply::into_lock), now)
            }
            (State::Recheck, Input::Store(reply)) => match policy.current(reply, now).transpose() {
                None => self.ask(State::Refusals, StoreOp::LoadRefusals),
                Some(found) => self.finish(found),
            },
            (State::Refusals, Input::Store(reply)) => {
                // The fallback answers from its own copy when the store fails.
                let streak = reply
                    .and_then(StoreReply::into_refusals)
                    .unwrap_or_default();
                match policy.regrant.check(streak, now) {
                    Ok(()) => self.send(),
                    Err(e) => self.finish(Err(e)),
                }
            }
            (State::Sending, Input::Response(result, random)) => {
                self.on_response(policy, result, now, random)
            }
            (State::Backoff, Input::Slept) => {
                self.attempt = self.attempt.saturating_add(1);
                match self.lease.as_ref() {
                    Some(lease) => {
                        let op = StoreOp::ExtendLock(lease.clone(), policy.lock.ttl());
                        self.ask(State::Extending, op)
                    }
                    None => self.send(),
                }
            }
            (State::Extending, Input::Store(_reply)) => {
                // A lost or failed renewal is logged (a failure is also counted); the grant
                // goes on.
                #[cfg(feature = "tracing")]
                if !matches!(_reply, Ok(StoreReply::Extended(true))) {
                    tracing::warn!(
                        "sfjwt: the grant lock could not be renewed; another process may grant too"
                    );
                }
                self.send()
            }
            // Saved or not: the fallback keeps a token the store failed to save.
            (State::Saving(stored), Input::Store(_)) => self.finish(Ok(stored.token)),
            (State::Releasing(outcome), Input::Store(_reply)) => {
                #[cfg(feature = "tracing")]
                if let Err(error) = _reply {
                    tracing::warn!(%error, "sfjwt: grant lock release failed; it will expire");
                }
                Action::Done(outcome)
            }
            (_, other) => out_of_order(&other),
        }
    }
}

impl Grant {
    /// Step 2: what to do with the store's answer to "may I grant?".
    fn on_lock(
        &mut self,
        policy: &Policy,
        answer: Result<GrantLock, StoreError>,
        now: SystemTime,
    ) -> Action<Outcome> {
        if matches!(answer, Ok(GrantLock::HeldElsewhere)) {
            let started = *self.wait_started.get_or_insert(now);
            // A clock that went backwards counts as no time passed; the sum of the pauses is a
            // floor, so such a clock cannot make the wait endless either.
            let elapsed = now.duration_since(started).unwrap_or_default();
            self.waited = self.waited.max(elapsed);
        }
        match answer {
            Ok(GrantLock::Acquired(lease)) => {
                self.lease = Some(lease);
                self.ask(State::Recheck, StoreOp::Load)
            }
            Ok(GrantLock::HeldElsewhere) if self.waited < policy.lock.max_wait() => {
                let pause = policy.lock.poll_interval();
                self.waited = self.waited.saturating_add(pause);
                self.state = State::Waiting;
                Action::Sleep(pause)
            }
            Ok(GrantLock::HeldElsewhere) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(
                    waited_ms = u64::try_from(self.waited.as_millis()).unwrap_or(u64::MAX),
                    "sfjwt: another process held the grant lock past max_wait; granting without it"
                );
                self.ask(State::Refusals, StoreOp::LoadRefusals)
            }
            Err(_error) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(error = %_error, "sfjwt: grant lock unavailable; granting without it");
                self.ask(State::Refusals, StoreOp::LoadRefusals)
            }
        }
    }

    /// Moves to `state`, asking the store for `op`.
    fn ask(&mut self, state: State, op: StoreOp) -> Action<Outcome> {
        self.state = state;
        Action::Store(op)
    }

    fn send(&mut self) -> Action<Outcome> {
        self.state = State::Sending;
        Action::Send(self.attempt)
    }

    /// Step 5: a token to save, a backoff before the next attempt, or the final error.
    fn on_response(
        &mut self,
        policy: &Policy,
        result: Result<TokenResponse, ExchangeError>,
        now: SystemTime,
        random: u64,
    ) -> Action<Outcome> {
        let attempt = self.attempt;
        match result {
            Ok(token) => {
                #[cfg(feature = "tracing")]
                tracing::info!(attempt, "sfjwt: token granted");
                let stored = StoredToken {
                    token: Arc::new(token),
                    obtained_at: now,
                };
                self.ask(State::Saving(stored.clone()), StoreOp::Save(stored))
            }
            Err(error) => {
                let delay = policy.retry.delay_after(attempt, &error, random);
                #[cfg(feature = "tracing")]
                trace_failure(attempt, &error, delay);
                match delay {
                    Some(delay) => {
                        self.state = State::Backoff;
                        Action::Sleep(delay)
                    }
                    None => self.finish(Err(error.into())),
                }
            }
        }
    }

    /// Releases a held lock before handing out `outcome`.
    fn finish(&mut self, outcome: Outcome) -> Action<Outcome> {
        match self.lease.take() {
            Some(lease) => self.ask(State::Releasing(outcome), StoreOp::ReleaseLock(lease)),
            None => Action::Done(outcome),
        }
    }
}

/// Logs a failed attempt: a log-safe code (the OAuth `error` code or the error class), the
/// status, and the retry that follows, if any.
#[cfg(feature = "tracing")]
fn trace_failure(attempt: u32, error: &ExchangeError, delay: Option<Duration>) {
    let code = match error {
        ExchangeError::OAuth(e) => crate::response::sanitize(e.error()),
        ExchangeError::Response(_) => "malformed_response".to_owned(),
        ExchangeError::Transport { .. } => "transport".to_owned(),
        ExchangeError::Claims(_) => "claims".to_owned(),
        ExchangeError::Sign(_) => "sign".to_owned(),
        _ => "other".to_owned(),
    };
    let status = error.status().map(|s| s.as_u16());
    match delay {
        Some(delay) => tracing::warn!(
            attempt,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error_code = %code,
            status,
            "sfjwt: grant failed, retrying"
        ),
        None => tracing::error!(
            attempt,
            error_code = %code,
            status,
            retryable = error.is_retryable(),
            "sfjwt: grant failed"
        ),
    }
}

#[cfg(test)]
mod tests {
    //! The grant as tables: each row feeds the machine a sequence of inputs and checks every
    //! action it answers. No store, transport, thread or sleep is involved.
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

    use std::time::UNIX_EPOCH;

    use super::super::machine::{Feed, label, policy, run};
    use super::*;
    use crate::store::QuickRefusals;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    fn grant(rows: &[(Feed, &str)], policy: &Policy) {
        run(&mut Grant::default(), policy, rows, at(100));
    }

    /// The rows of a grant under a shared lock, from the start to its first request.
    fn to_first_send(more: &[(Feed, &'static str)]) -> Vec<(Feed, &'static str)> {
        let mut rows = vec![
            (Feed::Start, "Load"),
            (Feed::NoToken, "AcquireLock(45s)"),
            (Feed::Acquired("owner"), "Load"),
            (Feed::NoToken, "LoadRefusals"),
            (Feed::Streak(None), "Send(1)"),
        ];
        rows.extend_from_slice(more);
        rows
    }

    #[test]
    fn a_fresh_token_in_the_store_is_handed_out_without_a_lock() {
        grant(
            &[(Feed::Start, "Load"), (Feed::Token("A", 0), "Done(Ok A)")],
            &policy(),
        );
    }

    #[test]
    fn the_simplest_grant_locks_rechecks_checks_the_streak_sends_saves_and_releases() {
        let rows = to_first_send(&[
            (Feed::Granted("T"), "Save(T)"),
            (Feed::Saved, "Release(owner)"),
            (Feed::Released, "Done(Ok T)"),
        ]);
        grant(&rows, &policy());
    }

    #[test]
    fn the_previous_lock_holders_token_found_under_the_lock_is_served_without_a_grant() {
        grant(
            &[
                (Feed::Start, "Load"),
                (Feed::NoToken, "AcquireLock(45s)"),
                (Feed::Acquired("owner"), "Load"),
                (Feed::Token("B", 90), "Release(owner)"),
                (Feed::Released, "Done(Ok B)"),
            ],
            &policy(),
        );
    }

    #[test]
    fn while_another_process_holds_the_lock_the_leader_polls_then_takes_its_token() {
        grant(
            &[
                (Feed::Start, "Load"),
                (Feed::NoToken, "AcquireLock(45s)"),
                (Feed::HeldElsewhere, "Sleep(100ms)"),
                (Feed::Slept, "Load"),
                (Feed::NoToken, "AcquireLock(45s)"),
                (Feed::HeldElsewhere, "Sleep(100ms)"),
                (Feed::Slept, "Load"),
                (Feed::Token("C", 99), "Done(Ok C)"),
            ],
            &policy(),
        );
    }

    #[test]
    fn past_max_wait_or_without_a_lock_service_the_leader_grants_without_the_lock() {
        let mut s = policy();
        s.lock = super::super::LockPolicy::new(Duration::from_millis(100))
            .with_poll_interval(Duration::from_millis(100))
            .with_max_wait(Duration::from_millis(200));
        grant(
            &[
                (Feed::Start, "Load"),
                (Feed::NoToken, "AcquireLock(100ms)"),
                (Feed::HeldElsewhere, "Sleep(100ms)"),
                (Feed::Slept, "Load"),
                (Feed::NoToken, "AcquireLock(100ms)"),
                (Feed::HeldElsewhere, "Sleep(100ms)"),
                (Feed::Slept, "Load"),
                (Feed::NoToken, "AcquireLock(100ms)"),
                (Feed::HeldElsewhere, "LoadRefusals"),
                (Feed::Streak(None), "Send(1)"),
                (Feed::Granted("U"), "Save(U)"),
                // No lease: nothing to release.
                (Feed::Saved, "Done(Ok U)"),
            ],
            &s,
        );
        grant(
            &[
                (Feed::Start, "Load"),
                (Feed::NoToken, "AcquireLock(45s)"),
                (Feed::StoreDown, "LoadRefusals"),
                (Feed::Streak(None), "Send(1)"),
                (Feed::Granted("T"), "Save(T)"),
                (Feed::Saved, "Done(Ok T)"),
            ],
            &policy(),
        );
    }

    #[test]
    fn the_wait_for_the_lock_is_bounded_by_elapsed_time_not_by_the_pauses() {
        // Polls every 100 ms, but each round trip takes 40 s of wall time (a slow store, a
        // descheduled process): the bound (135 s by default) is reached after four rounds, not
        // after 1,350 pauses.
        let s = policy();
        let mut machine = Grant::default();
        let mut now = at(0);
        let mut step =
            |feed: Feed, _after: &str, now: SystemTime| label(&machine.step(&s, feed.input(), now));
        assert_eq!(step(Feed::Start, "", now), "Load");
        let mut rounds = 0;
        loop {
            assert_eq!(step(Feed::NoToken, "Load", now), "AcquireLock(45s)");
            now += Duration::from_secs(40);
            let answer = step(Feed::HeldElsewhere, "AcquireLock", now);
            if answer != "Sleep(100ms)" {
                assert_eq!(
                    answer, "LoadRefusals",
                    "past the bound: grant without the lock"
                );
                break;
            }
            rounds += 1;
            assert!(rounds < 10, "the wait did not end");
            assert_eq!(step(Feed::Slept, "Sleep", now), "Load");
        }
        // The wait starts when the lock is first found held (40 s); found held again after 40,
        // 80 and 120 s of waiting; after 160 s (> 135 s) the leader grants on its own.
        assert_eq!(rounds, 4);
    }

    #[test]
    fn retryable_failures_back_off_renew_the_lock_and_stop_at_max_attempts() {
        let rows = to_first_send(&[
            // Full jitter: random 0 waits 0; the bound is 500 ms, then 1 s.
            (Feed::Unavailable(0), "Sleep(0ns)"),
            (Feed::Slept, "ExtendLock(owner, 45s)"),
            (Feed::Extended(true), "Send(2)"),
            (Feed::Unavailable(1_000_000_000), "Sleep(1s)"),
            (Feed::Slept, "ExtendLock(owner, 45s)"),
            // A lost or failed renewal is logged; the grant goes on.
            (Feed::Extended(false), "Send(3)"),
            (Feed::Unavailable(7), "Release(owner)"),
            (Feed::Released, "Done(Err 503)"),
        ]);
        grant(&rows, &policy());
    }

    #[test]
    fn a_refusal_that_needs_a_fix_is_not_retried() {
        let rows = to_first_send(&[
            (Feed::InvalidGrant, "Release(owner)"),
            (Feed::Released, "Done(Err invalid_grant)"),
        ]);
        grant(&rows, &policy());
    }

    #[test]
    fn a_blocking_streak_stops_the_grant_before_it_is_sent() {
        // Two quick refusals, the last 10 s before `now` (60 s window): blocked for 50 s.
        let blocked = Some(QuickRefusals::new(2, at(90)));
        grant(
            &[
                (Feed::Start, "Load"),
                (Feed::NoToken, "AcquireLock(45s)"),
                (Feed::Acquired("owner"), "Load"),
                (Feed::NoToken, "LoadRefusals"),
                (Feed::Streak(blocked), "Release(owner)"),
                (Feed::Released, "Done(Err RegrantBlocked 50s)"),
            ],
            &policy(),
        );
        // One quick refusal is not a pattern: the grant goes ahead.
        let once = Some(QuickRefusals::new(1, at(99)));
        grant(
            &[
                (Feed::Start, "Load"),
                (Feed::NoToken, "AcquireLock(45s)"),
                (Feed::StoreDown, "LoadRefusals"),
                (Feed::Streak(once), "Send(1)"),
            ],
            &policy(),
        );
    }

    #[test]
    fn a_token_older_than_max_age_is_not_served() {
        let mut s = policy();
        s.max_age = Some(Duration::from_secs(30));
        grant(
            &[
                (Feed::Start, "Load"),
                // Obtained at 60 s, now is 100 s: 40 s old.
                (Feed::Token("OLD", 60), "AcquireLock(45s)"),
                (Feed::Acquired("owner"), "Load"),
                // Obtained at 80 s: 20 s old, served.
                (Feed::Token("NEW", 80), "Release(owner)"),
                (Feed::Released, "Done(Ok NEW)"),
            ],
            &s,
        );
    }

    #[test]
    fn a_failing_store_without_a_copy_fails_the_call_and_a_failed_save_keeps_the_token() {
        grant(
            &[(Feed::Start, "Load"), (Feed::StoreDown, "Done(Err store)")],
            &policy(),
        );
        let s = policy();
        let saved_nowhere = [
            (Feed::Start, "Load"),
            (Feed::NoToken, "AcquireLock(45s)"),
            (Feed::StoreDown, "LoadRefusals"),
            (Feed::Streak(None), "Send(1)"),
            (Feed::Granted("T"), "Save(T)"),
            (Feed::SaveFailed, "Done(Ok T)"),
        ];
        // The fallback keeps the token for this process (its own tests: `fallback.rs`).
        grant(&saved_nowhere, &s);
    }

    #[test]
    fn an_answer_the_machine_did_not_ask_for_ends_the_grant_without_a_panic() {
        let mut machine = Grant::default();
        let s = policy();
        let action = machine.step(&s, Feed::Slept.input(), at(0));
        assert_eq!(label(&action), "Done(Err abandoned)");
    }
}
