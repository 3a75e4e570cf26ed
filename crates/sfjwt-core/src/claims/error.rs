//! [`ClaimsError`]: claims refused before signing. Each message holds the whole fact and
//! `source()` is `None` ([error convention](crate::manual::errors#error-convention)).

use core::fmt;

/// Which claim a [`ClaimsError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimName {
    /// `iss`: the connected app's consumer key (client id).
    Issuer,
    /// `sub`: the Salesforce username.
    Subject,
}

impl ClaimName {
    fn describe(self) -> &'static str {
        match self {
            Self::Issuer => "client id (iss)",
            Self::Subject => "username (sub)",
        }
    }
}

/// Why the claims were refused before signing. Each variant names the likely cause and fix.
///
/// Client ids, usernames and audiences are identifiers, not secrets, so the messages quote
/// them to make the mistake visible.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimsError {
    /// No client id was given. It is the connected app's "Consumer Key".
    MissingClientId,
    /// No username was given. It is the Salesforce username the token acts as.
    MissingUsername,
    /// The claim is empty: usually an unset environment variable.
    Empty {
        /// The claim.
        claim: ClaimName,
    },
    /// The claim starts or ends with white space: usually a copy-paste or a trailing newline
    /// from a file or environment variable.
    SurroundingWhitespace {
        /// The claim.
        claim: ClaimName,
        /// The value as given.
        value: String,
    },
    /// The claim is wrapped in quotes: usually pasted from JSON or a shell line.
    Quoted {
        /// The claim.
        claim: ClaimName,
        /// The value as given.
        value: String,
    },
    /// The claim contains a control character or (for the client id) inner white space.
    InvalidCharacter {
        /// The claim.
        claim: ClaimName,
    },
    /// The audience is not an `https://` URL.
    AudienceNotHttps {
        /// The audience as given.
        audience: String,
    },
    /// The audience is not a well-formed absolute URL.
    AudienceMalformed {
        /// The audience as given.
        audience: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The audience is a Lightning, Visualforce, Setup or classic instance URL
    /// (`https://acme.lightning.force.com`, `https://na123.salesforce.com`), usually copied
    /// from the browser or from a token's `instance_url`. Salesforce answers
    /// `invalid_grant: audience is invalid`: the audience is the login server
    /// (`https://login.salesforce.com`, `https://test.salesforce.com`), the org's My Domain
    /// (External Client Apps since Spring '26) or an Experience Cloud site URL.
    AudienceIsInstance {
        /// The audience as given.
        audience: String,
        /// The My Domain URL of the same org, when the host name says it.
        my_domain: Option<String>,
    },
    /// The audience is a login server or My Domain with a path or a port, e.g. the token
    /// endpoint URL pasted as audience.
    AudienceHasPath {
        /// The audience as given.
        audience: String,
    },
    /// The My Domain audience was asked for ([`Audience::my_domain_of`](super::Audience::my_domain_of),
    /// `--audience my-domain`) but the endpoint is not a My Domain: use
    /// `https://NAME.my.salesforce.com` as the login URL too, or give the audience URL.
    NotAMyDomain {
        /// The endpoint's base URL.
        endpoint: String,
    },
    /// No audience was given and the endpoint has no safe default: it is neither a Salesforce
    /// host nor loopback. An assertion for `https://login.salesforce.com` sent there could be
    /// replayed at Salesforce by whoever runs that host, so the audience must be explicit.
    AudienceRequired {
        /// The endpoint's base URL.
        endpoint: String,
    },
    /// The lifetime is zero.
    ZeroLifetime,
    /// The lifetime is longer than [`MAX_LIFETIME`](super::MAX_LIFETIME) (5 minutes; Salesforce
    /// documents 3); opt out with
    /// [`ClaimsBuilder::allow_long_lifetime`](super::ClaimsBuilder::allow_long_lifetime) if the
    /// server is known to accept it.
    LifetimeTooLong {
        /// The requested lifetime in seconds.
        seconds: u64,
    },
    /// `exp` is not after `now`: Salesforce answers `invalid_grant: expired authorization
    /// code`. Usually clock skew or an `exp` computed in local time.
    ExpiryNotInFuture {
        /// The `exp` value.
        exp: u64,
        /// The `now` given, in seconds since the epoch.
        now: u64,
    },
    /// `exp` is so large it is almost certainly milliseconds: `exp` is in *seconds* since
    /// the Unix epoch.
    ExpiryLooksLikeMilliseconds {
        /// The `exp` value.
        exp: u64,
    },
    /// The `now` given is before 1970: the caller's clock source is broken.
    NowBeforeEpoch,
}

