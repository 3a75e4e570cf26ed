//! The transport's error: reqwest's error kept as the source, classified so the exchange knows
//! whether a retry may help ([`TransportErrorKind`]).

use core::fmt;
use std::io;
use std::sync::Arc;

use sfjwt_core::transport::TransportErrorKind;

/// What kind of failure an [`Error`] is. Decides [`Error::is_retryable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No connection could be made: DNS failure, connection refused, host unreachable, or the
    /// proxy refused the tunnel. Usually a typo in the endpoint, no network, or a firewall;
    /// during a deploy it heals by itself. Retryable.
    Connect,
    /// The connection was lost or the response could not be read (reset, closed early).
    /// Usually a load balancer or proxy dropping it. Retryable.
    Disconnected,
    /// A configured timeout fired (connect or overall, body included). The endpoint or the
    /// network is slow or stalled. Retryable.
    Timeout,
    /// The TLS handshake failed: an untrusted certificate, a wrong host name, or no common
    /// protocol. Not retryable.
    Tls,
    /// The response body is larger than the limit (default 1 MiB; a token response is about
    /// 1 KiB): not a Salesforce token endpoint, or a broken proxy. Reading stopped at the
    /// limit. Not retryable.
    BodyTooLarge,
    /// The response could not be decoded as HTTP. Not retryable.
    Protocol,
    /// The client followed a redirect. A `reqwest::Client` given to sfjwt must be built with
    /// `redirect(reqwest::redirect::Policy::none())`: following a redirect may resend the
    /// assertion to another host. The response was discarded. Not retryable.
    Redirected,
    /// The client or request could not be built: an invalid proxy setting (`HTTPS_PROXY`), a
    /// TLS backend that failed to initialise, a bad URL. Configuration: not retryable.
    InvalidRequest,
    /// Anything else reqwest reported. Retryable, as most transport failures are transient.
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
            Self::Redirected => {
                "the HTTP client followed a redirect; build it with redirect::Policy::none()"
            }
            Self::InvalidRequest => "the HTTP client or request could not be built",
            Self::Other => "the HTTP request failed",
        }
    }
}

/// A reqwest transport failure: no complete, acceptable HTTP response arrived.
///
/// [`source`](std::error::Error::source) is the [`reqwest::Error`] when reqwest reported one.
/// Messages never contain the request body (the signed assertion) or a token: reqwest's errors
/// quote at most the URL, and token endpoint URLs carry no secret.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    detail: Option<String>,
    source: Option<Arc<reqwest::Error>>,
}

impl Error {
    pub(crate) fn new(source: reqwest::Error) -> Self {
        Self::shared(Arc::new(source))
    }

    pub(crate) fn shared(source: Arc<reqwest::Error>) -> Self {
        Self {
            kind: classify(&source),
            detail: None,
            source: Some(source),
        }
    }

    pub(crate) fn body_too_large(limit: usize) -> Self {
        Self {
            kind: ErrorKind::BodyTooLarge,
            detail: Some(format!("limit {limit} bytes")),
            source: None,
        }
    }

    pub(crate) fn redirected(status: http::StatusCode) -> Self {
        Self {
            kind: ErrorKind::Redirected,
            detail: Some(format!("final status {}", status.as_u16())),
            source: None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether sending the same request again may succeed: connect failures, lost connections,
    /// timeouts and unclassified errors; never TLS, size, redirect, protocol or configuration
    /// failures.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Connect | ErrorKind::Disconnected | ErrorKind::Timeout | ErrorKind::Other
        )
    }

    /// The underlying reqwest error, if reqwest reported one.
    pub fn reqwest_error(&self) -> Option<&reqwest::Error> {
        self.source.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        if let Some(source) = &self.source {
            write!(f, " ({source})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl TransportErrorKind for Error {
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }
}

fn classify(e: &reqwest::Error) -> ErrorKind {
    if e.is_timeout() {
        return ErrorKind::Timeout;
    }
    if chain_has_tls_error(e) {
        return ErrorKind::Tls;
    }
    if e.is_builder() {
        return ErrorKind::InvalidRequest;
    }
    if e.is_redirect() {
        return ErrorKind::Redirected;
    }
    if e.is_connect() {
        return ErrorKind::Connect;
    }
    if e.is_decode() {
        return ErrorKind::Protocol;
    }
    if e.is_request() || e.is_body() {
        return ErrorKind::Disconnected;
    }
    match io_kind(e) {
        Some(io::ErrorKind::ConnectionRefused) => ErrorKind::Connect,
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof,
        ) => ErrorKind::Disconnected,
        _ => ErrorKind::Other,
    }
}

/// Every error in the chain, looking inside `io::Error`s too (whose `source` skips the error
/// they wrap).
fn chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(e);
    while let Some(current) = next {
        out.push(current);
        next = match current
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
        if out.len() > 32 {
            break;
        }
    }
    out
}

fn io_kind(e: &reqwest::Error) -> Option<io::ErrorKind> {
    chain(e)
        .into_iter()
        .find_map(|e| e.downcast_ref::<io::Error>().map(io::Error::kind))
}

#[cfg(feature = "rustls-tls")]
fn chain_has_tls_error(e: &reqwest::Error) -> bool {
    chain(e).into_iter().any(|e| e.is::<rustls::Error>())
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
        let big = Error::body_too_large(1024);
        assert_eq!(big.kind(), ErrorKind::BodyTooLarge);
        assert!(!big.is_retryable());
        assert!(big.to_string().contains("1024 bytes"), "{big}");
        let redirected = Error::redirected(http::StatusCode::OK);
        assert_eq!(redirected.kind(), ErrorKind::Redirected);
        assert!(!TransportErrorKind::is_retryable(&redirected));
        assert!(std::error::Error::source(&redirected).is_none());
    }

    #[test]
    fn io_errors_inside_are_found() {
        let outer = io::Error::other(io::Error::from(io::ErrorKind::ConnectionReset));
        let found: Vec<_> = chain(&outer)
            .into_iter()
            .filter_map(|e| e.downcast_ref::<io::Error>().map(io::Error::kind))
            .collect();
        assert_eq!(
            found,
            [io::ErrorKind::Other, io::ErrorKind::ConnectionReset]
        );
    }
}
