//! [`ExchangeError`]: why a token exchange failed. Its own words plus the cause as `source()`,
//! or transparent for a refusal or a bad response ([error convention](crate::manual::errors#error-convention)).

use core::fmt;
use std::sync::Arc;

use http::StatusCode;

use crate::claims::ClaimsError;
use crate::jws::SignError;
use crate::response::{OAuthError, ResponseError};

/// Why a token exchange failed: the assertion could not be made, the transport failed, or the
/// endpoint's answer was not a token.
///
/// The message is this layer's own sentence and the cause is the
/// [`source`](std::error::Error::source) (an OAuth refusal or a bad response is the whole
/// sentence itself): print the chain, as `{:#}` of an `anyhow::Error` does, to see every fact
/// once ([`manual::errors`](crate::manual::errors)). Text a server chose is sanitised where
/// sfjwt puts it in a message; deeper in a transport failure's chain is the HTTP client's own
/// text, which a printer showing it to a person should pass through
/// [`sanitize`](crate::response::sanitize), as the `sfjwt` CLI does.
///
/// `Clone`, so a single-flight grant can hand the same failure to every waiter.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The claims were refused before signing (a missing client id, a bad audience…).
    /// Configuration: fix it, do not retry.
    Claims(ClaimsError),
    /// The signer failed (an unreachable HSM/KMS, a refused key, a failed RNG). Retryable
    /// only when the signer said so ([`SignError::is_retryable`]: a throttled KMS).
    Sign(Arc<SignError>),
    /// The request could not be built. Cannot happen with a parsed
    /// [`TokenEndpoint`](crate::endpoint::TokenEndpoint); kept so no path panics.
    Request(Arc<http::Error>),
    /// The transport failed before an HTTP response arrived (DNS, connect, TLS, timeout).
    Transport {
        /// The transport's own error.
        source: Arc<dyn std::error::Error + Send + Sync + 'static>,
        /// What the transport said about retrying
        /// ([`TransportErrorKind`](crate::transport::TransportErrorKind)).
        retryable: bool,
    },
    /// Salesforce refused with an OAuth error; see its [`hint`](OAuthError::hint).
    OAuth(OAuthError),
    /// The response was neither a token nor an OAuth error.
    Response(ResponseError),
}

impl ExchangeError {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::OAuth(e) => Some(e.status()),
            Self::Response(e) => Some(e.status()),
            _ => None,
        }
    }

    /// Whether trying again within the call may succeed: retryable transport errors, 5xx and
    /// 429, and signer failures the signer marked transient (a vault that did not answer).
    /// Never for configuration, `invalid_grant`, `invalid_client_id`, or the login rate limit
    /// (`login rate exceeded`), whose window is a rolling hour
    /// ([`manual::errors`](crate::manual::errors)).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { retryable, .. } => *retryable,
            Self::OAuth(e) => e.is_retryable(),
            Self::Response(e) => e.is_retryable(),
            Self::Sign(e) => e.is_retryable(),
            Self::Claims(_) | Self::Request(_) => false,
        }
    }

    /// The OAuth error, if Salesforce sent one.
    pub fn oauth(&self) -> Option<&OAuthError> {
        match self {
            Self::OAuth(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // This layer's own words; the cause is the `source`. A refusal or a bad response is
        // already the whole sentence, so those are transparent.
        match self {
            Self::Claims(_) => f.write_str("cannot build the assertion"),
            Self::Sign(_) => f.write_str("cannot sign the assertion"),
            Self::Request(_) => f.write_str("cannot build the token request"),
            Self::Transport { .. } => f.write_str("the token request did not get a response"),
            Self::OAuth(e) => e.fmt(f),
            Self::Response(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ExchangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Claims(e) => Some(e),
            Self::Sign(e) => Some(&**e),
            Self::Request(e) => Some(&**e),
            Self::Transport { source, .. } => Some(&**source),
            Self::OAuth(e) => e.source(),
            Self::Response(e) => e.source(),
        }
    }
}

impl From<ClaimsError> for ExchangeError {
    fn from(e: ClaimsError) -> Self {
        Self::Claims(e)
    }
}

impl From<SignError> for ExchangeError {
    fn from(e: SignError) -> Self {
        Self::Sign(Arc::new(e))
    }
}
