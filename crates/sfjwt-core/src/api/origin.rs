//! Where the token may go: the origin (scheme, host, port) of the token's `instance_url`, and
//! the placeholder host [`org_url`] writes so a path can be written before the instance is
//! known.

use core::fmt;

use http::Uri;
use http::uri::{Authority, PathAndQuery, Scheme};

use crate::response::TokenResponse;

/// The host [`org_url`] puts in front of a path. Under `.invalid` (RFC 2606): a request that
/// bypasses the middleware fails to resolve instead of reaching anyone.
pub const PLACEHOLDER_HOST: &str = "instance.sfjwt.invalid";

/// A URI on the org's instance, for a path such as `/services/data/v62.0/limits`: the
/// middleware replaces its scheme, host and port with the current token's `instance_url` when
/// the request is sent.
///
/// Why a placeholder rather than a method that fetches the token first: the URI is known
/// without a grant, it reads like any other call of the HTTP client (`client.get(org_url(…)?)`),
/// and it follows the token actually attached, also when a re-grant lands on another
/// instance. Sent by a client without the middleware, it fails to resolve (`.invalid`,
/// RFC 2606).
///
/// ```
/// use sfjwt_core::api::org_url;
/// let uri = org_url("/services/data/v62.0/limits?x=1")?;
/// assert_eq!(uri.path(), "/services/data/v62.0/limits");
/// assert!(org_url("https://evil.example/").is_err());
/// # Ok::<(), sfjwt_core::api::OrgPathError>(())
/// ```
///
/// # Errors
/// [`OrgPathError`] when `path` is not an absolute path on one host: it must start with one
/// `/` (not `//`, which names another host), contain no `\` (which URL parsers read as `/`)
/// and be a valid URI path and query.
pub fn org_url(path: &str) -> Result<Uri, OrgPathError> {
    // The authority is the placeholder by construction: only the path is the caller's.
    Uri::builder()
        .scheme(Scheme::HTTPS)
        .authority(Authority::from_static(PLACEHOLDER_HOST))
        .path_and_query(parse_org_path(path)?)
        .build()
        .map_err(|_| OrgPathError::new(path))
}

/// The checks of [`org_url`] without building a URI, for an adapter whose client has its own
/// URL type (it then joins `path` to [`PLACEHOLDER_HOST`] itself, and checks the host again).
///
/// ```
/// use sfjwt_core::api::check_org_path;
/// assert!(check_org_path("/services/data/v62.0/limits?x=1").is_ok());
/// for bad in ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/a b"] {
///     assert!(check_org_path(bad).is_err(), "{bad}");
/// }
/// ```
///
/// # Errors
/// [`OrgPathError`] as for [`org_url`].
pub fn check_org_path(path: &str) -> Result<(), OrgPathError> {
    parse_org_path(path).map(drop)
}

/// `path` as a URI path and query, if it is an absolute path on one host (the rules of
/// [`org_url`]).
fn parse_org_path(path: &str) -> Result<PathAndQuery, OrgPathError> {
    if !path.starts_with('/') || path.starts_with("//") || path.contains('\\') {
        return Err(OrgPathError::new(path));
    }
    path.parse().map_err(|_| OrgPathError::new(path))
}

/// Whether `uri` was made by [`org_url`] (its host is [`PLACEHOLDER_HOST`]).
pub fn is_placeholder(uri: &Uri) -> bool {
    uri.host() == Some(PLACEHOLDER_HOST)
}

/// [`org_url`] was given something other than a path on the org's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPathError {
    path: String,
}

impl OrgPathError {
    /// The error for `path`, for an adapter whose own URL type refuses a path [`org_url`]
    /// accepted.
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_owned(),
        }
    }
}

impl fmt::Display for OrgPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a path on the org's host: write it as `/services/data/…` (one leading \
             `/`, no `\\`, no spaces); for another host pass a full URL to the client instead",
            self.path
        )
    }
}

impl std::error::Error for OrgPathError {}

/// Which URL of the token names the host the token may be sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HostChoice {
    /// `instance_url`, always present.
    #[default]
    Instance,
    /// `api_instance_url` (sent with the `sfap_api` scope) when the token has one, else
    /// `instance_url`.
    ApiInstance,
}

impl HostChoice {
    /// The URL of `token` whose origin the token belongs to.
    pub fn base_of(self, token: &TokenResponse) -> &str {
        match self {
            Self::Instance => token.instance_url(),
            Self::ApiInstance => token
                .api_instance_url()
                .unwrap_or_else(|| token.instance_url()),
        }
    }
}

