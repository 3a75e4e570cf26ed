//! The blocking token manager: single flight across 64 threads, compare-and-invalidate,
//! retries and backoff bounds with a recording sleeper (no real sleeping), max age.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use sfjwt_core::manager::{ManagerError, RetryPolicy, TokenManager};
use sfjwt_test_support::fake::*;

type Sleeps = Arc<Mutex<Vec<Duration>>>;

fn recorder() -> (Sleeps, impl Fn(Duration) + Send + Sync + 'static) {
    let sleeps: Sleeps = Arc::default();
    let s = Arc::clone(&sleeps);
    (sleeps, move |d| s.lock().unwrap().push(d))
}

#[test]
fn sixty_four_threads_share_exactly_one_grant() {
    let grants = Arc::new(AtomicUsize::new(0));
    let g = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        g.fetch_add(1, Ordering::SeqCst);
        // Keep the grant in the air long enough for the others to pile up behind it.
        std::thread::sleep(Duration::from_millis(50));
        Ok(ok(TOKEN))
    };
    let manager = Arc::new(TokenManager::new(client(), transport));
    let barrier = Arc::new(Barrier::new(64));
    let handles: Vec<_> = (0..64)
        .map(|_| {
            let (m, b) = (Arc::clone(&manager), Arc::clone(&barrier));
            std::thread::spawn(move || {
                b.wait();
                m.token().unwrap()
            })
        })
        .collect();
    let tokens: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    assert!(
        tokens
            .iter()
            .all(|t| t.access_token().expose_secret() == TOKEN)
    );
    assert!(tokens.iter().all(|t| Arc::ptr_eq(t, &tokens[0])));
    // Reused afterwards without a grant.
    manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 1);
}

#[test]
fn invalidating_a_stale_token_keeps_the_new_one() {
    let grants = Arc::new(AtomicUsize::new(0));
    let g = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        let n = g.fetch_add(1, Ordering::SeqCst);
        Ok(ok(if n == 0 { TOKEN } else { TOKEN2 }))
    };
    let manager = TokenManager::new(client(), transport);
    let first = manager.token().unwrap();
    assert!(manager.invalidate(first.access_token()).unwrap());
    let second = manager.token().unwrap();
    assert_eq!(second.access_token().expose_secret(), TOKEN2);
    // A second caller reports the old token late: the new one stays.
    assert!(!manager.invalidate(first.access_token()).unwrap());
    let still = manager.token().unwrap();
    assert!(Arc::ptr_eq(&still, &second));
    assert_eq!(grants.load(Ordering::SeqCst), 2);
}

#[test]
fn retryable_failures_are_retried_with_bounded_full_jitter() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = Arc::clone(&attempts);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        a.fetch_add(1, Ordering::SeqCst);
        Ok(response(503, Some("text/html"), "<html>maintenance</html>"))
    };
    let (sleeps, sleep) = recorder();
    let policy = RetryPolicy::new(4, Duration::from_millis(100), Duration::from_millis(250));
    let manager = TokenManager::new(client(), transport)
        .with_retry(policy)
        .with_sleep(sleep);
    let err = manager.token().unwrap_err();
    assert!(matches!(err, ManagerError::Exchange(_)));
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert!(err.is_retryable());
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
    let sleeps = sleeps.lock().unwrap().clone();
    assert_eq!(sleeps.len(), 3);
    for (i, (slept, bound)) in sleeps.iter().zip([100, 200, 250]).enumerate() {
        assert!(
            *slept <= Duration::from_millis(bound),
            "sleep {i}: {slept:?} > {bound} ms"
        );
    }
}

#[test]
fn a_retry_that_succeeds_returns_the_token() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = Arc::clone(&attempts);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        if a.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "timed out",
            ))
        } else {
            Ok(ok(TOKEN))
        }
    };
    let (sleeps, sleep) = recorder();
    let manager = TokenManager::new(client(), transport).with_sleep(sleep);
    assert_eq!(
        manager.token().unwrap().access_token().expose_secret(),
        TOKEN
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    let sleeps = sleeps.lock().unwrap();
    assert_eq!(sleeps.len(), 1);
    assert!(sleeps[0] <= Duration::from_millis(500));
}

