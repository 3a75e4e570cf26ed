//! [`ManagerError`]: why the token manager could not hand out a token. Transparent around an
//! exchange or store failure, its own whole sentence otherwise ([error convention](crate::manual::errors#error-convention)).

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use crate::exchange::ExchangeError;
use crate::response::TokenResponse;
use crate::store::StoreError;

/// What a grant ends with, and what its waiters get.
pub(crate) type Outcome = Result<Arc<TokenResponse>, ManagerError>;

/// Why the token manager could not hand out a token.
///
/// [`Exchange`](Self::Exchange) and [`Store`](Self::Store) are transparent: the message and the
/// [`source`](std::error::Error::source) are the inner error's
/// ([`manual::errors`](crate::manual::errors)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ManagerError {
    /// The grant failed (after any retries); the same error reaches every waiter.
    Exchange(ExchangeError),
    /// The token store failed.
    Store(StoreError),
    /// The caller doing the grant stopped before finishing (its future was dropped or its
    /// transport panicked). The next call tries again.
    GrantAbandoned,
    /// No new token is requested: Salesforce refused `refusals` tokens in a row within
    /// `window` of their grant (401 `INVALID_SESSION_ID`), so a new login will not help.
    /// Likely causes: the org locks sessions to the IP address they were granted from while
    /// this fleet's requests leave through several egress IPs, or the session is not valid
    /// for the REST API (the app's OAuth scopes lack `api`, the profile lacks "API
    /// Enabled"). Fix the org (Session Settings, the app's IP relaxation and scopes) or send
    /// all calls through one egress IP, then call the manager's `reset_refusals`; otherwise
    /// one trial grant is allowed after `retry_in`. See [`manual::regrant`](crate::manual::regrant).
    #[non_exhaustive]
    RegrantBlocked {
        /// How many tokens in a row were refused soon after their grant.
        refusals: u32,
        /// The policy's window.
        window: Duration,
        /// How long until the next trial grant is allowed.
        retry_in: Duration,
    },
}

impl ManagerError {
    /// The HTTP status of the token endpoint's answer, if one arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Exchange(e) => e.status(),
            _ => None,
        }
    }

    /// Whether calling again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Exchange(e) => e.is_retryable(),
            Self::Store(_) | Self::GrantAbandoned => true,
            // Calling again re-sends the same refused session: a fix is needed.
            Self::RegrantBlocked { .. } => false,
        }
    }
}

impl fmt::Display for ManagerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exchange(e) => e.fmt(f),
            Self::Store(e) => e.fmt(f),
            Self::GrantAbandoned => {
                f.write_str("the token grant this call was waiting for was abandoned; try again")
            }
            Self::RegrantBlocked {
                refusals,
                window,
                retry_in,
            } => write!(
                f,
                "Salesforce refused {refusals} tokens in a row within {} s of their grant \
                 (401 INVALID_SESSION_ID), so no new token is requested for {} s: a new login \
                 will not fix this. Likely causes: the org locks sessions to the IP address \
                 they were granted from while requests leave through several egress IPs \
                 (Session Settings, the app's IP relaxation), or the session is not valid for \
                 the REST API (the app's OAuth scopes lack `api`, the profile lacks \"API \
                 Enabled\"). Fix the org or use one egress IP, then call `reset_refusals`",
                window.as_secs(),
                retry_in.as_millis().div_ceil(1000)
            ),
        }
    }
}

impl std::error::Error for ManagerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Transparent: the inner error is the message, so its cause is the next link.
            Self::Exchange(e) => e.source(),
            Self::Store(e) => e.source(),
            Self::GrantAbandoned | Self::RegrantBlocked { .. } => None,
        }
    }
}

impl From<ExchangeError> for ManagerError {
    fn from(e: ExchangeError) -> Self {
        Self::Exchange(e)
    }
}

impl From<StoreError> for ManagerError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}
