//! Network and server faults over real loopback sockets, seen through `UreqTransport`: each
//! arrives classified (kind, retryable) or as the typed response error, never as a panic or a
//! hang, and never quoting the assertion.

use sfjwt_test_support::org as common;

use std::time::Duration;

use common::*;
use sfjwt_core::exchange::ExchangeError;
use sfjwt_core::response::ResponseError;
use sfjwt_emulator::{Fault, Target};
use sfjwt_ureq::{ErrorKind, UreqTransport};

fn transport_kind(err: &ExchangeError) -> ErrorKind {
    assert_no_secrets(err, None);
    transport_error::<sfjwt_ureq::Error>(err).kind()
}

#[test]
fn connection_refused() {
    let c = client_of_closed_endpoint();
    let err = c.request_token(&UreqTransport::default()).unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Connect, "{err}");
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    assert_connection_refused_once(err);
}

#[test]
fn stalled_body_times_out_within_the_configured_bound() {
    let sf = start_stalling_mid_body();
    let transport = UreqTransport::builder()
        .timeout(Duration::from_millis(300))
        .build();
    let err = client(&sf, APPROVED).request_token(&transport).unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Timeout, "{err}");
    assert!(err.is_retryable());
}

#[test]
fn slow_answer_times_out() {
    let sf = start();
    sf.inject_fault(Fault::Latency(Duration::from_secs(20)), 1);
    let transport =
        UreqTransport::default().with_timeouts(Duration::from_secs(5), Duration::from_millis(300));
    let err = client(&sf, APPROVED).request_token(&transport).unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Timeout, "{err}");
}

#[test]
fn connection_reset() {
    let sf = start();
    sf.inject_fault(Fault::ConnectionReset, 1);
    let err = client(&sf, APPROVED)
        .request_token(&UreqTransport::default())
        .unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Disconnected, "{err}");
    assert!(err.is_retryable());
    // The server keeps serving.
    client(&sf, APPROVED)
        .request_token(&UreqTransport::default())
        .unwrap();
}

#[test]
fn service_unavailable_once_is_retried_by_the_manager() {
    let sf = start();
    sf.inject_fault_on(Target::Token, Fault::ServiceUnavailable, 1);
    let manager = sfjwt_ureq::token_manager(client(&sf, APPROVED)).with_retry(fast_retry());
    manager.token().unwrap();
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.requests().len(), 2, "one 503, one success");
}

#[test]
fn service_unavailable_alone_is_a_retryable_response_error() {
    let sf = start();
    sf.inject_fault(Fault::ServiceUnavailable, 1);
    let err = client(&sf, APPROVED)
        .request_token(&UreqTransport::default())
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
}

#[test]
fn html_page_is_a_typed_response_error() {
    let sf = start();
    sf.inject_fault(Fault::HtmlPage, 1);
    let err = client(&sf, APPROVED)
        .request_token(&UreqTransport::default())
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::Response(ResponseError::Html { .. })),
        "{err:?}"
    );
    assert!(
        !err.is_retryable(),
        "a 200 HTML page will not heal by itself"
    );
}

#[test]
fn oversized_body_stops_at_the_cap() {
    let sf = start();
    // 8 MiB, chunked with no Content-Length: only the client's cap stops it.
    sf.inject_fault(Fault::oversized_body(), 1);
    let err = client(&sf, APPROVED)
        .request_token(&UreqTransport::default())
        .unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::BodyTooLarge, "{err}");
    assert!(!err.is_retryable());
    // The limit is the transport error's fact, printed with the chain.
    let chain = format!("{:#}", anyhow::Error::new(err));
    assert!(chain.contains("1048576 bytes"), "{chain}");
}

#[test]
fn smaller_cap_is_honoured() {
    let sf = start();
    let transport = UreqTransport::builder().max_body(64).build();
    let err = client(&sf, APPROVED).request_token(&transport).unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::BodyTooLarge, "{err}");
}

#[test]
fn redirect_to_another_host_is_not_followed() {
    let sf = start();
    let elsewhere = start();
    sf.inject_fault(
        Fault::Redirect {
            location: elsewhere.token_url(),
        },
        1,
    );
    // Even an agent that follows redirects by default does not follow this one.
    for transport in [
        UreqTransport::default(),
        UreqTransport::from(ureq::Agent::new_with_defaults()),
    ] {
        let err = client(&sf, APPROVED).request_token(&transport).unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
        assert!(matches!(err, ExchangeError::Response(_)), "{err:?}");
        assert!(
            elsewhere.requests().is_empty(),
            "the assertion went elsewhere"
        );
        sf.inject_fault(
            Fault::Redirect {
                location: elsewhere.token_url(),
            },
            1,
        );
    }
    assert_eq!(sf.grant_count(), 0);
}
