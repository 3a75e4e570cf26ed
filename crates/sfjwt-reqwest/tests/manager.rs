//! The shared async token manager over `ReqwestTransport`: re-grant once after a revoked
//! session, and one grant for many tasks.

// Both adapters test against the same emulated org; its fixture lives with sfjwt-ureq's tests.
use sfjwt_test_support::org as common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use sfjwt_core::manager::AsyncTokenManager;
use sfjwt_core::transport::AsyncTransport;
use sfjwt_emulator::{Fault, Target};
use sfjwt_reqwest::{ReqwestTransport, SharedTokenManager, TokioSleep};

fn assert_shareable<T: Clone + Send + Sync + 'static>() {}

#[tokio::test]
async fn revoked_session_gets_exactly_one_regrant() {
    assert_shareable::<SharedTokenManager>();
    let sf = start();
    let transport = ReqwestTransport::default();
    let manager = SharedTokenManager::from(
        AsyncTokenManager::new(client(&sf, APPROVED), transport.clone(), TokioSleep)
            .with_retry(fast_retry()),
    );

    let first = manager.token().await.unwrap();
    assert_eq!(
        transport
            .send(limits_request(&first))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(sf.grant_count(), 1);

    // An admin ends every session: the API now refuses the token.
    assert_eq!(sf.revoke_all(), 1);
    let refused = transport.send(limits_request(&first)).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(String::from_utf8_lossy(refused.body()).contains("INVALID_SESSION_ID"));

    assert!(manager.invalidate(first.access_token()).await.unwrap());
    // Another task reporting the same stale token changes nothing.
    assert!(
        !manager
            .clone()
            .invalidate(first.access_token())
            .await
            .unwrap()
    );

    let second = manager.token().await.unwrap();
    assert!(!second.access_token().same_as(first.access_token()));
    assert_eq!(
        transport
            .send(limits_request(&second))
            .await
            .unwrap()
            .status(),
        200
    );
    let again = manager.token().await.unwrap();
    assert!(again.access_token().same_as(second.access_token()));
    assert_eq!(sf.grant_count(), 2, "exactly one re-grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_tasks_share_one_grant() {
    let sf = start();
    // A slow grant, so the tasks really pile up behind the one in flight.
    sf.inject_fault_on(Target::Token, Fault::Latency(Duration::from_millis(200)), 1);
    let manager = SharedTokenManager::new(client(&sf, APPROVED));
    let start = Arc::new(tokio::sync::Barrier::new(32));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let manager = manager.clone();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                manager.token().await
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap().unwrap());
    }
    assert_eq!(sf.grant_count(), 1);
    assert!(
        tokens
            .iter()
            .all(|t| t.access_token().same_as(tokens[0].access_token()))
    );
}

#[tokio::test]
async fn ip_locked_sessions_cost_two_grants_then_a_typed_error() {
    // The org locks sessions to the IP they were granted from; the API sees another one.
    let sf = start();
    sf.set_ip_locked_sessions(true);
    let transport = ReqwestTransport::default();
    let manager = SharedTokenManager::from(
        AsyncTokenManager::new(client(&sf, APPROVED), transport.clone(), TokioSleep)
            .with_retry(fast_retry()),
    );
    let mut blocked = 0;
    for _ in 0..20 {
        match manager.token().await {
            Ok(token) => {
                let answer = transport.send(limits_request(&token)).await.unwrap();
                assert_eq!(answer.status(), 401);
                manager.invalidate(token.access_token()).await.unwrap();
            }
            Err(e) => blocked += expect_regrant_blocked(&e),
        }
    }
    assert_bounded_regrants(&sf, blocked);

    sf.set_ip_locked_sessions(false);
    manager.reset_refusals().await.unwrap();
    let token = manager.token().await.unwrap();
    assert_eq!(
        transport
            .send(limits_request(&token))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(sf.grant_count(), 3);
}
