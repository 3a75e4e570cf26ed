//! The JWT bearer grant's checks (RFC 7523 §3 as Salesforce runs them), without I/O.
//!
//! The order matters because clients and their users diagnose failures from the *first*
//! error: Salesforce checks the grant type, then that the assertion parses, then the issuer
//! (which app, whether it is installed and propagated), then the signature against that app's
//! certificate, then audience and expiry, then the user, the app's approval of the user, the
//! org, the caller's IP address, and finally the login rate. Every refusal is HTTP 400 with
//! `{"error":…,"error_description":…}`, the texts verbatim.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::SystemTime;

use base64::Engine as _;
use serde_json::{Map, Value};
use sfjwt_core::jws::verify_rs256_signature;

use crate::clock::unix_seconds;
use crate::directory::{App, AppKind};
use crate::org::{is_login_server, normalize};
use crate::policy::Policy;

/// The `grant_type` of the JWT bearer flow (RFC 7523 §2.1).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The longest `exp` string of digits accepted (`u64::MAX` has 20 digits).
const MAX_EXP_DIGITS: usize = 20;

/// A refusal of the token endpoint, with Salesforce's codes and descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OAuthError {
    /// `grant_type` missing or not the JWT bearer URN (or the body is not a form).
    UnsupportedGrantType,
    /// The assertion is missing, malformed, not RS256, or its signature does not verify.
    InvalidAssertion,
    /// `iss` names no app of this org, or an app still propagating.
    InvalidClientId,
    /// An External Client App asked with a login-server `aud`, or not installed here.
    AppNotFound,
    /// `aud` is not an audience this org and app accept.
    AudienceInvalid,
    /// `exp` has passed, or is further ahead than the org accepts.
    Expired,
    /// Unknown user, or a user the app does not permit.
    NotApproved,
    /// The user is deactivated.
    InactiveUser,
    /// The org is deactivated.
    InactiveOrg,
    /// The caller's address is outside the login IP ranges.
    IpRestricted,
    /// Too many logins for this user in the last hour.
    RateExceeded,
    /// A GET (or other method) on the token endpoint.
    MustUsePost,
}

impl OAuthError {
    /// The `error` code. Salesforce's OAuth error list documents the bare codes
    /// `inactive_user`, `inactive_org` and `rate_limit_exceeded`; `bare_rate_limit` false
    /// answers the rate limit as `invalid_grant` instead, the other form reported from real
    /// orgs (see `sfjwt_core::manual::errors`).
    pub(crate) fn code(self, bare_rate_limit: bool) -> &'static str {
        match self {
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidClientId => "invalid_client_id",
            Self::AppNotFound => "app_not_found",
            Self::MustUsePost => "invalid_request",
            Self::InactiveUser => "inactive_user",
            Self::InactiveOrg => "inactive_org",
            Self::RateExceeded if bare_rate_limit => "rate_limit_exceeded",
            Self::InvalidAssertion
            | Self::AudienceInvalid
            | Self::Expired
            | Self::NotApproved
            | Self::IpRestricted
            | Self::RateExceeded => "invalid_grant",
        }
    }

    pub(crate) fn description(self) -> &'static str {
        match self {
            Self::UnsupportedGrantType => "grant type not supported",
            Self::InvalidAssertion => "invalid assertion",
            Self::InvalidClientId => "client identifier invalid",
            Self::AppNotFound => "External client app is not installed in this org",
            Self::AudienceInvalid => "audience is invalid",
            Self::Expired => "expired authorization code",
            Self::NotApproved => "user hasn't approved this consumer",
            Self::InactiveUser => "inactive user",
            Self::InactiveOrg => "inactive organization",
            Self::IpRestricted => "ip restricted or invalid login hours",
            Self::RateExceeded => "login rate exceeded",
            Self::MustUsePost => "must use HTTP POST",
        }
    }
}

/// A refusal and the rule that made it, for the request log (`sfjwt emulate -v`): several
/// rules share one Salesforce answer (an `exp` in the past and one beyond the opt-in ceiling
/// both say `expired authorization code`), and the log tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// What the client is told.
    pub(crate) error: OAuthError,
    /// Which check refused, in a few words.
    pub(crate) rule: &'static str,
}

impl Refusal {
    pub(crate) const fn new(error: OAuthError, rule: &'static str) -> Self {
        Self { error, rule }
    }
}

/// A user as the grant sees it.
#[derive(Debug, Clone)]
pub(crate) struct UserState {
    /// The username in this org (with the sandbox suffix in a sandbox).
    pub(crate) username: String,
    /// The username as configured (the production username in a sandbox).
    pub(crate) configured: String,
    /// 18-character id.
    pub(crate) user_id: String,
    pub(crate) active: bool,
}

/// Everything the checks read.
pub(crate) struct GrantContext<'a> {
    pub(crate) apps: &'a HashMap<String, App>,
    pub(crate) policy: &'a Policy,
    /// Keyed by lower-cased username: Salesforce usernames are case-insensitive.
    pub(crate) users: &'a HashMap<String, UserState>,
    pub(crate) org_active: bool,
    /// The address the caller logs in from.
    pub(crate) client_ip: IpAddr,
}

