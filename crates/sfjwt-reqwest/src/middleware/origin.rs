//! Where the token may go: the origin (scheme, host, port) of the token's `instance_url`, and
//! the placeholder host [`org_url`] writes so a path can be written before the instance is
//! known.

use core::fmt;
use std::sync::LazyLock;

use reqwest::Url;
use sfjwt_core::response::TokenResponse;

/// The host [`org_url`] puts in front of a path. Under `.invalid` (RFC 2606): a request that
/// bypasses the middleware fails to resolve instead of reaching anyone.
pub(crate) const PLACEHOLDER_HOST: &str = "instance.sfjwt.invalid";
const PLACEHOLDER_BASE: &str = "https://instance.sfjwt.invalid/";
/// [`PLACEHOLDER_BASE`], parsed once.
static PLACEHOLDER: LazyLock<Result<Url, url_error::Parse>> =
    LazyLock::new(|| Url::parse(PLACEHOLDER_BASE).map_err(|_| url_error::Parse));

mod url_error {
    /// The placeholder did not parse (it does; this keeps the path panic-free).
    #[derive(Debug)]
    pub(crate) struct Parse;
}

/// A URL on the org's instance, for a path such as `/services/data/v62.0/limits`: the
/// middleware replaces its scheme, host and port with the current token's `instance_url` when
/// the request is sent.
///
/// Why a placeholder rather than `manager.url(path).await`: the URL is known without waiting
/// for a grant, it reads like any other reqwest call (`client.get(org_url(…)?)`), and it
/// follows the token actually attached, also when a re-grant lands on another instance. A
/// request sent with a plain `reqwest::Client` instead fails to resolve (`.invalid`, RFC 2606)
/// and goes nowhere.
///
/// ```
/// let url = sfjwt_reqwest::org_url("/services/data/v62.0/limits?x=1")?;
/// assert_eq!(url.path(), "/services/data/v62.0/limits");
/// assert!(sfjwt_reqwest::org_url("https://evil.example/").is_err());
/// # Ok::<(), sfjwt_reqwest::OrgPathError>(())
/// ```
///
/// # Errors
/// [`OrgPathError`] when `path` is not an absolute path on one host: it must start with one
/// `/` (not `//`, which names another host) and contain no `\`, which URL parsers read as `/`.
pub fn org_url(path: &str) -> Result<Url, OrgPathError> {
    if !path.starts_with('/') || path.starts_with("//") || path.contains('\\') {
        return Err(OrgPathError {
            path: path.to_owned(),
        });
    }
    let base = PLACEHOLDER.as_ref().map_err(|_| OrgPathError {
        path: path.to_owned(),
    })?;
    base.join(path).map_err(|_| OrgPathError {
        path: path.to_owned(),
    })
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
             `/`, no `\\`); for another host pass a full URL to the client instead",
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

/// Whether `a` and `b` have the same scheme, host and port (default ports made explicit).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Whether `url` was made by [`org_url`].
pub(crate) fn is_placeholder(url: &Url) -> bool {
    url.host_str() == Some(PLACEHOLDER_HOST)
}

/// `url`'s path and query on `base`'s origin.
pub(crate) fn rebase(url: &Url, base: &Url) -> Url {
    let mut rebased = base.clone();
    rebased.set_path(url.path());
    rebased.set_query(url.query());
    rebased.set_fragment(None);
    rebased
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let org = url("https://acme.my.salesforce.com");
        assert!(same_origin(
            &url("https://ACME.my.salesforce.com:443/x"),
            &org
        ));
        assert!(!same_origin(&url("http://acme.my.salesforce.com/x"), &org));
        assert!(!same_origin(
            &url("https://acme.my.salesforce.com:8443/x"),
            &org
        ));
        assert!(!same_origin(
            &url("https://acme.my.salesforce.com.evil.example/"),
            &org
        ));
        assert!(!same_origin(
            &url("https://evil.example/?acme.my.salesforce.com"),
            &org
        ));
        assert!(same_origin(
            &url("https://user@acme.my.salesforce.com/"),
            &org
        ));
    }

    #[test]
    fn org_paths_stay_on_the_org_host() {
        for path in [
            "/services/data/v62.0/limits",
            "/../../etc/passwd",
            "/@evil.example/",
            "/%2F%2Fevil.example/",
            "/services/data?next=https://evil.example",
        ] {
            let u = org_url(path).unwrap();
            assert!(is_placeholder(&u), "{path} → {u}");
            let rebased = rebase(&u, &url("https://acme.my.salesforce.com"));
            assert_eq!(rebased.host_str(), Some("acme.my.salesforce.com"), "{path}");
        }
        for bad in [
            "//evil.example/x",
            "/\\evil.example/x",
            "https://evil.example/",
            "services",
        ] {
            let err = org_url(bad).unwrap_err();
            assert!(
                err.to_string().contains("not a path on the org's host"),
                "{err}"
            );
        }
    }
}
