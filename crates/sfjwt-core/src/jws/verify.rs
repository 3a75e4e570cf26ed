//! Strict verification of a compact JWS signed with RS256.
//!
//! Order matters for safety: size first (nothing large is decoded), then shape and encoding,
//! then the header (`alg` must be exactly `RS256` — RFC 8725 §3.1: never let the token choose
//! the algorithm), then the signature, and only then the claims.

use std::time::{Duration, SystemTime};

use rsa::signature::Verifier as _;
use serde_json::{Map, Value};
use sha2::Sha256;

use super::b64;
use super::strict_json::{parse_object, truncate};
use super::verify_error::{Segment, VerifyError};
use crate::key::PublicKey;
use crate::time::unix_seconds;

/// The default bound on a token's length: a 4096-bit signature is 683 characters and
/// Salesforce claims are small, so 16 KiB is generous.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 16 * 1024;

/// Verifies JWT bearer assertions against one public key.
///
/// ```
/// # let pem = include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem");
/// use std::time::{Duration, SystemTime};
/// use sfjwt_core::{claims::Claims, jws::{self, Verifier}, key::PrivateKey};
/// let key = PrivateKey::from_pem(pem)?;
/// let now = SystemTime::now();
/// let claims = Claims::builder().client_id("3MVG9abc").username("etl@acme.com").build(now)?;
/// let token = jws::sign(&claims, &key)?;
///
/// let verified = Verifier::new(key.public_key())
///     .expect_issuer("3MVG9abc")
///     .expect_audience("https://login.salesforce.com")
///     .verify(token.expose_secret(), now)?;
/// assert_eq!(verified.subject(), "etl@acme.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    key: PublicKey,
    issuer: Option<String>,
    audience: Option<String>,
    leeway: Duration,
    max_lifetime: Option<Duration>,
    max_len: usize,
}

impl Verifier {
    /// A verifier for tokens signed by the private half of `key`. No issuer or audience is
    /// expected, leeway is zero and tokens are limited to [`DEFAULT_MAX_TOKEN_LEN`].
    pub fn new(key: PublicKey) -> Self {
        Self {
            key,
            issuer: None,
            audience: None,
            leeway: Duration::ZERO,
            max_lifetime: None,
            max_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }

    /// A verifier with Salesforce's rules for JWT bearer assertions: as [`new`](Self::new),
    /// plus a maximum lifetime of [`MAX_LIFETIME`](crate::claims::MAX_LIFETIME) (Salesforce
    /// wants `exp` within minutes). `sfjwt verify` uses it.
    pub fn salesforce(key: PublicKey) -> Self {
        Self::new(key).max_lifetime(crate::claims::MAX_LIFETIME)
    }

    /// Requires `iss` to equal `issuer` (the consumer key).
    pub fn expect_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Requires `aud` to be, or contain, `audience`.
    pub fn expect_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Tolerates clock skew of `leeway`: tokens up to `leeway` past their `exp`, up to
    /// `leeway` before their `nbf`, with an `iat` up to `leeway` in the future. Default: zero.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Refuses tokens whose `exp` is more than `max` after their `iat` (or, without `iat`,
    /// after `now` plus the leeway). Off by default; on in [`salesforce`](Self::salesforce).
    pub fn max_lifetime(mut self, max: Duration) -> Self {
        self.max_lifetime = Some(max);
        self
    }

    /// Changes the length bound (default [`DEFAULT_MAX_TOKEN_LEN`]).
    pub fn max_token_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Verifies `token` at time `now`.
    ///
    /// # Errors
    /// The first check that fails, as a [`VerifyError`].
    pub fn verify(&self, token: &str, now: SystemTime) -> Result<VerifiedClaims, VerifyError> {
        let now = unix_seconds(now).ok_or(VerifyError::NowBeforeEpoch)?;
        let parts = split_compact(token, self.max_len)?;
        let header = decode_json(parts.header, Segment::Header)?;
        check_header(&header)?;
        let signature = b64::decode_strict(parts.signature).map_err(|_| VerifyError::Base64 {
            segment: Segment::Signature,
        })?;
        verify_rs256_signature(&self.key, parts.signing_input.as_bytes(), &signature)?;
        let claims = decode_json(parts.claims, Segment::Claims)?;
        let verified = VerifiedClaims::from_map(header, claims)?;
        self.check_claims(&verified, now)?;
        Ok(verified)
    }

    fn check_claims(&self, claims: &VerifiedClaims, now: u64) -> Result<(), VerifyError> {
        if let Some(expected) = &self.issuer {
            if claims.issuer() != expected {
                return Err(VerifyError::IssuerMismatch {
                    expected: expected.clone(),
                    found: claims.issuer().to_owned(),
                });
            }
        }
        if let Some(expected) = &self.audience {
            if !claims.audiences().iter().any(|a| a == expected) {
                return Err(VerifyError::AudienceMismatch {
                    expected: expected.clone(),
                    found: claims.audiences().to_vec(),
                });
            }
        }
        let leeway = self.leeway.as_secs();
        // RFC 7519 §4.1.4: the current time MUST be before `exp`.
        if now >= claims.expires_at().saturating_add(leeway) {
            return Err(VerifyError::Expired {
                exp: claims.expires_at(),
                now,
            });
        }
        // RFC 7519 §4.1.5: the current time MUST be after or equal to `nbf`.
        if let Some(nbf) = claims.not_before() {
            if now.saturating_add(leeway) < nbf {
                return Err(VerifyError::NotYetValid { nbf, now });
            }
        }
        // RFC 7519 §4.1.6 only defines `iat`; a token issued in the future is refused like one
        // not yet valid (RFC 8725 §3.10: do not trust received claims).
        if let Some(iat) = claims.issued_at() {
            if now.saturating_add(leeway) < iat {
                return Err(VerifyError::IssuedInFuture { iat, now });
            }
        }
        if let Some(max) = self.max_lifetime {
            let (from, allowed) = match claims.issued_at() {
                Some(iat) => (iat, max.as_secs()),
                None => (now, max.as_secs().saturating_add(leeway)),
            };
            if claims.expires_at().saturating_sub(from) > allowed {
                return Err(VerifyError::LifetimeTooLong {
                    exp: claims.expires_at(),
                    from,
                    max: max.as_secs(),
                });
            }
        }
        Ok(())
    }
}

/// Verifies an RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 §8.2.2) over
/// `message`. The signature must be exactly as long as the modulus.
///
/// This is the signature layer alone, without JWS parsing; the Wycheproof tests drive it.
///
/// # Errors
/// [`VerifyError::SignatureLength`] or [`VerifyError::BadSignature`].
pub fn verify_rs256_signature(
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    if signature.len() != key.modulus_len() {
        return Err(VerifyError::SignatureLength {
            expected: key.modulus_len(),
            found: signature.len(),
        });
    }
    let signature =
        rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| VerifyError::BadSignature)?;
    rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.rsa().clone())
        .verify(message, &signature)
        .map_err(|_| VerifyError::BadSignature)
}

