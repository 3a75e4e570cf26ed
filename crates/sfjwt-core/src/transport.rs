//! The transport traits: the only place bytes move.
//!
//! Shaped like oauth2-rs: plain `http::Request<Vec<u8>>` in, `http::Response<Vec<u8>>` out, one
//! method each. A blanket impl makes any matching closure a transport, so a fake server in a
//! test is one line and an exotic HTTP stack needs no adapter crate.
//!
//! Transports must not follow redirects (a redirect would resend the assertion to another
//! host) and should cap the body they read ([`DEFAULT_MAX_BODY`](crate::response::DEFAULT_MAX_BODY));
//! the core double-checks the size. They must also send a plain-http request to a loopback
//! host directly, never through a proxy ([`bypasses_proxy`]): a proxy would receive the
//! assertion in clear text, and would connect to its own loopback anyway.

use std::future::Future;

mod body;
mod failure;
mod limits;

pub use body::{BodyBuffer, extend_wiping};
pub use failure::{FailureKind, TransportError, TransportErrorKind, sources};
pub use limits::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Limits};

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

/// Whether `uri` must be sent directly, never through a proxy: plain `http://` to a loopback
/// host ([`is_loopback_host`](crate::url::is_loopback_host): `localhost`, `127.0.0.0/8`,
/// `::1`), which is how local emulators and test servers are
/// reached.
///
/// Proxy environment variables (`HTTP_PROXY`, `ALL_PROXY`) apply to every host not listed in
/// `NO_PROXY`, and few people list `127.0.0.1` there. Through a proxy, a plain-http request
/// hands the proxy the whole body — the signed assertion, a bearer credential — and the proxy
/// then connects to *its own* loopback, not this machine's.
///
/// ```
/// use sfjwt_core::transport::bypasses_proxy;
/// assert!(bypasses_proxy(&"http://127.0.0.1:8080/services/oauth2/token".parse()?));
/// assert!(bypasses_proxy(&"http://[::1]:8080/".parse()?));
/// assert!(bypasses_proxy(&"http://LOCALHOST/".parse()?));
/// assert!(!bypasses_proxy(&"https://login.salesforce.com/".parse()?));
/// assert!(!bypasses_proxy(&"http://10.0.0.1/".parse()?));
/// # Ok::<(), http::uri::InvalidUri>(())
/// ```
pub fn bypasses_proxy(uri: &http::Uri) -> bool {
    let plain_http = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("http"));
    plain_http && uri.host().is_some_and(crate::url::is_loopback_host)
}
