//! Absolute http(s) URLs the way sfjwt accepts them: [`HttpUrl`] is "https, or plain http
//! only to a loopback host", and [`is_loopback_host`] is the one test of "loopback" that the
//! core, the transport adapters and the CLI share.
//!
//! Every URL a bearer credential is sent to or named for goes through [`HttpUrl::parse`]: the
//! token endpoint, the audience, the `instance_url` and `id` of a token response, and (in the
//! CLI) the instance an API call goes to. The rules: an absolute URL (RFC 3986 §4.3) whose
//! host is a DNS name or an IP literal, without user information, query or fragment, and
//! https, or plain http where the [`SchemePolicy`] allows it for a loopback host, where
//! nothing leaves the machine. Parsing is `http::Uri`'s; this module only adds the checks
//! `http::Uri` leaves to its caller.
//!
//! ```
//! use sfjwt_core::url::{HttpUrl, SchemePolicy, UrlError, is_loopback_host};
//!
//! let url = HttpUrl::parse("https://Acme.My.Salesforce.com/", SchemePolicy::Https)?;
//! assert_eq!(url.origin(), "https://acme.my.salesforce.com");
//!
//! let emulator = HttpUrl::parse("http://127.0.0.1:8080", SchemePolicy::HttpsOrLoopbackHttp)?;
//! assert_eq!((emulator.scheme(), emulator.port()), ("http", Some(8080)));
//!
//! let plain = HttpUrl::parse("http://acme.my.salesforce.com", SchemePolicy::HttpsOrLoopbackHttp);
//! assert_eq!(plain, Err(UrlError::InsecureHttp));
//! assert!(is_loopback_host("localhost") && !is_loopback_host("localhost.evil.example"));
//! # Ok::<(), UrlError>(())
//! ```

use core::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// Which schemes a URL may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemePolicy {
    /// https only (an audience: it names a server, it is never connected to).
    Https,
    /// https, or plain http to a loopback host (a local emulator or test server), see
    /// [`is_loopback_host`].
    HttpsOrLoopbackHttp,
}

/// A parsed and checked absolute http(s) URL: https, or plain http only to a loopback host
/// where the [`SchemePolicy`] allows it. Scheme and host are lower-cased; user information,
/// query and fragment are refused, so a URL is its origin and a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    https: bool,
    host: String,
    port: Option<u16>,
    path: String,
}

/// Why [`HttpUrl::parse`] refused a URL. The message does not quote the URL: callers that
/// show it to a user say which value it was.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// Not an absolute URL with a valid host, or it carries user information, a query or a
    /// fragment; the reason completes "… is not usable: ". A value pasted with a trailing
    /// newline, or a host name with non-ASCII letters (give it in punycode), are the usual
    /// causes.
    Malformed(&'static str),
    /// No scheme at all (`login.salesforce.com`): write `https://` in front.
    NoScheme,
    /// `http://` where the policy wants https, or to a host that is not loopback: a bearer
    /// credential would cross the network in clear text. Use `https://`.
    InsecureHttp,
    /// A scheme other than http and https (lower-cased), such as `ftp`.
    UnsupportedScheme(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(reason) => f.write_str(reason),
            Self::NoScheme => f.write_str("it has no scheme: write https:// in front"),
            Self::InsecureHttp => {
                f.write_str("it is plain http to a host that is not loopback: use https://")
            }
            Self::UnsupportedScheme(scheme) => {
                write!(f, "its scheme {scheme:?} is not https")
            }
        }
    }
}

impl std::error::Error for UrlError {}

impl HttpUrl {
    /// Parses `text` and checks it against `policy`.
    ///
    /// # Errors
    /// [`UrlError`] says which rule `text` breaks.
    pub fn parse(text: &str, policy: SchemePolicy) -> Result<Self, UrlError> {
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
        if !is_valid_host(&host) {
            return Err(Malformed(
                "its host is not a DNS name or IP address (internationalised names must be in punycode)",
            ));
        }
        let port = port(authority)?;
        let https = match (scheme.as_str(), policy) {
            ("https", _) => true,
            ("http", SchemePolicy::HttpsOrLoopbackHttp) if is_loopback_host(&host) => false,
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
    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// The lower-cased host (IPv6 literals in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, if the URL names one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path as given (`/` when the URL has none).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `{scheme}://{host}[:{port}]`: the origin, ready to be followed by a path.
    pub fn origin(&self) -> String {
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

impl fmt::Display for HttpUrl {
    /// The origin followed by the path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin(), self.path)
    }
}

/// Whether `host` names this machine: `localhost` (any case, one trailing `.` allowed), an
/// IPv4 address in `127.0.0.0/8`, or `::1` (with or without brackets, as
/// `http::Uri::host` and `url::Url::host_str` give it).
///
/// Plain http may go there, and never through a proxy: nothing leaves the machine. A name
/// that merely starts like one (`127.0.0.1.evil.example`, `localhost.evil`) is not loopback.
///
/// ```
/// use sfjwt_core::url::is_loopback_host;
/// for host in ["127.1.2.3", "[::1]", "::1", "localhost", "LOCALHOST."] {
///     assert!(is_loopback_host(host), "{host}");
/// }
/// for host in ["127.0.0.1.evil.com", "localhost.evil", "[::2]", "10.0.0.1"] {
///     assert!(!is_loopback_host(host), "{host}");
/// }
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether `host` (lower-cased, as `http::uri::Authority::host` returns it) is a DNS name,
/// an IPv4 address or a bracketed IPv6 literal (RFC 3986 §3.2.2 as Salesforce uses it; `_`
/// is seen in some internal names). `http::Uri` accepts authorities such as `a[:]b` whose
/// "host" is neither, and a URL rebuilt from one does not parse again (found by the
/// `endpoint` fuzz target). Internationalised names must be given in punycode.
fn is_valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host
            .split('.')
            .all(|label| !label.is_empty() && label.len() <= 63 && label.bytes().all(is_name_byte))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
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
        for host in [
            "localhost",
            "LOCALHOST.",
            "LocalHost",
            "[::1]",
            "::1",
            "[0:0:0:0:0:0:0:1]",
            "127.0.0.1",
            "127.1.2.3",
            "127.255.0.9",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "127.0.0.1.evil.com",
            "localhost.evil",
            "localhost.evil.com",
            "localhost..",
            "evil-localhost",
            "128.0.0.1",
            "[::2]",
            "::2",
            "[::ffff:10.0.0.1]",
            "[127.0.0.1]",
            "10.0.0.1",
            "127.0.0",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn hosts_are_names_or_literals() {
        for ok in [
            "login.salesforce.com",
            "acme--dev.sandbox.my.salesforce.com",
            "127.0.0.1",
            "localhost",
            "[::1]",
            "xn--bcher-kva.example",
        ] {
            assert!(is_valid_host(ok), "{ok}");
        }
        for bad in [
            "",
            "a[:]b",
            "3[:]",
            "[::1",
            "[zz]",
            "a..b",
            ".a",
            "a.",
            "a b",
            "ac[::1]m)e",
            "a%20b",
        ] {
            assert!(!is_valid_host(bad), "{bad}");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            UrlError::InsecureHttp.to_string(),
            "it is plain http to a host that is not loopback: use https://"
        );
        assert_eq!(
            HttpUrl::parse("https://a.example/x", Https)
                .unwrap()
                .to_string(),
            "https://a.example/x"
        );
    }
}