/// An assertion that passed every check but the rate limit.
#[derive(Debug)]
pub(crate) struct Approved<'a> {
    pub(crate) app: &'a App,
    pub(crate) user: &'a UserState,
    /// The audience it was granted for, as the org spells it (normalized).
    pub(crate) audience: String,
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
) -> Result<Approved<'a>, Refusal> {
    use OAuthError as E;
    let refuse = |error, rule| Refusal::new(error, rule);
    if param(form, "grant_type") != Some(JWT_BEARER) {
        return Err(refuse(
            E::UnsupportedGrantType,
            "grant_type is not the JWT bearer URN",
        ));
    }
    let assertion = param(form, "assertion")
        .filter(|a| !a.is_empty())
        .ok_or(refuse(E::InvalidAssertion, "no assertion parameter"))?;
    let parts = split(assertion).ok_or(refuse(
        E::InvalidAssertion,
        "assertion is not three base64url JSON parts",
    ))?;
    if parts.header.get("alg").and_then(Value::as_str) != Some("RS256")
        || parts.header.contains_key("crit")
    {
        return Err(refuse(
            E::InvalidAssertion,
            "header alg is not RS256 (or has crit)",
        ));
    }
    let issuer = parts
        .claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(refuse(E::InvalidClientId, "no iss claim"))?;
    let app = ctx
        .apps
        .get(issuer)
        .ok_or(refuse(E::InvalidClientId, "iss is no app of this org"))?;
    if !app.is_installed() {
        return Err(match app.app_kind() {
            AppKind::ExternalClientApp => refuse(E::AppNotFound, "app not installed in this org"),
            _ => refuse(E::InvalidClientId, "app not installed in this org"),
        });
    }
    match ctx.policy.started_at.checked_add(app.delay()) {
        Some(ready) if now >= ready => {}
        // Still propagating (or a delay so long it never ends).
        _ => return Err(refuse(E::InvalidClientId, "app still propagating")),
    }

    // The signature, strictly, against this app's certificate; only then are the claims
    // trusted.
    verify_rs256_signature(
        app.certificate().public_key(),
        parts.signing_input.as_bytes(),
        &parts.signature,
    )
    .map_err(|_| {
        refuse(
            E::InvalidAssertion,
            "signature does not verify with the app's certificate",
        )
    })?;
    let claims = Claims::read(&parts.claims).ok_or(refuse(
        E::InvalidAssertion,
        "sub, aud or exp missing or of the wrong type",
    ))?;

    let audience = accepted_audience(&claims.audiences, app, ctx.policy)?;
    let now_secs = unix_seconds(now);
    let skew = ctx.policy.exp_skew.as_secs();
    if now_secs >= claims.exp.saturating_add(skew) {
        return Err(refuse(E::Expired, "exp in the past"));
    }
    // Salesforce sets no upper bound (the Salesforce CLI signs `exp` in milliseconds and is
    // granted); the ceiling is a stricter check of the emulator's own, on request only. It
    // answers as an `exp` in the past would.
    if let Some(max_lifetime) = ctx.policy.max_lifetime {
        let ceiling = now_secs
            .saturating_add(max_lifetime.as_secs())
            .saturating_add(skew);
        if claims.exp > ceiling {
            return Err(refuse(
                E::Expired,
                "exp ceiling (opt-in max_assertion_lifetime)",
            ));
        }
    }
    let user = ctx
        .users
        .get(&claims.subject.to_ascii_lowercase())
        .ok_or(refuse(E::NotApproved, "sub is no user of this org"))?;
    if !user.active {
        return Err(refuse(E::InactiveUser, "user inactive"));
    }
    if !app.permitted().permits(&user.username) && !app.permitted().permits(&user.configured) {
        return Err(refuse(
            E::NotApproved,
            "user not pre-authorized for the app",
        ));
    }
    if !ctx.org_active {
        return Err(refuse(E::InactiveOrg, "org inactive"));
    }
    if !ctx.policy.ip_ranges.is_empty()
        && !app.relaxes_ip()
        && !ctx
            .policy
            .ip_ranges
            .iter()
            .any(|range| range.contains(ctx.client_ip))
    {
        return Err(refuse(
            E::IpRestricted,
            "caller outside the login IP ranges",
        ));
    }
    Ok(Approved {
        app,
        user,
        audience,
    })
}

