use core::fmt;

use super::sanitize;

/// The failure a Salesforce OAuth error names, classified from `error` and
/// `error_description` (one variant per row of the `DESIGN.md` §1 table).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_grant` / `user hasn't approved this consumer`.
    UserNotApproved,
    /// `invalid_grant` / `audience is invalid` or `Audience validation failed`.
    InvalidAudience,
    /// `invalid_grant` / `expired authorization code`: `exp` is in the past.
    ExpiredAssertion,
    /// `invalid_grant` / `invalid assertion`: the signature does not verify.
    InvalidAssertion,
    /// `invalid_client_id` / `client identifier invalid` (or `invalid_client`).
    InvalidClientId,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_grant` / `inactive user`.
    InactiveUser,
    /// `invalid_grant` / `inactive organization`.
    InactiveOrganization,
    /// `login rate exceeded` or `rate_limit_exceeded`: over 3,600 logins per user per hour.
    RateLimited,
    /// `invalid_app_access`, or "External client app is not installed in this org".
    AppNotInstalled,
    /// `invalid_grant` with a description not listed above.
    InvalidGrant,
    /// Any other `error` value, verbatim.
    Unknown(String),
}

impl OAuthErrorCode {
    /// Classifies Salesforce's `error` and `error_description`.
    pub fn classify(error: &str, description: Option<&str>) -> Self {
        let d = description.unwrap_or_default().to_ascii_lowercase();
        let has = |needle: &str| d.contains(needle);
        if error == "rate_limit_exceeded" || has("rate exceeded") || has("rate_limit_exceeded") {
            return Self::RateLimited;
        }
        if error == "invalid_app_access" || has("external client app is not installed") {
            return Self::AppNotInstalled;
        }
        match error {
            "invalid_grant" => {
                if has("approved this consumer") {
                    Self::UserNotApproved
                } else if has("audience") {
                    Self::InvalidAudience
                } else if has("expired authorization code") {
                    Self::ExpiredAssertion
                } else if has("invalid assertion") {
                    Self::InvalidAssertion
                } else if has("inactive user") {
                    Self::InactiveUser
                } else if has("inactive organization") {
                    Self::InactiveOrganization
                } else {
                    Self::InvalidGrant
                }
            }
            "invalid_client_id" | "invalid_client" => Self::InvalidClientId,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// What usually causes this error and how to fix it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::UserNotApproved => {
                "the user is not pre-authorized for the app: set Permitted Users to \"Admin approved users are pre-authorized\" and add the user's profile or permission set; also seen when aud and the endpoint are mismatched (production vs sandbox)"
            }
            Self::InvalidAudience => {
                "aud must be https://login.salesforce.com, https://test.salesforce.com or the Experience Cloud site URL, not the My Domain or instance URL"
            }
            Self::ExpiredAssertion => {
                "exp is in the past: check the clock (NTP), and that exp is seconds since the Unix epoch in UTC, not milliseconds or local time"
            }
            Self::InvalidAssertion => {
                "the signature does not verify: the certificate uploaded to the app is not the pair of this private key, or the JWT is malformed"
            }
            Self::InvalidClientId => {
                "iss is not the consumer key of an app in this org: check the key, and production vs sandbox"
            }
            Self::UnsupportedGrantType => {
                "wrong grant_type value or parameter name, or a body that is not form-encoded"
            }
            Self::InactiveUser => "the user is deactivated: activate it or use another user",
            Self::InactiveOrganization => "the org is deactivated or expired",
            Self::RateLimited => {
                "more than 3,600 logins per user per hour: reuse tokens (see TokenManager) instead of logging in per request"
            }
            Self::AppNotInstalled => {
                "the connected app / external client app is not enabled or installed for this org or user"
            }
            Self::InvalidGrant => {
                "Salesforce refused the assertion: check client id, username, audience and certificate"
            }
            Self::Unknown(_) => "an OAuth error sfjwt does not know: see the description",
        }
    }
}

/// Salesforce answered with an OAuth error JSON (`{"error": …, "error_description": …}`).
///
/// ```
/// use sfjwt_core::response::{OAuthError, OAuthErrorCode};
/// let e = OAuthError::new(http::StatusCode::BAD_REQUEST, "invalid_grant", Some("audience is invalid".into()));
/// assert_eq!(e.code(), &OAuthErrorCode::InvalidAudience);
/// assert!(!e.is_retryable());
/// ```
///
/// `error` and `error_description` are whatever the server sent: [`Display`](fmt::Display)
/// and `Debug` show them through [`sanitize`] (no control characters or escape sequences,
/// one line, at most [`DISPLAY_CHARS`](super::DISPLAY_CHARS) characters each), while
/// [`error`](Self::error) and [`description`](Self::description) return them whole.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthError {
    status: http::StatusCode,
    code: OAuthErrorCode,
    error: String,
    description: Option<String>,
}

impl OAuthError {
    /// An error from its HTTP status and the body's `error` and `error_description`.
    pub fn new(
        status: http::StatusCode,
        error: impl Into<String>,
        description: Option<String>,
    ) -> Self {
        let error = error.into();
        let code = OAuthErrorCode::classify(&error, description.as_deref());
        Self {
            status,
            code,
            error,
            description,
        }
    }

    /// The classified code.
    pub fn code(&self) -> &OAuthErrorCode {
        &self.code
    }

    /// The `error` value, verbatim. Server-chosen text: pass it through [`sanitize`] before
    /// printing or logging it.
    pub fn error(&self) -> &str {
        &self.error
    }

    /// The `error_description`, verbatim (credential-shaped substrings redacted). Server-chosen
    /// text: pass it through [`sanitize`] before printing or logging it.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// What usually causes it and how to fix it.
    pub fn hint(&self) -> &'static str {
        self.code.hint()
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// Whether trying again later may succeed: 5xx, 429 and rate limits. `invalid_grant`,
    /// `invalid_client_id` and the like need a fix, not a retry.
    pub fn is_retryable(&self) -> bool {
        self.status.is_server_error()
            || self.status == http::StatusCode::TOO_MANY_REQUESTS
            || self.code == OAuthErrorCode::RateLimited
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Salesforce refused the token request (HTTP {}): {}",
            self.status.as_u16(),
            sanitize(&self.error)
        )?;
        if let Some(d) = &self.description {
            write!(f, ": {}", sanitize(d))?;
        }
        write!(f, " — {}", self.hint())
    }
}

impl fmt::Debug for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = match &self.code {
            OAuthErrorCode::Unknown(error) => format!("Unknown({:?})", sanitize(error)),
            code => format!("{code:?}"),
        };
        f.debug_struct("OAuthError")
            .field("status", &self.status)
            .field("code", &format_args!("{code}"))
            .field("error", &sanitize(&self.error))
            .field("description", &self.description.as_deref().map(sanitize))
            .finish()
    }
}

impl std::error::Error for OAuthError {}
