//! `CirrusSession` driven as the cirrus client drives an `AuthSession`: `access_token` before
//! each call, `invalidate(stale)` after a 401 `INVALID_SESSION_ID`, then `access_token` again.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions: a panic there is a failed test"
)]

use std::sync::Arc;

use cirrus_auth::{AuthError, AuthSession};
use sfjwt_core::manager::AsyncTokenManager;
use sfjwt_emulator::Emulator;
use sfjwt_reqwest::cirrus::CirrusSession;
use sfjwt_reqwest::{ReqwestTransport, SharedTokenManager, TokioSleep, reqwest};
use sfjwt_test_support::org::{self, APPROVED};

async fn session(sf: &Emulator) -> Arc<dyn AuthSession> {
    let manager = SharedTokenManager::from(
        AsyncTokenManager::new(
            org::client(sf, APPROVED),
            ReqwestTransport::default(),
            TokioSleep,
        )
        .with_retry(org::fast_retry()),
    );
    Arc::new(CirrusSession::connect(manager).await.unwrap())
}

/// One API call the way cirrus makes it: token, GET, and on 401 `INVALID_SESSION_ID` report
/// the token and retry once. Returns the final status.
async fn call(auth: &dyn AuthSession, http: &reqwest::Client) -> u16 {
    let url = format!("{}/services/data/v62.0/limits", auth.instance_url());
    for attempt in 0..2 {
        let token = auth.access_token().await.unwrap().into_owned();
        let response = http.get(&url).bearer_auth(&token).send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        if status == 401 && body.contains("INVALID_SESSION_ID") {
            auth.invalidate(&token).await;
            if attempt == 0 {
                continue;
            }
        }
        return status;
    }
    unreachable!("two attempts at most")
}

async fn concurrent_calls(auth: &Arc<dyn AuthSession>, n: usize) -> Vec<u16> {
    let http = reqwest::Client::new();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (auth, http) = (auth.clone(), http.clone());
            tokio::spawn(async move { call(&*auth, &http).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_calls_one_grant_and_a_revoked_session_one_regrant() {
    let sf = org::start();
    let auth = session(&sf).await;
    assert_eq!(auth.instance_url(), sf.base_url().trim_end_matches('/'));

    assert_eq!(concurrent_calls(&auth, 64).await, vec![200; 64]);
    assert_eq!(sf.grant_count(), 1);

    assert_eq!(sf.revoke_all(), 1);
    assert_eq!(concurrent_calls(&auth, 64).await, vec![200; 64]);
    assert_eq!(
        sf.grant_count(),
        2,
        "one re-grant for every task that saw the 401"
    );
}

#[tokio::test]
async fn ip_locked_sessions_end_in_an_error_not_a_login_per_call() {
    let sf = org::builder().ip_locked_sessions(true).start().unwrap();
    let auth = session(&sf).await;
    let http = reqwest::Client::new();
    assert_eq!(call(&*auth, &http).await, 401);
    match auth.access_token().await {
        Err(AuthError::Other(message)) => assert!(message.contains("reset_refusals"), "{message}"),
        other => panic!("expected the manager's RegrantBlocked, got {other:?}"),
    }
    assert_eq!(sf.grant_count(), 2);
}
