//! The transport traits: the only place bytes move.
//!
//! Shaped like oauth2-rs: plain `http::Request<Vec<u8>>` in, `http::Response<Vec<u8>>` out, one
//! method each. A blanket impl makes any matching closure a transport, so a fake server in a
//! test is one line and an exotic HTTP stack needs no adapter crate.
//!
//! Transports must not follow redirects (a redirect would resend the assertion to another
//! host) and should cap the body they read ([`DEFAULT_MAX_BODY`](crate::response::DEFAULT_MAX_BODY));
//! the core double-checks the size.

use std::future::Future;

/// A blocking transport.
///
/// ```
/// use sfjwt_core::transport::SyncTransport;
/// let fake = |_req: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, std::io::Error> {
///     Ok(http::Response::builder().status(500).body(Vec::new()).unwrap())
/// };
/// let response = fake.send(http::Request::new(Vec::new()))?;
/// assert_eq!(response.status(), 500);
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait SyncTransport {
    /// The transport's own error (connection refused, timeout, TLS failure…).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Sends `request` and returns the response, whatever its status.
    ///
    /// # Errors
    /// When no HTTP response was received.
    fn send(&self, request: http::Request<Vec<u8>>)
    -> Result<http::Response<Vec<u8>>, Self::Error>;
}

/// A non-blocking transport. Needs no particular runtime: the future only has to be `Send`.
///
/// ```
/// use sfjwt_core::transport::AsyncTransport;
/// let fake = |_req: http::Request<Vec<u8>>| async {
///     Ok::<_, std::io::Error>(http::Response::new(Vec::new()))
/// };
/// # fn assert_transport<T: AsyncTransport>(_: &T) {}
/// assert_transport(&fake);
/// ```
pub trait AsyncTransport {
    /// The transport's own error (connection refused, timeout, TLS failure…).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Sends `request` and resolves to the response, whatever its status.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, Self::Error>> + Send;
}

impl<F, E> SyncTransport for F
where
    F: Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, E>,
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Self::Error> {
        self(request)
    }
}

impl<F, Fut, E> AsyncTransport for F
where
    F: Fn(http::Request<Vec<u8>>) -> Fut,
    Fut: Future<Output = Result<http::Response<Vec<u8>>, E>> + Send,
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, Self::Error>> + Send {
        self(request)
    }
}

/// Tells the exchange whether a transport error is worth retrying.
///
/// The exchange functions require it of the transport's error type, so adapters decide what is
/// transient: a timeout or a reset connection usually is, a TLS certificate failure or a refused
/// redirect is not. The default method says "retryable", since most transport failures are
/// network hiccups; override it to say otherwise.
///
/// ```
/// use sfjwt_core::transport::TransportErrorKind;
/// #[derive(Debug)]
/// struct MyError { tls: bool }
/// # impl std::fmt::Display for MyError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("x") } }
/// # impl std::error::Error for MyError {}
/// impl TransportErrorKind for MyError {
///     fn is_retryable(&self) -> bool { !self.tls }
/// }
/// assert!(!MyError { tls: true }.is_retryable());
/// ```
pub trait TransportErrorKind {
    /// Whether sending the same request again may succeed.
    fn is_retryable(&self) -> bool {
        true
    }
}

impl TransportErrorKind for std::io::Error {
    fn is_retryable(&self) -> bool {
        use std::io::ErrorKind::{
            AddrNotAvailable, InvalidData, InvalidInput, PermissionDenied, Unsupported,
        };
        // Local misconfiguration does not heal by itself; everything else (timeouts, resets,
        // refused connections during a deploy) may.
        !matches!(
            self.kind(),
            InvalidInput | InvalidData | PermissionDenied | Unsupported | AddrNotAvailable
        )
    }
}

impl TransportErrorKind for std::convert::Infallible {}

impl TransportErrorKind for http::Error {
    fn is_retryable(&self) -> bool {
        false
    }
}
