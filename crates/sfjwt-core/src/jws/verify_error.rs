//! [`VerifyError`]: why a compact JWS did not verify. Each message holds the whole fact and
//! `source()` is `None` ([error convention](crate::manual::errors#error-convention)).

use core::fmt;

/// One of the three parts of a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Segment {
    /// The protected header (first part).
    Header,
    /// The claims (second part).
    Claims,
    /// The signature (third part).
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Claims => "claims",
            Self::Signature => "signature",
        })
    }
}

/// Why a compact JWS was refused. Checked in this order: size, shape, encoding, header,
/// signature, claims — so nothing from an unverified token is trusted beyond what is needed to
/// check its signature.
///
/// Messages never quote the token itself (it may be a live credential).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token is empty.
    Empty,
    /// The token is longer than the verifier's limit: refused before any decoding, so a
    /// megabyte "token" costs nothing.
    TooLong {
        /// The token's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A compact JWS has exactly three dot-separated parts; JWE (five parts) and detached
    /// forms are not accepted.
    SegmentCount {
        /// How many parts were found.
        found: usize,
    },
    /// A part is not canonical base64url without padding (`=`, `+`, `/`, white space and
    /// non-zero trailing bits are all refused).
    Base64 {
        /// Which part.
        segment: Segment,
    },
    /// The header or claims part is not a JSON object (or repeats a member name, which RFC 7515
    /// §5.2 requires recipients to reject).
    Json {
        /// Which part.
        segment: Segment,
        /// What the JSON parser said.
        detail: String,
    },
    /// The header has no `alg`.
    MissingAlgorithm,
    /// The header's `alg` is not exactly `RS256`. `none`, `HS256` (the classic key-confusion
    /// attack), `RS512` and every other value are refused.
    UnsupportedAlgorithm {
        /// The `alg` found, truncated to 32 characters.
        alg: String,
    },
    /// The header has `crit`: extensions sfjwt does not understand must be refused
    /// (RFC 7515 §4.1.11).
    CriticalHeader,
    /// The signature's length is not the key's modulus length (RFC 8017 §8.2.2 step 1):
    /// usually a token signed by a different key.
    SignatureLength {
        /// The modulus length in bytes.
        expected: usize,
        /// The signature length in bytes.
        found: usize,
    },
    /// The signature does not verify with this key: the token was signed by another key
    /// (is the certificate the pair of the signing key?) or altered.
    BadSignature,
    /// A required claim (`iss`, `sub`, `aud`, `exp`) is missing.
    MissingClaim {
        /// The claim's name.
        claim: &'static str,
    },
    /// A claim has the wrong JSON type (`exp`, `nbf` and `iat` must be non-negative integers,
    /// `iss` and `sub` strings, `aud` a string or an array of strings).
    ClaimType {
        /// The claim's name.
        claim: &'static str,
    },
    /// `iss` is not the expected client id.
    IssuerMismatch {
        /// The expected issuer.
        expected: String,
        /// The issuer in the token.
        found: String,
    },
    /// `aud` does not contain the expected audience.
    AudienceMismatch {
        /// The expected audience.
        expected: String,
        /// The audiences in the token.
        found: Vec<String>,
    },
    /// `exp` (plus the leeway) is not after `now`.
    Expired {
        /// The token's `exp`.
        exp: u64,
        /// The `now` given, in seconds since the epoch.
        now: u64,
    },
    /// `nbf` (minus the leeway) is after `now` (RFC 7519 §4.1.5): the token is not valid yet.
    /// Usually the signer's clock is ahead, or the token was made for later.
    NotYetValid {
        /// The token's `nbf`.
        nbf: u64,
        /// The `now` given, in seconds since the epoch.
        now: u64,
    },
    /// `iat` (minus the leeway) is after `now`: a token claiming to be issued in the future.
    /// Usually the signer's clock is ahead, or `iat` is in milliseconds.
    IssuedInFuture {
        /// The token's `iat`.
        iat: u64,
        /// The `now` given, in seconds since the epoch.
        now: u64,
    },
    /// The token lives longer than the verifier's maximum lifetime: `exp` is more than the
    /// maximum after `iat` (or, without `iat`, after `now` plus the leeway). Salesforce wants
    /// assertions that expire within minutes; `exp` in milliseconds lands here too.
    LifetimeTooLong {
        /// The token's `exp`.
        exp: u64,
        /// What the lifetime was measured from: `iat`, or `now` without one.
        from: u64,
        /// The maximum lifetime in seconds.
        max: u64,
    },
    /// The `now` given is before 1970.
    NowBeforeEpoch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the token is empty"),
            Self::TooLong { len, max } => {
                write!(f, "the token is {len} bytes, over the {max}-byte limit: not a JWT bearer assertion")
            }
            Self::SegmentCount { found } => write!(
                f,
                "a compact JWS has 3 dot-separated parts, this has {found}: was the token truncated or wrapped?"
            ),
            Self::Base64 { segment } => {
                write!(f, "the {segment} part is not canonical base64url without padding")
            }
            Self::Json { segment, detail } => write!(f, "the {segment} part is not a JSON object: {detail}"),
            Self::MissingAlgorithm => f.write_str("the header has no `alg`: Salesforce requires {\"alg\":\"RS256\"}"),
            Self::UnsupportedAlgorithm { alg } => {
                write!(f, "the header's alg is {alg:?}; only RS256 is accepted")
            }
            Self::CriticalHeader => f.write_str("the header has `crit` extensions, which are not supported"),
            Self::SignatureLength { expected, found } => write!(
                f,
                "the signature is {found} bytes, the key's modulus {expected}: the token was signed by another key"
            ),
            Self::BadSignature => f.write_str(
                "the signature does not verify: the token was signed by another key (is the certificate the pair of the private key?) or was altered",
            ),
            Self::MissingClaim { claim } => write!(f, "the required claim `{claim}` is missing"),
            Self::ClaimType { claim } => write!(f, "the claim `{claim}` has the wrong type"),
            Self::IssuerMismatch { expected, found } => {
                write!(f, "iss is {found:?}, expected {expected:?} (the consumer key)")
            }
            Self::AudienceMismatch { expected, found } => {
                write!(f, "aud is {found:?}, expected {expected:?}")
            }
            Self::Expired { exp, now } => write!(f, "the token expired: exp {exp} is not after now {now}"),
            Self::NotYetValid { nbf, now } => write!(
                f,
                "the token is not valid yet: nbf {nbf} is after now {now} (is the signer's clock ahead?)"
            ),
            Self::IssuedInFuture { iat, now } => write!(
                f,
                "the token claims to be issued in the future: iat {iat} is after now {now} (is the signer's clock ahead, or iat in milliseconds?)"
            ),
            Self::LifetimeTooLong { exp, from, max } => write!(
                f,
                "the token lives {} s (exp {exp}, from {from}), over the {max} s maximum: assertions must expire within minutes (is exp in milliseconds?)",
                exp.saturating_sub(*from)
            ),
            Self::NowBeforeEpoch => f.write_str("the current time given is before 1970"),
        }
    }
}

impl std::error::Error for VerifyError {}