impl fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingClientId => f.write_str(
                "no client id: set it to the connected app's Consumer Key (Setup > App Manager > View)",
            ),
            Self::MissingUsername => {
                f.write_str("no username: set it to the Salesforce username the token acts as")
            }
            Self::Empty { claim } => write!(f, "the {} is empty", claim.describe()),
            Self::SurroundingWhitespace { claim, value } => write!(
                f,
                "the {} {value:?} starts or ends with white space: remove it (a trailing newline from a file or variable is the usual cause)",
                claim.describe()
            ),
            Self::Quoted { claim, value } => write!(
                f,
                "the {} {value:?} is wrapped in quotes: remove them",
                claim.describe()
            ),
            Self::InvalidCharacter { claim } => write!(
                f,
                "the {} contains a control character or white space",
                claim.describe()
            ),
            Self::AudienceNotHttps { audience } => write!(
                f,
                "the audience {audience:?} is not an https URL: use https://login.salesforce.com (production), https://test.salesforce.com (sandbox), your My Domain URL (External Client Apps) or your Experience Cloud site URL"
            ),
            Self::AudienceMalformed { audience, reason } => {
                write!(f, "the audience {audience:?} is not a valid URL: {reason}")
            }
            Self::AudienceIsInstance { audience, my_domain } => {
                write!(
                    f,
                    "the audience {audience:?} is a Lightning, Visualforce, Setup or instance URL, which Salesforce rejects as `audience is invalid`: use the login server (https://login.salesforce.com, or https://test.salesforce.com for sandboxes), or, for an External Client App, the org's My Domain URL "
                )?;
                match my_domain {
                    Some(url) => write!(f, "({url})"),
                    None => f.write_str("(https://NAME.my.salesforce.com)"),
                }
            }
            Self::AudienceHasPath { audience } => write!(
                f,
                "the audience {audience:?} has a path or a port: use the bare URL, e.g. https://login.salesforce.com or https://acme.my.salesforce.com"
            ),
            Self::NotAMyDomain { endpoint } => write!(
                f,
                "the My Domain audience needs a My Domain login URL, and {endpoint} is not one: use https://NAME.my.salesforce.com (or NAME--SANDBOX.sandbox.my.salesforce.com) as the login URL, or give the audience URL itself"
            ),
            Self::AudienceRequired { endpoint } => write!(
                f,
                "no audience for {endpoint}: it is neither a Salesforce host nor loopback, and an assertion for https://login.salesforce.com sent there could be replayed at Salesforce; give the audience explicitly"
            ),
            Self::ZeroLifetime => f.write_str("the assertion lifetime is zero: use a few minutes at most (default 180 s)"),
            Self::LifetimeTooLong { seconds } => write!(
                f,
                "the assertion lifetime of {seconds} s exceeds the 300 s maximum (Salesforce documents 3 minutes): shorten it, or opt out explicitly in the claims builder if your server accepts longer"
            ),
            Self::ExpiryNotInFuture { exp, now } => write!(
                f,
                "exp {exp} is not after now {now}: Salesforce would answer `expired authorization code` (check the clock, and that exp is UTC seconds)"
            ),
            Self::ExpiryLooksLikeMilliseconds { exp } => write!(
                f,
                "exp {exp} looks like milliseconds: exp is seconds since the Unix epoch"
            ),
            Self::NowBeforeEpoch => f.write_str("the current time given is before 1970: the clock source is broken"),
        }
    }
}

impl std::error::Error for ClaimsError {}
