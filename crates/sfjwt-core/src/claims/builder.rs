use std::time::{Duration, SystemTime};

use super::{Audience, ClaimName, ClaimsError};
use crate::time::unix_seconds;

/// The default assertion lifetime: Salesforce documents `exp` "within 3 minutes".
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(180);

/// The longest lifetime accepted unless [`ClaimsBuilder::allow_long_lifetime`] is set: 300 s.
///
/// Salesforce documents 3 minutes; common clients send up to 5 and are accepted, which leaves
/// room for a host whose clock runs a little slow. Beyond that a leaked assertion stays
/// replayable for longer with no benefit; see
/// [`manual::lifetimes`](crate::manual::lifetimes) for the sources.
pub const MAX_LIFETIME: Duration = Duration::from_secs(300);

/// Any `exp` above this (the year 5138) is taken for milliseconds.
const MAX_PLAUSIBLE_EXP_SECONDS: u64 = 100_000_000_000;

/// Validated claims of a JWT bearer assertion: `iss`, `sub`, `aud`, `exp`.
///
/// Built with [`Claims::builder`]; every value has passed Salesforce's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: u64,
}

/// The claims' wire form. Field order is the canonical order `iss, sub, aud, exp`
/// (serde serialises struct fields in declaration order).
#[derive(serde::Serialize)]
struct ClaimsJson<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
}

impl Claims {
    /// Starts a builder. Required: [`client_id`](ClaimsBuilder::client_id) and
    /// [`username`](ClaimsBuilder::username); the audience defaults to production.
    pub fn builder() -> ClaimsBuilder {
        ClaimsBuilder::default()
    }

    /// `iss`: the connected app's consumer key.
    pub fn issuer(&self) -> &str {
        &self.iss
    }

    /// `sub`: the Salesforce username.
    pub fn subject(&self) -> &str {
        &self.sub
    }

    /// `aud`: the authorization server.
    pub fn audience(&self) -> &Audience {
        &self.aud
    }

    /// `exp`: expiry, in seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.exp
    }

    /// The canonical JSON of the claims: no white space, order `iss, sub, aud, exp`,
    /// strings escaped as `serde_json` does by default (raw UTF-8, `/` unescaped).
    pub fn to_json(&self) -> Vec<u8> {
        let wire = ClaimsJson {
            iss: &self.iss,
            sub: &self.sub,
            aud: self.aud.as_str(),
            exp: self.exp,
        };
        // Serialising a struct of strings and an integer into a Vec cannot fail; the fallback
        // keeps this function total without a panic path.
        serde_json::to_vec(&wire).unwrap_or_default()
    }
}

/// Builder for [`Claims`]; see [`Claims::builder`].
#[derive(Debug, Clone)]
pub struct ClaimsBuilder {
    client_id: Option<String>,
    username: Option<String>,
    audience: Audience,
    lifetime: Duration,
    expires_at: Option<u64>,
    allow_long_lifetime: bool,
}

impl Default for ClaimsBuilder {
    fn default() -> Self {
        Self {
            client_id: None,
            username: None,
            audience: Audience::production(),
            lifetime: DEFAULT_LIFETIME,
            expires_at: None,
            allow_long_lifetime: false,
        }
    }
}

impl ClaimsBuilder {
    /// `iss`: the connected app's consumer key (client id), e.g. `3MVG9…`.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// `sub`: the username of the Salesforce user to act as.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// `aud`: the login server or site; default [`Audience::production`].
    pub fn audience(mut self, audience: Audience) -> Self {
        self.audience = audience;
        self
    }

    /// How long after `now` the assertion expires; default [`DEFAULT_LIFETIME`] (180 s).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self.expires_at = None;
        self
    }

    /// Sets `exp` directly, in seconds since the Unix epoch, instead of a lifetime.
    pub fn expires_at(mut self, exp: u64) -> Self {
        self.expires_at = Some(exp);
        self
    }

    /// Allows lifetimes over [`MAX_LIFETIME`], for servers known to accept them. The only way
    /// past the maximum: [`JwtBearer`](crate::exchange::JwtBearer) and the CLI never call it.
    pub fn allow_long_lifetime(mut self) -> Self {
        self.allow_long_lifetime = true;
        self
    }

    /// Validates and builds the claims, with `exp` computed from `now`.
    ///
    /// The core never reads the clock: pass `SystemTime::now()` or a test's fixed instant.
    ///
    /// # Errors
    /// A [`ClaimsError`] naming the claim and the fix.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use sfjwt_core::claims::Claims;
    /// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let claims = Claims::builder().client_id("3MVG9abc").username("etl@acme.com").build(now)?;
    /// assert_eq!(claims.expires_at(), 1_700_000_180);
    /// # Ok::<(), sfjwt_core::claims::ClaimsError>(())
    /// ```
    pub fn build(self, now: SystemTime) -> Result<Claims, ClaimsError> {
        let iss = self.client_id.ok_or(ClaimsError::MissingClientId)?;
        check_identifier(ClaimName::Issuer, &iss)?;
        let sub = self.username.ok_or(ClaimsError::MissingUsername)?;
        check_identifier(ClaimName::Subject, &sub)?;

        let now = unix_seconds(now).ok_or(ClaimsError::NowBeforeEpoch)?;
        let exp = match self.expires_at {
            Some(exp) => exp,
            None => {
                if self.lifetime.is_zero() {
                    return Err(ClaimsError::ZeroLifetime);
                }
                // Round a sub-second lifetime up so `exp > now` still holds.
                let secs = self.lifetime.as_secs().max(1);
                now.saturating_add(secs)
            }
        };
        if exp > MAX_PLAUSIBLE_EXP_SECONDS {
            return Err(ClaimsError::ExpiryLooksLikeMilliseconds { exp });
        }
        if exp <= now {
            return Err(ClaimsError::ExpiryNotInFuture { exp, now });
        }
        let lifetime = exp - now;
        if !self.allow_long_lifetime && lifetime > MAX_LIFETIME.as_secs() {
            return Err(ClaimsError::LifetimeTooLong { seconds: lifetime });
        }
        Ok(Claims {
            iss,
            sub,
            aud: self.audience,
            exp,
        })
    }
}

