//! [`ReqwestTransport`]: a `reqwest::Client` that sends token requests the way sfjwt needs.
//!
//! reqwest's defaults follow up to 10 redirects (a redirect may resend the assertion to
//! another host) and set no timeout; a body is read whole, whatever its size. The transport
//! turns those off or bounds them, and streams the body chunk by chunk so it can stop at the cap.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sfjwt_core::transport::{AsyncTransport, BodyBuffer, Limits, TransportError};
pub use sfjwt_core::transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
use zeroize::Zeroizing;

use crate::error::{Error, NO_REDIRECTS, from_reqwest, shared};

/// An [`AsyncTransport`] over a [`reqwest::Client`] (tokio). Cheap to clone: clones share the
/// connection pool.
///
/// Every request it sends:
/// - follows no redirect: a 3xx reaches the core as an unexpected status (a given client that
///   does follow one is caught: [`ErrorKind::Redirected`](crate::ErrorKind::Redirected));
/// - has an overall timeout, body included (default [`DEFAULT_TIMEOUT`]), and the client a
///   connect timeout (default [`DEFAULT_CONNECT_TIMEOUT`]);
/// - reads the body chunk by chunk and stops past the limit (default [`DEFAULT_MAX_BODY`](crate::DEFAULT_MAX_BODY),
///   1 MiB) with [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge);
/// - goes around any proxy when it is plain http to a loopback host (an emulator), see
///   [`bypasses_proxy`](sfjwt_core::transport::bypasses_proxy).
///
/// ```
/// use std::time::Duration;
/// use sfjwt_reqwest::ReqwestTransport;
///
/// let transport = ReqwestTransport::builder()
///     .connect_timeout(Duration::from_secs(3))
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(transport.timeout(), Duration::from_secs(10));
/// # Ok::<(), sfjwt_reqwest::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    /// `Err` only when [`Default`] could not build a client: reported by every `send`.
    client: Result<reqwest::Client, Arc<reqwest::Error>>,
    /// For plain http to loopback (an emulator): no proxy ever, no redirects. Built on first
    /// use, shared by clones.
    direct: Arc<OnceLock<Result<reqwest::Client, Arc<reqwest::Error>>>>,
    limits: Limits,
}

impl Default for ReqwestTransport {
    /// sfjwt's safe settings (see [`ReqwestTransportBuilder`]). Never panics: if the client
    /// cannot be built (a TLS backend that fails to initialise, an invalid proxy variable),
    /// every `send` fails with that error, kind
    /// [`InvalidRequest`](crate::ErrorKind::InvalidRequest). Use
    /// [`ReqwestTransport::builder`] to see the failure up front.
    fn default() -> Self {
        match Self::builder().build_client() {
            Ok(transport) => transport,
            Err(e) => Self {
                client: Err(Arc::new(e)),
                direct: Arc::default(),
                limits: Limits::default(),
            },
        }
    }
}

impl From<reqwest::Client> for ReqwestTransport {
    /// Wraps a configured client (its TLS, proxy and pool are kept). Build it with
    /// `redirect(reqwest::redirect::Policy::none())`: a followed redirect is detected and
    /// refused, but only after the client followed it. The overall timeout
    /// ([`DEFAULT_TIMEOUT`], change it with [`with_timeout`](ReqwestTransport::with_timeout))
    /// and the body limit apply per request; the connect timeout is the client's. Plain http
    /// to a loopback host does not use this client but one of sfjwt's own without a proxy, so
    /// a proxy configured on it never sees an emulator's traffic.
    fn from(client: reqwest::Client) -> Self {
        Self {
            client: Ok(client),
            direct: Arc::default(),
            limits: Limits::default(),
        }
    }
}

impl ReqwestTransport {
    /// A transport with sfjwt's safe settings.
    ///
    /// # Errors
    /// [`Error`] of kind [`InvalidRequest`](crate::ErrorKind::InvalidRequest) if reqwest cannot
    /// build the client (TLS backend initialisation, an invalid proxy variable).
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// Starts configuring a transport with sfjwt's safe settings.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }

