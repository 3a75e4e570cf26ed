//! The blocking token manager over `UreqTransport`: re-grant once after a revoked session, and
//! one grant for many threads.

use sfjwt_test_support::org as common;

use std::sync::Barrier;
use std::time::Duration;

use common::*;
use sfjwt_core::transport::SyncTransport;
use sfjwt_emulator::{Fault, Target};
use sfjwt_ureq::UreqTransport;

#[test]
fn revoked_session_gets_exactly_one_regrant() {
    let sf = start();
    let transport = UreqTransport::default();
    let manager = sfjwt_ureq::token_manager(client(&sf, APPROVED)).with_retry(fast_retry());

    let first = manager.token().unwrap();
    let ok = transport.send(limits_request(&first)).unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(sf.grant_count(), 1);

    // An admin ends every session: the API now refuses the token.
    assert_eq!(sf.revoke_all(), 1);
    let refused = transport.send(limits_request(&first)).unwrap();
    assert_eq!(refused.status(), 401);
    assert!(
        String::from_utf8_lossy(refused.body()).contains("INVALID_SESSION_ID"),
        "{:?}",
        String::from_utf8_lossy(refused.body())
    );

    assert!(manager.invalidate(first.access_token()).unwrap());
    // A second report of the same stale token (another thread saw the 401 too) is a no-op.
    assert!(!manager.invalidate(first.access_token()).unwrap());

    let second = manager.token().unwrap();
    assert!(!second.access_token().same_as(first.access_token()));
    assert_eq!(
        transport.send(limits_request(&second)).unwrap().status(),
        200
    );
    // Reused, not granted again.
    let again = manager.token().unwrap();
    assert!(again.access_token().same_as(second.access_token()));
    assert_eq!(sf.grant_count(), 2, "exactly one re-grant");
}

#[test]
fn thirty_two_threads_share_one_grant() {
    let sf = start();
    // A slow grant, so the callers really pile up behind the one in flight.
    sf.inject_fault_on(Target::Token, Fault::Latency(Duration::from_millis(200)), 1);
    let manager = sfjwt_ureq::token_manager(client(&sf, APPROVED));
    let barrier = Barrier::new(32);
    let tokens: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..32)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    manager.token().unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(sf.grant_count(), 1);
    assert!(
        tokens
            .iter()
            .all(|t| t.access_token().same_as(tokens[0].access_token()))
    );
}

#[test]
fn ip_locked_sessions_cost_two_grants_then_a_typed_error() {
    // The org locks sessions to the IP they were granted from; the API sees another one.
    let sf = start();
    sf.set_ip_locked_sessions(true);
    let transport = UreqTransport::default();
    let manager = sfjwt_ureq::token_manager(client(&sf, APPROVED)).with_retry(fast_retry());
    let mut blocked = 0;
    for _ in 0..20 {
        match manager.token() {
            Ok(token) => {
                let answer = transport.send(limits_request(&token)).unwrap();
                assert_eq!(answer.status(), 401);
                manager.invalidate(token.access_token()).unwrap();
            }
            Err(e) => blocked += expect_regrant_blocked(&e),
        }
    }
    assert_bounded_regrants(&sf, blocked);

    // The org is fixed and the caller resets: one grant, and the API answers.
    sf.set_ip_locked_sessions(false);
    manager.reset_refusals().unwrap();
    let token = manager.token().unwrap();
    assert_eq!(
        transport.send(limits_request(&token)).unwrap().status(),
        200
    );
    assert_eq!(sf.grant_count(), 3);
}
