//! One parser for every http(s) URL the core accepts: the token endpoint, the audience, and the
//! `instance_url` and `id` of a token response.
//!
//! Each of them is a place a bearer credential is sent to or named for, so each gets the same
//! rules: an absolute URL (RFC 3986 §4.3) whose host is a DNS name or an IP literal
//! ([`host::is_valid_host`](crate::host::is_valid_host)), without user information, query or
//! fragment, and https, or plain http only where the [`SchemePolicy`] allows it for a loopback
//! host, where nothing leaves the machine. Parsing is `http::Uri`'s; this module only adds the
//! checks `http::Uri` leaves to its caller. Callers turn a [`UrlError`] into their own error,
//! which names the value and the fix.

use std::net::Ipv4Addr;

/// Which schemes a URL may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemePolicy {
    /// https only (an audience: it names a server, it is never connected to).
    Https,
    /// https, or plain http to a loopback host (a local emulator or test server).
    HttpsOrLoopbackHttp,
}

/// A parsed and checked absolute http(s) URL; scheme and host are lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpUrl {
    https: bool,
    host: String,
    port: Option<u16>,
    path: String,
}

/// Why a URL was refused. Callers map it to their own error type, which quotes the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// Not an absolute URL with a valid host, or it carries user information, a query or a
    /// fragment; the reason completes "… is not usable: ".
    Malformed(&'static str),
    /// No scheme at all (`login.salesforce.com`).
    NoScheme,
    /// `http://` where the policy wants https (or the host is not loopback).
    InsecureHttp,
    /// A scheme other than http and https (lower-cased).
    UnsupportedScheme(String),
}

impl HttpUrl {
    /// Parses `text` and checks it against `policy`.
    pub(crate) fn parse(text: &str, policy: SchemePolicy) -> Result<Self, UrlError> {
        use UrlError::Malformed;
        if text.is_empty() {
            return Err(Malformed("it is empty"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Malformed(
                "it contains white space or control characters (a trailing newline?)",
            ));
        }
        // `http::Uri` drops a fragment silently; a URL that carries one was not meant for us.
        if text.contains('#') {
            return Err(Malformed("it has a fragment (`#...`)"));
        }
        let uri: http::Uri = text
            .parse()
            .map_err(|_| Malformed("it does not parse as an absolute URL"))?;
        let scheme = uri
            .scheme_str()
            .ok_or(UrlError::NoScheme)?
            .to_ascii_lowercase();
        let authority = uri.authority().ok_or(Malformed("it has no host"))?;
        if authority.as_str().contains('@') {
            return Err(Malformed("it contains user information (`user@`)"));
        }
        if uri.query().is_some() {
            return Err(Malformed("it has a query string (`?...`)"));
        }
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(Malformed("it has no host"));
        }
        if !crate::host::is_valid_host(&host) {
            return Err(Malformed(
                "its host is not a DNS name or IP address (internationalised names must be in punycode)",
            ));
        }
        let port = port(authority)?;
        let https = match (scheme.as_str(), policy) {
            ("https", _) => true,
            ("http", SchemePolicy::HttpsOrLoopbackHttp) if is_loopback(&host) => false,
            ("http", _) => return Err(UrlError::InsecureHttp),
            _ => return Err(UrlError::UnsupportedScheme(scheme)),
        };
        Ok(Self {
            https,
            host,
            port,
            path: uri.path().to_owned(),
        })
    }

    /// `https` or `http`.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// The lower-cased host (IPv6 literals in brackets).
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// The port, if the URL names one.
    pub(crate) fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path as given (`/` when the URL has none).
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// `{scheme}://{host}[:{port}]`: the origin, ready to be followed by a path.
    pub(crate) fn origin(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme(), self.host),
            None => format!("{}://{}", self.scheme(), self.host),
        }
    }
}

/// The port after the host. `http::Uri` accepts any run of digits there and
/// `Authority::port_u16` then answers `None` for one over 65535, which would silently drop
/// it; an empty port is allowed and means none (RFC 3986 §3.2.3).
fn port(authority: &http::uri::Authority) -> Result<Option<u16>, UrlError> {
    let after_host = authority
        .as_str()
        .get(authority.host().len()..)
        .unwrap_or_default();
    match after_host.strip_prefix(':') {
        None | Some("") => Ok(None),
        Some(digits) => digits
            .parse::<u16>()
            .map(Some)
            .map_err(|_| UrlError::Malformed("its port is not a number from 0 to 65535")),
    }
}

