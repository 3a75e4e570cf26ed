//! The token endpoint: which Salesforce host the assertion is POSTed to.
//!
//! The endpoint and the audience are different things
//! ([`manual::audience`](crate::manual::audience)): a token may be requested at a My Domain
//! while `aud` stays `https://login.salesforce.com`, or, for an External Client App since
//! Spring '26, the My Domain is both. This module normalises what users paste (trailing
//! slashes, the full `/services/oauth2/token` URL), refuses plain `http://` except on loopback,
//! refuses hosts that never log in (Lightning, Visualforce, Setup, classic instances) with the
//! My Domain as the fix, and derives the *default* audience from the host.

use core::fmt;

use crate::claims::Audience;
use crate::salesforce_host::{self, HostKind};
use crate::url::{HttpUrl, SchemePolicy, UrlError};

mod error;
mod login_pairs;

pub use error::EndpointError;
pub use login_pairs::{LoginPair, MAX_LOGIN_PAIRS, login_pairs};

/// The path of the OAuth 2.0 token endpoint on every Salesforce login host.
pub const TOKEN_PATH: &str = "/services/oauth2/token";

/// What kind of Salesforce host an endpoint is; it decides the default audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndpointKind {
    /// `https://login.salesforce.com`.
    ProductionLogin,
    /// `https://test.salesforce.com`.
    SandboxLogin,
    /// A production My Domain: `https://acme.my.salesforce.com`, a Developer Edition, demo,
    /// patch, free or Trailhead playground My Domain (`*.develop.my.salesforce.com`…), or a
    /// Government Cloud Plus My Domain (`*.my.salesforce.mil`).
    MyDomain,
    /// A sandbox or scratch-org My Domain: `https://acme--dev.sandbox.my.salesforce.com`,
    /// `https://acme--dev.my.salesforce.com` (without enhanced domains),
    /// `https://name.scratch.my.salesforce.com`.
    SandboxMyDomain,
    /// An Experience Cloud site on a Salesforce host (`*.my.site.com`, legacy `*.force.com`),
    /// with or without a path such as `/partners`.
    ExperienceSite,
    /// A loopback host (`127.0.0.0/8`, `localhost`, `[::1]`), over http or https: a local
    /// emulator or a test server.
    Loopback,
    /// Any other https URL: a custom domain, a proxy, or not Salesforce at all. It has no
    /// default audience: the audience must be given.
    Other,
}

/// A validated, normalised token endpoint.
///
/// ```
/// use sfjwt_core::endpoint::TokenEndpoint;
/// let e = TokenEndpoint::parse("https://acme--dev.sandbox.my.salesforce.com/services/oauth2/token/")?;
/// assert_eq!(e.base_url(), "https://acme--dev.sandbox.my.salesforce.com");
/// assert_eq!(e.token_url(), "https://acme--dev.sandbox.my.salesforce.com/services/oauth2/token");
/// assert_eq!(e.default_audience().unwrap().as_str(), "https://test.salesforce.com");
/// # Ok::<(), sfjwt_core::endpoint::EndpointError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenEndpoint {
    base: String,
    host: String,
    kind: EndpointKind,
}

impl TokenEndpoint {
    /// `https://login.salesforce.com`: production orgs.
    pub fn production() -> Self {
        Self {
            base: "https://login.salesforce.com".to_owned(),
            host: "login.salesforce.com".to_owned(),
            kind: EndpointKind::ProductionLogin,
        }
    }

    /// `https://test.salesforce.com`: sandboxes.
    pub fn sandbox() -> Self {
        Self {
            base: "https://test.salesforce.com".to_owned(),
            host: "test.salesforce.com".to_owned(),
            kind: EndpointKind::SandboxLogin,
        }
    }

