//! [`MiddlewareError`]: why a middleware could not send a request.

use core::fmt;

use crate::manager::ManagerError;

/// Why the middleware (`SalesforceAuth` of `sfjwt-reqwest` or `sfjwt-ureq`) could not send a
/// request. It reaches the caller inside the HTTP client's error; each adapter's
/// `middleware_error` finds it there.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum MiddlewareError {
    /// No token: the grant failed, or the manager refuses to grant again
    /// ([`ManagerError::RegrantBlocked`] after tokens were refused right after their grant:
    /// sessions locked to another IP, sessions not valid for the REST API). Transparent: the
    /// message and source are the manager's.
    Token(ManagerError),
    /// The token's `instance_url` (or `api_instance_url`) is not an absolute URL, so the
    /// middleware cannot tell which host the token belongs to; it sends nothing. A token
    /// endpoint that is not Salesforce (a misconfigured proxy or emulator) is the likely
    /// cause.
    InstanceUrl {
        /// The URL as the token response gave it (not a secret).
        url: String,
    },
    /// The access token has characters an HTTP header cannot carry, so it is not sent. The
    /// token endpoint is not Salesforce's (a misconfigured proxy or emulator). The message
    /// does not quote the token.
    MalformedToken,
}

impl MiddlewareError {
    /// The manager's error, for matching on [`ManagerError::RegrantBlocked`].
    pub fn manager_error(&self) -> Option<&ManagerError> {
        match self {
            Self::Token(e) => Some(e),
            Self::InstanceUrl { .. } | Self::MalformedToken => None,
        }
    }
}

impl fmt::Display for MiddlewareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(e) => e.fmt(f),
            Self::InstanceUrl { url } => write!(
                f,
                "the token's instance URL {url:?} is not an absolute URL, so no request is sent \
                 with it: check that the token endpoint is Salesforce's"
            ),
            Self::MalformedToken => f.write_str(
                "the access token has characters an HTTP header cannot carry, so it is not \
                 sent: check that the token endpoint is Salesforce's",
            ),
        }
    }
}

impl std::error::Error for MiddlewareError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Transparent: the manager's message is ours, its cause is the next link.
            Self::Token(e) => e.source(),
            Self::InstanceUrl { .. } | Self::MalformedToken => None,
        }
    }
}

impl From<ManagerError> for MiddlewareError {
    fn from(e: ManagerError) -> Self {
        Self::Token(e)
    }
}
