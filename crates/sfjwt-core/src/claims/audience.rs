use super::ClaimsError;

/// The `aud` claim: the **authorization server**, not the instance.
///
/// Salesforce accepts `https://login.salesforce.com` (production), `https://test.salesforce.com`
/// (sandboxes) or an Experience Cloud site URL. The audience is independent of the host the
/// token is requested from: a token requested at `https://acme.my.salesforce.com` still carries
/// `aud = https://login.salesforce.com`. Confusing the two is the most reported failure of the
/// JWT bearer flow, so [`Audience::parse`] refuses My Domain, instance and Lightning URLs.
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

    /// Parses and checks an audience URL: login/test, an Experience Cloud site, or another
    /// https URL. A single trailing `/` on a bare host is removed; scheme and host are
    /// lower-cased.
    ///
    /// # Errors
    /// [`ClaimsError::AudienceNotHttps`], [`ClaimsError::AudienceMalformed`],
    /// [`ClaimsError::AudienceIsInstance`] (a My Domain, instance or Lightning URL) and
    /// [`ClaimsError::AudienceHasPath`] (the login server with a path).
    ///
    /// ```
    /// use sfjwt_core::claims::Audience;
    /// assert_eq!(Audience::parse("https://login.salesforce.com/")?.as_str(), "https://login.salesforce.com");
    /// assert!(Audience::parse("https://acme.my.salesforce.com").is_err());
    /// # Ok::<(), sfjwt_core::claims::ClaimsError>(())
    /// ```
    pub fn parse(audience: &str) -> Result<Self, ClaimsError> {
        let malformed = |reason| ClaimsError::AudienceMalformed {
            audience: audience.to_owned(),
            reason,
        };
        if audience.is_empty() {
            return Err(malformed("it is empty"));
        }
        if audience
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(malformed("it contains white space or control characters"));
        }
        let uri: http::Uri = audience
            .parse()
            .map_err(|_| malformed("it does not parse as a URL"))?;
        match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => {}
            Some(_) => {
                return Err(ClaimsError::AudienceNotHttps {
                    audience: audience.to_owned(),
                });
            }
            None => {
                return Err(ClaimsError::AudienceNotHttps {
                    audience: audience.to_owned(),
                });
            }
        }
        let authority = uri.authority().ok_or_else(|| malformed("it has no host"))?;
        if authority.as_str().contains('@') {
            return Err(malformed("it contains user information"));
        }
        if uri.query().is_some() {
            return Err(malformed("it has a query string"));
        }
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(malformed("it has no host"));
        }
        if !crate::host::is_valid_host(&host) {
            return Err(malformed("its host is not a DNS name or IP address"));
        }
        let path = uri.path();
        let path = if path == "/" { "" } else { path };
        if is_login_server(&host) {
            if !path.is_empty() || authority.port().is_some() {
                return Err(ClaimsError::AudienceHasPath {
                    audience: audience.to_owned(),
                });
            }
        } else if is_instance_host(&host) {
            return Err(ClaimsError::AudienceIsInstance {
                audience: audience.to_owned(),
            });
        }
        let port = authority
            .port()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        Ok(Self(format!("https://{host}{port}{path}")))
    }

    /// The audience URL, exactly as it goes into the `aud` claim.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the sandbox login server.
    pub fn is_sandbox(&self) -> bool {
        self.0 == Self::SANDBOX_URL
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

fn is_login_server(host: &str) -> bool {
    host == "login.salesforce.com" || host == "test.salesforce.com"
}

/// Hosts that serve an org's API or UI, never the login audience: My Domain
/// (`acme.my.salesforce.com`, `acme--dev.sandbox.my.salesforce.com`), classic instances
/// (`na123.salesforce.com`), Lightning (`acme.lightning.force.com`) and Setup / Visualforce
/// hosts.
fn is_instance_host(host: &str) -> bool {
    const INSTANCE_SUFFIXES: [&str; 4] = [
        ".salesforce.com",
        ".force.com",
        ".salesforce-setup.com",
        ".visualforce.com",
    ];
    // Legacy Experience Cloud sites live on `*.force.com` too (`acme.force.com/partners`),
    // so only the Lightning and Visualforce parts of force.com are instance hosts.
    if host.ends_with(".force.com") {
        return host.ends_with(".lightning.force.com") || host.ends_with(".visual.force.com");
    }
    INSTANCE_SUFFIXES
        .iter()
        .any(|suffix| host.ends_with(suffix))
        || host == "salesforce.com"
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
            assert_eq!(Audience::parse(input).unwrap().as_str(), want, "{input}");
        }
        assert!(Audience::sandbox().is_sandbox());
        assert!(!Audience::production().is_sandbox());
    }

    #[test]
    fn site_and_custom_urls_are_kept() {
        for input in [
            "https://acme.my.site.com/partners",
            "https://community.example.com/s",
            "https://acme.force.com/customers",
            "https://auth.example.org",
        ] {
            assert_eq!(Audience::parse(input).unwrap().as_str(), input);
        }
    }

    #[test]
    fn instance_urls_are_refused_with_the_fix() {
        for input in [
            "https://acme.my.salesforce.com",
            "https://acme--dev.sandbox.my.salesforce.com",
            "https://na123.salesforce.com",
            "https://acme.lightning.force.com",
            "https://acme--c.vf.force.com.visualforce.com",
            "https://acme.my.salesforce-setup.com",
        ] {
            let err = Audience::parse(input).unwrap_err();
            assert!(
                matches!(err, ClaimsError::AudienceIsInstance { .. }),
                "{input}: {err:?}"
            );
            assert!(err.to_string().contains("login server"), "{err}");
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
