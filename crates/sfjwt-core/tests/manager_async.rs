//! The async token manager on tokio (a dev-dependency only: the core needs no runtime).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sfjwt_core::manager::{AsyncTokenManager, RetryPolicy};
use sfjwt_test_support::fake::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_tasks_share_exactly_one_grant() {
    let grants = Arc::new(AtomicUsize::new(0));
    let g = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| {
        let g = Arc::clone(&g);
        async move {
            g.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, std::io::Error>(ok(TOKEN))
        }
    };
    let manager = Arc::new(AsyncTokenManager::new(
        client(),
        transport,
        tokio::time::sleep,
    ));
    let barrier = Arc::new(tokio::sync::Barrier::new(64));
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (m, b) = (Arc::clone(&manager), Arc::clone(&barrier));
            tokio::spawn(async move {
                b.wait().await;
                m.token().await.unwrap()
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap());
    }
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    assert!(tokens.iter().all(|t| Arc::ptr_eq(t, &tokens[0])));
    assert_eq!(tokens[0].access_token().expose_secret(), TOKEN);
}

#[tokio::test]
async fn retries_record_bounded_waits_and_invalid_grant_is_final() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let a = Arc::clone(&attempts);
    let transport = move |_req: http::Request<Vec<u8>>| {
        let n = a.fetch_add(1, Ordering::SeqCst);
        async move {
            Ok::<_, std::io::Error>(match n {
                0 | 1 => response(500, Some("application/json"), r#"{"error":"server_error"}"#),
                _ => oauth_error(400, "invalid_grant", "expired authorization code"),
            })
        }
    };
    let sleeps = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&sleeps);
    let sleep = move |d: Duration| {
        s.lock().unwrap().push(d);
        async {}
    };
    let policy = RetryPolicy::new(5, Duration::from_millis(10), Duration::from_secs(1));
    let manager = AsyncTokenManager::new(client(), transport, sleep).with_retry(policy);
    let err = manager.token().await.unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        3,
        "stopped at invalid_grant"
    );
    let sleeps = sleeps.lock().unwrap().clone();
    assert_eq!(sleeps.len(), 2);
    assert!(
        sleeps[0] <= Duration::from_millis(10) && sleeps[1] <= Duration::from_millis(20),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn invalidate_is_compare_and_swap() {
    let grants = Arc::new(AtomicUsize::new(0));
    let g = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| {
        let n = g.fetch_add(1, Ordering::SeqCst);
        async move { Ok::<_, std::io::Error>(ok(if n == 0 { TOKEN } else { TOKEN2 })) }
    };
    let manager = AsyncTokenManager::new(client(), transport, |_d| async {});
    let first = manager.token().await.unwrap();
    assert!(manager.invalidate(first.access_token()).await.unwrap());
    let second = manager.token().await.unwrap();
    assert!(!manager.invalidate(first.access_token()).await.unwrap());
    assert!(Arc::ptr_eq(&manager.token().await.unwrap(), &second));
    assert_eq!(grants.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_cancelled_leader_releases_the_slot() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let transport = move |_req: http::Request<Vec<u8>>| {
        let n = c.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                std::future::pending::<()>().await;
            }
            Ok::<_, std::io::Error>(ok(TOKEN))
        }
    };
    let manager = AsyncTokenManager::new(client(), transport, |_d| async {});
    // Drop the first grant mid-flight.
    assert!(
        tokio::time::timeout(Duration::from_millis(20), manager.token())
            .await
            .is_err()
    );
    assert_eq!(
        manager
            .token()
            .await
            .unwrap()
            .access_token()
            .expose_secret(),
        TOKEN
    );
}

/// The async manager's future is `Send`, so it can be spawned on a multi-threaded runtime.
#[allow(dead_code)]
fn token_future_is_send<T, S>(m: &AsyncTokenManager<T, S>)
where
    T: sfjwt_core::transport::AsyncTransport + Sync,
    T::Error: sfjwt_core::transport::TransportErrorKind,
    S: sfjwt_core::manager::AsyncSleep,
{
    fn is_send<F: Send>(_: F) {}
    is_send(m.token());
}
