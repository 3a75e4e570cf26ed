//! [`FallbackStore`]: what the manager keeps for its own process when the store cannot, so
//! that a failing store never costs logins. The managers wrap every store in it, sync or
//! async, so no store keeps a copy of its own.
//!
//! - It keeps the last token read from or written to the store, and serves it while the store
//!   fails to answer: an outage costs no grant while the token still works. Without a copy, a
//!   store that is [unavailable](crate::store::StoreError::unavailable) reads as empty (the process
//!   grants on its own and keeps that token); any other failure fails the call.
//! - A granted token the store failed to save is served from here until the store holds a
//!   newer one: without it, every call would find the store empty and grant again.
//! - A refused token the store failed to drop is never served again: without it, the manager
//!   would hand out the refused token forever.
//! - The refusal streak ([`QuickRefusals`]) lives here when the store does not keep one (the
//!   [`default_reply`](crate::store::StoreOp::default_reply)) or failed to save it, so bounded
//!   re-grants hold with any store.
//!
//! Each store failure it works around is counted ([`FallbackStore::failures`], the managers'
//! `store_failures`) and logged as a `tracing` warning. The grant lock is not kept here: when
//! it cannot be had, the grant goes ahead without it (and says so in its own trace events).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::response::AccessToken;
use crate::store::{
    AsyncTokenStore, QuickRefusals, StoreError, StoreOp, StoreReply, StoredToken, TokenStore,
};

/// The fallback decorator around a store `S`; see the module docs.
pub(crate) struct FallbackStore<S> {
    inner: S,
    copy: Mutex<Copy>,
    failures: AtomicU64,
}

#[derive(Default)]
struct Copy {
    /// The last token read or written.
    token: Option<StoredToken>,
    /// `token` is one the store failed to save: newer than anything the store holds.
    unsaved: bool,
    /// A refused token the store failed to drop.
    refused: Option<AccessToken>,
    /// The last streak read or written.
    refusals: Option<QuickRefusals>,
    /// The store does not keep the streak, or failed to save it: this copy is the streak.
    refusals_unsaved: bool,
}

impl<S> FallbackStore<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            copy: Mutex::default(),
            failures: AtomicU64::new(0),
        }
    }

    /// The store it wraps.
    #[cfg(test)]
    pub(crate) fn inner(&self) -> &S {
        &self.inner
    }

    /// How many store calls failed and were worked around.
    pub(crate) fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    fn copy(&self) -> MutexGuard<'_, Copy> {
        self.copy.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The answer to `op`, from the store's answer `result` and this process's copy. Written
    /// once: both `run`s below only differ in how they get `result`.
    fn after(
        &self,
        op: StoreOp,
        result: Result<StoreReply, StoreError>,
    ) -> Result<StoreReply, StoreError> {
        // A lock that cannot be had is no failure to count: the grant goes on without it.
        if let Err(_error) = &result
            && !matches!(op, StoreOp::AcquireLock(_) | StoreOp::ReleaseLock(_))
        {
            self.failures.fetch_add(1, Ordering::Relaxed);
            #[cfg(feature = "tracing")]
            tracing::warn!(op = op.name(), error = %_error, "sfjwt: token store failed; the manager works around it");
        }
        let mut copy = self.copy();
        match (op, result) {
            (StoreOp::Load, Ok(StoreReply::Token(stored))) => {
                Ok(StoreReply::Token(copy.loaded(stored)))
            }
            (StoreOp::Load, Err(error)) => match copy.token.clone() {
                Some(own) => Ok(StoreReply::Token(Some(own))),
                None if error.is_unavailable() => Ok(StoreReply::Token(None)),
                None => Err(error),
            },
            (StoreOp::Save(token), result) => {
                copy.unsaved = result.is_err();
                copy.token = Some(token);
                copy.refused = None;
                Ok(StoreReply::Saved)
            }
            (StoreOp::Invalidate(stale), result) => {
                let own = copy
                    .token
                    .take_if(|t| t.token.access_token().same_as(&stale))
                    .is_some();
                Ok(StoreReply::Invalidated(match result {
                    Ok(StoreReply::Invalidated(removed)) => removed || (own && copy.unsaved),
                    _ => {
                        copy.refused = Some(stale);
                        own
                    }
                }))
            }
            (StoreOp::LoadRefusals, Ok(StoreReply::Refusals(stored)))
                if stored.is_some() || !copy.refusals_unsaved =>
            {
                copy.refusals = stored;
                Ok(StoreReply::Refusals(stored))
            }
            (StoreOp::LoadRefusals, _) => Ok(StoreReply::Refusals(copy.refusals)),
            (StoreOp::SaveRefusals(next, _), result) => {
                copy.refusals = next;
                copy.refusals_unsaved = !matches!(result, Ok(StoreReply::RefusalsSaved(true)));
                result
            }
            (_, result) => result,
        }
    }
}

