//! The one thing sfjwt-ureq decides about a failure: which
//! [`FailureKind`] a [`ureq::Error`] is. The error type itself, its messages and what is
//! retried live in the core ([`TransportError`]), following the crate's error convention
//! ([`sfjwt_core::manual::errors`]).

use std::io;

use sfjwt_core::transport::{FailureKind, TransportError};

/// A ureq transport failure: no complete HTTP response arrived. Its
/// [`source`](std::error::Error::source), when there is one, is the [`ureq::Error`] (ureq's
/// errors do not quote bodies).
pub type Error = TransportError;

/// What kind of failure an [`Error`] is: the core's [`FailureKind`].
pub use sfjwt_core::transport::FailureKind as ErrorKind;

/// `e` as a [`TransportError`] of the kind it is.
pub(crate) fn from_ureq(e: ureq::Error) -> Error {
    TransportError::new(classify(&e), e)
}

fn classify(e: &ureq::Error) -> FailureKind {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => FailureKind::Timeout,
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => FailureKind::Connect,
        E::Io(io) if is_tls(io) => FailureKind::Tls,
        E::Io(io) => FailureKind::from_io(io),
        E::Tls(_) | E::TlsRequired => FailureKind::Tls,
        #[cfg(feature = "rustls")]
        E::Pem(_) | E::Rustls(_) => FailureKind::Tls,
        E::BodyExceedsLimit(_) => FailureKind::BodyTooLarge,
        E::Protocol(_) | E::LargeResponseHeader(..) => FailureKind::Protocol,
        E::BadUri(_)
        | E::Http(_)
        | E::InvalidProxyUrl
        | E::RequireHttpsOnly(_)
        | E::RedirectFailed
        | E::TooManyRedirects => FailureKind::InvalidRequest,
        _ => FailureKind::Other,
    }
}

/// rustls reports handshake failures as an `io::Error` wrapping a `rustls::Error`.
#[cfg(feature = "rustls")]
fn is_tls(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>())
}

#[cfg(not(feature = "rustls"))]
fn is_tls(_: &io::Error) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_and_retryability() {
        let refused = from_ureq(ureq::Error::Io(io::ErrorKind::ConnectionRefused.into()));
        assert_eq!(refused.kind(), FailureKind::Connect);
        assert!(refused.is_retryable());

        let reset = from_ureq(ureq::Error::Io(io::ErrorKind::ConnectionReset.into()));
        assert_eq!(reset.kind(), FailureKind::Disconnected);
        assert!(reset.is_retryable());

        let bad_uri = from_ureq(ureq::Error::BadUri("x".into()));
        assert_eq!(bad_uri.kind(), FailureKind::InvalidRequest);
        assert!(!bad_uri.is_retryable());
        assert!(std::error::Error::source(&bad_uri).is_some());

        let big = from_ureq(ureq::Error::BodyExceedsLimit(10));
        assert_eq!(big.kind(), FailureKind::BodyTooLarge);
        assert!(!big.is_retryable());
    }

    #[cfg(feature = "rustls")]
    #[test]
    fn rustls_errors_inside_io_errors_are_tls() {
        let io = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let e = from_ureq(ureq::Error::Io(io));
        assert_eq!(e.kind(), FailureKind::Tls);
        assert!(!e.is_retryable());
    }
}
