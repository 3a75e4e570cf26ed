//! What the manager keeps for its own process when the store cannot, so that a failing store
//! never costs logins.
//!
//! - A granted token the store failed to save is served from here: without it, every call
//!   would find the store empty and grant again.
//! - A refused token the store failed to drop is never served again from the store: without
//!   it, the manager would hand out the refused token forever.
//! - The refusal streak ([`QuickRefusals`]) lives here when the store does not keep one (the
//!   trait's default) or failed to save it, so bounded re-grants hold with any store.
//!
//! Each store failure is counted ([`Fallback::failures`], the managers' `store_failures`) and
//! logged as a `tracing` warning; none is returned to a caller who could be served.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use super::regrant::QuickRefusals;
use super::store::{StoreError, StoredToken};
use crate::response::AccessToken;

#[derive(Default)]
pub(crate) struct Fallback {
    state: Mutex<State>,
    failures: AtomicU64,
}

#[derive(Default)]
struct State {
    /// A granted token the store failed to save.
    token: Option<StoredToken>,
    /// A refused token the store failed to drop.
    refused: Option<AccessToken>,
    /// The streak, when the store does not keep it.
    refusals: Option<QuickRefusals>,
}

/// What a report of a refused token found before the store dropped it.
#[derive(Debug)]
pub(crate) struct Refusal {
    /// When the refused token was granted, if it was the current token.
    granted_at: Option<SystemTime>,
    /// Whether it was this process's own copy.
    own: bool,
}

impl Fallback {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many store calls failed.
    pub(crate) fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Counts and logs a store failure the manager works around.
    pub(crate) fn failed(&self, _op: &'static str, _error: &StoreError) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        #[cfg(feature = "tracing")]
        tracing::warn!(op = _op, error = %_error, "sfjwt: token store failed; the manager works around it");
    }

    /// The token to serve from the store's answer and this process's copy: the newer of the
    /// two, never a token known to be refused.
    ///
    /// # Errors
    /// The store's error when it failed and there is no copy to serve.
    pub(crate) fn current(
        &self,
        loaded: Result<Option<StoredToken>, StoreError>,
    ) -> Result<Option<StoredToken>, StoreError> {
        let mut state = self.state();
        let stored = match loaded {
            Ok(stored) => stored.filter(|s| {
                !state
                    .refused
                    .as_ref()
                    .is_some_and(|r| s.token.access_token().same_as(r))
            }),
            Err(error) => {
                self.failed("load", &error);
                if state.token.is_none() {
                    return Err(error);
                }
                None
            }
        };
        Ok(match (stored, state.token.clone()) {
            (Some(stored), Some(own)) if own.obtained_at > stored.obtained_at => Some(own),
            (Some(stored), _) => {
                state.token = None;
                Some(stored)
            }
            (None, own) => own,
        })
    }

    /// Records how saving a fresh grant went.
    pub(crate) fn saved(&self, stored: &StoredToken, result: Result<(), StoreError>) {
        let mut state = self.state();
        state.refused = None;
        state.token = match result {
            Ok(()) => None,
            Err(error) => {
                self.failed("save", &error);
                Some(stored.clone())
            }
        };
    }

    /// Looks for `stale` as the current token (in the store's answer or this process's copy,
    /// which is dropped here) before the store drops it.
    pub(crate) fn refusal(
        &self,
        loaded: Result<Option<StoredToken>, StoreError>,
        stale: &AccessToken,
    ) -> Refusal {
        let mut state = self.state();
        let own = state
            .token
            .as_ref()
            .filter(|t| t.token.access_token().same_as(stale))
            .map(|t| t.obtained_at);
        if own.is_some() {
            state.token = None;
        }
        let stored = match loaded {
            Ok(stored) => stored
                .filter(|s| s.token.access_token().same_as(stale))
                .map(|s| s.obtained_at),
            Err(error) => {
                self.failed("load", &error);
                None
            }
        };
        Refusal {
            granted_at: own.or(stored),
            own: own.is_some(),
        }
    }

    /// Takes the store's answer to "drop `stale`"; returns whether `stale` was the current
    /// token and, if this report dropped it, when it was granted (for the streak). A store that
    /// failed to drop it keeps it, so this process marks it never to be served again.
    pub(crate) fn dropped(
        &self,
        refusal: &Refusal,
        stale: &AccessToken,
        result: Result<bool, StoreError>,
    ) -> (bool, Option<SystemTime>) {
        let removed = match result {
            Ok(removed) => removed || refusal.own,
            Err(error) => {
                self.failed("invalidate", &error);
                self.state().refused = Some(stale.clone());
                refusal.granted_at.is_some()
            }
        };
        (removed, refusal.granted_at.filter(|_| removed))
    }