struct CompactParts<'a> {
    header: &'a str,
    claims: &'a str,
    signature: &'a str,
    signing_input: &'a str,
}

fn split_compact(token: &str, max_len: usize) -> Result<CompactParts<'_>, VerifyError> {
    if token.is_empty() {
        return Err(VerifyError::Empty);
    }
    if token.len() > max_len {
        return Err(VerifyError::TooLong {
            len: token.len(),
            max: max_len,
        });
    }
    let found = token.split('.').count();
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(claims), Some(signature), None) => {
            let signing_input = token
                .get(..header.len() + 1 + claims.len())
                .ok_or(VerifyError::SegmentCount { found })?;
            Ok(CompactParts {
                header,
                claims,
                signature,
                signing_input,
            })
        }
        _ => Err(VerifyError::SegmentCount { found }),
    }
}

fn decode_json(part: &str, segment: Segment) -> Result<Map<String, Value>, VerifyError> {
    let bytes = b64::decode_strict(part).map_err(|_| VerifyError::Base64 { segment })?;
    parse_object(&bytes).map_err(|detail| VerifyError::Json { segment, detail })
}

fn check_header(header: &Map<String, Value>) -> Result<(), VerifyError> {
    match header.get("alg") {
        None => return Err(VerifyError::MissingAlgorithm),
        Some(Value::String(alg)) if alg == "RS256" => {}
        Some(Value::String(alg)) => {
            return Err(VerifyError::UnsupportedAlgorithm {
                alg: truncate(alg, 32),
            });
        }
        Some(other) => {
            return Err(VerifyError::UnsupportedAlgorithm {
                alg: truncate(&other.to_string(), 32),
            });
        }
    }
    if header.contains_key("crit") {
        return Err(VerifyError::CriticalHeader);
    }
    Ok(())
}

/// The claims of a verified token. Only produced after the signature has verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedClaims {
    iss: String,
    sub: String,
    aud: Vec<String>,
    exp: u64,
    nbf: Option<u64>,
    iat: Option<u64>,
    header: Map<String, Value>,
    all: Map<String, Value>,
}

impl VerifiedClaims {
    fn from_map(header: Map<String, Value>, all: Map<String, Value>) -> Result<Self, VerifyError> {
        let string = |claim: &'static str| match all.get(claim) {
            None => Err(VerifyError::MissingClaim { claim }),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(VerifyError::ClaimType { claim }),
        };
        let iss = string("iss")?;
        let sub = string("sub")?;
        let aud = match all.get("aud") {
            None => return Err(VerifyError::MissingClaim { claim: "aud" }),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or(VerifyError::ClaimType { claim: "aud" })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(VerifyError::ClaimType { claim: "aud" }),
        };
        let exp = match all.get("exp") {
            None => return Err(VerifyError::MissingClaim { claim: "exp" }),
            Some(v) => v.as_u64().ok_or(VerifyError::ClaimType { claim: "exp" })?,
        };
        let optional_date = |claim: &'static str| match all.get(claim) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or(VerifyError::ClaimType { claim }),
        };
        let nbf = optional_date("nbf")?;
        let iat = optional_date("iat")?;
        Ok(Self {
            iss,
            sub,
            aud,
            exp,
            nbf,
            iat,
            header,
            all,
        })
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        &self.iss
    }

    /// `sub`.
    pub fn subject(&self) -> &str {
        &self.sub
    }

    /// `aud`, as a list (RFC 7519 allows a string or an array).
    pub fn audiences(&self) -> &[String] {
        &self.aud
    }

    /// `exp`, seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.exp
    }

    /// `nbf`, seconds since the Unix epoch, if the token has one.
    pub fn not_before(&self) -> Option<u64> {
        self.nbf
    }

    /// `iat`, seconds since the Unix epoch, if the token has one.
    pub fn issued_at(&self) -> Option<u64> {
        self.iat
    }

    /// The protected header, as sent.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// Every claim, as sent (including ones sfjwt does not interpret).
    pub fn all(&self) -> &Map<String, Value> {
        &self.all
    }
}