/// An origin: lower-case scheme and host, and the port (the scheme's default made explicit),
/// compared as a whole. User information in a URI is not part of it.
///
/// ```
/// use sfjwt_core::api::Origin;
/// let org = Origin::of(&"https://acme.my.salesforce.com".parse()?).unwrap();
/// assert!(org.contains(&"https://ACME.my.salesforce.com:443/services".parse()?));
/// assert!(!org.contains(&"https://acme.my.salesforce.com.evil.example/".parse()?));
/// assert_eq!(org.to_string(), "https://acme.my.salesforce.com");
/// # Ok::<(), http::uri::InvalidUri>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
    /// The same, parsed once as URI parts for [`rebase`](Self::rebase) (`None` if they do not
    /// parse, and then nothing rebases).
    parts: Option<(Scheme, Authority)>,
}

impl Origin {
    /// The origin of an absolute `uri`; `None` for a relative one.
    pub fn of(uri: &Uri) -> Option<Self> {
        let authority = uri.authority()?;
        Some(Self::new(
            uri.scheme_str()?,
            authority.host(),
            authority.port_u16(),
        ))
    }

    /// The origin of `scheme://host:port` as a URL library reports them (`port` `None` for
    /// the scheme's default); for clients whose URL type is not `http::Uri`.
    pub fn new(scheme: &str, host: &str, port: Option<u16>) -> Self {
        let scheme = scheme.to_ascii_lowercase();
        let port = port.or(default_port(&scheme));
        let host = host.to_ascii_lowercase();
        let authority = match port {
            Some(port) if Some(port) != default_port(&scheme) => format!("{host}:{port}"),
            _ => host.clone(),
        };
        let parts = Scheme::try_from(scheme.as_str())
            .ok()
            .zip(Authority::try_from(authority).ok());
        Self {
            host,
            scheme,
            port,
            parts,
        }
    }

    /// Whether `uri` is on this origin.
    pub fn contains(&self, uri: &Uri) -> bool {
        match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => {
                self.is(scheme, authority.host(), authority.port_u16())
            }
            _ => false,
        }
    }

    /// Whether `scheme://host:port` (as a URL library reports them, `port` `None` for the
    /// scheme's default) is this origin; compares without allocating, as it runs per request.
    pub fn is(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        scheme.eq_ignore_ascii_case(&self.scheme)
            && host.eq_ignore_ascii_case(&self.host)
            && port.or_else(|| default_port(&self.scheme)) == self.port
    }

    /// `uri`'s path and query on this origin (for a [`org_url`] placeholder); `None` only if
    /// the result does not parse.
    pub fn rebase(&self, uri: &Uri) -> Option<Uri> {
        let (scheme, authority) = self.parts.clone()?;
        let path = uri
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        Uri::builder()
            .scheme(scheme)
            .authority(authority)
            .path_and_query(path)
            .build()
            .ok()
    }
}

/// The port a URL of `scheme` (lower-case) means when it names none.
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

impl fmt::Display for Origin {
    /// `scheme://host[:port]`, the port only when it is not the scheme's default.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            Some(port) if Some(port) != default_port(&self.scheme) => write!(f, ":{port}"),
            _ => Ok(()),
        }
    }
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
        assert!(org.contains(&uri("https://user@acme.my.salesforce.com/")));
        assert!(!org.contains(&uri("http://acme.my.salesforce.com/x")));
        assert!(!org.contains(&uri("https://acme.my.salesforce.com:8443/x")));
        assert!(!org.contains(&uri("https://acme.my.salesforce.com.evil.example/")));
        assert!(!org.contains(&uri("https://evil.example/?acme.my.salesforce.com")));
        assert!(!org.contains(&uri("/relative")));
        assert_eq!(org, Origin::new("HTTPS", "Acme.My.Salesforce.com", None));
        assert!(org.is("HTTPS", "acme.MY.salesforce.com", Some(443)));
        assert!(!org.is("https", "acme.my.salesforce.com", Some(444)));
        assert!(!org.is("http", "acme.my.salesforce.com", None));
        let local = Origin::of(&uri("http://127.0.0.1:8080")).unwrap();
        assert_eq!(local.to_string(), "http://127.0.0.1:8080");
        assert_eq!(local, Origin::new("http", "127.0.0.1", Some(8080)));
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
            assert_eq!(rebased.path_and_query(), u.path_and_query(), "{path}");
        }
        for bad in [
            "//evil.example/x",
            "/\\evil.example/x",
            "https://evil.example/",
            "services",
            "/a b",
            "",
        ] {
            let err = org_url(bad).unwrap_err();
            assert!(
                err.to_string().contains("not a path on the org's host"),
                "{err}"
            );
        }
    }
}