    /// The streak from the store's answer, or this process's copy.
    pub(crate) fn refusals(
        &self,
        loaded: Result<Option<QuickRefusals>, StoreError>,
    ) -> Option<QuickRefusals> {
        let own = self.state().refusals;
        match loaded {
            Ok(stored) => stored.or(own),
            Err(error) => {
                self.failed("load_refusals", &error);
                own
            }
        }
    }

    /// Records how saving the streak `next` went: this process keeps it unless the store does.
    ///
    /// # Errors
    /// The store's error (already counted and logged).
    pub(crate) fn refusals_saved(
        &self,
        next: Option<QuickRefusals>,
        result: Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let (kept, outcome) = match result {
            Ok(kept) => (kept, Ok(())),
            Err(error) => {
                self.failed("save_refusals", &error);
                (false, Err(error))
            }
        };
        self.state().refusals = if kept { None } else { next };
        outcome
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::response::TokenResponse;

    fn stored(token: &str, secs: u64) -> StoredToken {
        let json = format!(
            r#"{{"access_token":"{token}","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}}"#
        );
        StoredToken {
            token: Arc::new(TokenResponse::from_json(json.as_bytes()).unwrap()),
            obtained_at: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    fn token_of(s: &Option<StoredToken>) -> Option<&str> {
        s.as_ref().map(|s| s.token.access_token().expose_secret())
    }

    fn broken() -> StoreError {
        StoreError::new("down")
    }

    #[test]
    fn a_token_the_store_failed_to_save_is_served_until_a_newer_one_appears() {
        let f = Fallback::default();
        f.saved(&stored("A", 10), Err(broken()));
        assert_eq!(token_of(&f.current(Ok(None)).unwrap()), Some("A"));
        assert_eq!(token_of(&f.current(Err(broken())).unwrap()), Some("A"));
        // An older token in the store loses; a newer one wins and replaces the copy.
        assert_eq!(
            token_of(&f.current(Ok(Some(stored("O", 5)))).unwrap()),
            Some("A")
        );
        assert_eq!(
            token_of(&f.current(Ok(Some(stored("N", 20)))).unwrap()),
            Some("N")
        );
        assert_eq!(token_of(&f.current(Ok(None)).unwrap()), None);
        assert_eq!(f.failures(), 2);
        // No copy and a failing store: the error.
        assert!(f.current(Err(broken())).is_err());
    }

    #[test]
    fn a_refused_token_the_store_failed_to_drop_is_never_served_again() {
        let f = Fallback::default();
        let t = stored("A", 10);
        let stale = t.token.access_token().clone();
        let refusal = f.refusal(Ok(Some(t.clone())), &stale);
        assert_eq!(
            f.dropped(&refusal, &stale, Err(broken())),
            (true, Some(t.obtained_at))
        );
        assert_eq!(token_of(&f.current(Ok(Some(t))).unwrap()), None);
        f.saved(&stored("B", 11), Ok(()));
        assert_eq!(
            token_of(&f.current(Ok(Some(stored("A", 10)))).unwrap()),
            Some("A")
        );
    }

    #[test]
    fn only_the_report_that_drops_the_current_token_counts() {
        let f = Fallback::default();
        let t = stored("A", 10);
        let stale = t.token.access_token().clone();
        // Another process dropped it first.
        let refusal = f.refusal(Ok(Some(t.clone())), &stale);
        assert_eq!(f.dropped(&refusal, &stale, Ok(false)), (false, None));
        // Already replaced.
        let refusal = f.refusal(Ok(Some(stored("B", 11))), &stale);
        assert_eq!(f.dropped(&refusal, &stale, Ok(false)), (false, None));
        // This process's own copy.
        f.saved(&t, Err(broken()));
        let refusal = f.refusal(Ok(None), &stale);
        assert_eq!(
            f.dropped(&refusal, &stale, Ok(false)),
            (true, Some(t.obtained_at))
        );
        assert_eq!(token_of(&f.current(Ok(None)).unwrap()), None);
    }

    #[test]
    fn the_streak_stays_here_unless_the_store_keeps_it() {
        let f = Fallback::default();
        let s = Some(QuickRefusals::new(2, UNIX_EPOCH));
        f.refusals_saved(s, Ok(false)).unwrap();
        assert_eq!(f.refusals(Ok(None)), s);
        assert_eq!(f.refusals(Err(broken())), s);
        f.refusals_saved(s, Ok(true)).unwrap();
        assert_eq!(f.refusals(Ok(None)), None);
        assert!(f.refusals_saved(s, Err(broken())).is_err());
        assert_eq!(f.refusals(Ok(None)), s);
    }
}