/// Whether `host` (lower-cased) is a loopback host: `localhost`, `127.0.0.0/8` or `[::1]`.
/// Plain http may go there: nothing leaves the machine.
pub(crate) fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::SchemePolicy::{Https, HttpsOrLoopbackHttp};
    use super::*;

    #[test]
    fn accepted() {
        for (input, policy, origin, path) in [
            (
                "https://login.salesforce.com",
                Https,
                "https://login.salesforce.com",
                "/",
            ),
            (
                "HTTPS://Acme.My.Salesforce.com//",
                Https,
                "https://acme.my.salesforce.com",
                "//",
            ),
            (
                "https://acme.my.site.com/Partners",
                Https,
                "https://acme.my.site.com",
                "/Partners",
            ),
            (
                "https://auth.example.org:8443/x",
                Https,
                "https://auth.example.org:8443",
                "/x",
            ),
            (
                "https://a.example.org:/x",
                Https,
                "https://a.example.org",
                "/x",
            ),
            (
                "https://127.0.0.1:8443",
                Https,
                "https://127.0.0.1:8443",
                "/",
            ),
            (
                "http://127.1.2.3",
                HttpsOrLoopbackHttp,
                "http://127.1.2.3",
                "/",
            ),
            (
                "http://localhost:1234/",
                HttpsOrLoopbackHttp,
                "http://localhost:1234",
                "/",
            ),
            (
                "HTTP://LocalHost",
                HttpsOrLoopbackHttp,
                "http://localhost",
                "/",
            ),
            (
                "http://[::1]:99",
                HttpsOrLoopbackHttp,
                "http://[::1]:99",
                "/",
            ),
            (
                "https://x.example.com/a@b",
                HttpsOrLoopbackHttp,
                "https://x.example.com",
                "/a@b",
            ),
        ] {
            let url = HttpUrl::parse(input, policy).unwrap();
            assert_eq!(url.origin(), origin, "{input}");
            assert_eq!(url.path(), path, "{input}");
        }
        let url = HttpUrl::parse("https://Auth.Example.org:8443", Https).unwrap();
        assert_eq!(
            (url.scheme(), url.host(), url.port()),
            ("https", "auth.example.org", Some(8443))
        );
    }

    #[test]
    fn refused() {
        use UrlError::{InsecureHttp, Malformed, NoScheme, UnsupportedScheme};
        let empty = Malformed("it is empty");
        let space =
            Malformed("it contains white space or control characters (a trailing newline?)");
        let fragment = Malformed("it has a fragment (`#...`)");
        let unparsable = Malformed("it does not parse as an absolute URL");
        let user = Malformed("it contains user information (`user@`)");
        let query = Malformed("it has a query string (`?...`)");
        let bad_host = Malformed(
            "its host is not a DNS name or IP address (internationalised names must be in punycode)",
        );
        let bad_port = Malformed("its port is not a number from 0 to 65535");
        for (input, policy, want) in [
            ("", Https, empty),
            (" https://a.com", Https, space.clone()),
            ("https://a.com\n", HttpsOrLoopbackHttp, space),
            ("https://a.com/#x", Https, fragment),
            (
                "https://a .com",
                Https,
                Malformed("it contains white space or control characters (a trailing newline?)"),
            ),
            ("https://exämple.com", Https, unparsable),
            ("login.salesforce.com", Https, NoScheme),
            ("/services/oauth2/token", Https, NoScheme),
            (
                "https://",
                Https,
                Malformed("it does not parse as an absolute URL"),
            ),
            ("https://u@a.com", Https, user),
            ("https://a.com/?x=1", Https, query),
            ("https://a[:]b", Https, bad_host.clone()),
            ("https://a..b", HttpsOrLoopbackHttp, bad_host),
            ("https://a.com:99999", Https, bad_port),
            (
                "http://login.salesforce.com",
                HttpsOrLoopbackHttp,
                InsecureHttp,
            ),
            (
                "http://localhost.evil.com",
                HttpsOrLoopbackHttp,
                InsecureHttp,
            ),
            ("http://128.0.0.1", HttpsOrLoopbackHttp, InsecureHttp),
            ("http://127.0.0.1", Https, InsecureHttp),
            (
                "ftp://a.com",
                HttpsOrLoopbackHttp,
                UnsupportedScheme("ftp".to_owned()),
            ),
            (
                "HTTPX://a.com",
                Https,
                UnsupportedScheme("httpx".to_owned()),
            ),
        ] {
            assert_eq!(HttpUrl::parse(input, policy), Err(want), "{input:?}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "[::1]", "127.0.0.1", "127.255.0.9"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "localhost.evil.com",
            "128.0.0.1",
            "[::2]",
            "10.0.0.1",
            "127.0.0",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