    /// Replaces the overall timeout of each request (body included).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.limits.timeout = timeout;
        self
    }

    /// Replaces the response body limit.
    #[must_use]
    pub fn with_max_body(mut self, limit: usize) -> Self {
        self.limits.max_body = limit;
        self
    }

    /// The client, unless it could not be built.
    pub fn client(&self) -> Option<&reqwest::Client> {
        self.client.as_ref().ok()
    }

    /// The overall timeout of one request, body included.
    pub fn timeout(&self) -> Duration {
        self.limits.timeout
    }

    /// The response body limit in bytes.
    pub fn max_body(&self) -> usize {
        self.limits.max_body
    }

    async fn send_request(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let client = if sfjwt_core::transport::bypasses_proxy(request.uri()) {
            // Plain http to loopback: a proxy would see the assertion in clear text.
            self.direct_client()
        } else {
            self.client.as_ref()
        }
        .map_err(|e| shared(Arc::clone(e)))?;
        // The form body holds the assertion: handed to reqwest in a buffer that is wiped when
        // reqwest drops it.
        let request = request.map(|body| bytes::Bytes::from_owner(Zeroizing::new(body)));
        let mut request = reqwest::Request::try_from(request).map_err(from_reqwest)?;
        *request.timeout_mut() = Some(self.limits.timeout);
        let sent_to = request.url().clone();
        let mut response = client.execute(request).await.map_err(from_reqwest)?;
        if response.url() != &sent_to {
            return Err(TransportError::redirected(response.status(), NO_REDIRECTS));
        }
        // Refused up front when the announced length is over the limit; then chunk by chunk,
        // so an endless or huge body is cut at the cap, not buffered whole.
        let mut body = BodyBuffer::new(response.content_length(), self.limits.max_body)?;
        let status = response.status();
        let version = response.version();
        let headers = response.headers().clone();
        while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
            body.push(&chunk)?;
        }
        let mut out = http::Response::new(body.into_body());
        *out.status_mut() = status;
        *out.version_mut() = version;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

impl ReqwestTransport {
    fn direct_client(&self) -> Result<&reqwest::Client, &Arc<reqwest::Error>> {
        self.direct
            .get_or_init(|| {
                reqwest::Client::builder()
                    .no_proxy()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.limits.connect_timeout)
                    .timeout(self.limits.timeout)
                    .build()
                    .map_err(Arc::new)
            })
            .as_ref()
    }
}

impl AsyncTransport for ReqwestTransport {
    type Error = Error;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, Self::Error>> + Send {
        self.send_request(request)
    }
}

/// Configures a [`ReqwestTransport`]; see [`ReqwestTransport::builder`].
///
/// Defaults: no redirects, connect timeout 10 s, overall timeout 30 s, body limit 1 MiB, TLS
/// from the enabled feature (`rustls-tls` by default: rustls with aws-lc-rs, verifying with
/// the operating system's trust store through rustls-platform-verifier).
///
/// Proxy: reqwest's environment proxies — `HTTP_PROXY` for http URLs, `HTTPS_PROXY` for https
/// URLs, `ALL_PROXY` for both when the scheme's own is unset (lower-case forms too; all of them
/// ignored when `REQUEST_METHOD` is set, as under CGI), except hosts listed in `NO_PROXY`. The
/// operating system's proxy settings are not read (reqwest's `system-proxy` feature is off).
/// Plain http to loopback never uses a proxy.
#[derive(Debug, Clone)]
pub struct ReqwestTransportBuilder {
    limits: Limits,
    env_proxy: bool,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            env_proxy: true,
        }
    }
}

impl ReqwestTransportBuilder {
    sfjwt_core::limits_setters!();

    /// Connects directly, ignoring proxy environment variables.
    #[must_use]
    pub fn no_proxy(mut self) -> Self {
        self.env_proxy = false;
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    /// [`Error`] of kind [`InvalidRequest`](crate::ErrorKind::InvalidRequest) if reqwest cannot
    /// build the client (TLS backend initialisation, an invalid proxy variable).
    pub fn build(self) -> Result<ReqwestTransport, Error> {
        self.build_client().map_err(from_reqwest)
    }

    fn build_client(self) -> Result<ReqwestTransport, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.limits.connect_timeout)
            .timeout(self.limits.timeout);
        if !self.env_proxy {
            builder = builder.no_proxy();
        }
        Ok(ReqwestTransport {
            client: Ok(builder.build()?),
            direct: Arc::default(),
            limits: self.limits,
        })
    }
}
