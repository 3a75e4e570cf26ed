//! What went wrong when no usable response arrived: [`FailureKind`], the one classification of
//! transport failures (and the one `io::ErrorKind` table), [`TransportError`], the error the
//! adapters return, and [`TransportErrorKind`], which tells the exchange what to retry.
//!
//! Errors here follow the crate's error convention
//! ([`manual::errors`](crate::manual::errors)): a message says its own sentence, the cause is
//! the [`source`](std::error::Error::source).

use core::fmt;
use std::sync::Arc;

/// What kind of transport failure stopped a request before a usable response arrived: the
/// one classification every adapter maps its own error type to, and what decides whether the
/// exchange retries ([`is_retryable`](Self::is_retryable)).
///
/// ```
/// use sfjwt_core::transport::FailureKind;
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// assert_eq!(FailureKind::from_io(&refused), FailureKind::Connect);
/// assert!(FailureKind::Connect.is_retryable());
/// assert!(!FailureKind::Tls.is_retryable());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// No connection could be made: DNS failure, connection refused, host or network
    /// unreachable, or the proxy refused the tunnel. Usually a typo in the endpoint, no
    /// network, or a firewall; during a deploy it heals by itself. Retryable.
    Connect,
    /// The connection was lost mid-exchange (reset, closed early, broken pipe). Usually a load
    /// balancer or proxy dropping it. Retryable.
    Disconnected,
    /// A configured timeout fired (connect or overall, body included). The endpoint or the
    /// network is slow or stalled. Retryable.
    Timeout,
    /// The TLS handshake failed: an untrusted certificate (a TLS-inspecting proxy whose root
    /// is only in the OS store), a wrong host name, or no common protocol. Not retryable.
    Tls,
    /// The response body is larger than the limit ([`DEFAULT_MAX_BODY`](crate::response::DEFAULT_MAX_BODY),
    /// 1 MiB; a token response is about 1 KiB): not a Salesforce token endpoint, or a broken
    /// proxy. Reading stopped at the limit. Not retryable.
    BodyTooLarge,
    /// The server's answer is not valid HTTP (or its headers are too large, or it could not be
    /// decoded). Usually not the endpoint you meant. Not retryable.
    Protocol,
    /// The HTTP client followed a redirect, which may resend the assertion to another host;
    /// the response was discarded. A client given to an adapter must follow none. Not
    /// retryable.
    Redirected,
    /// The request or the client could not be built as configured: a bad URI, an invalid
    /// proxy setting (`HTTPS_PROXY`), a TLS backend that failed to initialise, a permission
    /// the process lacks. Configuration: not retryable.
    InvalidRequest,
    /// Anything else the transport reported. Retryable, as most transport failures are
    /// transient.
    Other,
}

impl FailureKind {
    /// Whether sending the same request again may succeed: connect failures, lost
    /// connections, timeouts and unclassified failures; never TLS, size, protocol, redirect
    /// or configuration failures.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Connect | Self::Disconnected | Self::Timeout | Self::Other
        )
    }

    /// What this kind of failure means, as an adapter's error message says it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Connect => "could not connect to the token endpoint",
            Self::Disconnected => "the connection was lost before the response was complete",
            Self::Timeout => "the token endpoint did not answer in time",
            Self::Tls => "the TLS handshake failed",
            Self::BodyTooLarge => "the response body exceeds the size limit",
            Self::Protocol => "the server's answer is not valid HTTP",
            Self::Redirected => "the HTTP client followed a redirect",
            Self::InvalidRequest => "the HTTP client or request could not be built",
            Self::Other => "the HTTP request failed",
        }
    }

    /// Classifies an I/O error by its [`kind`](std::io::Error::kind): the one table of
    /// `io::ErrorKind`s for every transport.
    pub fn from_io(error: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match error.kind() {
            // A refused connection heals when the deploy ends; an unavailable local address
            // when ephemeral ports free up.
            K::ConnectionRefused
            | K::HostUnreachable
            | K::NetworkUnreachable
            | K::NetworkDown
            | K::AddrNotAvailable => Self::Connect,
            K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::UnexpectedEof
            | K::NotConnected => Self::Disconnected,
            K::TimedOut | K::WouldBlock => Self::Timeout,
            K::InvalidData => Self::Protocol,
            // Local misconfiguration does not heal by itself.
            K::InvalidInput | K::PermissionDenied | K::Unsupported => Self::InvalidRequest,
            _ => Self::Other,
        }
    }

    /// Classifies an error by its causes: the first I/O error in the chain that says more
    /// than [`Other`](Self::Other) (looking inside `io::Error`s, whose `source` skips the
    /// error they wrap), or an [`http::Error`] (a request that could not be built).
    ///
    /// ```
    /// use sfjwt_core::transport::FailureKind;
    /// let wrapped = std::io::Error::other(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
    /// assert_eq!(FailureKind::from_chain(&wrapped), FailureKind::Disconnected);
    /// ```
    pub fn from_chain(error: &(dyn std::error::Error + 'static)) -> Self {
        sources(error)
            .find_map(|e| {
                if let Some(io) = e.downcast_ref::<std::io::Error>() {
                    Some(Self::from_io(io)).filter(|k| *k != Self::Other)
                } else if e.is::<http::Error>() {
                    Some(Self::InvalidRequest)
                } else {
                    None
                }
            })
            .unwrap_or(Self::Other)
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// `error` and its causes, outermost first, looking inside `io::Error`s too (whose `source`
/// skips the error they wrap, so a TLS error inside an `io::Error` would be missed). Stops
/// after 32 links, in case of a cycle.
///
/// ```
/// use sfjwt_core::transport::sources;
/// let outer = std::io::Error::other(std::fmt::Error);
/// assert!(sources(&outer).any(|e| e.is::<std::fmt::Error>()));
/// ```
pub fn sources<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |current| {
        match current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        }
    })
    .take(32)
}

