//! `SalesforceAuth` (ureq) against the emulator (and a loopback stub for what the emulator
//! never answers): one grant for concurrent first requests, one re-grant after a revoked
//! session, no token for other hosts, no retry for other 401s or streamed bodies, bounded
//! re-grants against IP-locked sessions.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::io::Read as _;

use sfjwt_test_support::api_stub::{Answer, ApiStub};
use sfjwt_test_support::org::{self, APPROVED};

use sfjwt_core::manager::ManagerError;
use sfjwt_emulator::Emulator;
use sfjwt_ureq::ureq::{Agent, SendBody};
use sfjwt_ureq::{
    JwtBearer, NotRetried, SalesforceAuth, TokenEndpoint, TokenManager, UreqTokenManager,
    UreqTransport, middleware_error, org_url,
};

const LIMITS: &str = "/services/data/v62.0/limits";

fn manager_for(client: JwtBearer) -> UreqTokenManager {
    TokenManager::new(client, UreqTransport::default()).with_retry(org::fast_retry())
}

fn api(sf: &Emulator) -> Agent {
    SalesforceAuth::new(manager_for(org::client(sf, APPROVED))).agent()
}

/// `n` concurrent GETs of the limits resource, one thread each; their statuses.
fn concurrent_limits(api: &Agent, n: usize) -> Vec<u16> {
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let response = api.get(org_url(LIMITS).unwrap()).call().unwrap();
                    response.status().as_u16()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

#[test]
fn sixty_four_first_requests_share_one_grant() {
    let sf = org::start();
    let api = api(&sf);
    assert_eq!(concurrent_limits(&api, 64), vec![200; 64]);
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.api_call_count(), 64);
}

#[test]
fn a_revoked_session_costs_one_regrant_and_one_retry_per_refused_request() {
    let sf = org::start();
    let api = api(&sf);
    assert_eq!(concurrent_limits(&api, 64), vec![200; 64]);
    assert_eq!(sf.grant_count(), 1);

    assert_eq!(sf.revoke_all(), 1); // an admin ends the session mid-run
    assert_eq!(concurrent_limits(&api, 64), vec![200; 64]);
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

#[test]
fn another_host_gets_no_token_and_the_org_host_does() {
    let sf = org::start();
    let other = ApiStub::start(Answer::ok());
    let api = api(&sf);

    let response = api.get(format!("{}{LIMITS}", other.url())).call().unwrap();
    assert_eq!(response.status(), 200);
    let seen = other.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].authorization, None,
        "the token reached another host"
    );

    // The org's own host (a full URL, not org_url) gets the token.
    let limits = api
        .get(format!("{}{LIMITS}", sf.base_url()))
        .call()
        .unwrap();
    assert_eq!(limits.status(), 200);
    assert_eq!(sf.grant_count(), 1);
}

#[test]
fn a_401_without_invalid_session_id_is_returned_without_a_regrant() {
    let stub = ApiStub::start(Answer::unauthorized_not_session());
    let client = JwtBearer::builder()
        .endpoint(TokenEndpoint::parse(stub.url()).unwrap())
        .client_id(org::CLIENT_ID)
        .username(APPROVED)
        .signer(org::key())
        .build();
    let api = SalesforceAuth::new(manager_for(client)).agent();

    let mut response = api.get(org_url(LIMITS).unwrap()).call().unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.extensions().get::<NotRetried>(),
        Some(&NotRetried::NotInvalidSession)
    );
    let body = response.body_mut().read_to_string().unwrap();
    assert!(body.contains("INSUFFICIENT_ACCESS"), "{body}");
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

#[test]
fn a_body_over_the_replay_limit_is_streamed_not_replayed_and_marked() {
    let sf = org::start();
    let api = SalesforceAuth::new(manager_for(org::client(&sf, APPROVED)))
        .replay_limit(1024)
        .agent();
    assert_eq!(concurrent_limits(&api, 1), vec![200]);
    assert_eq!(sf.revoke_all(), 1);

    let stream = std::io::repeat(b'x').take(4096);
    let mut response = api
        .post(org_url(LIMITS).unwrap())
        .send(SendBody::from_owned_reader(stream))
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.extensions().get::<NotRetried>(),
        Some(&NotRetried::BodyNotReplayable)
    );
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("INVALID_SESSION_ID")
    );
    assert_eq!(sf.grant_count(), 1, "no grant without a retry");
    assert_eq!(sf.refused_api_call_count(), 1, "sent once");

    // The stale token was reported: the next request gets a new one.
    assert_eq!(concurrent_limits(&api, 1), vec![200]);
    assert_eq!(sf.grant_count(), 2);
}

#[test]
fn a_body_under_the_replay_limit_is_sent_again_whole() {
    let sf = org::start();
    let other = ApiStub::start(Answer::ok());
    let api = api(&sf);
    assert_eq!(concurrent_limits(&api, 1), vec![200]);
    assert_eq!(sf.revoke_all(), 1);

    let body = r#"{"Name":"Acme"}"#;
    let response = api
        .post(org_url(LIMITS).unwrap())
        .send(SendBody::from_owned_reader(std::io::Cursor::new(body)))
        .unwrap();
    // The limits resource serves GET only: 405 is its answer to a live session.
    assert_eq!(response.status(), 405);
    assert_eq!(response.extensions().get::<NotRetried>(), None);
    assert_eq!(sf.grant_count(), 2);
    let posts: Vec<_> = sf
        .requests()
        .into_iter()
        .filter(|r| r.method() == "POST" && r.path() == LIMITS)
        .collect();
    assert_eq!(posts.len(), 2, "sent, refused, sent again");
    assert!(
        posts.iter().all(|r| r.body_len() == body.len()),
        "{posts:?}"
    );

    // A buffered body keeps its length: sent with Content-Length, not chunked.
    let response = api.post(format!("{}/x", other.url())).send(body).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(other.seen()[0].body_len, body.len());
}

#[test]
fn ip_locked_sessions_stop_after_two_grants() {
    let sf = org::builder().ip_locked_sessions(true).start().unwrap();
    let api = api(&sf);

    let mut outcomes = Vec::new();
    for _ in 0..10 {
        match api.get(org_url(LIMITS).unwrap()).call() {
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

#[test]
fn the_middleware_does_not_print_the_token() {
    let sf = org::start();
    let manager = std::sync::Arc::new(manager_for(org::client(&sf, APPROVED)));
    let token = manager.token().unwrap();
    let auth = SalesforceAuth::new(manager);
    let text = format!("{auth:?}");
    assert!(
        !text.contains(token.access_token().expose_secret()),
        "{text}"
    );
}
