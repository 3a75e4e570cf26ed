//! Bounded re-grants and store failures, through both managers with an injected clock (no
//! sleeping): an org that refuses every session right after its grant costs two grants and then
//! a typed error; a store that fails to save or to drop a token costs no extra grant.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sfjwt_core::manager::{
    AsyncTokenManager, LockPolicy, ManagerError, RegrantPolicy, RetryPolicy, TokenManager,
};
use sfjwt_core::store::{
    GrantLease, GrantLock, MemoryStore, StoreError, StoreOp, StoreReply, TokenStore,
};
use sfjwt_test_support::fake::*;

/// A token endpoint that grants a new token each time and counts the grants.
fn granting(
    grants: &Arc<AtomicUsize>,
) -> impl Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error>
+ Send
+ Sync
+ Clone
+ 'static {
    let g = Arc::clone(grants);
    move |_req| {
        let n = g.fetch_add(1, Ordering::SeqCst);
        Ok(ok(&format!("00D5g000004AbcdEFG!AQ4AQgrant{n}")))
    }
}

/// N API calls against an org whose sessions are refused right away (IP-locked): each call
/// takes the token, the API answers 401, the caller reports it. Returns the errors seen.
fn api_calls_sync<T>(manager: &TokenManager<T>, n: usize) -> Vec<ManagerError>
where
    T: sfjwt_core::transport::SyncTransport,
    T::Error: sfjwt_core::transport::TransportErrorKind,
{
    let mut errors = Vec::new();
    for _ in 0..n {
        match manager.token() {
            Ok(token) => {
                manager.invalidate(token.access_token()).unwrap();
            }
            Err(e) => errors.push(e),
        }
    }
    errors
}

fn assert_blocked(errors: &[ManagerError], calls: usize) {
    assert_eq!(
        errors.len(),
        calls - 2,
        "every call after the two grants fails"
    );
    for e in errors {
        let ManagerError::RegrantBlocked {
            refusals, window, ..
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(*refusals, 2);
        assert_eq!(*window, Duration::from_secs(60));
        assert!(!e.is_retryable());
        let text = e.to_string();
        for needle in [
            "INVALID_SESSION_ID",
            "IP address",
            "egress",
            "REST API",
            "reset_refusals",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from: {text}");
        }
    }
}

#[test]
fn ip_locked_sessions_cost_two_grants_then_a_typed_error_sync() {
    let clock = clock_at_now();
    let grants = Arc::new(AtomicUsize::new(0));
    let manager = TokenManager::new(client().with_clock(clock.clone()), granting(&grants));

    let errors = api_calls_sync(&manager, 20);
    assert_eq!(grants.load(Ordering::SeqCst), 2);
    assert_blocked(&errors, 20);

    // The window passes (counted from the last refusal): one trial grant, refused again.
    clock.set(at(59));
    assert!(manager.token().is_err());
    clock.set(at(60));
    let errors = api_calls_sync(&manager, 10);
    assert_eq!(grants.load(Ordering::SeqCst), 3);
    assert_eq!(errors.len(), 9);

    // The operator fixed the org and resets: grants start again at once.
    manager.reset_refusals().unwrap();
    let token = manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 4);
    // A session that lived past the window and then ended is normal: re-granted.
    clock.set(at(60 + 3600));
    manager.invalidate(token.access_token()).unwrap();
    manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 5);
    assert_eq!(manager.store_failures(), 0);
}

#[test]
fn one_quick_refusal_still_regrants_and_the_rule_can_be_turned_off() {
    let grants = Arc::new(AtomicUsize::new(0));
    let manager = TokenManager::new(client(), granting(&grants));
    let t = manager.token().unwrap();
    manager.invalidate(t.access_token()).unwrap();
    // A late report of the same token does not count twice.
    manager.invalidate(t.access_token()).unwrap();
    manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 2);

    let grants = Arc::new(AtomicUsize::new(0));
    let manager = TokenManager::new(client(), granting(&grants))
        .with_regrant_policy(RegrantPolicy::unbounded());
    assert!(api_calls_sync(&manager, 10).is_empty());
    assert_eq!(grants.load(Ordering::SeqCst), 10);
}