    /// Parses an endpoint URL: a login host, a My Domain, a site URL or any https URL.
    ///
    /// Trailing slashes and a pasted `/services/oauth2/token` suffix are removed; scheme and host
    /// are lower-cased. Plain `http://` is accepted only for loopback hosts (`127.0.0.0/8`,
    /// `localhost`, `[::1]`).
    ///
    /// # Errors
    /// [`EndpointError::Malformed`] for anything that is not an absolute URL with a host (or has
    /// a query, fragment or user info), [`EndpointError::InsecureHttp`] for `http://` to a
    /// non-loopback host, [`EndpointError::UnsupportedScheme`] for other schemes,
    /// [`EndpointError::NotALoginHost`] for Lightning, Visualforce, Setup and instance hosts.
    ///
    /// ```
    /// use sfjwt_core::endpoint::{EndpointError, TokenEndpoint};
    /// let err = TokenEndpoint::parse("https://acme.lightning.force.com").unwrap_err();
    /// assert!(matches!(err, EndpointError::NotALoginHost { .. }));
    /// assert!(err.to_string().contains("https://acme.my.salesforce.com"));
    /// ```
    pub fn parse(url: &str) -> Result<Self, EndpointError> {
        let parsed = HttpUrl::parse(url, SchemePolicy::HttpsOrLoopbackHttp).map_err(|e| {
            let url = url.to_owned();
            match e {
                UrlError::Malformed(reason) => EndpointError::Malformed { url, reason },
                UrlError::NoScheme => EndpointError::Malformed {
                    url,
                    reason: "it has no scheme: start it with https://",
                },
                UrlError::InsecureHttp => EndpointError::InsecureHttp { url },
                UrlError::UnsupportedScheme(scheme) => {
                    EndpointError::UnsupportedScheme { url, scheme }
                }
            }
        })?;
        let host = parsed.host().to_owned();
        let path = normalise_path(parsed.path());
        let host_kind = salesforce_host::classify(&host);
        if host_kind == HostKind::NotALoginHost {
            return Err(EndpointError::NotALoginHost {
                url: url.to_owned(),
                my_domain: salesforce_host::my_domain_for(&host),
            });
        }
        let kind = classify(host_kind, &path);
        Ok(Self {
            base: format!("{}{path}", parsed.origin()),
            host,
            kind,
        })
    }

    /// `https://{name}.my.salesforce.com`, from the My Domain name alone (`acme`).
    ///
    /// # Errors
    /// [`EndpointError::Malformed`] if `name` does not make a valid host.
    pub fn my_domain(name: &str) -> Result<Self, EndpointError> {
        Self::parse(&format!("https://{name}.my.salesforce.com"))
    }

    /// The normalised base URL, without a trailing slash or the token path.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The full token URL: `{base}/services/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base)
    }

    /// The lower-cased host name (IPv6 literals in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// What kind of host this is.
    pub fn kind(&self) -> EndpointKind {
        self.kind
    }

    /// The audience used unless the caller sets one, or `None` when there is no safe default:
    ///
    /// - `https://test.salesforce.com` for `test.salesforce.com` and sandbox/scratch My Domains;
    /// - the site URL for an Experience Cloud site, as Salesforce documents for site logins;
    /// - `None` for [`EndpointKind::Other`]: an assertion for `https://login.salesforce.com`
    ///   posted to a host that is not Salesforce could be replayed at Salesforce by that host
    ///   for its whole lifetime, so the audience must be chosen explicitly;
    /// - `https://login.salesforce.com` otherwise (production login, My Domains, loopback).
    ///
    /// External Client Apps since Spring '26 want the My Domain instead: set
    /// [`Audience::my_domain_of`] (see [`manual::audience`](crate::manual::audience)).
    ///
    /// ```
    /// use sfjwt_core::endpoint::TokenEndpoint;
    /// let site = TokenEndpoint::parse("https://acme.my.site.com/partners")?;
    /// assert_eq!(site.default_audience().unwrap().as_str(), "https://acme.my.site.com/partners");
    /// assert!(TokenEndpoint::parse("https://auth.example.org")?.default_audience().is_none());
    /// # Ok::<(), sfjwt_core::endpoint::EndpointError>(())
    /// ```
    pub fn default_audience(&self) -> Option<Audience> {
        match self.kind {
            EndpointKind::SandboxLogin | EndpointKind::SandboxMyDomain => Some(Audience::sandbox()),
            EndpointKind::ExperienceSite => Audience::parse(&self.base).ok(),
            EndpointKind::Other => None,
            _ => Some(Audience::production()),
        }
    }

    /// Whether the host is a My Domain (production, sandbox, scratch, Government Cloud Plus…).
    pub fn is_my_domain(&self) -> bool {
        matches!(
            self.kind,
            EndpointKind::MyDomain | EndpointKind::SandboxMyDomain
        )
    }
}

impl fmt::Display for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

