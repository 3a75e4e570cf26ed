//! The bounds every adapter's transport puts on a request, with their defaults, written once.

use std::time::Duration;

use crate::response::DEFAULT_MAX_BODY;

/// The default connect timeout of the adapters' transports: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default overall timeout of one request, response body included: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a transport waits and how much it reads: a connect timeout, an overall timeout
/// (body included) and the response body limit. Defaults: [`DEFAULT_CONNECT_TIMEOUT`],
/// [`DEFAULT_TIMEOUT`], [`DEFAULT_MAX_BODY`].
///
/// ```
/// use sfjwt_core::transport::Limits;
/// let limits = Limits::default();
/// assert_eq!(limits.timeout.as_secs(), 30);
/// assert_eq!(limits.max_body, 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How long connecting (DNS, TCP, proxy, TLS) may take.
    pub connect_timeout: Duration,
    /// How long one request may take in total, reading the body included.
    pub timeout: Duration,
    /// The response body limit in bytes.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// The three [`Limits`] setters of an adapter's transport builder (a type with a field
/// `limits: Limits`), so every adapter offers the same ones, written once.
#[doc(hidden)]
#[macro_export]
macro_rules! limits_setters {
    () => {
        /// How long connecting (DNS, TCP, proxy, TLS) may take. Default 10 s.
        #[must_use]
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.limits.connect_timeout = timeout;
            self
        }

        /// How long one request may take in total, reading the body included. Default 30 s.
        #[must_use]
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.limits.timeout = timeout;
            self
        }

        /// The response body limit in bytes. Default
        /// [`DEFAULT_MAX_BODY`](::sfjwt_core::response::DEFAULT_MAX_BODY) (1 MiB).
        #[must_use]
        pub fn max_body(mut self, limit: usize) -> Self {
            self.limits.max_body = limit;
            self
        }
    };
}
