//! [`UreqTransport`]: a `ureq::Agent` that sends token requests the way sfjwt needs.
//!
//! ureq's defaults suit browsing, not a credential exchange: it turns 4xx/5xx into errors that
//! drop the body (Salesforce's 400 JSON carries the reason), follows redirects (which would
//! resend the assertion elsewhere) and has no timeouts. This module overrides those *per
//! request*, so they hold even for an agent the caller configured.

use std::time::Duration;

use std::io::Read as _;

use sfjwt_core::transport::{BodyBuffer, FailureKind, Limits, SyncTransport, TransportError};
pub use sfjwt_core::transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
use ureq::Agent;
use zeroize::Zeroizing;

use crate::error::{Error, from_ureq};

/// A blocking [`SyncTransport`] over a [`ureq::Agent`].
///
/// Every request it sends:
/// - reads non-2xx bodies instead of turning them into status errors (`http_status_as_error`
///   off), so Salesforce's `{"error":…}` reaches the core;
/// - follows no redirect (`max_redirects(0)`): a 3xx reaches the core as an unexpected status;
/// - has a connect timeout (default [`DEFAULT_CONNECT_TIMEOUT`]) and an overall timeout
///   (default [`DEFAULT_TIMEOUT`]);
/// - stops reading the body at the limit (default [`DEFAULT_MAX_BODY`](crate::DEFAULT_MAX_BODY), 1 MiB) and fails with
///   [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge);
/// - goes around any proxy when it is plain http to a loopback host (an emulator), see
///   [`bypasses_proxy`](sfjwt_core::transport::bypasses_proxy).
///
/// These are applied per request, so they also hold for an agent given with
/// [`From<ureq::Agent>`], which keeps that agent's TLS, proxy and connection pool.
///
/// ```
/// use std::time::Duration;
/// use sfjwt_ureq::UreqTransport;
///
/// let default = UreqTransport::default();
/// assert_eq!(default.timeout(), Duration::from_secs(30));
///
/// let quick = UreqTransport::builder()
///     .connect_timeout(Duration::from_secs(3))
///     .timeout(Duration::from_secs(10))
///     .build();
/// assert_eq!(quick.connect_timeout(), Duration::from_secs(3));
/// ```
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
    limits: Limits,
}

impl Default for UreqTransport {
    /// sfjwt's safe settings: see [`UreqTransportBuilder`].
    fn default() -> Self {
        Self::builder().build()
    }
}

impl From<Agent> for UreqTransport {
    /// Wraps a configured agent. Its TLS, proxy, resolver and pool settings are kept; sfjwt's
    /// per-request rules still apply: status bodies are read, redirects are not followed, the
    /// default connect and overall timeouts and the 1 MiB body limit hold (change them with
    /// [`with_timeouts`](UreqTransport::with_timeouts) and
    /// [`with_max_body`](UreqTransport::with_max_body)).
    fn from(agent: Agent) -> Self {
        Self {
            agent,
            limits: Limits::default(),
        }
    }
}

impl UreqTransport {
    /// The same as [`UreqTransport::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts configuring a transport with sfjwt's safe settings.
    pub fn builder() -> UreqTransportBuilder {
        UreqTransportBuilder::default()
    }

    /// Replaces the connect and overall timeouts.
    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, overall: Duration) -> Self {
        self.limits.connect_timeout = connect;
        self.limits.timeout = overall;
        self
    }

    /// Replaces the response body limit.
    #[must_use]
    pub fn with_max_body(mut self, limit: usize) -> Self {
        self.limits.max_body = limit;
        self
    }

    /// The agent.
    pub fn agent(&self) -> &Agent {
        &self.agent
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.limits.connect_timeout
    }

    /// The overall timeout of one request, body included.
    pub fn timeout(&self) -> Duration {
        self.limits.timeout
    }

    /// The response body limit in bytes.
    pub fn max_body(&self) -> usize {
        self.limits.max_body
    }

    fn run<S: ureq::AsSendBody>(
        &self,
        request: http::Request<S>,
    ) -> Result<http::Response<ureq::Body>, Error> {
        let direct = sfjwt_core::transport::bypasses_proxy(request.uri());
        let mut config = self
            .agent
            .configure_request(request)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(self.limits.connect_timeout))
            .timeout_global(Some(self.limits.timeout));
        if direct {
            // Plain http to loopback: a proxy would see the assertion in clear text.
            config = config.proxy(None);
        }
        let request = config.build();
        self.agent.run(request).map_err(from_ureq)
    }
}

