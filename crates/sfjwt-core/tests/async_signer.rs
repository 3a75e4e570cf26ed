//! `AsyncSigner`: an async-only signer (as a KMS signer is) signs through the async exchange
//! and the async manager, produces the same assertion as the sync path, is refused by the
//! blocking path with a clear error, and its transient failures are retried.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::jws::{AsyncSigner, SignError, SignFuture, Signer as _};
use sfjwt_core::manager::{AsyncTokenManager, RetryPolicy};
use sfjwt_test_support::fake::*;

/// Signs with the test key after yielding to the executor, like a network signer; fails the
/// first `transient_failures` times with a retryable error (a throttled KMS).
struct RemoteKey {
    transient_failures: usize,
    calls: AtomicUsize,
}

impl AsyncSigner for RemoteKey {
    fn sign_rs256_async<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            if call < self.transient_failures {
                return Err(SignError::new("throttled").retryable());
            }
            key().sign_rs256(signing_input)
        })
    }
}

fn remote(transient_failures: usize) -> Arc<RemoteKey> {
    Arc::new(RemoteKey {
        transient_failures,
        calls: AtomicUsize::new(0),
    })
}

fn async_client(signer: Arc<RemoteKey>) -> JwtBearer {
    JwtBearer::builder()
        .endpoint(TokenEndpoint::parse("https://acme.my.salesforce.com").unwrap())
        .client_id("3MVG9_consumer_key")
        .username("etl@acme.com")
        .shared_async_signer(signer)
        .build()
        .with_clock(clock_at_now())
}

#[tokio::test]
async fn an_async_signer_signs_what_the_sync_key_signs() {
    let from_async = async_client(remote(0))
        .prepare_request_async()
        .await
        .unwrap();
    let from_sync = client().prepare_request().unwrap();
    assert_eq!(from_async.body(), from_sync.body());
    // A sync signer through the async path: the same bytes again.
    let sync_via_async = client().prepare_request_async().await.unwrap();
    assert_eq!(sync_via_async.body(), from_sync.body());
}

#[tokio::test]
async fn the_async_exchange_and_manager_accept_an_async_signer() {
    let transport = |_req: http::Request<Vec<u8>>| async { Ok::<_, std::io::Error>(ok(TOKEN)) };
    let client = async_client(remote(0));
    assert!(client.is_async_only());
    let token = client.request_token_async(&transport).await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);

    // Two throttled signatures, then success: the manager retries them like a 503.
    let signer = remote(2);
    let manager =
        AsyncTokenManager::new(async_client(Arc::clone(&signer)), transport, |_d| async {})
            .with_retry(RetryPolicy::new(
                3,
                std::time::Duration::from_millis(1),
                std::time::Duration::from_millis(2),
            ));
    let token = manager.token().await.unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(signer.calls.load(Ordering::SeqCst), 3);
}

#[test]
fn the_blocking_path_refuses_an_async_only_signer_clearly() {
    let transport = |_req: http::Request<Vec<u8>>| Ok::<_, std::io::Error>(ok(TOKEN));
    let err = async_client(remote(0))
        .request_token(&transport)
        .unwrap_err();
    assert!(matches!(err, ExchangeError::Sign(_)), "{err:?}");
    assert!(!err.is_retryable());
    let text = std::error::Error::source(&err).unwrap().to_string();
    assert!(text.contains("request_token_async"), "{text}");
}

#[test]
fn sign_errors_are_permanent_unless_marked() {
    let permanent = ExchangeError::from(SignError::new("refused"));
    assert!(!permanent.is_retryable());
    let transient = ExchangeError::from(SignError::new("throttled").retryable());
    assert!(transient.is_retryable());
}
