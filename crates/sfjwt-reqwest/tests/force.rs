//! The force client (0.5) with `ForceAuthenticator` as its authenticator, calling the
//! emulator's REST API: force fetches the token through its own `TokenManager`, sends the
//! request, and after a 401 refreshes and retries, all in its own code.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use force::client::ForceClient;
use force::config::ClientConfig;
use sfjwt_emulator::Emulator;
use sfjwt_reqwest::force::ForceAuthenticator;
use sfjwt_test_support::org::{self, APPROVED};

mod common;

type Client = Arc<ForceClient<ForceAuthenticator>>;

/// A force client whose authenticator is sfjwt's manager for the standard org's approved user.
async fn force_client(sf: &Emulator) -> Client {
    let auth = ForceAuthenticator::new(common::manager(org::client(sf, APPROVED)));
    let config = ClientConfig {
        // The emulator serves v31.0 to v66.0.
        api_version: "v62.0".to_owned(),
        ..ClientConfig::default()
    };
    let client = force::client::builder()
        .config(config)
        .authenticate(auth)
        .build()
        .await
        .unwrap();
    Arc::new(client)
}

/// `n` concurrent `rest().limits()` calls; how many answered with the daily API limit.
async fn concurrent_limits(client: &Client, n: usize) -> usize {
    let results = common::concurrently(n, || {
        let client = Arc::clone(client);
        async move { client.rest().limits().await }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("force limits() failed: {e}")))
        .filter(|limits| limits.daily_api_requests.is_some())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_calls_share_one_grant() {
    let sf = org::start();
    let client = force_client(&sf).await;
    assert_eq!(concurrent_limits(&client, 64).await, 64);
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.api_call_count(), 64);
}

/// Calls one after the other after a revocation: force's `refresh` carries no token, so only
/// a 401 that arrives before anyone refreshed is unambiguous (see the `force` module docs on
/// late 401s).
#[tokio::test]
async fn a_revoked_session_costs_one_regrant() {
    let sf = org::start();
    let client = force_client(&sf).await;
    assert_eq!(concurrent_limits(&client, 1).await, 1);
    assert_eq!(sf.revoke_all(), 1);
    for _ in 0..8 {
        assert_eq!(concurrent_limits(&client, 1).await, 1);
    }
    assert_eq!(sf.grant_count(), 2, "one re-grant");
    assert_eq!(sf.refused_api_call_count(), 1);
}

#[tokio::test]
async fn ip_locked_sessions_end_in_an_error_not_a_login_per_call() {
    let sf = org::builder().ip_locked_sessions(true).start().unwrap();
    let client = force_client(&sf).await;
    // Granted, refused, refreshed (a second grant), refused again: force gives up.
    assert!(client.rest().limits().await.is_err());
    // force refreshes after the second 401 too, or the next call asks for a token: either way
    // the manager refuses a third grant.
    let err = client.rest().limits().await.unwrap_err();
    assert!(err.to_string().contains("reset_refusals"), "{err}");
    assert_eq!(sf.grant_count(), 2);
}