#[test]
fn managers_sharing_a_store_share_the_streak() {
    // Two processes behind different egress IPs: each one's token is refused by the other.
    let grants = Arc::new(AtomicUsize::new(0));
    let store = Arc::new(MemoryStore::new());
    let a = TokenManager::new(client(), granting(&grants)).with_store(Arc::clone(&store));
    let b = TokenManager::new(client(), granting(&grants)).with_store(Arc::clone(&store));
    let t1 = a.token().unwrap();
    b.invalidate(t1.access_token()).unwrap();
    let t2 = b.token().unwrap();
    a.invalidate(t2.access_token()).unwrap();
    assert!(matches!(
        a.token(),
        Err(ManagerError::RegrantBlocked { .. })
    ));
    assert!(matches!(
        b.token(),
        Err(ManagerError::RegrantBlocked { .. })
    ));
    assert_eq!(grants.load(Ordering::SeqCst), 2);
    assert_eq!(store.load_refusals().unwrap().map(|r| r.count()), Some(2));
    // One reset frees both.
    b.reset_refusals().unwrap();
    a.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_locked_sessions_cost_two_grants_then_a_typed_error_async() {
    for async_store in [false, true] {
        let clock = clock_at_now();
        let grants = Arc::new(AtomicUsize::new(0));
        let send = granting(&grants);
        let transport = move |req: http::Request<Vec<u8>>| {
            let send = send.clone();
            async move { send(req) }
        };
        let manager = AsyncTokenManager::new(
            client().with_clock(clock.clone()),
            transport,
            tokio::time::sleep,
        );
        let manager = if async_store {
            manager.with_store(Failing::new(false, false))
        } else {
            manager
        };
        let mut errors = Vec::new();
        for _ in 0..20 {
            match manager.token().await {
                Ok(token) => {
                    manager.invalidate(token.access_token()).await.unwrap();
                }
                Err(e) => errors.push(e),
            }
        }
        assert_eq!(
            grants.load(Ordering::SeqCst),
            2,
            "async store: {async_store}"
        );
        assert_blocked(&errors, 20);
        manager.reset_refusals().await.unwrap();
        manager.token().await.unwrap();
        assert_eq!(grants.load(Ordering::SeqCst), 3);
    }
}

/// A store whose writes can be made to fail (a custom store with a broken backend).
#[derive(Default)]
struct Failing {
    inner: MemoryStore,
    fail_save: bool,
    fail_invalidate: bool,
    saves: AtomicUsize,
}

impl Failing {
    fn new(fail_save: bool, fail_invalidate: bool) -> Self {
        Self {
            fail_save,
            fail_invalidate,
            ..Self::default()
        }
    }
}

impl TokenStore for Failing {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        match op {
            StoreOp::Save(_) => {
                self.saves.fetch_add(1, Ordering::SeqCst);
                if self.fail_save {
                    return Err(StoreError::new("disk full"));
                }
            }
            StoreOp::SaveRefusals(..) if self.fail_save => {
                return Err(StoreError::new("disk full"));
            }
            StoreOp::Invalidate(_) if self.fail_invalidate => {
                return Err(StoreError::new("read-only replica"));
            }
            _ => {}
        }
        TokenStore::run(&self.inner, op)
    }
}

#[test]
fn a_store_that_fails_to_save_costs_no_second_grant() {
    let grants = Arc::new(AtomicUsize::new(0));
    let store = Arc::new(Failing::new(true, false));
    let manager = TokenManager::new(client(), granting(&grants)).with_store(Arc::clone(&store));
    let first = manager.token().unwrap();
    let second = manager.token().unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(
        grants.load(Ordering::SeqCst),
        1,
        "one grant, not one per call"
    );
    assert_eq!(
        manager.grants(),
        1,
        "the manager counts what the endpoint saw"
    );
    assert_eq!(manager.store_failures(), 1);

    // Refusals still re-grant (once), and stay bounded though the store cannot keep the streak.
    let errors = api_calls_sync(&manager, 12);
    assert_eq!(grants.load(Ordering::SeqCst), 2);
    assert_eq!(errors.len(), 10);
    assert!(manager.store_failures() > 1);
}

#[test]
fn a_store_that_fails_to_drop_a_refused_token_never_serves_it_again() {
    let grants = Arc::new(AtomicUsize::new(0));
    let manager =
        TokenManager::new(client(), granting(&grants)).with_store(Failing::new(false, true));
    let first = manager.token().unwrap();
    assert!(manager.invalidate(first.access_token()).unwrap());
    let second = manager.token().unwrap();
    assert!(!second.access_token().same_as(first.access_token()));
    assert_eq!(grants.load(Ordering::SeqCst), 2);
    assert_eq!(manager.store_failures(), 1);
    // And the refused token's record cannot trigger a storm: the next reports block.
    assert!(manager.invalidate(second.access_token()).unwrap());
    assert!(matches!(
        manager.token(),
        Err(ManagerError::RegrantBlocked { .. })
    ));
    assert_eq!(grants.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_store_that_fails_to_save_costs_no_second_grant() {
    let grants = Arc::new(AtomicUsize::new(0));
    let send = granting(&grants);
    let transport = move |req: http::Request<Vec<u8>>| {
        let send = send.clone();
        async move { send(req) }
    };
    let store = Arc::new(Failing::new(true, false));
    let manager = AsyncTokenManager::new(client(), transport, tokio::time::sleep)
        .with_store(Arc::clone(&store));
    let first = manager.token().await.unwrap();
    let second = manager.token().await.unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    assert_eq!(store.saves.load(Ordering::SeqCst), 1);
    assert_eq!(manager.store_failures(), 1);
}

/// Records lock extensions; the lock is always acquired.
#[derive(Default)]
struct Extending {
    inner: MemoryStore,
    extended: Mutex<Vec<(String, Duration)>>,
}

impl TokenStore for Extending {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        match op {
            StoreOp::AcquireLock(_) => Ok(StoreReply::Lock(GrantLock::Acquired(GrantLease::new(
                "owner-1",
            )))),
            StoreOp::ExtendLock(lease, ttl) => {
                self.extended
                    .lock()
                    .unwrap()
                    .push((lease.owner().to_owned(), ttl));
                Ok(StoreReply::Extended(true))
            }
            op => TokenStore::run(&self.inner, op),
        }
    }
}

#[test]
fn the_grant_lock_is_extended_before_every_retry() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = Arc::clone(&attempts);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        Ok(if a.fetch_add(1, Ordering::SeqCst) < 3 {
            response(503, Some("text/html"), "<html>maintenance</html>")
        } else {
            ok(TOKEN)
        })
    };
    let store = Arc::new(Extending::default());
    let ttl = Duration::from_secs(7);
    let manager = TokenManager::new(client(), transport)
        .with_store(Arc::clone(&store))
        .with_lock_policy(LockPolicy::new(ttl))
        .with_retry(RetryPolicy::new(4, Duration::ZERO, Duration::ZERO))
        .with_sleep(|_d: Duration| {});
    manager.token().unwrap();
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
    let extended = store.extended.lock().unwrap().clone();
    assert_eq!(extended, vec![("owner-1".to_owned(), ttl); 3]);
}
