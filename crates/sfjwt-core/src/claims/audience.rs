use super::ClaimsError;
use crate::endpoint::{EndpointKind, TokenEndpoint};
use crate::salesforce_host::{self, HostKind};
use crate::url::{HttpUrl, SchemePolicy, UrlError};

/// The `aud` claim: the **authorization server** the assertion is meant for.
///
/// Salesforce accepts, depending on the org and the app:
///
/// - `https://login.salesforce.com` (production) or `https://test.salesforce.com` (sandboxes):
///   connected apps, whatever host the token is requested from;
/// - the org's **My Domain** URL (`https://acme.my.salesforce.com`,
///   `https://acme--dev.sandbox.my.salesforce.com`…): External Client Apps since Spring '26,
///   which answer `app_not_found` to login/test. Use it as login URL *and* audience:
///   [`Audience::my_domain_of`];
/// - an Experience Cloud site URL (`https://acme.my.site.com/partners`) for site logins.
///
/// Lightning, Visualforce, Setup and classic instance hosts (`acme.lightning.force.com`,
/// `na123.salesforce.com`) are never an audience: [`Audience::parse`] refuses them and names
/// the My Domain instead. The rules and their sources are in
/// [`manual::audience`](crate::manual::audience).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Audience(String);

impl Audience {
    /// `https://login.salesforce.com`, the production login server.
    pub const PRODUCTION_URL: &'static str = "https://login.salesforce.com";
    /// `https://test.salesforce.com`, the sandbox login server.
    pub const SANDBOX_URL: &'static str = "https://test.salesforce.com";

    /// The production login server (the default).
    pub fn production() -> Self {
        Self(Self::PRODUCTION_URL.to_owned())
    }

    /// The sandbox login server.
    pub fn sandbox() -> Self {
        Self(Self::SANDBOX_URL.to_owned())
    }

    /// The My Domain of `endpoint` as audience: the one obvious way to say "my My Domain, for
    /// both endpoint and audience", which External Client Apps want since Spring '26 (they
    /// answer `app_not_found` / "External client app is not installed in this org" to
    /// login/test audiences).
    ///
    /// A loopback endpoint (`http://127.0.0.1:PORT`, a local emulator such as `sfjwt
    /// emulate`) plays the org's My Domain: its base URL is the audience, as the emulator
    /// accepts it for an org with a My Domain.
    ///
    /// # Errors
    /// [`ClaimsError::NotAMyDomain`] if `endpoint` is not a My Domain (the login servers, a
    /// site or another host): give the My Domain URL as the endpoint, or the audience
    /// explicitly.
    ///
    /// ```
    /// use sfjwt_core::{claims::Audience, endpoint::TokenEndpoint};
    /// let endpoint = TokenEndpoint::parse("https://acme--dev.sandbox.my.salesforce.com/")?;
    /// let aud = Audience::my_domain_of(&endpoint)?;
    /// assert_eq!(aud.as_str(), "https://acme--dev.sandbox.my.salesforce.com");
    /// assert!(aud.is_my_domain());
    /// assert!(Audience::my_domain_of(&TokenEndpoint::production()).is_err());
    /// let emulator = TokenEndpoint::parse("http://127.0.0.1:8080")?;
    /// assert_eq!(Audience::my_domain_of(&emulator)?.as_str(), "http://127.0.0.1:8080");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn my_domain_of(endpoint: &TokenEndpoint) -> Result<Self, ClaimsError> {
        if !endpoint.is_my_domain() && endpoint.kind() != EndpointKind::Loopback {
            return Err(ClaimsError::NotAMyDomain {
                endpoint: endpoint.base_url().to_owned(),
            });
        }
        Ok(Self(endpoint.base_url().to_owned()))
    }

    /// Parses and checks an audience URL: login/test, a My Domain, an Experience Cloud site,
    /// or another https URL. A single trailing `/` on a bare host is removed; scheme and host
    /// are lower-cased.
    ///
    /// # Errors
    /// [`ClaimsError::AudienceNotHttps`], [`ClaimsError::AudienceMalformed`],
    /// [`ClaimsError::AudienceIsInstance`] (a Lightning, Visualforce, Setup or instance URL)
    /// and [`ClaimsError::AudienceHasPath`] (a login server or My Domain with a path or port).
    ///
    /// ```
    /// use sfjwt_core::claims::Audience;
    /// assert_eq!(Audience::parse("https://login.salesforce.com/")?.as_str(), "https://login.salesforce.com");
    /// assert!(Audience::parse("https://acme.my.salesforce.com")?.is_my_domain());
    /// assert!(Audience::parse("https://acme.lightning.force.com").is_err());
    /// # Ok::<(), sfjwt_core::claims::ClaimsError>(())
    /// ```
    pub fn parse(audience: &str) -> Result<Self, ClaimsError> {
        let url = HttpUrl::parse(audience, SchemePolicy::Https).map_err(|e| match e {
            UrlError::Malformed(reason) => ClaimsError::AudienceMalformed {
                audience: audience.to_owned(),
                reason,
            },
            UrlError::NoScheme | UrlError::InsecureHttp | UrlError::UnsupportedScheme(_) => {
                ClaimsError::AudienceNotHttps {
                    audience: audience.to_owned(),
                }
            }
        })?;
        let host = url.host();
        let path = match url.path() {
            "/" => "",
            path => path,
        };
        match salesforce_host::classify(host) {
            HostKind::ProductionLogin | HostKind::SandboxLogin | HostKind::MyDomain { .. } => {
                if !path.is_empty() || url.port().is_some() {
                    return Err(ClaimsError::AudienceHasPath {
                        audience: audience.to_owned(),
                    });
                }
            }
            HostKind::NotALoginHost => {
                return Err(ClaimsError::AudienceIsInstance {
                    audience: audience.to_owned(),
                    my_domain: salesforce_host::my_domain_for(host),
                });
            }
            HostKind::Site | HostKind::Loopback | HostKind::Unknown => {}
        }
        Ok(Self(format!("{}{path}", url.origin())))
    }

    /// The audience URL, exactly as it goes into the `aud` claim.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the sandbox login server.
    pub fn is_sandbox(&self) -> bool {
        self.0 == Self::SANDBOX_URL
    }

    /// Whether this is one of the two login servers (`login` or `test`).
    pub fn is_login_server(&self) -> bool {
        self.0 == Self::PRODUCTION_URL || self.0 == Self::SANDBOX_URL
    }

    /// Whether this is a My Domain URL: right for External Client Apps since Spring '26,
    /// refused by orgs that expect login/test.
    pub fn is_my_domain(&self) -> bool {
        // Parsed again rather than sliced: the value was checked by the same parser, and a
        // loopback audience (`my_domain_of` an emulator) is plain http.
        HttpUrl::parse(&self.0, SchemePolicy::HttpsOrLoopbackHttp).is_ok_and(|url| {
            matches!(
                salesforce_host::classify(url.host()),
                HostKind::MyDomain { .. }
            )
        })
    }
}

