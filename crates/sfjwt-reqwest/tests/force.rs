//! `ForceAuthenticator` under force's own `TokenManager`, the way force's client uses it:
//! `token()` before each call, `force_refresh()` after a 401.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions: a panic there is a failed test"
)]

use std::sync::Arc;

use force::auth::TokenManager;
use sfjwt_core::manager::AsyncTokenManager;
use sfjwt_emulator::Emulator;
use sfjwt_reqwest::force::ForceAuthenticator;
use sfjwt_reqwest::{ReqwestTransport, SharedTokenManager, TokioSleep, reqwest};
use sfjwt_test_support::org::{self, APPROVED};

type Tokens = Arc<TokenManager<ForceAuthenticator>>;

fn tokens(sf: &Emulator) -> Tokens {
    let manager = SharedTokenManager::from(
        AsyncTokenManager::new(
            org::client(sf, APPROVED),
            ReqwestTransport::default(),
            TokioSleep,
        )
        .with_retry(org::fast_retry()),
    );
    Arc::new(TokenManager::new(ForceAuthenticator::new(manager)))
}

/// One API call the way force's executor makes it: token, GET, and after a 401 one
/// `force_refresh` and retry. The final status.
async fn call(tokens: &Tokens, http: &reqwest::Client) -> u16 {
    let mut token = tokens.token().await.unwrap();
    for attempt in 0..2 {
        let url = format!("{}/services/data/v62.0/limits", token.instance_url());
        let response = http
            .get(&url)
            .bearer_auth(token.as_str())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if status == 401 && attempt == 0 {
            token = tokens.force_refresh().await.unwrap();
            continue;
        }
        return status;
    }
    unreachable!("two attempts at most")
}

async fn concurrent_calls(tokens: &Tokens, n: usize) -> Vec<u16> {
    let http = reqwest::Client::new();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (tokens, http) = (tokens.clone(), http.clone());
            tokio::spawn(async move { call(&tokens, &http).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_calls_share_one_grant() {
    let sf = org::start();
    let tokens = tokens(&sf);
    assert_eq!(concurrent_calls(&tokens, 64).await, vec![200; 64]);
    assert_eq!(sf.grant_count(), 1);
}

/// Sequential calls after a revocation: force's `refresh` carries no token, so only a 401
/// that arrives before anyone refreshed is unambiguous (see the module docs on late 401s).
#[tokio::test]
async fn a_revoked_session_costs_one_regrant() {
    let sf = org::start();
    let tokens = tokens(&sf);
    let http = reqwest::Client::new();
    assert_eq!(call(&tokens, &http).await, 200);
    assert_eq!(sf.revoke_all(), 1);
    for _ in 0..8 {
        assert_eq!(call(&tokens, &http).await, 200);
    }
    assert_eq!(sf.grant_count(), 2, "one re-grant");
    assert_eq!(sf.refused_api_call_count(), 1);
}

#[tokio::test]
async fn ip_locked_sessions_end_in_an_error_not_a_login_per_call() {
    let sf = org::builder().ip_locked_sessions(true).start().unwrap();
    let tokens = tokens(&sf);
    let http = reqwest::Client::new();
    assert_eq!(call(&tokens, &http).await, 401);
    // force refreshes after the second 401 too; the manager refuses a third grant.
    let err = tokens.force_refresh().await.unwrap_err();
    assert!(err.to_string().contains("reset_refusals"), "{err}");
    assert_eq!(sf.grant_count(), 2);
}
