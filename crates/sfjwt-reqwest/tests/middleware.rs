//! `SalesforceAuth` against the emulator (and a loopback stub for what the emulator never
//! answers): one grant for concurrent first requests, one re-grant after a revoked session,
//! no token for other hosts, no retry for other 401s or streaming bodies, bounded re-grants
//! against IP-locked sessions.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::api_stub::{Answer, ApiStub};
use sfjwt_test_support::org::{self, APPROVED};

use sfjwt_core::manager::ManagerError;
use sfjwt_emulator::Emulator;
use sfjwt_reqwest::reqwest_middleware::ClientWithMiddleware;
use sfjwt_reqwest::{
    JwtBearer, NotRetried, SalesforceAuth, TokenEndpoint, middleware_error, org_url, reqwest,
};

const LIMITS: &str = "/services/data/v62.0/limits";

mod common;
use common::manager as manager_for;

fn api(sf: &Emulator) -> ClientWithMiddleware {
    SalesforceAuth::new(manager_for(org::client(sf, APPROVED))).client(reqwest::Client::new())
}

/// `n` concurrent GETs of the limits resource; their statuses.
async fn concurrent_limits(api: &ClientWithMiddleware, n: usize) -> Vec<u16> {
    common::concurrently(n, || {
        let api = api.clone();
        async move {
            let response = api.get(org_url(LIMITS).unwrap()).send().await.unwrap();
            response.status().as_u16()
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_first_requests_share_one_grant() {
    let sf = org::start();
    let api = api(&sf);
    assert_eq!(concurrent_limits(&api, 64).await, vec![200; 64]);
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.api_call_count(), 64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_session_costs_one_regrant_and_one_retry_per_refused_request() {
    let sf = org::start();
    let api = api(&sf);
    assert_eq!(concurrent_limits(&api, 64).await, vec![200; 64]);
    assert_eq!(sf.grant_count(), 1);

    assert_eq!(sf.revoke_all(), 1); // an admin ends the session mid-run
    assert_eq!(concurrent_limits(&api, 64).await, vec![200; 64]);
    assert_eq!(sf.grant_count(), 2, "one re-grant for all 64 requests");
    let refused = sf.refused_api_call_count();
    assert!((1..=64).contains(&refused), "{refused} refused");
    // Every request succeeded exactly once; each refused one was sent once more.
    assert_eq!(sf.api_call_count(), 128);
    let api_requests = sf
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/services/data/"))
        .count() as u64;
    assert_eq!(api_requests, 128 + refused);
}

#[tokio::test]
async fn another_host_gets_no_token_and_the_org_host_does() {
    let sf = org::start();
    let other = ApiStub::start(Answer::ok());
    let api = api(&sf);

    let response = api
        .get(format!("{}/services/data/v62.0/limits", other.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen = other.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].authorization, None,
        "the token reached another host"
    );

    // Same host, other port: another origin too.
    let port = sf.addr().port();
    let other_port = other.url().rsplit(':').next().unwrap();
    assert_ne!(other_port, port.to_string());

    // The org's own host (a full URL, not org_url) gets the token.
    let limits = api
        .get(format!("{}{LIMITS}", sf.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(limits.status(), 200);
    assert_eq!(sf.grant_count(), 1);
}

#[tokio::test]
async fn a_401_without_invalid_session_id_is_returned_without_a_regrant() {
    let stub = ApiStub::start(Answer::unauthorized_not_session());
    let client = JwtBearer::builder()
        .endpoint(TokenEndpoint::parse(stub.url()).unwrap())
        .client_id(org::CLIENT_ID)
        .username(APPROVED)
        .signer(org::key())
        .build();
    let api = SalesforceAuth::new(manager_for(client)).client(reqwest::Client::new());

    let response = api.get(org_url(LIMITS).unwrap()).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.extensions().get::<NotRetried>(),
        Some(&NotRetried::NotInvalidSession)
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("INSUFFICIENT_ACCESS")
    );
    assert_eq!(stub.grant_count(), 1, "no re-grant");
    let requests = stub.api_requests();
    assert_eq!(requests.len(), 1, "no retry");
    assert!(
        requests[0]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Bearer 00D")
    );
}

#[tokio::test]
async fn a_streaming_body_is_not_replayed_and_is_marked() {
    let sf = org::start();
    let api = api(&sf);
    assert_eq!(concurrent_limits(&api, 1).await, vec![200]);
    assert_eq!(sf.revoke_all(), 1);

    let stream = reqwest::Body::wrap(http_body_util::Full::new(bytes::Bytes::from_static(
        br#"{"Name":"Acme"}"#,
    )));
    let response = api
        .post(org_url(LIMITS).unwrap())
        .body(stream)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.extensions().get::<NotRetried>(),
        Some(&NotRetried::BodyNotReplayable)
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("INVALID_SESSION_ID")
    );
    assert_eq!(sf.grant_count(), 1, "no grant without a retry");
    assert_eq!(sf.refused_api_call_count(), 1, "sent once");

    // The stale token was reported: the next request gets a new one.
    assert_eq!(concurrent_limits(&api, 1).await, vec![200]);
    assert_eq!(sf.grant_count(), 2);
}

#[tokio::test]
async fn a_replayable_body_is_sent_again_with_the_new_token() {
    let sf = org::start();
    let api = api(&sf);
    assert_eq!(concurrent_limits(&api, 1).await, vec![200]);
    assert_eq!(sf.revoke_all(), 1);
    let response = api
        .get(org_url(LIMITS).unwrap())
        .body(r#"{"replayable":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.extensions().get::<NotRetried>(), None);
    assert_eq!(sf.grant_count(), 2);
}

#[tokio::test]
async fn ip_locked_sessions_stop_after_two_grants() {
    let sf = org::builder().ip_locked_sessions(true).start().unwrap();
    let api = api(&sf);

    let mut outcomes = Vec::new();
    for _ in 0..10 {
        match api.get(org_url(LIMITS).unwrap()).send().await {
            Ok(response) => outcomes.push(Ok((
                response.status().as_u16(),
                response.extensions().get::<NotRetried>().copied(),
            ))),
            Err(e) => {
                let err = middleware_error(&e).unwrap_or_else(|| panic!("{e:?}"));
                assert!(
                    matches!(
                        err.manager_error(),
                        Some(ManagerError::RegrantBlocked { .. })
                    ),
                    "{err:?}"
                );
                org::assert_no_secrets(err, None);
                outcomes.push(Err(()));
            }
        }
    }
    assert_eq!(
        outcomes[0],
        Ok((401, Some(NotRetried::RefusedAfterRegrant))),
        "the first call: a grant, a refusal, a re-grant, a refusal"
    );
    assert!(outcomes[1..].iter().all(Result::is_err), "{outcomes:?}");
    assert_eq!(sf.grant_count(), 2, "bounded: no login per call");
}

#[tokio::test]
async fn the_middleware_does_not_print_the_token() {
    let sf = org::start();
    let manager = manager_for(org::client(&sf, APPROVED));
    let token = manager.token().await.unwrap();
    let auth = SalesforceAuth::new(manager);
    let text = format!("{auth:?}");
    assert!(
        !text.contains(token.access_token().expose_secret()),
        "{text}"
    );
}