impl core::str::FromStr for TokenEndpoint {
    type Err = EndpointError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Strips trailing slashes and a pasted token path (repeatedly, so `/services/oauth2/token/`
/// and `//` both normalise).
fn normalise_path(path: &str) -> String {
    let mut p = path.trim_end_matches('/');
    loop {
        let lower = p.to_ascii_lowercase();
        if lower.ends_with(TOKEN_PATH) {
            p = p
                .get(..p.len() - TOKEN_PATH.len())
                .unwrap_or_default()
                .trim_end_matches('/');
        } else {
            break;
        }
    }
    p.to_owned()
}

fn classify(host: HostKind, path: &str) -> EndpointKind {
    match host {
        HostKind::Loopback => EndpointKind::Loopback,
        HostKind::ProductionLogin if path.is_empty() => EndpointKind::ProductionLogin,
        HostKind::SandboxLogin if path.is_empty() => EndpointKind::SandboxLogin,
        HostKind::MyDomain { sandbox: false } if path.is_empty() => EndpointKind::MyDomain,
        HostKind::MyDomain { sandbox: true } if path.is_empty() => EndpointKind::SandboxMyDomain,
        HostKind::Site => EndpointKind::ExperienceSite,
        _ => EndpointKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_hosts_are_recognised_and_normalised() {
        for (input, base, kind, aud) in [
            (
                "https://login.salesforce.com",
                "https://login.salesforce.com",
                EndpointKind::ProductionLogin,
                Audience::PRODUCTION_URL,
            ),
            (
                "https://login.salesforce.com/",
                "https://login.salesforce.com",
                EndpointKind::ProductionLogin,
                Audience::PRODUCTION_URL,
            ),
            (
                "https://test.salesforce.com/services/oauth2/token",
                "https://test.salesforce.com",
                EndpointKind::SandboxLogin,
                Audience::SANDBOX_URL,
            ),
            (
                "HTTPS://Acme.My.Salesforce.com//",
                "https://acme.my.salesforce.com",
                EndpointKind::MyDomain,
                Audience::PRODUCTION_URL,
            ),
            (
                "https://acme--dev.sandbox.my.salesforce.com/services/oauth2/token/",
                "https://acme--dev.sandbox.my.salesforce.com",
                EndpointKind::SandboxMyDomain,
                Audience::SANDBOX_URL,
            ),
            (
                "https://acme.my.site.com/partners/",
                "https://acme.my.site.com/partners",
                EndpointKind::ExperienceSite,
                "https://acme.my.site.com/partners",
            ),
            (
                "https://acme.my.site.com/partners/services/oauth2/token",
                "https://acme.my.site.com/partners",
                EndpointKind::ExperienceSite,
                "https://acme.my.site.com/partners",
            ),
            (
                "https://auth.example.org:8443",
                "https://auth.example.org:8443",
                EndpointKind::Other,
                "",
            ),
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080",
                EndpointKind::Loopback,
                Audience::PRODUCTION_URL,
            ),
            (
                "http://127.1.2.3",
                "http://127.1.2.3",
                EndpointKind::Loopback,
                Audience::PRODUCTION_URL,
            ),
            (
                "http://localhost:1234",
                "http://localhost:1234",
                EndpointKind::Loopback,
                Audience::PRODUCTION_URL,
            ),
            (
                "http://[::1]:99",
                "http://[::1]:99",
                EndpointKind::Loopback,
                Audience::PRODUCTION_URL,
            ),
        ] {
            let e = TokenEndpoint::parse(input).unwrap();
            assert_eq!(e.base_url(), base, "{input}");
            assert_eq!(e.kind(), kind, "{input}");
            let default = e.default_audience();
            assert_eq!(default.as_ref().map_or("", |a| a.as_str()), aud, "{input}");
            assert_eq!(e.token_url(), format!("{base}/services/oauth2/token"));
        }
        assert_eq!(
            TokenEndpoint::production(),
            TokenEndpoint::parse("https://login.salesforce.com").unwrap()
        );
        assert_eq!(
            TokenEndpoint::sandbox(),
            TokenEndpoint::parse("https://test.salesforce.com").unwrap()
        );
        assert_eq!(
            TokenEndpoint::my_domain("acme").unwrap().kind(),
            EndpointKind::MyDomain
        );
    }

    #[test]
    fn hosts_that_never_log_in_are_refused_with_the_my_domain() {
        for (input, suggestion) in [
            (
                "https://acme.lightning.force.com",
                Some("https://acme.my.salesforce.com"),
            ),
            (
                "https://acme--dev.sandbox.lightning.force.com/lightning/page/home",
                Some("https://acme--dev.sandbox.my.salesforce.com"),
            ),
            ("https://na123.salesforce.com", None),
            ("https://acme--c.vf.force.com", None),
            (
                "https://acme.my.salesforce-setup.com",
                Some("https://acme.my.salesforce.com"),
            ),
        ] {
            let err = TokenEndpoint::parse(input).unwrap_err();
            assert_eq!(
                err,
                EndpointError::NotALoginHost {
                    url: input.to_owned(),
                    my_domain: suggestion.map(str::to_owned)
                }
            );
            assert!(err.to_string().contains("My Domain"), "{err}");
        }
    }

    #[test]
    fn my_domain_partitions_and_sites() {
        for (input, kind, aud) in [
            (
                "https://acme-dev-ed.develop.my.salesforce.com",
                EndpointKind::MyDomain,
                Some(Audience::PRODUCTION_URL),
            ),
            (
                "https://agency.my.salesforce.mil",
                EndpointKind::MyDomain,
                Some(Audience::PRODUCTION_URL),
            ),
            (
                "https://acme--uat.my.salesforce.com",
                EndpointKind::SandboxMyDomain,
                Some(Audience::SANDBOX_URL),
            ),
            (
                "https://power-fun-1234.scratch.my.salesforce.com",
                EndpointKind::SandboxMyDomain,
                Some(Audience::SANDBOX_URL),
            ),
            (
                "https://acme.force.com/customers",
                EndpointKind::ExperienceSite,
                Some("https://acme.force.com/customers"),
            ),
            (
                "https://acme.my.site.com",
                EndpointKind::ExperienceSite,
                Some("https://acme.my.site.com"),
            ),
            ("https://community.example.com/s", EndpointKind::Other, None),
            (
                "https://127.0.0.1:8443",
                EndpointKind::Loopback,
                Some(Audience::PRODUCTION_URL),
            ),
        ] {
            let e = TokenEndpoint::parse(input).unwrap();
            assert_eq!(e.kind(), kind, "{input}");
            assert_eq!(
                e.default_audience().as_ref().map(Audience::as_str),
                aud,
                "{input}"
            );
        }
        assert!(TokenEndpoint::my_domain("acme").unwrap().is_my_domain());
        assert!(!TokenEndpoint::production().is_my_domain());
    }

    #[test]
    fn plain_http_is_refused_with_the_reason() {
        for input in [
            "http://login.salesforce.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://localhost.evil.com",
        ] {
            let err = TokenEndpoint::parse(input).unwrap_err();
            assert!(
                matches!(err, EndpointError::InsecureHttp { .. }),
                "{input}: {err:?}"
            );
            assert!(err.to_string().contains("loopback"), "{err}");
        }
    }

    #[test]
    fn hosts_that_do_not_reparse_are_refused() {
        // Found by the `endpoint` fuzz target: `http::Uri` accepts these authorities, but a
        // base URL rebuilt from them does not parse again.
        for bad in [
            "https://a[:]b",
            "https://AC[::1]M)E.My.Salesforce.com",
            "https://x_y.example.com:443/3[:]",
        ] {
            if let Ok(e) = TokenEndpoint::parse(bad) {
                assert_eq!(
                    TokenEndpoint::parse(e.base_url()).ok().as_ref(),
                    Some(&e),
                    "{bad}"
                );
            }
        }
        assert!(TokenEndpoint::parse("https://a[:]b").is_err());
        assert!(TokenEndpoint::my_domain("3[:]").is_err());
        assert!(TokenEndpoint::parse("http://[::1]:8080").is_ok());
    }

    #[test]
    fn malformed_urls_are_refused() {
        for input in [
            "",
            "login.salesforce.com",
            "https://",
            "https://a.com/?x=1",
            "https://u@a.com",
            "https://a.com/#x",
            " https://a.com",
            "https://a.com\n",
        ] {
            assert!(
                matches!(
                    TokenEndpoint::parse(input),
                    Err(EndpointError::Malformed { .. } | EndpointError::UnsupportedScheme { .. })
                ),
                "{input:?}"
            );
        }
        assert!(matches!(
            TokenEndpoint::parse("ftp://a.com"),
            Err(EndpointError::UnsupportedScheme { .. })
        ));
    }
}