impl SyncTransport for UreqTransport {
    type Error = Error;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Self::Error> {
        let (parts, body) = request.into_parts();
        // The form body holds the assertion: ureq gets a borrowed slice, and our buffer is
        // wiped when this function returns.
        let body = Zeroizing::new(body);
        // ureq sends a body (and `Content-Length: 0`) for any non-unit body; a GET to an API
        // resource should go without one.
        let response = if body.is_empty() && parts.method != http::Method::POST {
            self.run(http::Request::from_parts(parts, ()))?
        } else {
            self.run(http::Request::from_parts(parts, body.as_slice()))?
        };
        let (parts, body) = response.into_parts();
        let bytes = self.read_body(body, parts.headers.get(http::header::CONTENT_LENGTH))?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

impl UreqTransport {
    /// Reads the body (it holds the access token) into a [`BodyBuffer`], so no copy is left
    /// in freed memory; the core wipes the returned body once parsed.
    fn read_body(
        &self,
        body: ureq::Body,
        content_length: Option<&http::HeaderValue>,
    ) -> Result<Vec<u8>, Error> {
        let announced = content_length
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let max_body = self.limits.max_body;
        let mut bytes = BodyBuffer::new(announced, max_body)?;
        // `limit` makes ureq stop at the cap (one probe byte past it), never buffering more.
        let limit = u64::try_from(max_body).unwrap_or(u64::MAX);
        let mut reader = body.into_with_config().limit(limit).reader();
        let mut chunk = Zeroizing::new([0u8; 8192]);
        loop {
            match reader.read(chunk.as_mut_slice()) {
                Ok(0) => break,
                Ok(n) => bytes.push(chunk.get(..n).unwrap_or_default())?,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(body_error(e, max_body)),
            }
        }
        Ok(bytes.into_body())
    }
}

/// ureq reports its errors through `io::Error` when read as a stream; `From` unwraps them.
fn body_error(e: std::io::Error, max_body: usize) -> Error {
    let e = from_ureq(ureq::Error::from(e));
    if e.kind() == FailureKind::BodyTooLarge {
        TransportError::body_too_large(max_body)
    } else {
        e
    }
}

/// Configures a [`UreqTransport`]; see [`UreqTransport::builder`].
///
/// Defaults: connect timeout 10 s, overall timeout 30 s, body limit 1 MiB, rustls with the
/// Mozilla roots (webpki-roots), or the OS trust store with the `platform-verifier` feature.
///
/// Proxy: ureq's [`Proxy::try_from_env`](ureq::Proxy::try_from_env), the first one set of
/// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (or their lower-case forms), used for every
/// scheme, except hosts listed in `NO_PROXY`; plain http to loopback never uses it.
#[derive(Debug, Clone)]
pub struct UreqTransportBuilder {
    limits: Limits,
    proxy: Option<ureq::Proxy>,
}

impl Default for UreqTransportBuilder {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            proxy: ureq::Proxy::try_from_env(),
        }
    }
}

impl UreqTransportBuilder {
    sfjwt_core::limits_setters!();

    /// Uses this proxy instead of the one from the environment.
    #[must_use]
    pub fn proxy(mut self, proxy: ureq::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Connects directly, ignoring proxy environment variables.
    #[must_use]
    pub fn no_proxy(mut self) -> Self {
        self.proxy = None;
        self
    }

    /// Builds the transport. Infallible: ureq reports configuration problems (an unusable
    /// proxy URL, a TLS setup failure) on the first request, as an [`Error`].
    pub fn build(self) -> UreqTransport {
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(self.limits.connect_timeout))
            .timeout_global(Some(self.limits.timeout))
            .proxy(self.proxy);
        // Without a TLS feature only plain http (loopback emulators) can work; https requests
        // fail with an error naming the missing TLS support.
        #[cfg(feature = "rustls")]
        let config = config.tls_config(tls_config());
        let agent = config.build().new_agent();
        UreqTransport {
            agent,
            limits: self.limits,
        }
    }
}

#[cfg(feature = "platform-verifier")]
fn tls_config() -> ureq::tls::TlsConfig {
    ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build()
}

#[cfg(all(feature = "rustls", not(feature = "platform-verifier")))]
fn tls_config() -> ureq::tls::TlsConfig {
    ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::WebPki)
        .build()
}
