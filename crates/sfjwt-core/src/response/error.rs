//! [`ResponseError`]: an answer that is neither a token nor an OAuth error. Each message
//! holds the whole fact (server text sanitised) and `source()` is `None`
//! ([error convention](crate::manual::errors#error-convention)).

use core::fmt;

use http::StatusCode;

/// The token endpoint answered with something that is neither a token nor an OAuth error.
///
/// Every variant carries the HTTP status; those with a body quote a short excerpt that has been
/// redacted (no access token, no assertion) and cut to about 200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// The body is empty. Usually a proxy or load balancer answering instead of Salesforce, or
    /// a transport that dropped the body of an error status (ureq does unless told otherwise).
    Empty {
        /// HTTP status.
        status: StatusCode,
    },
    /// An HTML page: a login page (wrong endpoint URL, e.g. a Lightning or Visualforce host),
    /// a maintenance page, or a corporate proxy's block page.
    Html {
        /// HTTP status.
        status: StatusCode,
        /// Sanitised excerpt of the page.
        excerpt: String,
    },
    /// A content type that is neither JSON nor HTML, with a body that is not JSON: usually not
    /// the Salesforce token endpoint.
    UnexpectedContentType {
        /// HTTP status.
        status: StatusCode,
        /// The `Content-Type` header.
        content_type: String,
        /// Sanitised excerpt of the body.
        excerpt: String,
    },
    /// The JSON ends early: a connection cut mid-body, or a transport that truncated it.
    TruncatedJson {
        /// HTTP status.
        status: StatusCode,
        /// Sanitised excerpt of the body.
        excerpt: String,
    },
    /// The body is not valid JSON.
    InvalidJson {
        /// HTTP status.
        status: StatusCode,
        /// What the JSON parser reported (line and column, never content).
        reason: String,
        /// Sanitised excerpt of the body.
        excerpt: String,
    },
    /// Valid JSON of the wrong shape: a field with the wrong type, or not an object at all.
    WrongShape {
        /// HTTP status.
        status: StatusCode,
        /// The JSON path of the bad value, e.g. `$.instance_url`.
        path: String,
        /// What was expected there.
        expected: &'static str,
        /// Sanitised excerpt of the body.
        excerpt: String,
    },
    /// A 200 whose JSON has no `access_token`: not the token endpoint, or a proxy rewriting the
    /// response.
    MissingAccessToken {
        /// HTTP status.
        status: StatusCode,
        /// Sanitised excerpt of the body.
        excerpt: String,
    },
    /// `instance_url` is not an https URL (http is accepted only on loopback hosts). Using it
    /// would send the access token in clear text or to a bogus host.
    InsecureInstanceUrl {
        /// HTTP status.
        status: StatusCode,
        /// The value received (a URL, not a secret), passed through
        /// [`sanitize`](super::sanitize): at most a few hundred characters, no control
        /// characters.
        instance_url: String,
    },
    /// The body is larger than the limit (default 1 MiB); a token response is about 1 KiB.
    TooLarge {
        /// HTTP status.
        status: StatusCode,
        /// The size received, in bytes.
        len: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A non-200 status with JSON that is not an OAuth error (e.g. a redirect, which
    /// transports must not follow, or an API error format).
    UnexpectedStatus {
        /// HTTP status.
        status: StatusCode,
        /// Sanitised excerpt of the body.
        excerpt: String,
    },
}

impl ResponseError {
    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Empty { status }
            | Self::Html { status, .. }
            | Self::UnexpectedContentType { status, .. }
            | Self::TruncatedJson { status, .. }
            | Self::InvalidJson { status, .. }
            | Self::WrongShape { status, .. }
            | Self::MissingAccessToken { status, .. }
            | Self::InsecureInstanceUrl { status, .. }
            | Self::TooLarge { status, .. }
            | Self::UnexpectedStatus { status, .. } => *status,
        }
    }

    /// Whether trying again may succeed: a 5xx or 429 (a maintenance page, an overloaded
    /// proxy) or a truncated body. A wrong shape on a 200 will not heal by itself.
    pub fn is_retryable(&self) -> bool {
        let status = self.status();
        status.is_server_error()
            || status == StatusCode::TOO_MANY_REQUESTS
            || matches!(self, Self::TruncatedJson { .. })
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status().as_u16();
        write!(f, "unexpected token endpoint response (HTTP {status}): ")?;
        match self {
            Self::Empty { .. } => f.write_str(
                "empty body; a proxy may have answered, or the HTTP client dropped the error body",
            ),
            Self::Html { excerpt, .. } => write!(
                f,
                "an HTML page instead of JSON; check that the endpoint is a login host or My Domain (not a Lightning or instance URL) and that no proxy intercepts it: {excerpt:?}"
            ),
            Self::UnexpectedContentType {
                content_type,
                excerpt,
                ..
            } => write!(
                f,
                "content type {content_type:?} instead of application/json: {excerpt:?}"
            ),
            Self::TruncatedJson { excerpt, .. } => {
                write!(f, "the JSON body ends early (cut connection?): {excerpt:?}")
            }
            Self::InvalidJson {
                reason, excerpt, ..
            } => write!(f, "invalid JSON ({reason}): {excerpt:?}"),
            Self::WrongShape {
                path,
                expected,
                excerpt,
                ..
            } => write!(f, "{path} should be {expected}: {excerpt:?}"),
            Self::MissingAccessToken { excerpt, .. } => {
                write!(f, "no access_token in the JSON: {excerpt:?}")
            }
            Self::InsecureInstanceUrl { instance_url, .. } => write!(
                f,
                "instance_url {instance_url:?} is not https; refusing to send the token there"
            ),
            Self::TooLarge { len, limit, .. } => write!(
                f,
                "body of {len} bytes exceeds the {limit}-byte limit; a token response is about 1 KiB"
            ),
            Self::UnexpectedStatus { excerpt, .. } => {
                write!(f, "not a token and not an OAuth error: {excerpt:?}")
            }
        }
    }
}

impl std::error::Error for ResponseError {}
