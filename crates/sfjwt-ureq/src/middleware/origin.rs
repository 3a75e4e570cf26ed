//! Where the token may go: the origin (scheme, host, port) of the token's `instance_url`, and
//! the placeholder host [`org_url`] writes so a path can be written before the instance is
//! known. The same rules as sfjwt-reqwest's middleware, on `http::Uri`.

use core::fmt;

use http::Uri;
use http::uri::{Authority, Scheme};
use sfjwt_core::response::TokenResponse;

/// The host [`org_url`] puts in front of a path. Under `.invalid` (RFC 2606): a request that
/// bypasses the middleware fails to resolve instead of reaching anyone.
pub(crate) const PLACEHOLDER_HOST: &str = "instance.sfjwt.invalid";

/// A URI on the org's instance, for a path such as `/services/data/v62.0/limits`: the
/// middleware replaces its scheme, host and port with the current token's `instance_url` when
/// the request is sent.
///
/// Why a placeholder rather than a method that fetches the token first: the URI is known
/// without a grant, it reads like any other ureq call (`agent.get(org_url(…)?)`), and it
/// follows the token actually attached, also when a re-grant lands on another instance. Sent
/// by an agent without the middleware, it fails to resolve (`.invalid`, RFC 2606).
///
/// ```
/// let uri = sfjwt_ureq::org_url("/services/data/v62.0/limits?x=1")?;
/// assert_eq!(uri.path(), "/services/data/v62.0/limits");
/// assert!(sfjwt_ureq::org_url("https://evil.example/").is_err());
/// # Ok::<(), sfjwt_ureq::OrgPathError>(())
/// ```
///
/// # Errors
/// [`OrgPathError`] when `path` is not an absolute path on one host: it must start with one
/// `/` (not `//`, which names another host), contain no `\` (which URL parsers read as `/`)
/// and be a valid URI path and query.
pub fn org_url(path: &str) -> Result<Uri, OrgPathError> {
    let error = || OrgPathError {
        path: path.to_owned(),
    };
    if !path.starts_with('/') || path.starts_with("//") || path.contains('\\') {
        return Err(error());
    }
    let uri: Uri = format!("https://{PLACEHOLDER_HOST}{path}")
        .parse()
        .map_err(|_| error())?;
    if uri.host() != Some(PLACEHOLDER_HOST) {
        return Err(error());
    }
    Ok(uri)
}

/// [`org_url`] was given something other than a path on the org's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPathError {
    path: String,
}

impl fmt::Display for OrgPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a path on the org's host: write it as `/services/data/…` (one leading \
             `/`, no `\\`, no spaces); for another host pass a full URL to the agent instead",
            self.path
        )
    }
}

impl std::error::Error for OrgPathError {}

/// Which URL of the token names the host the token may be sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum HostChoice {
    /// `instance_url`, always present.
    #[default]
    Instance,
    /// `api_instance_url` (sent with the `sfap_api` scope) when the token has one, else
    /// `instance_url`.
    ApiInstance,
}

/// The URL whose origin the token belongs to.
pub(crate) fn token_base(token: &TokenResponse, choice: HostChoice) -> &str {
    match choice {
        HostChoice::Instance => token.instance_url(),
        HostChoice::ApiInstance => token
            .api_instance_url()
            .unwrap_or_else(|| token.instance_url()),
    }
}

/// An origin: scheme, lower-case host, port (the scheme's default made explicit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: Scheme,
    authority: Authority,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// The origin of an absolute `uri`; `None` for a relative one.
    pub(crate) fn of(uri: &Uri) -> Option<Self> {
        let scheme = uri.scheme()?.clone();
        let authority = uri.authority()?.clone();
        let port = authority.port_u16().or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        });
        Some(Self {
            host: authority.host().to_ascii_lowercase(),
            scheme,
            authority,
            port,
        })
    }

    /// Whether `uri` is on this origin.
    pub(crate) fn contains(&self, uri: &Uri) -> bool {
        Self::of(uri)
            .is_some_and(|o| o.scheme == self.scheme && o.host == self.host && o.port == self.port)
    }

    /// `uri`'s path and query on this origin.
    pub(crate) fn rebase(&self, uri: &Uri) -> Option<Uri> {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = uri.path_and_query().cloned();
        Uri::from_parts(parts).ok()
    }
}

/// Whether `uri` was made by [`org_url`].
pub(crate) fn is_placeholder(uri: &Uri) -> bool {
    uri.host() == Some(PLACEHOLDER_HOST)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let org = Origin::of(&uri("https://acme.my.salesforce.com")).unwrap();
        assert!(org.contains(&uri("https://ACME.my.salesforce.com:443/x")));
        assert!(!org.contains(&uri("http://acme.my.salesforce.com/x")));
        assert!(!org.contains(&uri("https://acme.my.salesforce.com:8443/x")));
        assert!(!org.contains(&uri("https://acme.my.salesforce.com.evil.example/")));
        assert!(!org.contains(&uri("https://evil.example/?acme.my.salesforce.com")));
        assert!(!org.contains(&uri("/relative")));
    }

    #[test]
    fn org_paths_stay_on_the_org_host() {
        let org = Origin::of(&uri("https://acme.my.salesforce.com")).unwrap();
        for path in [
            "/services/data/v62.0/limits",
            "/../../etc/passwd",
            "/@evil.example/",
            "/%2F%2Fevil.example/",
            "/services/data?next=https://evil.example",
        ] {
            let u = org_url(path).unwrap();
            assert!(is_placeholder(&u), "{path} → {u}");
            let rebased = org.rebase(&u).unwrap();
            assert_eq!(rebased.host(), Some("acme.my.salesforce.com"), "{path}");
        }
        for bad in [
            "//evil.example/x",
            "/\\evil.example/x",
            "https://evil.example/",
            "services",
            "/a b",
        ] {
            let err = org_url(bad).unwrap_err();
            assert!(
                err.to_string().contains("not a path on the org's host"),
                "{err}"
            );
        }
    }
}