fn check_identifier(claim: ClaimName, value: &str) -> Result<(), ClaimsError> {
    if value.trim().is_empty() {
        return Err(ClaimsError::Empty { claim });
    }
    if value.trim() != value {
        return Err(ClaimsError::SurroundingWhitespace {
            claim,
            value: value.to_owned(),
        });
    }
    let quoted = |open: char, close: char| {
        value.len() >= 2 && value.starts_with(open) && value.ends_with(close)
    };
    if quoted('"', '"') || quoted('\'', '\'') || quoted('“', '”') || quoted('`', '`') {
        return Err(ClaimsError::Quoted {
            claim,
            value: value.to_owned(),
        });
    }
    let bad_char = |c: char| c.is_control() || (claim == ClaimName::Issuer && c.is_whitespace());
    if value.chars().any(bad_char) {
        return Err(ClaimsError::InvalidCharacter { claim });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    const NOW: u64 = 1_700_000_000;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW)
    }

    fn base() -> ClaimsBuilder {
        Claims::builder()
            .client_id("3MVG9client")
            .username("user@example.com")
    }

    #[test]
    fn canonical_json_is_byte_exact() {
        let claims = Claims::builder()
            .client_id("3MVG9x")
            .username("jürgen/\"q\"\\@example.de")
            .audience(Audience::sandbox())
            .build(now())
            .unwrap();
        assert_eq!(
            String::from_utf8(claims.to_json()).unwrap(),
            r#"{"iss":"3MVG9x","sub":"jürgen/\"q\"\\@example.de","aud":"https://test.salesforce.com","exp":1700000180}"#
        );
    }

    #[test]
    fn defaults() {
        let claims = base().build(now()).unwrap();
        assert_eq!(claims.expires_at(), NOW + 180);
        assert_eq!(claims.audience().as_str(), "https://login.salesforce.com");
        assert_eq!(claims.issuer(), "3MVG9client");
        assert_eq!(claims.subject(), "user@example.com");
    }

    #[test]
    fn identifiers_are_checked() {
        use ClaimName::*;
        let cases: Vec<(ClaimsBuilder, ClaimsError)> = vec![
            (
                Claims::builder().username("u"),
                ClaimsError::MissingClientId,
            ),
            (
                Claims::builder().client_id("c"),
                ClaimsError::MissingUsername,
            ),
            (base().client_id("  "), ClaimsError::Empty { claim: Issuer }),
            (base().username(""), ClaimsError::Empty { claim: Subject }),
            (
                base().client_id("3MVG9x\n"),
                ClaimsError::SurroundingWhitespace {
                    claim: Issuer,
                    value: "3MVG9x\n".into(),
                },
            ),
            (
                base().username("\"u@x\""),
                ClaimsError::Quoted {
                    claim: Subject,
                    value: "\"u@x\"".into(),
                },
            ),
            (
                base().client_id("'3MVG'"),
                ClaimsError::Quoted {
                    claim: Issuer,
                    value: "'3MVG'".into(),
                },
            ),
            (
                base().client_id("3MVG 9"),
                ClaimsError::InvalidCharacter { claim: Issuer },
            ),
            (
                base().username("u\u{0}@x"),
                ClaimsError::InvalidCharacter { claim: Subject },
            ),
        ];
        for (builder, want) in cases {
            assert_eq!(builder.build(now()).unwrap_err(), want);
        }
    }

    #[test]
    fn expiry_rules() {
        assert_eq!(
            base().expires_at(NOW).build(now()).unwrap_err(),
            ClaimsError::ExpiryNotInFuture { exp: NOW, now: NOW }
        );
        assert_eq!(
            base().expires_at(NOW * 1000).build(now()).unwrap_err(),
            ClaimsError::ExpiryLooksLikeMilliseconds { exp: NOW * 1000 }
        );
        assert_eq!(
            base()
                .lifetime(Duration::from_secs(301))
                .build(now())
                .unwrap_err(),
            ClaimsError::LifetimeTooLong { seconds: 301 }
        );
        assert_eq!(
            base()
                .lifetime(Duration::from_secs(300))
                .build(now())
                .unwrap()
                .expires_at(),
            NOW + 300
        );
        assert_eq!(
            base().lifetime(Duration::ZERO).build(now()).unwrap_err(),
            ClaimsError::ZeroLifetime
        );
        assert_eq!(
            base()
                .lifetime(Duration::from_secs(600))
                .allow_long_lifetime()
                .build(now())
                .unwrap()
                .expires_at(),
            NOW + 600
        );
        assert_eq!(
            base()
                .lifetime(Duration::from_millis(10))
                .build(now())
                .unwrap()
                .expires_at(),
            NOW + 1
        );
        assert_eq!(
            base()
                .expires_at(NOW + 60)
                .build(now())
                .unwrap()
                .expires_at(),
            NOW + 60
        );
        let before_epoch = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(
            base().build(before_epoch).unwrap_err(),
            ClaimsError::NowBeforeEpoch
        );
    }
}
