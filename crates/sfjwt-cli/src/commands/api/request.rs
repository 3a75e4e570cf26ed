//! Turns `sfjwt api [METHOD] PATH [-H …] [--data …]` into an HTTP request to the token's
//! instance, refusing what would send the token somewhere unexpected.
//!
//! - PATH must be a path (`/services/…`), never a URL: the host is always the token's
//!   `instance_url`, which must be `https://` (plain `http://` only on loopback, for the
//!   emulator). A path starting `//` is refused too, as it would name another host.
//! - `Authorization` and `Host` cannot be set with `-H`: sfjwt sets them.

use std::io::Read as _;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use http::{Method, Request, Uri};
use sfjwt_core::url::{HttpUrl, SchemePolicy};

use crate::error::{CliError, CliResult};

/// The most `--data` may hold (from a file, standard input or the argument).
pub(crate) const MAX_DATA_BYTES: u64 = 64 * 1024 * 1024;

/// Everything about the request except the token.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    method: Method,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
}

impl Prepared {
    /// From the command's words (`[METHOD] PATH`), `-H` values and `--data`.
    pub(crate) fn new(words: &[String], headers: &[String], data: Option<&str>) -> CliResult<Self> {
        let (method, path) = match words {
            [path] => (None, path),
            [method, path] => (Some(method), path),
            _ => {
                return Err(CliError::local("expected [METHOD] PATH")
                    .hint("e.g. sfjwt api /services/data/v62.0/limits, or sfjwt api POST /services/data/v62.0/sobjects/Account --data @acct.json"));
            }
        };
        let body = match data {
            Some(data) => read_data(data)?,
            None => Vec::new(),
        };
        let method = match method {
            Some(m) => parse_method(m)?,
            // As curl does: --data without a method means POST.
            None if data.is_some() => Method::POST,
            None => Method::GET,
        };
        let path = check_path(path)?;
        let mut parsed = Vec::with_capacity(headers.len() + 2);
        for header in headers {
            parsed.push(parse_header(header)?);
        }
        if !parsed.iter().any(|(name, _)| name == ACCEPT) {
            parsed.push((ACCEPT, HeaderValue::from_static("application/json")));
        }
        if data.is_some() && !parsed.iter().any(|(name, _)| name == CONTENT_TYPE) {
            parsed.push((CONTENT_TYPE, HeaderValue::from_static("application/json")));
        }
        Ok(Self {
            method,
            path,
            headers: parsed,
            body,
        })
    }

    /// The request to `instance_url` with `token` as its bearer token.
    pub(crate) fn to_request(
        &self,
        instance_url: &str,
        token: &str,
    ) -> CliResult<Request<Vec<u8>>> {
        let base = check_instance(instance_url)?;
        let url = format!("{base}{}", self.path);
        let uri: Uri = url.parse().map_err(|_| {
            CliError::local(format!("{url} is not a valid URL"))
                .hint("percent-encode spaces and special characters in the path (%20 for a space)")
        })?;
        let mut bearer = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
            CliError::local("the cached access token cannot be sent in a header")
                .hint("run `sfjwt logout` and try again")
        })?;
        bearer.set_sensitive(true);
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(uri)
            .header(AUTHORIZATION, bearer);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder.body(self.body.clone()).map_err(|e| {
            CliError::local(format!("cannot build the request: {e}"))
                .hint("check the method, path and -H values")
        })
    }
}

fn parse_method(word: &str) -> CliResult<Method> {
    let upper = word.to_ascii_uppercase();
    match upper.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => {
            Method::from_bytes(upper.as_bytes()).map_err(|_| bad_method(word))
        }
        _ => Err(bad_method(word)),
    }
}

fn bad_method(word: &str) -> CliError {
    CliError::local(format!("{word:?} is not an HTTP method sfjwt api sends"))
        .hint("use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS before the path (or just the path for GET)")
}

fn check_path(path: &str) -> CliResult<String> {
    let hint = "give a path on the org's instance, starting with /, e.g. /services/data/v62.0/limits (the host is always the token's instance_url)";
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(CliError::local(format!("{path:?} is not a path on the instance")).hint(hint));
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            CliError::local("the path contains spaces or control characters")
                .hint("percent-encode them (%20 for a space)"),
        );
    }
    Ok(path.to_owned())
}