impl core::fmt::Display for Audience {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for Audience {
    type Err = ClaimsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_servers_are_normalised() {
        for (input, want) in [
            ("https://login.salesforce.com", Audience::PRODUCTION_URL),
            ("https://login.salesforce.com/", Audience::PRODUCTION_URL),
            ("HTTPS://Login.Salesforce.com", Audience::PRODUCTION_URL),
            ("https://test.salesforce.com/", Audience::SANDBOX_URL),
        ] {
            let aud = Audience::parse(input).unwrap();
            assert_eq!(aud.as_str(), want, "{input}");
            assert!(aud.is_login_server() && !aud.is_my_domain());
        }
        assert!(Audience::sandbox().is_sandbox());
        assert!(!Audience::production().is_sandbox());
    }

    #[test]
    fn my_domains_are_audiences() {
        for (input, want) in [
            (
                "https://acme.my.salesforce.com",
                "https://acme.my.salesforce.com",
            ),
            (
                "https://ACME.my.salesforce.com/",
                "https://acme.my.salesforce.com",
            ),
            (
                "https://acme--dev.sandbox.my.salesforce.com",
                "https://acme--dev.sandbox.my.salesforce.com",
            ),
            (
                "https://acme-dev-ed.develop.my.salesforce.com",
                "https://acme-dev-ed.develop.my.salesforce.com",
            ),
            (
                "https://agency.my.salesforce.mil",
                "https://agency.my.salesforce.mil",
            ),
        ] {
            let aud = Audience::parse(input).unwrap();
            assert_eq!(aud.as_str(), want, "{input}");
            assert!(aud.is_my_domain() && !aud.is_login_server(), "{input}");
        }
        for bad in [
            "https://acme.my.salesforce.com/services/oauth2/token",
            "https://acme.my.salesforce.com:8443",
        ] {
            assert!(
                matches!(
                    Audience::parse(bad),
                    Err(ClaimsError::AudienceHasPath { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn my_domain_of_the_endpoint() {
        let e =
            TokenEndpoint::parse("https://Acme.My.Salesforce.com/services/oauth2/token").unwrap();
        assert_eq!(
            Audience::my_domain_of(&e).unwrap().as_str(),
            "https://acme.my.salesforce.com"
        );
        // A local emulator plays the My Domain.
        let e = TokenEndpoint::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            Audience::my_domain_of(&e).unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
        for not_my_domain in [
            "https://login.salesforce.com",
            "https://test.salesforce.com",
            "https://acme.my.site.com/partners",
            "https://auth.example.org",
        ] {
            let e = TokenEndpoint::parse(not_my_domain).unwrap();
            let err = Audience::my_domain_of(&e).unwrap_err();
            assert!(matches!(err, ClaimsError::NotAMyDomain { .. }), "{err:?}");
            assert!(err.to_string().contains("my.salesforce.com"), "{err}");
        }
    }

    #[test]
    fn china_and_my_salesforce_hosts_as_sfdx_core_classifies_them() {
        for my_domain in [
            "https://acme.my.sfcrmproducts.cn",
            "https://acme.my-salesforce.com",
        ] {
            let aud = Audience::parse(my_domain).unwrap();
            assert!(aud.is_my_domain(), "{my_domain}");
            let endpoint = TokenEndpoint::parse(my_domain).unwrap();
            assert!(endpoint.is_my_domain(), "{my_domain}");
            assert_eq!(Audience::my_domain_of(&endpoint).unwrap(), aud);
        }
        for (lightning, fix) in [
            (
                "https://acme.lightning.sfcrmapps.cn",
                "https://acme.my.sfcrmproducts.cn",
            ),
            (
                "https://acme.my-lightning.com",
                "https://acme.my-salesforce.com",
            ),
        ] {
            let err = Audience::parse(lightning).unwrap_err();
            assert!(
                matches!(&err, ClaimsError::AudienceIsInstance { my_domain: Some(m), .. } if m == fix),
                "{err:?}"
            );
            assert!(TokenEndpoint::parse(lightning).is_err(), "{lightning}");
        }
    }

    #[test]
    fn site_and_custom_urls_are_kept() {
        for input in [
            "https://acme.my.site.com/partners",
            "https://community.example.com/s",
            "https://acme.force.com/customers",
            "https://auth.example.org",
        ] {
            let aud = Audience::parse(input).unwrap();
            assert_eq!(aud.as_str(), input);
            assert!(!aud.is_my_domain() && !aud.is_login_server());
        }
    }

    #[test]
    fn lightning_and_instance_urls_are_refused_with_the_my_domain() {
        for (input, my_domain) in [
            ("https://na123.salesforce.com", None),
            (
                "https://acme.lightning.force.com",
                Some("https://acme.my.salesforce.com"),
            ),
            (
                "https://acme--dev.sandbox.lightning.force.com/",
                Some("https://acme--dev.sandbox.my.salesforce.com"),
            ),
            ("https://acme--c.vf.force.com.visualforce.com", None),
            (
                "https://acme.my.salesforce-setup.com",
                Some("https://acme.my.salesforce.com"),
            ),
        ] {
            let err = Audience::parse(input).unwrap_err();
            assert_eq!(
                err,
                ClaimsError::AudienceIsInstance {
                    audience: input.to_owned(),
                    my_domain: my_domain.map(str::to_owned)
                }
            );
            let text = err.to_string();
            assert!(text.contains(my_domain.unwrap_or("My Domain")), "{text}");
            assert!(text.contains("login.salesforce.com"), "{text}");
        }
    }

    #[test]
    fn other_mistakes_have_their_own_errors() {
        assert!(matches!(
            Audience::parse("http://login.salesforce.com"),
            Err(ClaimsError::AudienceNotHttps { .. })
        ));
        assert!(matches!(
            Audience::parse("login.salesforce.com"),
            Err(ClaimsError::AudienceNotHttps { .. } | ClaimsError::AudienceMalformed { .. })
        ));
        assert!(matches!(
            Audience::parse("https://login.salesforce.com/services/oauth2/token"),
            Err(ClaimsError::AudienceHasPath { .. })
        ));
        for bad in [
            "",
            " https://login.salesforce.com",
            "https://user@login.example.com",
            "https://x.example.com/?a=b",
        ] {
            assert!(
                matches!(
                    Audience::parse(bad),
                    Err(ClaimsError::AudienceMalformed { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
