//! The one thing sfjwt-reqwest decides about a failure: which [`FailureKind`] a
//! [`reqwest::Error`] is. The error type itself, its messages and what is retried live in the
//! core ([`TransportError`]), following the crate's error convention
//! ([`sfjwt_core::manual::errors`]).

use std::sync::Arc;

use sfjwt_core::transport::{FailureKind, TransportError};

/// A reqwest transport failure: no complete, acceptable HTTP response arrived. Its
/// [`source`](std::error::Error::source), when reqwest reported one, is the
/// [`reqwest::Error`] (which quotes at most the URL; token endpoint URLs carry no secret).
pub type Error = TransportError;

/// What kind of failure an [`Error`] is: the core's [`FailureKind`].
pub use sfjwt_core::transport::FailureKind as ErrorKind;

/// `e` as a [`TransportError`] of the kind it is.
pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
    shared(Arc::new(e))
}

/// The same for an error every request reports (a client that could not be built).
pub(crate) fn shared(e: Arc<reqwest::Error>) -> Error {
    TransportError::shared(classify(&e), e)
}

/// How to build a client that follows no redirect: said when one did.
pub(crate) const NO_REDIRECTS: &str = "build the client with redirect::Policy::none()";

fn classify(e: &reqwest::Error) -> FailureKind {
    if e.is_timeout() {
        return FailureKind::Timeout;
    }
    if chain_has_tls_error(e) {
        return FailureKind::Tls;
    }
    if e.is_builder() {
        return FailureKind::InvalidRequest;
    }
    if e.is_redirect() {
        return FailureKind::Redirected;
    }
    if e.is_connect() {
        return FailureKind::Connect;
    }
    if e.is_decode() {
        return FailureKind::Protocol;
    }
    if e.is_request() || e.is_body() {
        return FailureKind::Disconnected;
    }
    FailureKind::from_chain(e)
}

#[cfg(feature = "rustls-tls")]
fn chain_has_tls_error(e: &reqwest::Error) -> bool {
    sfjwt_core::transport::sources(e).any(|e| e.is::<rustls::Error>())
}

#[cfg(not(feature = "rustls-tls"))]
fn chain_has_tls_error(_: &reqwest::Error) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_errors_are_classified_and_not_retryable() {
        let big = TransportError::body_too_large(1024);
        assert_eq!(big.kind(), ErrorKind::BodyTooLarge);
        assert!(!big.is_retryable());
        assert!(big.to_string().contains("1024 bytes"), "{big}");
        let redirected = TransportError::redirected(http::StatusCode::OK, NO_REDIRECTS);
        assert_eq!(redirected.kind(), ErrorKind::Redirected);
        assert!(!redirected.is_retryable());
        assert!(
            redirected.to_string().contains("Policy::none()"),
            "{redirected}"
        );
        assert!(std::error::Error::source(&redirected).is_none());
    }
}
