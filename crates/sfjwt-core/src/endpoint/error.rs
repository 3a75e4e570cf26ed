//! [`EndpointError`]: why a token endpoint URL was refused.

use core::fmt;

/// Why an endpoint URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// The URL is not an absolute URL with a host, or carries parts a token endpoint never has.
    /// Usually a typo, a missing `https://`, or a value copied with surrounding text.
    Malformed {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Plain `http://` to a host that is not loopback. The assertion is a bearer credential
    /// and must not cross a network unencrypted; use `https://`.
    InsecureHttp {
        /// The URL as given.
        url: String,
    },
    /// A scheme other than https (or http on loopback).
    UnsupportedScheme {
        /// The URL as given.
        url: String,
        /// The scheme found.
        scheme: String,
    },
    /// A Lightning (`*.lightning.force.com`), Visualforce, Setup or classic instance
    /// (`na123.salesforce.com`) host: copied from the browser's address bar or from a token's
    /// `instance_url`. These hosts serve the UI or the API, never the token endpoint; use the
    /// org's My Domain URL (Setup > My Domain).
    NotALoginHost {
        /// The URL as given.
        url: String,
        /// The My Domain login URL of the same org, when the host name says it.
        my_domain: Option<String>,
    },
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { url, reason } => {
                write!(f, "token endpoint {url:?} is not usable: {reason}")
            }
            Self::InsecureHttp { url } => write!(
                f,
                "token endpoint {url:?} uses plain http: the signed assertion is a bearer credential and must travel over https (plain http is allowed only for loopback hosts such as 127.0.0.1, localhost or [::1])"
            ),
            Self::UnsupportedScheme { url, scheme } => write!(
                f,
                "token endpoint {url:?} has scheme {scheme:?}: use https://"
            ),
            Self::NotALoginHost { url, my_domain } => {
                write!(
                    f,
                    "token endpoint {url:?} is a Lightning, Visualforce, Setup or instance host, which serves the org but never logs in: use "
                )?;
                match my_domain {
                    Some(my_domain) => write!(f, "the org's My Domain URL, {my_domain}"),
                    None => f.write_str(
                        "the org's My Domain URL (https://NAME.my.salesforce.com; Setup > My Domain shows it)",
                    ),
                }
            }
        }
    }
}

impl std::error::Error for EndpointError {}