impl Copy {
    /// The token to serve from the store's answer: the store's, unless this process holds a
    /// newer one the store failed to save; never a token known to be refused.
    fn loaded(&mut self, stored: Option<StoredToken>) -> Option<StoredToken> {
        let refused = self.refused.as_ref();
        let stored = stored.filter(|s| !refused.is_some_and(|r| s.token.access_token().same_as(r)));
        let own_is_newer = match (&stored, &self.token) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(stored), Some(own)) => own.obtained_at > stored.obtained_at,
        };
        if self.unsaved && own_is_newer {
            return self.token.clone();
        }
        self.unsaved = false;
        self.token.clone_from(&stored);
        stored
    }
}

impl<S: TokenStore> TokenStore for FallbackStore<S> {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        let result = self.inner.run(op.clone());
        self.after(op, result)
    }
}

impl FallbackStore<Arc<dyn AsyncTokenStore>> {
    /// [`TokenStore::run`], awaiting an async store.
    pub(crate) async fn run_async(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        let result = self.inner.run(op.clone()).await;
        self.after(op, result)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::response::TokenResponse;
    use crate::store::MemoryStore;

    /// A memory store that fails every call while `down` is set.
    #[derive(Default)]
    struct Flaky {
        inner: MemoryStore,
        down: AtomicBool,
        /// Answers `Ok(false)` to `SaveRefusals` (keeps no streak).
        no_streak: bool,
    }

    impl TokenStore for Flaky {
        fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
            if self.down.load(Ordering::SeqCst) {
                return Err(StoreError::new("down"));
            }
            match op {
                StoreOp::SaveRefusals(..) | StoreOp::LoadRefusals if self.no_streak => {
                    op.default_reply()
                }
                op => TokenStore::run(&self.inner, op),
            }
        }
    }