/// A transport failure: no complete, acceptable HTTP response arrived. The error type of the
/// adapters' transports (`sfjwt_ureq::Error`, `sfjwt_reqwest::Error`), which only decide the
/// [`FailureKind`] of their HTTP client's error.
///
/// The message is the kind's own sentence (plus the limit or status it concerns); the HTTP
/// client's error, when there is one, is the [`source`](std::error::Error::source). Messages
/// never contain the request body (the signed assertion) or a token.
///
/// `Clone` (the source is shared), so a single-flight grant can hand it to every waiter.
///
/// ```
/// use sfjwt_core::transport::{FailureKind, TransportError, TransportErrorKind};
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// let e = TransportError::new(FailureKind::from_io(&refused), refused);
/// assert_eq!(e.kind(), FailureKind::Connect);
/// assert!(e.is_retryable());
/// assert_eq!(e.to_string(), "could not connect to the token endpoint");
/// assert!(std::error::Error::source(&e).is_some());
/// ```
#[derive(Debug, Clone)]
pub struct TransportError {
    kind: FailureKind,
    detail: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// A failure of `kind`, caused by the HTTP client's error `source`.
    pub fn new(kind: FailureKind, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::shared(kind, Arc::new(source))
    }

    /// The same as [`new`](Self::new), for a source already shared (a client that could not
    /// be built, reported by every request).
    pub fn shared(
        kind: FailureKind,
        source: Arc<dyn std::error::Error + Send + Sync + 'static>,
    ) -> Self {
        Self {
            kind,
            detail: None,
            source: Some(source),
        }
    }

    /// The response body was larger than `limit` bytes; reading stopped there.
    pub fn body_too_large(limit: usize) -> Self {
        Self {
            kind: FailureKind::BodyTooLarge,
            detail: Some(format!("of {limit} bytes")),
            source: None,
        }
    }

    /// The HTTP client followed a redirect that ended with `status`; `advice` says how to
    /// build that client so it follows none.
    pub fn redirected(status: http::StatusCode, advice: &str) -> Self {
        Self {
            kind: FailureKind::Redirected,
            detail: Some(format!("(final status {}): {advice}", status.as_u16())),
            source: None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> FailureKind {
        self.kind
    }

    /// Whether sending the same request again may succeed ([`FailureKind::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        match &self.detail {
            Some(detail) => write!(f, " {detail}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl TransportErrorKind for TransportError {
    fn failure_kind(&self) -> FailureKind {
        self.kind
    }
}

/// Tells the exchange what kind of failure a transport error is, and so whether it is worth
/// retrying.
///
/// The exchange functions require it of the transport's error type, so adapters decide what is
/// transient: a timeout or a reset connection usually is, a TLS certificate failure or a refused
/// redirect is not. The default says [`FailureKind::Other`] (retryable), since most transport
/// failures are network hiccups; override [`failure_kind`](Self::failure_kind) to say more.
///
/// ```
/// use sfjwt_core::transport::{FailureKind, TransportErrorKind};
/// #[derive(Debug)]
/// struct MyError { tls: bool }
/// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("x") } }
/// # impl std::error::Error for MyError {}
/// impl TransportErrorKind for MyError {
///     fn failure_kind(&self) -> FailureKind {
///         if self.tls { FailureKind::Tls } else { FailureKind::Other }
///     }
/// }
/// assert!(!MyError { tls: true }.is_retryable());
/// ```
pub trait TransportErrorKind {
    /// What kind of failure this is.
    fn failure_kind(&self) -> FailureKind {
        FailureKind::Other
    }

    /// Whether sending the same request again may succeed; by default what
    /// [`failure_kind`](Self::failure_kind) says.
    fn is_retryable(&self) -> bool {
        self.failure_kind().is_retryable()
    }
}

impl TransportErrorKind for std::io::Error {
    fn failure_kind(&self) -> FailureKind {
        FailureKind::from_chain(self)
    }
}

impl TransportErrorKind for std::convert::Infallible {}

impl TransportErrorKind for http::Error {
    fn failure_kind(&self) -> FailureKind {
        FailureKind::InvalidRequest
    }
}
