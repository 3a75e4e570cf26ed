use core::fmt;

use http::StatusCode;

use super::store::StoreError;
use crate::exchange::ExchangeError;

/// Why the token manager could not hand out a token.
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
        }
    }
}

impl std::error::Error for ManagerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Exchange(e) => Some(e),
            Self::Store(e) => Some(e),
            Self::GrantAbandoned => None,
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