    fn stored(token: &str, secs: u64) -> StoredToken {
        let json = format!(
            r#"{{"access_token":"{token}","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}}"#
        );
        StoredToken {
            token: Arc::new(TokenResponse::from_json(json.as_bytes()).unwrap()),
            obtained_at: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    fn loaded(f: &FallbackStore<Flaky>) -> Option<String> {
        f.load()
            .unwrap()
            .map(|s| s.token.access_token().expose_secret().to_owned())
    }

    fn set_down(f: &FallbackStore<Flaky>, down: bool) {
        f.inner.down.store(down, Ordering::SeqCst);
    }

    fn stale(name: &str) -> AccessToken {
        stored(name, 0).token.access_token().clone()
    }

    #[test]
    fn a_token_the_store_failed_to_save_is_served_until_a_newer_one_appears() {
        let f = FallbackStore::new(Flaky::default());
        set_down(&f, true);
        f.save(stored("A", 10)).unwrap();
        set_down(&f, false);
        assert_eq!(loaded(&f).as_deref(), Some("A"));
        set_down(&f, true);
        assert_eq!(loaded(&f).as_deref(), Some("A"));
        set_down(&f, false);
        // An older token in the store loses; a newer one wins and replaces the copy.
        f.inner.save(stored("O", 5)).unwrap();
        assert_eq!(loaded(&f).as_deref(), Some("A"));
        f.inner.save(stored("N", 20)).unwrap();
        assert_eq!(loaded(&f).as_deref(), Some("N"));
        f.inner.invalidate(&stale("N")).unwrap();
        assert_eq!(loaded(&f), None);
        assert_eq!(f.failures(), 2);
        // No copy and a failing store: the error…
        set_down(&f, true);
        assert!(f.load().is_err());
        // … unless the store is only unreachable: then there is no token, and a grant.
        let unreachable = FallbackStore::new(Unreachable);
        assert!(unreachable.load().unwrap().is_none());
        assert_eq!(unreachable.failures(), 1);
    }

    /// A store whose backend never answers.
    struct Unreachable;

    impl TokenStore for Unreachable {
        fn run(&self, _op: StoreOp) -> Result<StoreReply, StoreError> {
            let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
            Err(StoreError::unavailable("backend down", refused))
        }
    }

    #[test]
    fn the_last_token_read_is_served_while_the_store_is_down() {
        let f = FallbackStore::new(Flaky::default());
        f.inner.save(stored("A", 10)).unwrap();
        assert_eq!(loaded(&f).as_deref(), Some("A"));
        set_down(&f, true);
        assert_eq!(loaded(&f).as_deref(), Some("A"));
        assert_eq!(f.failures(), 1);
    }

    #[test]
    fn a_refused_token_the_store_failed_to_drop_is_never_served_again() {
        let f = FallbackStore::new(Flaky::default());
        f.inner.save(stored("A", 10)).unwrap();
        assert_eq!(loaded(&f).as_deref(), Some("A"));
        set_down(&f, true);
        assert!(
            f.invalidate(&stale("A")).unwrap(),
            "it was the current token"
        );
        set_down(&f, false);
        assert_eq!(loaded(&f), None, "the store still holds it");
        f.save(stored("B", 11)).unwrap();
        f.inner.save(stored("A", 10)).unwrap();
        assert_eq!(
            loaded(&f).as_deref(),
            Some("A"),
            "a new save forgets the refusal"
        );
    }

    #[test]
    fn only_the_report_that_drops_the_current_token_counts() {
        let f = FallbackStore::new(Flaky::default());
        // Another process dropped it first.
        f.inner.save(stored("A", 10)).unwrap();
        assert_eq!(loaded(&f).as_deref(), Some("A"));
        f.inner.invalidate(&stale("A")).unwrap();
        assert!(!f.invalidate(&stale("A")).unwrap());
        // Already replaced.
        f.inner.save(stored("B", 11)).unwrap();
        assert_eq!(loaded(&f).as_deref(), Some("B"));
        assert!(!f.invalidate(&stale("A")).unwrap());
        // This process's own copy, which the store never saved.
        f.inner.invalidate(&stale("B")).unwrap();
        set_down(&f, true);
        f.save(stored("A", 12)).unwrap();
        set_down(&f, false);
        assert!(f.invalidate(&stale("A")).unwrap());
        assert_eq!(loaded(&f), None);
    }

    #[test]
    fn the_streak_stays_here_unless_the_store_keeps_it() {
        let s = Some(QuickRefusals::new(2, UNIX_EPOCH));
        let refusals = |f: &FallbackStore<Flaky>| {
            TokenStore::run(f, StoreOp::LoadRefusals)
                .and_then(StoreReply::into_refusals)
                .unwrap()
        };
        let save =
            |f: &FallbackStore<Flaky>| TokenStore::run(f, StoreOp::SaveRefusals(s, Duration::ZERO));
        let keeps_nothing = FallbackStore::new(Flaky {
            no_streak: true,
            ..Flaky::default()
        });
        assert!(!save(&keeps_nothing).unwrap().into_refusals_saved().unwrap());
        assert_eq!(refusals(&keeps_nothing), s);
        set_down(&keeps_nothing, true);
        assert_eq!(refusals(&keeps_nothing), s);

        let keeps = FallbackStore::new(Flaky::default());
        assert!(save(&keeps).unwrap().into_refusals_saved().unwrap());
        TokenStore::run(&keeps.inner, StoreOp::SaveRefusals(None, Duration::ZERO)).unwrap();
        assert_eq!(refusals(&keeps), None, "the store's answer wins");
        set_down(&keeps, true);
        assert!(save(&keeps).is_err());
        set_down(&keeps, false);
        assert_eq!(
            refusals(&keeps),
            s,
            "a streak the store failed to save stays here"
        );
        assert_eq!(keeps.failures(), 1);
    }
}
