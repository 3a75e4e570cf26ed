//! Bounded re-grants: when Salesforce refuses tokens right after granting them, a new login will
//! not help, so the manager stops logging in instead of burning the login budget.
//!
//! The rule, its causes and why 60 s: [`manual::regrant`](crate::manual::regrant).

use std::time::{Duration, SystemTime};

use super::error::ManagerError;
use crate::store::QuickRefusals;

/// How many quick refusals in a row block grants. Two: one refusal may be an admin ending a
/// fresh session; two in a row is a pattern a new login will not change.
const BLOCKING_STREAK: u32 = 2;

/// Bounded re-grants: how soon after its grant a refused token counts against re-granting.
/// Default 60 s.
///
/// The rule (quick refusals, the blocking streak, the trial grant) and why 60 s:
/// [`manual::regrant`](crate::manual::regrant).
///
/// ```
/// use std::time::Duration;
/// use sfjwt_core::manager::RegrantPolicy;
/// assert_eq!(RegrantPolicy::default().window(), Duration::from_secs(60));
/// assert_eq!(RegrantPolicy::unbounded().window(), Duration::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegrantPolicy {
    window: Duration,
}

impl Default for RegrantPolicy {
    fn default() -> Self {
        Self::new(Duration::from_secs(60))
    }
}

impl RegrantPolicy {
    /// Tokens refused within `window` of their grant count as quick refusals.
    pub fn new(window: Duration) -> Self {
        Self { window }
    }

    /// Never blocks a grant (window zero): every refusal re-grants, as before this rule.
    pub fn unbounded() -> Self {
        Self::new(Duration::ZERO)
    }

    /// The window after a grant in which a refusal counts.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How long a store should keep a [`QuickRefusals`] record: past two windows after its
    /// last refusal it no longer affects anything, so it may expire.
    pub fn record_lifetime(&self) -> Duration {
        self.window.saturating_mul(2)
    }

    /// The streak after a token granted at `granted_at` was refused at `now` (`None`: no
    /// streak, the store may drop the record).
    pub(crate) fn on_refused(
        &self,
        previous: Option<QuickRefusals>,
        granted_at: SystemTime,
        now: SystemTime,
    ) -> Option<QuickRefusals> {
        // A clock that went backwards reads as no time passed.
        let age = now.duration_since(granted_at).unwrap_or_default();
        if age >= self.window {
            return None;
        }
        let streak = previous
            .filter(|p| {
                now.duration_since(p.last_at()).unwrap_or_default() < self.record_lifetime()
            })
            .map_or(0, |p| p.count());
        let next = QuickRefusals::new(streak.saturating_add(1), now);
        #[cfg(feature = "tracing")]
        tracing::warn!(
            quick_refusals = next.count(),
            window_s = self.window.as_secs(),
            "sfjwt: token refused soon after its grant"
        );
        Some(next)
    }

    /// Whether a grant may start at `now` given the fleet's streak.
    ///
    /// # Errors
    /// [`ManagerError::RegrantBlocked`] while a blocking streak's window lasts.
    pub(crate) fn check(
        &self,
        streak: Option<QuickRefusals>,
        now: SystemTime,
    ) -> Result<(), ManagerError> {
        let Some(streak) = streak.filter(|s| s.count() >= BLOCKING_STREAK) else {
            return Ok(());
        };
        let since = now.duration_since(streak.last_at()).unwrap_or_default();
        match self.window.checked_sub(since) {
            Some(retry_in) if !retry_in.is_zero() => {
                #[cfg(feature = "tracing")]
                tracing::error!(
                    refusals = streak.count(),
                    retry_in_s = retry_in.as_secs(),
                    "sfjwt: grant blocked: tokens are refused right after their grant"
                );
                Err(ManagerError::RegrantBlocked {
                    refusals: streak.count(),
                    window: self.window,
                    retry_in,
                })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use std::time::UNIX_EPOCH;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
    }

    fn streak(count: u32, last: u64) -> Option<QuickRefusals> {
        Some(QuickRefusals::new(count, at(last)))
    }

    #[test]
    fn refusals_build_a_streak_only_when_quick_and_close_together() {
        let policy = RegrantPolicy::default(); // 60 s
        // (previous streak, granted at, refused at, expected streak)
        let table: &[(Option<QuickRefusals>, u64, u64, Option<QuickRefusals>)] = &[
            // The first quick refusal starts a streak.
            (None, 0, 1, streak(1, 1)),
            (None, 0, 59, streak(1, 59)),
            // A token that lived the whole window ended normally: no streak, any streak ends.
            (None, 0, 60, None),
            (streak(1, 0), 0, 3600, None),
            (streak(5, 0), 10, 70, None),
            // A second quick refusal soon after the first extends the streak.
            (streak(1, 1), 1, 2, streak(2, 2)),
            // The trial token after a block, refused quickly again: the streak goes on.
            (streak(2, 2), 63, 64, streak(3, 64)),
            // A quick refusal long after the last one starts afresh.
            (streak(2, 2), 500, 501, streak(1, 501)),
            (streak(1, 0), 119, 120, streak(1, 120)),
            (streak(1, 0), 118, 119, streak(2, 119)),
            // A clock that went backwards: the token's age reads as zero.
            (None, 100, 50, streak(1, 50)),
        ];
        for (i, (previous, granted, refused, expected)) in table.iter().enumerate() {
            assert_eq!(
                policy.on_refused(*previous, at(*granted), at(*refused)),
                *expected,
                "row {i}"
            );
        }
    }

    #[test]
    fn grants_are_blocked_for_one_window_after_the_second_quick_refusal() {
        let policy = RegrantPolicy::default();
        // (streak, now, blocked for)
        let table: &[(Option<QuickRefusals>, u64, Option<u64>)] = &[
            (None, 0, None),
            (streak(1, 10), 10, None),
            (streak(2, 10), 10, Some(60)),
            (streak(2, 10), 11, Some(59)),
            (streak(2, 10), 69, Some(1)),
            (streak(2, 10), 70, None),
            (streak(3, 10), 30, Some(40)),
            // A clock that went backwards: blocked for the whole window.
            (streak(2, 10), 5, Some(60)),
        ];
        for (i, (streak, now, blocked)) in table.iter().enumerate() {
            match (policy.check(*streak, at(*now)), blocked) {
                (Ok(()), None) => {}
                (
                    Err(ManagerError::RegrantBlocked {
                        refusals,
                        window,
                        retry_in,
                    }),
                    Some(secs),
                ) => {
                    assert_eq!(retry_in, Duration::from_secs(*secs), "row {i}");
                    assert_eq!(window, Duration::from_secs(60));
                    assert_eq!(Some(refusals), streak.map(|s| s.count()));
                }
                (other, _) => panic!("row {i}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_unbounded_policy_never_blocks() {
        let policy = RegrantPolicy::unbounded();
        assert_eq!(policy.on_refused(streak(9, 0), at(0), at(0)), None);
        assert!(policy.check(streak(9, 0), at(0)).is_ok());
    }

    #[test]
    fn the_sequence_of_an_ip_locked_org_costs_two_grants_then_one_per_window() {
        // Each token is refused one second after its grant.
        let policy = RegrantPolicy::default();
        let mut record = None;
        let mut grants = Vec::new();
        for second in 0..300 {
            if policy.check(record, at(second)).is_err() {
                continue;
            }
            grants.push(second);
            record = policy.on_refused(record, at(second), at(second + 1));
        }
        // Two grants, then one trial each time the window (counted from the refusal) passes.
        assert_eq!(grants, [0, 1, 62, 123, 184, 245]);
    }
}
