//! The HTTP transport: a ureq agent that never follows redirects, reads error bodies (so
//! Salesforce's 400 JSON is seen) and bounds time and body size.
//!
//! TEMPORARY: replaced by the `sfjwt-ureq` adapter once it lands on main.

use std::fmt;
use std::time::Duration;

use sfjwt_core::response::DEFAULT_MAX_BODY;
use sfjwt_core::transport::{SyncTransport, TransportErrorKind};

/// A blocking transport with a global timeout.
pub(crate) struct Http {
    agent: ureq::Agent,
}

impl Http {
    pub(crate) fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Self { agent }
    }
}

/// A transport failure.
#[derive(Debug)]
pub(crate) struct HttpError(ureq::Error);

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for HttpError {}

impl TransportErrorKind for HttpError {
    fn is_retryable(&self) -> bool {
        matches!(
            self.0,
            ureq::Error::Timeout(_) | ureq::Error::Io(_) | ureq::Error::ConnectionFailed
        )
    }
}

impl SyncTransport for Http {
    type Error = HttpError;

    fn send(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, HttpError> {
        let response = self.agent.run(request).map_err(HttpError)?;
        let (parts, body) = response.into_parts();
        let bytes = body
            .into_with_config()
            .limit(DEFAULT_MAX_BODY as u64 + 1)
            .read_to_vec()
            .map_err(HttpError)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}
