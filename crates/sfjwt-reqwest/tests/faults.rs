//! Network and server faults over real loopback sockets, seen through `ReqwestTransport`: each
//! arrives classified (kind, retryable) or as the typed response error, never as a panic or a
//! hang, and never quoting the assertion.

// Both adapters test against the same emulated org; its fixture lives with sfjwt-ureq's tests.
use sfjwt_test_support::org as common;

use std::time::Duration;

use common::*;
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::manager::AsyncTokenManager;
use sfjwt_core::response::ResponseError;
use sfjwt_emulator::{Fault, Target};
use sfjwt_reqwest::{ErrorKind, ReqwestTransport, SharedTokenManager, TokioSleep};

fn transport_kind(err: &ExchangeError) -> ErrorKind {
    assert_no_secrets(err, None);
    transport_error::<sfjwt_reqwest::Error>(err).kind()
}

async fn request(
    c: &JwtBearer,
    transport: &ReqwestTransport,
) -> Result<sfjwt_core::response::TokenResponse, ExchangeError> {
    c.request_token_async(transport).await
}

#[tokio::test]
async fn connection_refused() {
    let c = client_of_closed_endpoint();
    let err = request(&c, &ReqwestTransport::default()).await.unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Connect, "{err}");
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    assert_connection_refused_once(err);
}

#[tokio::test]
async fn stalled_body_times_out_within_the_configured_bound() {
    let sf = start_stalling_mid_body();
    let transport = ReqwestTransport::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = request(&client(&sf, APPROVED), &transport)
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Timeout, "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn slow_answer_times_out() {
    let sf = start();
    sf.inject_fault(Fault::Latency(Duration::from_secs(20)), 1);
    let transport = ReqwestTransport::default().with_timeout(Duration::from_millis(300));
    let err = request(&client(&sf, APPROVED), &transport)
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn connection_reset() {
    let sf = start();
    sf.inject_fault(Fault::ConnectionReset, 1);
    let transport = ReqwestTransport::default();
    let err = request(&client(&sf, APPROVED), &transport)
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::Disconnected, "{err}");
    assert!(err.is_retryable());
    // The server keeps serving.
    request(&client(&sf, APPROVED), &transport).await.unwrap();
}

#[tokio::test]
async fn service_unavailable_once_is_retried_by_the_manager() {
    let sf = start();
    sf.inject_fault_on(Target::Token, Fault::ServiceUnavailable, 1);
    let manager = SharedTokenManager::from(
        AsyncTokenManager::new(
            client(&sf, APPROVED),
            ReqwestTransport::default(),
            TokioSleep,
        )
        .with_retry(fast_retry()),
    );
    manager.token().await.unwrap();
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.requests().len(), 2, "one 503, one success");
}

#[tokio::test]
async fn html_page_is_a_typed_response_error() {
    let sf = start();
    sf.inject_fault(Fault::HtmlPage, 1);
    let err = request(&client(&sf, APPROVED), &ReqwestTransport::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::Response(ResponseError::Html { .. })),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn oversized_body_stops_at_the_cap() {
    let sf = start();
    // 8 MiB, chunked with no Content-Length: only the client's cap stops it.
    sf.inject_fault(Fault::oversized_body(), 1);
    let err = request(&client(&sf, APPROVED), &ReqwestTransport::default())
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::BodyTooLarge, "{err}");
    assert!(!err.is_retryable());
    // The limit is the transport error's fact, printed with the chain.
    let chain = format!("{:#}", anyhow::Error::new(err));
    assert!(chain.contains("1048576 bytes"), "{chain}");
}

#[tokio::test]
async fn smaller_cap_is_honoured() {
    let sf = start();
    let transport = ReqwestTransport::default().with_max_body(64);
    let err = request(&client(&sf, APPROVED), &transport)
        .await
        .unwrap_err();
    assert_eq!(transport_kind(&err), ErrorKind::BodyTooLarge, "{err}");
}

#[tokio::test]
async fn redirect_to_another_host_is_not_followed() {
    let sf = start();
    let elsewhere = start();
    sf.inject_fault(
        Fault::Redirect {
            location: elsewhere.token_url(),
        },
        1,
    );
    let err = request(&client(&sf, APPROVED), &ReqwestTransport::default())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
    assert!(matches!(err, ExchangeError::Response(_)), "{err:?}");
    assert!(
        elsewhere.requests().is_empty(),
        "the assertion went elsewhere"
    );
    assert_eq!(sf.grant_count(), 0);
}

#[tokio::test]
async fn a_client_that_follows_redirects_cannot_follow_one_from_loopback() {
    let sf = start();
    let elsewhere = start();
    sf.inject_fault(
        Fault::Redirect {
            location: elsewhere.token_url(),
        },
        1,
    );
    // reqwest's default policy follows a 302 (as a GET, without the body). Plain http to
    // loopback goes through sfjwt's own direct client (never a proxy, never a redirect), so
    // the 302 reaches the core as an unexpected status and the other host sees nothing. For
    // other hosts a followed redirect is refused as `ErrorKind::Redirected`.
    let transport = ReqwestTransport::from(reqwest::Client::new());
    let err = request(&client(&sf, APPROVED), &transport)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err}");
    assert!(!err.is_retryable());
    assert!(elsewhere.requests().is_empty());
}
