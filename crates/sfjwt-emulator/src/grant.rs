//! The JWT bearer grant's checks (RFC 7523 §3 as Salesforce runs them), without I/O.
//!
//! The order matters because clients and their users diagnose failures from the *first*
//! error: Salesforce checks the grant type, then that the assertion parses, then the issuer
//! (which app), then the signature against that app's certificate, then audience and expiry,
//! then the user, the app's approval of the user, the org, and finally the login rate.
//! Every refusal is HTTP 400 with `{"error":…,"error_description":…}`, the texts verbatim.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use serde_json::{Map, Value};
use sfjwt_core::jws::Verifier;

use crate::clock::unix_seconds;
use crate::directory::App;

/// The `grant_type` of the JWT bearer flow (RFC 7523 §2.1).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A refusal of the token endpoint, with Salesforce's codes and descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OAuthError {
    /// `grant_type` missing or not the JWT bearer URN (or the body is not a form).
    UnsupportedGrantType,
    /// The assertion is missing, malformed, not RS256, or its signature does not verify.
    InvalidAssertion,
    /// `iss` names no app of this org.
    InvalidClientId,
    /// `aud` is not login/test or a configured site URL.
    AudienceInvalid,
    /// `exp` has passed.
    Expired,
    /// Unknown user, or a user the app does not permit.
    NotApproved,
    /// The user is deactivated.
    InactiveUser,
    /// The org is deactivated.
    InactiveOrg,
    /// Too many logins for this user in the last hour.
    RateExceeded,
    /// A GET (or other method) on the token endpoint.
    MustUsePost,
}

impl OAuthError {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidClientId => "invalid_client_id",
            Self::MustUsePost => "invalid_request",
            Self::InvalidAssertion
            | Self::AudienceInvalid
            | Self::Expired
            | Self::NotApproved
            | Self::InactiveUser
            | Self::InactiveOrg
            | Self::RateExceeded => "invalid_grant",
        }
    }

    pub(crate) fn description(self) -> &'static str {
        match self {
            Self::UnsupportedGrantType => "grant type not supported",
            Self::InvalidAssertion => "invalid assertion",
            Self::InvalidClientId => "client identifier invalid",
            Self::AudienceInvalid => "audience is invalid",
            Self::Expired => "expired authorization code",
            Self::NotApproved => "user hasn't approved this consumer",
            Self::InactiveUser => "inactive user",
            Self::InactiveOrg => "inactive organization",
            Self::RateExceeded => "login rate exceeded",
            Self::MustUsePost => "must use HTTP POST",
        }
    }
}

/// A user as the grant sees it.
#[derive(Debug, Clone)]
pub(crate) struct UserState {
    /// The username as configured.
    pub(crate) username: String,
    /// 18-character id.
    pub(crate) user_id: String,
    pub(crate) active: bool,
}

/// Everything the checks read.
pub(crate) struct GrantContext<'a> {
    pub(crate) apps: &'a HashMap<String, App>,
    pub(crate) audiences: &'a [String],
    pub(crate) exp_skew: Duration,
    /// Keyed by lower-cased username: Salesforce usernames are case-insensitive.
    pub(crate) users: &'a HashMap<String, UserState>,
    pub(crate) org_active: bool,
}

/// An assertion that passed every check but the rate limit.
#[derive(Debug)]
pub(crate) struct Approved<'a> {
    pub(crate) app: &'a App,
    pub(crate) user: &'a UserState,
}

/// The first parameter named `name`, as Salesforce reads repeated parameters.
pub(crate) fn param<'f>(form: &'f [(String, String)], name: &str) -> Option<&'f str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Runs the checks, in Salesforce's order, on a parsed form body.
pub(crate) fn check<'a>(
    form: &[(String, String)],
    ctx: &GrantContext<'a>,
    now: SystemTime,
) -> Result<Approved<'a>, OAuthError> {
    if param(form, "grant_type") != Some(JWT_BEARER) {
        return Err(OAuthError::UnsupportedGrantType);
    }
    let assertion = param(form, "assertion")
        .filter(|a| !a.is_empty())
        .ok_or(OAuthError::InvalidAssertion)?;
    let (header, claims) = peek(assertion).ok_or(OAuthError::InvalidAssertion)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(OAuthError::InvalidAssertion);
    }
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(OAuthError::InvalidClientId)?;
    let app = ctx.apps.get(issuer).ok_or(OAuthError::InvalidClientId)?;

    // The signature, strictly, against this app's certificate. Expiry is checked below, in
    // Salesforce's order (after the audience), so the verifier gets unbounded leeway here.
    let verified = Verifier::new(app.certificate().public_key().clone())
        .leeway(Duration::MAX)
        .verify(assertion, now)
        .map_err(|_| OAuthError::InvalidAssertion)?;

    if !verified
        .audiences()
        .iter()
        .any(|aud| audience_accepted(aud, ctx.audiences))
    {
        return Err(OAuthError::AudienceInvalid);
    }
    if unix_seconds(now) >= verified.expires_at().saturating_add(ctx.exp_skew.as_secs()) {
        return Err(OAuthError::Expired);
    }
    let user = ctx
        .users
        .get(&verified.subject().to_ascii_lowercase())
        .ok_or(OAuthError::NotApproved)?;
    if !user.active {
        return Err(OAuthError::InactiveUser);
    }
    if !app.permitted().permits(&user.username) {
        return Err(OAuthError::NotApproved);
    }
    if !ctx.org_active {
        return Err(OAuthError::InactiveOrg);
    }
    Ok(Approved { app, user })
}

/// Compares an `aud` with the accepted audiences, ignoring one trailing `/` and the case of
/// the scheme and host (URLs are case-insensitive there).
fn audience_accepted(aud: &str, accepted: &[String]) -> bool {
    let norm = |s: &str| s.strip_suffix('/').unwrap_or(s).to_ascii_lowercase();
    let aud = norm(aud);
    accepted.iter().any(|a| norm(a) == aud)
}

/// Decodes header and claims *without* verifying, to find `alg` and `iss` (which app's
/// certificate to verify with). Nothing read here is trusted beyond that choice.
fn peek(assertion: &str) -> Option<(Map<String, Value>, Map<String, Value>)> {
    let mut parts = assertion.split('.');
    let (header, claims, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| -> Option<Map<String, Value>> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .ok()?;
        match serde_json::from_slice(&bytes).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    };
    Some((decode(header)?, decode(claims)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts_are_salesforces() {
        assert_eq!(OAuthError::Expired.code(), "invalid_grant");
        assert_eq!(
            OAuthError::Expired.description(),
            "expired authorization code"
        );
        assert_eq!(OAuthError::InvalidClientId.code(), "invalid_client_id");
        assert_eq!(
            OAuthError::UnsupportedGrantType.description(),
            "grant type not supported"
        );
    }

    #[test]
    fn audiences_compare_like_urls() {
        let accepted = vec!["https://login.salesforce.com".to_owned()];
        assert!(audience_accepted(
            "https://login.salesforce.com/",
            &accepted
        ));
        assert!(audience_accepted("HTTPS://LOGIN.salesforce.com", &accepted));
        assert!(!audience_accepted(
            "https://acme.my.salesforce.com",
            &accepted
        ));
        assert!(!audience_accepted(
            "https://login.salesforce.com//",
            &accepted
        ));
    }

    #[test]
    fn peek_refuses_malformed() {
        assert!(peek("").is_none());
        assert!(peek("a.b").is_none());
        assert!(peek("a.b.c.d").is_none());
        assert!(peek("e30.e30.").is_some());
        assert!(peek("W10.e30.").is_none(), "header must be an object");
    }
}