fn parse_header(header: &str) -> CliResult<(HeaderName, HeaderValue)> {
    let bad = || {
        CliError::local(format!("-H {header:?} is not a header"))
            .hint("write it as -H 'Name: value', e.g. -H 'Sforce-Query-Options: batchSize=200'")
    };
    let (name, value) = header.split_once(':').ok_or_else(bad)?;
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| bad())?;
    if name == AUTHORIZATION || name == HOST {
        return Err(CliError::local(format!("-H {name} cannot be set"))
            .hint("sfjwt sends the cached token as Authorization and the instance as Host"));
    }
    let value = HeaderValue::from_str(value.trim()).map_err(|_| bad())?;
    Ok((name, value))
}

/// `--data @FILE`, `--data -` (standard input) or `--data TEXT`.
fn read_data(data: &str) -> CliResult<Vec<u8>> {
    let (what, read) = if data == "-" {
        ("standard input".to_owned(), read_bounded(std::io::stdin()))
    } else if let Some(path) = data.strip_prefix('@') {
        let read = std::fs::File::open(path).and_then(read_bounded);
        (path.to_owned(), read)
    } else {
        return Ok(data.as_bytes().to_vec());
    };
    match read {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(CliError::local(format!(
            "--data: {what} is larger than {} MiB",
            MAX_DATA_BYTES / (1024 * 1024)
        ))
        .hint("send large data with the Bulk API, in parts")),
        Err(e) => Err(
            CliError::local(format!("--data: cannot read {what}: {e}")).hint(
                "--data @FILE reads a file, --data - standard input, anything else is sent as is",
            ),
        ),
    }
}

fn read_bounded(reader: impl std::io::Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(MAX_DATA_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_DATA_BYTES).then_some(bytes))
}

/// The origin of the token's `instance_url` (no trailing `/`), if it is safe to send the token
/// to: the core's [`HttpUrl`] rules (https, or plain http only to a loopback host) and no path.
fn check_instance(instance_url: &str) -> CliResult<String> {
    let refused = |why: &dyn std::fmt::Display| {
        CliError::local(format!("refusing to send the token to the instance_url {instance_url:?}: {why}"))
            .hint("the token response named an unexpected instance; run `sfjwt logout` and check --login-url")
    };
    let url =
        HttpUrl::parse(instance_url, SchemePolicy::HttpsOrLoopbackHttp).map_err(|e| refused(&e))?;
    if url.path() != "/" {
        return Err(refused(&"it has a path"));
    }
    Ok(url.origin())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn method_defaults_and_path_rules() {
        let get = Prepared::new(&words(&["/services/data"]), &[], None).unwrap();
        assert_eq!(get.method, Method::GET);
        let post = Prepared::new(&words(&["/x"]), &[], Some("{}")).unwrap();
        assert_eq!(post.method, Method::POST);
        let patch = Prepared::new(&words(&["patch", "/x"]), &[], Some("{}")).unwrap();
        assert_eq!(patch.method, Method::PATCH);
        for bad in ["https://evil.example/x", "//evil.example/x", "x", "/a b"] {
            assert!(Prepared::new(&words(&[bad]), &[], None).is_err(), "{bad}");
        }
        assert!(Prepared::new(&words(&["FETCH", "/x"]), &[], None).is_err());
    }

    #[test]
    fn headers_cannot_replace_the_token() {
        for bad in [
            "Authorization: Bearer x",
            "host: evil",
            "no colon",
            "Bad Name: v",
        ] {
            assert!(
                Prepared::new(&words(&["/x"]), &[bad.to_owned()], None).is_err(),
                "{bad}"
            );
        }
        let p = Prepared::new(&words(&["/x"]), &["Accept: text/csv".to_owned()], None).unwrap();
        let request = p
            .to_request("https://acme.my.salesforce.com/", "TOKEN")
            .unwrap();
        assert_eq!(request.uri(), "https://acme.my.salesforce.com/x");
        assert_eq!(request.headers().get_all(ACCEPT).iter().count(), 1);
        assert_eq!(request.headers()[AUTHORIZATION], "Bearer TOKEN");
        assert!(format!("{:?}", request.headers()).contains("Sensitive"));
    }

    #[test]
    fn the_instance_must_be_https_or_loopback() {
        let p = Prepared::new(&words(&["/x"]), &[], None).unwrap();
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3:8080/",
            "http://[::1]:8080",
            "http://LOCALHOST:8080",
        ] {
            let request = p.to_request(ok, "t").unwrap();
            assert!(request.uri().to_string().ends_with(":8080/x"), "{ok}");
        }
        for bad in [
            "http://acme.my.salesforce.com",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil",
            "http://[::2]",
            "https://user@x.example",
            "ftp://x",
            "https://x/path",
            "nonsense",
        ] {
            assert!(p.to_request(bad, "t").is_err(), "{bad}");
        }
    }
}