/// The first `aud` this app accepts, or the refusal: an External Client App asked with a
/// login server says `app_not_found`, everything else `audience is invalid`.
fn accepted_audience(audiences: &[String], app: &App, policy: &Policy) -> Result<String, Refusal> {
    let accepted = |aud: &String| -> bool {
        let aud = normalize(aud);
        if policy.sites.contains(&aud) {
            return true;
        }
        let my_domain = policy.my_domain.as_ref() == Some(&aud)
            || (policy.my_domain_at_base_url && aud == policy.base_url);
        match app.app_kind() {
            AppKind::ExternalClientApp => my_domain,
            _ => policy.login_servers.contains(&aud),
        }
    };
    if let Some(aud) = audiences.iter().find(|aud| accepted(aud)) {
        return Ok(normalize(aud));
    }
    if app.app_kind() == AppKind::ExternalClientApp
        && audiences.iter().any(|aud| is_login_server(aud))
    {
        return Err(Refusal::new(
            OAuthError::AppNotFound,
            "login/test audience refused by an External Client App",
        ));
    }
    Err(Refusal::new(
        OAuthError::AudienceInvalid,
        "audience not accepted by this app kind and org",
    ))
}

/// The claims the grant reads, from a verified assertion.
struct Claims {
    subject: String,
    audiences: Vec<String>,
    exp: u64,
}

impl Claims {
    /// `sub` a string, `aud` a string or an array of strings, `exp` an integer or — as
    /// Salesforce accepts and simple-salesforce sends (`'{exp:.0f}'.format(...)`, see its
    /// issues #371 and #491) — a string of digits.
    fn read(claims: &Map<String, Value>) -> Option<Self> {
        let subject = claims.get("sub")?.as_str()?.to_owned();
        let audiences = match claims.get("aud")? {
            Value::String(aud) => vec![aud.clone()],
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()?,
            _ => return None,
        };
        let exp = match claims.get("exp")? {
            Value::Number(n) => n.as_u64()?,
            Value::String(digits)
                if !digits.is_empty()
                    && digits.len() <= MAX_EXP_DIGITS
                    && digits.bytes().all(|b| b.is_ascii_digit()) =>
            {
                digits.parse().ok()?
            }
            _ => return None,
        };
        Some(Self {
            subject,
            audiences,
            exp,
        })
    }
}

/// A compact JWS split into its decoded parts. Nothing here is trusted until the signature
/// over `signing_input` verifies with the certificate of the app `iss` names.
struct Parts<'a> {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signature: Vec<u8>,
    signing_input: &'a str,
}

fn split(assertion: &str) -> Option<Parts<'_>> {
    let mut parts = assertion.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let signing_input = assertion.get(..header.len() + 1 + claims.len())?;
    let engine = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let decode = |part: &str| -> Option<Map<String, Value>> {
        let bytes = engine.decode(part).ok()?;
        match serde_json::from_slice(&bytes).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    };
    Some(Parts {
        header: decode(header)?,
        claims: decode(claims)?,
        signature: engine.decode(signature).ok()?,
        signing_input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts_are_salesforces() {
        assert_eq!(OAuthError::Expired.code(false), "invalid_grant");
        assert_eq!(
            OAuthError::Expired.description(),
            "expired authorization code"
        );
        assert_eq!(OAuthError::InvalidClientId.code(true), "invalid_client_id");
        assert_eq!(
            OAuthError::UnsupportedGrantType.description(),
            "grant type not supported"
        );
        assert_eq!(OAuthError::InactiveUser.code(false), "inactive_user");
        assert_eq!(OAuthError::InactiveUser.code(true), "inactive_user");
        assert_eq!(OAuthError::InactiveOrg.code(true), "inactive_org");
        assert_eq!(OAuthError::RateExceeded.code(true), "rate_limit_exceeded");
        assert_eq!(OAuthError::RateExceeded.code(false), "invalid_grant");
        assert_eq!(
            OAuthError::IpRestricted.description(),
            "ip restricted or invalid login hours"
        );
        assert_eq!(OAuthError::IpRestricted.code(true), "invalid_grant");
        assert_eq!(OAuthError::AppNotFound.code(false), "app_not_found");
    }

    #[test]
    fn exp_may_be_a_string_of_digits() {
        let read = |exp: Value| {
            let mut claims = Map::new();
            claims.insert("sub".into(), "u@x.com".into());
            claims.insert("aud".into(), "https://login.salesforce.com".into());
            claims.insert("exp".into(), exp);
            Claims::read(&claims).map(|c| c.exp)
        };
        assert_eq!(read(1_700_000_000u64.into()), Some(1_700_000_000));
        assert_eq!(read("1700000000".into()), Some(1_700_000_000));
        for bad in ["", "17e8", "-1", " 1", "1.5", "99999999999999999999999"] {
            assert_eq!(read(bad.into()), None, "{bad:?}");
        }
        assert_eq!(read(Value::from(1.5)), None);
        assert_eq!(read(Value::from(-1)), None);
        assert_eq!(read(Value::Null), None);
    }

    #[test]
    fn split_refuses_malformed() {
        assert!(split("").is_none());
        assert!(split("a.b").is_none());
        assert!(split("a.b.c.d").is_none());
        assert!(split("e30.e30.").is_some());
        assert!(split("W10.e30.").is_none(), "header must be an object");
        assert!(
            split("e30.e30.***").is_none(),
            "signature must be base64url"
        );
    }
}