#[test]
fn invalid_grant_and_config_errors_are_not_retried() {
    for (error, description) in [
        ("invalid_grant", "invalid assertion"),
        ("invalid_client_id", "client identifier invalid"),
    ] {
        let attempts = Arc::new(AtomicUsize::new(0));
        let a = Arc::clone(&attempts);
        let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
            a.fetch_add(1, Ordering::SeqCst);
            Ok(oauth_error(400, error, description))
        };
        let (sleeps, sleep) = recorder();
        let manager = TokenManager::new(client(), transport).with_sleep(sleep);
        let err = manager.token().unwrap_err();
        assert!(!err.is_retryable());
        assert_eq!(attempts.load(Ordering::SeqCst), 1, "{error}");
        assert!(sleeps.lock().unwrap().is_empty());
    }
    let never = |_req: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, std::io::Error> {
        panic!("sent")
    };
    let (sleeps, sleep) = recorder();
    let manager =
        TokenManager::new(client().with_lifetime(Duration::ZERO), never).with_sleep(sleep);
    assert!(manager.token().is_err());
    assert!(sleeps.lock().unwrap().is_empty());
}

#[test]
fn a_failure_reaches_all_waiters_and_the_next_call_tries_again() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = Arc::clone(&attempts);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        let n = a.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(50));
        Ok(if n == 0 {
            oauth_error(400, "invalid_grant", "inactive user")
        } else {
            ok(TOKEN)
        })
    };
    let manager = Arc::new(TokenManager::new(client(), transport));
    let barrier = Arc::new(Barrier::new(16));
    let results: Vec<_> = (0..16)
        .map(|_| {
            let (m, b) = (Arc::clone(&manager), Arc::clone(&barrier));
            std::thread::spawn(move || {
                b.wait();
                m.token()
                    .map(|t| t.access_token().expose_secret().to_owned())
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    // Threads that joined the failing flight all saw its error; any latecomer led a new grant.
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert!(failed >= 1);
    assert!(attempts.load(Ordering::SeqCst) <= 2);
    for r in &results {
        if let Err(e) = r {
            assert_eq!(
                e.to_string(),
                results
                    .iter()
                    .find_map(|r| r.as_ref().err())
                    .unwrap()
                    .to_string()
            );
        }
    }
    assert_eq!(
        manager.token().unwrap().access_token().expose_secret(),
        TOKEN
    );
}

#[test]
fn max_age_regrants_by_the_injected_clock() {
    let clock = clock_at_now();
    let grants = Arc::new(AtomicUsize::new(0));
    let g = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        g.fetch_add(1, Ordering::SeqCst);
        Ok(ok(TOKEN))
    };
    let manager = TokenManager::new(client().with_clock(clock.clone()), transport)
        .with_max_age(Duration::from_secs(3600));
    manager.token().unwrap();
    clock.set(at(3599));
    manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    clock.set(at(3600));
    manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 2);
}

#[test]
fn a_panicking_transport_releases_the_waiters() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("transport bug");
        }
        Ok(ok(TOKEN))
    };
    let manager = Arc::new(TokenManager::new(client(), transport));
    let m = Arc::clone(&manager);
    assert!(std::thread::spawn(move || m.token()).join().is_err());
    // The slot was released: the next call grants normally instead of waiting forever.
    assert_eq!(
        manager.token().unwrap().access_token().expose_secret(),
        TOKEN
    );
}

#[test]
fn errors_and_debug_of_the_manager_hold_no_secret() {
    let transport = |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> { Ok(ok(TOKEN)) };
    let manager = TokenManager::new(client(), transport);
    let t = manager.token().unwrap();
    let shown = format!("{manager:?} {t:?}");
    assert!(
        !shown.contains("AQ4AQ") && !shown.contains("PRIVATE"),
        "{shown}"
    );
}
