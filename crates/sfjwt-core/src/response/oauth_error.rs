//! [`OAuthError`]: Salesforce's refusal, with its hint. The message holds the whole fact
//! (server text sanitised) and `source()` is `None` ([error convention](crate::manual::errors#error-convention)).

use core::fmt;

use super::sanitize;

/// The failure a Salesforce OAuth error names, classified from `error` and
/// `error_description`: one variant per row of the table in
/// [`manual::errors`](crate::manual::errors), which names each row's public sources.
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
    /// `invalid_grant` / `inactive user`, or the bare code `inactive_user`.
    InactiveUser,
    /// `invalid_grant` / `inactive organization`, or the bare code `inactive_org`.
    InactiveOrganization,
    /// `login rate exceeded` or `rate_limit_exceeded`: too many logins for this user in the
    /// last (rolling) hour. Not retryable within a call.
    RateLimited,
    /// `app_not_found` / "External client app is not installed in this org": an External
    /// Client App org since Spring '26 that refuses the login/test audience (use the My Domain
    /// as login URL and audience), or an ECA that is not installed in this org.
    AppNotFound,
    /// `invalid_grant` / `ip restricted or invalid login hours` (older texts: `ip
    /// restricted`): the app's IP relaxation policy or the profile's Login IP Ranges refuse
    /// the caller's address, or the profile's Login Hours exclude now.
    IpRestricted,
    /// `OAUTH_APP_BLOCKED` / `this app is blocked by admin`: an admin blocked the app, or
    /// API Access Control is on and the app is not on its allowlist.
    AppBlocked,
    /// `invalid_app_access`: the user may not use this connected app (not admin approved).
    AppNotInstalled,
    /// `invalid_grant` with a description not listed above.
    InvalidGrant,
    /// Any other `error` value, verbatim.
    Unknown(String),
}

impl OAuthErrorCode {
    /// Classifies Salesforce's `error` and `error_description`.
    ///
    /// ```
    /// use sfjwt_core::response::OAuthErrorCode;
    /// assert_eq!(
    ///     OAuthErrorCode::classify("app_not_found", Some("External client app is not installed in this org")),
    ///     OAuthErrorCode::AppNotFound
    /// );
    /// assert_eq!(OAuthErrorCode::classify("inactive_user", None), OAuthErrorCode::InactiveUser);
    /// assert_eq!(OAuthErrorCode::classify("shiny_new", None), OAuthErrorCode::Unknown("shiny_new".into()));
    /// ```
    pub fn classify(error: &str, description: Option<&str>) -> Self {
        let d = description.unwrap_or_default().to_ascii_lowercase();
        let has = |needle: &str| d.contains(needle);
        if error == "rate_limit_exceeded" || has("rate exceeded") || has("rate_limit_exceeded") {
            return Self::RateLimited;
        }
        if error == "app_not_found" || has("external client app is not installed") {
            return Self::AppNotFound;
        }
        if error == "invalid_app_access" {
            return Self::AppNotInstalled;
        }
        if error.eq_ignore_ascii_case("oauth_app_blocked") || has("app is blocked by admin") {
            return Self::AppBlocked;
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
                } else if has("ip restricted") {
                    Self::IpRestricted
                } else {
                    Self::InvalidGrant
                }
            }
            "invalid_client_id" | "invalid_client" => Self::InvalidClientId,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "inactive_user" => Self::InactiveUser,
            "inactive_org" | "inactive_organization" => Self::InactiveOrganization,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// What usually causes this error and how to fix it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::UserNotApproved => {
                "the user is not pre-authorized for the app: set Permitted Users to \"Admin approved users are pre-authorized\" and add the user's profile or permission set (with \"All users may self-authorize\" the user must first approve the app once in a browser); a permission set tied to the \"Salesforce API Integration\" permission set license cannot hold assigned apps, so for an Integration-license user add the app through the profile or a permission set without that license; in a sandbox the username carries the sandbox suffix (user@acme.com.dev); Government Cloud and other orgs that refuse the generic login hosts need the My Domain URL as the token endpoint; also seen when aud and the endpoint are mismatched (production vs sandbox)"
            }
            Self::InvalidAudience => {
                "aud must be https://login.salesforce.com, https://test.salesforce.com, the org's My Domain URL (External Client Apps since Spring '26) or the Experience Cloud site URL, never a Lightning or instance URL; the sandbox/production pair must match the org"
            }
            Self::ExpiredAssertion => {
                "exp is in the past: check the clock (NTP), and that exp is seconds since the Unix epoch in UTC, not milliseconds or local time"
            }
            Self::InvalidAssertion => {
                "the signature does not verify: the certificate uploaded to the app is not the pair of this private key, or the JWT is malformed"
            }
            Self::InvalidClientId => {
                "iss is not the consumer key of an app in this org: check the key and production vs sandbox; a new or just-edited app takes several minutes to propagate (up to about 10 are commonly reported), so wait and try again"
            }
            Self::UnsupportedGrantType => {
                "wrong grant_type value or parameter name, or a body that is not form-encoded"
            }
            Self::InactiveUser => {
                "the user is deactivated or frozen: activate it or use another user"
            }
            Self::InactiveOrganization => {
                "the org is deactivated or expired (trial, scratch org or deleted sandbox)"
            }
            Self::RateLimited => {
                "more than 3,600 logins for this user within the last hour (a rolling window, so retrying now cannot help): reuse tokens until they expire (TokenManager, or the fleet store shared by every process) instead of logging in per request"
            }
            Self::AppNotFound => {
                "the org's External Client App refuses this audience or is not installed here: since Spring '26 ECA orgs want the My Domain URL as both the login URL and the audience (CLI: --login-url https://NAME.my.salesforce.com --audience my-domain; API: Audience::my_domain_of); then check that the ECA is installed in this org and its policies (Permitted Users \"Admin approved users are pre-authorized\", the user's profile or permission set); after a sandbox refresh an ECA can lose its OAuth settings in the sandbox: check its consumer key, certificate and policies there again"
            }
            Self::IpRestricted => {
                "Salesforce refused the login from this IP address or at this hour: the app's IP Relaxation policy or the user's profile Login IP Ranges exclude the address (relax IP restrictions for the app or add the caller's egress IP to the ranges), or the profile's Login Hours exclude now"
            }
            Self::AppBlocked => {
                "the app is blocked in this org: an admin blocked it (Setup > Connected Apps OAuth Usage), or API Access Control is on and the app is not allowlisted (Setup > API Access Control: add the app, or give the user \"Use Any API Client\")"
            }
            Self::AppNotInstalled => {
                "the user may not use this connected app: with \"Admin approved users are pre-authorized\" add the user's profile or permission set to the app, or check the app is enabled for this org"
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

    /// Whether trying again within the call may succeed: 5xx and 429. `invalid_grant`,
    /// `invalid_client_id` and the like need a fix, not a retry; the login rate limit
    /// ([`OAuthErrorCode::RateLimited`]) counts logins over a rolling hour, so a retry seconds
    /// later only adds to the count, whatever the status.
    pub fn is_retryable(&self) -> bool {
        if self.code == OAuthErrorCode::RateLimited {
            return false;
        }
        self.status.is_server_error() || self.status == http::StatusCode::TOO_MANY_REQUESTS
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
