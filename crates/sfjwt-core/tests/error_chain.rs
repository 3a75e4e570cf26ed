//! The error convention: printed as a chain (`{:#}` of an `anyhow::Error`), every error says
//! each fact once, whatever layer it went through.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::io;

use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::jws::{SignError, Signer};
use sfjwt_core::key::PrivateKey;
use sfjwt_core::manager::ManagerError;
use sfjwt_core::store::StoreError;
use sfjwt_core::transport::{FailureKind, TransportError};

const KEY: &str = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");

/// The whole chain as an application prints it; fails when a `": "`-separated segment repeats
/// or when `root` (the root cause's text) is not there exactly once.
fn assert_each_fact_once(error: impl std::error::Error + Send + Sync + 'static, root: &str) {
    let text = format!("{:#}", anyhow::Error::new(error));
    let segments: Vec<&str> = text.split(": ").collect();
    for (i, segment) in segments.iter().enumerate() {
        assert!(
            !segments[i + 1..].contains(segment),
            "{segment:?} is said twice: {text}"
        );
    }
    assert_eq!(text.matches(root).count(), 1, "{root:?} once: {text}");
}

fn client(signer: impl Signer + Send + Sync + 'static) -> JwtBearer {
    JwtBearer::builder()
        .endpoint(TokenEndpoint::production())
        .client_id("3MVG9x")
        .username("u@example.com")
        .signer(signer)
        .build()
}

fn key() -> PrivateKey {
    PrivateKey::from_pem(KEY).unwrap()
}

#[test]
fn a_transport_failure_under_an_exchange_under_a_manager() {
    let refused = |_: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, TransportError> {
        let io = io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "connection refused by 192.0.2.1",
        );
        Err(TransportError::new(FailureKind::from_io(&io), io))
    };
    let exchange = client(key()).request_token(&refused).unwrap_err();
    assert!(exchange.is_retryable());
    let text = format!("{:#}", anyhow::Error::new(exchange.clone()));
    assert_eq!(
        text,
        "the token request did not get a response: could not connect to the token endpoint: \
         connection refused by 192.0.2.1"
    );
    assert_each_fact_once(exchange.clone(), "connection refused by 192.0.2.1");
    let manager = ManagerError::from(exchange);
    assert_eq!(format!("{:#}", anyhow::Error::new(manager.clone())), text);
    assert_each_fact_once(manager, "connection refused by 192.0.2.1");
}

#[test]
fn a_plain_io_error_transport() {
    let reset = |_: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, io::Error> {
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "reset by peer",
        ))
    };
    let e = client(key()).request_token(&reset).unwrap_err();
    assert!(e.is_retryable());
    assert_each_fact_once(ManagerError::from(e), "reset by peer");
}

#[test]
fn an_oauth_refusal_under_a_manager() {
    let refusing = |_: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, io::Error> {
        Ok(http::Response::builder()
            .status(400)
            .header("content-type", "application/json")
            .body(br#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#.to_vec())
            .unwrap())
    };
    let e = client(key()).request_token(&refusing).unwrap_err();
    assert!(e.oauth().is_some());
    assert_each_fact_once(ManagerError::from(e), "user hasn't approved this consumer");
}

struct FailingSigner;

impl Signer for FailingSigner {
    fn sign_rs256(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
        Err(SignError::with_source(
            "the key service could not sign",
            io::Error::other("throttled: 40 requests per second"),
        ))
    }
}

#[test]
fn a_signer_failure_under_an_exchange_under_a_manager() {
    let unused = |_: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, io::Error> {
        unreachable!("nothing is sent when signing fails")
    };
    let e = client(FailingSigner).request_token(&unused).unwrap_err();
    assert!(matches!(e, ExchangeError::Sign(_)));
    let text = format!("{:#}", anyhow::Error::new(ManagerError::from(e.clone())));
    assert_eq!(
        text,
        "cannot sign the assertion: the key service could not sign: throttled: 40 requests per second"
    );
    assert_each_fact_once(ManagerError::from(e), "throttled: 40 requests per second");
}

#[test]
fn a_claims_error_under_an_exchange() {
    let unused = |_: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, io::Error> {
        unreachable!("nothing is sent when the claims are refused")
    };
    let e = JwtBearer::builder()
        .endpoint(TokenEndpoint::production())
        .client_id("")
        .username("u@example.com")
        .signer(key())
        .build()
        .request_token(&unused)
        .unwrap_err();
    let ExchangeError::Claims(claims) = &e else {
        panic!("{e:?}")
    };
    let root = claims.to_string();
    assert_each_fact_once(e, &root);
}

#[test]
fn a_key_error() {
    let e = PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        .unwrap_err();
    assert!(
        std::error::Error::source(&e).is_none(),
        "the message holds it all"
    );
    let root = e.to_string();
    assert_each_fact_once(e, &root);
}

#[test]
fn a_store_error_under_a_manager() {
    let store = StoreError::with_source(
        "cannot reach the shared store",
        io::Error::new(io::ErrorKind::TimedOut, "no answer from 10.0.0.7:6379"),
    );
    let text = format!(
        "{:#}",
        anyhow::Error::new(ManagerError::from(store.clone()))
    );
    assert_eq!(
        text,
        "token store: cannot reach the shared store: no answer from 10.0.0.7:6379"
    );
    assert_each_fact_once(ManagerError::from(store), "no answer from 10.0.0.7:6379");
}

#[test]
fn own_transport_errors_have_no_source_to_repeat() {
    let big = TransportError::body_too_large(1024);
    assert_eq!(
        big.to_string(),
        "the response body exceeds the size limit of 1024 bytes"
    );
    assert!(std::error::Error::source(&big).is_none());
    assert_each_fact_once(big, "1024 bytes");
}
