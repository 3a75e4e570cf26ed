//! The transport's error: ureq's error kept as the source, classified so the exchange knows
//! whether a retry may help ([`TransportErrorKind`]).

use core::fmt;
use std::io;

use sfjwt_core::transport::TransportErrorKind;

/// What kind of failure a [`Error`] is. Decides [`Error::is_retryable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No connection could be made: DNS failure, connection refused, host unreachable, or the
    /// proxy refused the tunnel. Usually a typo in the endpoint, no network, or a firewall;
    /// during a deploy it heals by itself. Retryable.
    Connect,
    /// The connection was lost mid-exchange (reset, closed early). Usually a load balancer or
    /// proxy dropping it. Retryable.
    Disconnected,
    /// A configured timeout fired (connect or overall). The endpoint or the network is slow or
    /// stalled. Retryable.
    Timeout,
    /// The TLS handshake failed: an untrusted certificate (a TLS-inspecting proxy whose root is
    /// only in the OS store: enable the `platform-verifier` feature), a wrong host name, or no
    /// common protocol. Not retryable.
    Tls,
    /// The response body is larger than the limit (default 1 MiB; a token response is about
    /// 1 KiB): not a Salesforce token endpoint, or a broken proxy. Reading stopped at the
    /// limit. Not retryable.
    BodyTooLarge,
    /// The server did not speak valid HTTP/1.1 (or answered too large headers). Usually not
    /// the endpoint you meant. Not retryable.
    Protocol,
    /// The request could not be sent as given: a bad URI, an invalid proxy setting
    /// (`HTTPS_PROXY`), or an https-only rule. Configuration: not retryable.
    InvalidRequest,
    /// Anything else ureq reported. Retryable, as most transport failures are transient.
    Other,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Connect => "could not connect to the token endpoint",
            Self::Disconnected => "the connection was lost before the response was complete",
            Self::Timeout => "the token endpoint did not answer in time",
            Self::Tls => "the TLS handshake failed",
            Self::BodyTooLarge => "the response body exceeds the size limit",
            Self::Protocol => "the server's answer is not valid HTTP",
            Self::InvalidRequest => "the request could not be sent as configured",
            Self::Other => "the HTTP request failed",
        }
    }
}

/// A ureq transport failure: no complete HTTP response arrived.
///
/// [`source`](std::error::Error::source) is the [`ureq::Error`]. Messages never contain the
/// request body (the signed assertion) or a token: ureq's errors do not quote bodies.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    limit: Option<usize>,
    source: ureq::Error,
}

impl Error {
    pub(crate) fn new(source: ureq::Error) -> Self {
        Self {
            kind: classify(&source),
            limit: None,
            source,
        }
    }

    pub(crate) fn body_too_large(limit: usize, source: ureq::Error) -> Self {
        Self {
            kind: ErrorKind::BodyTooLarge,
            limit: Some(limit),
            source,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether sending the same request again may succeed: connect failures, lost connections,
    /// timeouts and unclassified errors; never TLS, size, protocol or configuration failures.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Connect | ErrorKind::Disconnected | ErrorKind::Timeout | ErrorKind::Other
        )
    }

    /// The underlying ureq error.
    pub fn ureq_error(&self) -> &ureq::Error {
        &self.source
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if let Some(limit) = self.limit {
            write!(f, " of {limit} bytes")?;
        }
        write!(f, " ({})", self.source)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl TransportErrorKind for Error {
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }
}

fn classify(e: &ureq::Error) -> ErrorKind {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => ErrorKind::Timeout,
        E::HostNotFound | E::ConnectionFailed | E::ConnectProxyFailed(_) => ErrorKind::Connect,
        E::Io(io) => classify_io(io),
        E::Tls(_) | E::TlsRequired => ErrorKind::Tls,
        #[cfg(feature = "rustls")]
        E::Pem(_) | E::Rustls(_) => ErrorKind::Tls,
        E::BodyExceedsLimit(_) => ErrorKind::BodyTooLarge,
        E::Protocol(_) | E::LargeResponseHeader(..) => ErrorKind::Protocol,
        E::BadUri(_)
        | E::Http(_)
        | E::InvalidProxyUrl
        | E::RequireHttpsOnly(_)
        | E::RedirectFailed
        | E::TooManyRedirects => ErrorKind::InvalidRequest,
        _ => ErrorKind::Other,
    }
}

fn classify_io(e: &io::Error) -> ErrorKind {
    use io::ErrorKind as K;
    if is_tls(e) {
        return ErrorKind::Tls;
    }
    match e.kind() {
        K::ConnectionRefused
        | K::HostUnreachable
        | K::NetworkUnreachable
        | K::AddrNotAvailable
        | K::NetworkDown => ErrorKind::Connect,
        K::ConnectionReset
        | K::ConnectionAborted
        | K::BrokenPipe
        | K::UnexpectedEof
        | K::NotConnected => ErrorKind::Disconnected,
        K::TimedOut | K::WouldBlock => ErrorKind::Timeout,
        _ => ErrorKind::Other,
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
        let refused = Error::new(ureq::Error::Io(io::Error::from(
            io::ErrorKind::ConnectionRefused,
        )));
        assert_eq!(refused.kind(), ErrorKind::Connect);
        assert!(refused.is_retryable());

        let reset = Error::new(ureq::Error::Io(io::ErrorKind::ConnectionReset.into()));
        assert_eq!(reset.kind(), ErrorKind::Disconnected);
        assert!(reset.is_retryable());

        let bad_uri = Error::new(ureq::Error::BadUri("x".into()));
        assert_eq!(bad_uri.kind(), ErrorKind::InvalidRequest);
        assert!(!bad_uri.is_retryable());

        let big = Error::body_too_large(10, ureq::Error::BodyExceedsLimit(10));
        assert_eq!(big.kind(), ErrorKind::BodyTooLarge);
        assert!(!TransportErrorKind::is_retryable(&big));
        assert!(big.to_string().contains("10 bytes"), "{big}");
        assert!(std::error::Error::source(&big).is_some());
    }

    #[cfg(feature = "rustls")]
    #[test]
    fn rustls_errors_inside_io_errors_are_tls() {
        let io = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let e = Error::new(ureq::Error::Io(io));
        assert_eq!(e.kind(), ErrorKind::Tls);
        assert!(!e.is_retryable());
    }
}
