//! The cirrus client (0.8, on cirrus-auth 0.5) with `CirrusSession` as its auth, calling the
//! emulator's REST API: cirrus fetches the token, sends the request, and after a 401
//! `INVALID_SESSION_ID` invalidates and retries once, all in its own code.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use cirrus::Cirrus;
use sfjwt_emulator::Emulator;
use sfjwt_reqwest::cirrus::CirrusSession;
use sfjwt_test_support::org::{self, APPROVED};

mod common;

/// A cirrus client whose session is sfjwt's manager for the standard org's approved user.
async fn cirrus(sf: &Emulator) -> Arc<Cirrus> {
    let session = CirrusSession::connect(common::manager(org::client(sf, APPROVED)))
        .await
        .unwrap();
    let client = Cirrus::builder()
        .auth(Arc::new(session))
        // The emulator serves v31.0 to v66.0.
        .api_version("v62.0")
        .build()
        .unwrap();
    Arc::new(client)
}

/// `n` concurrent `limits()` calls; how many succeeded with a non-empty answer.
async fn concurrent_limits(client: &Arc<Cirrus>, n: usize) -> usize {
    let results = common::concurrently(n, || {
        let client = Arc::clone(client);
        async move { client.limits().await.map(|limits| limits.len()) }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("cirrus limits() failed: {e}")))
        .filter(|&len| len > 0)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_calls_one_grant_and_a_revoked_session_one_regrant() {
    let sf = org::start();
    let client = cirrus(&sf).await;
    assert_eq!(concurrent_limits(&client, 64).await, 64);
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.api_call_count(), 64);

    assert_eq!(sf.revoke_all(), 1);
    assert_eq!(concurrent_limits(&client, 64).await, 64);
    assert!(
        sf.refused_api_call_count() >= 1,
        "the revoked token was refused"
    );
    assert_eq!(
        sf.grant_count(),
        2,
        "one re-grant for every call that saw the 401"
    );
}

#[tokio::test]
async fn ip_locked_sessions_end_in_an_error_not_a_login_per_call() {
    let sf = org::builder().ip_locked_sessions(true).start().unwrap();
    let client = cirrus(&sf).await;
    // Granted, refused, re-granted, refused again: cirrus retries once and gives up.
    assert!(client.limits().await.is_err());
    // The next call needs a token; the manager refuses a third grant.
    let err = client.limits().await.unwrap_err();
    assert!(err.to_string().contains("reset_refusals"), "{err}");
    assert_eq!(sf.grant_count(), 2);
}
