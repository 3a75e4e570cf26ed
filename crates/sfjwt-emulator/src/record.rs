//! The request log, so tests can check what a client actually sent.
//!
//! Assertions and tokens in the log are the test's own data; `Debug` still redacts the
//! `assertion` parameter and the `Authorization` header, because test failures get printed
//! into CI logs.

use std::fmt;

/// One request as the emulator received it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) form: Vec<(String, String)>,
    pub(crate) body_len: usize,
}

impl RecordedRequest {
    /// The method, e.g. `POST`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string, if any.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// Every header in the order received; names lower-case, values lossily decoded as UTF-8.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded `application/x-www-form-urlencoded` body (empty for other bodies).
    pub fn form(&self) -> &[(String, String)] {
        &self.form
    }

    /// The first value of form parameter `name`.
    pub fn form_value(&self, name: &str) -> Option<&str> {
        crate::grant::param(&self.form, name)
    }

    /// How many body bytes were read (at most the body limit).
    pub fn body_len(&self) -> usize {
        self.body_len
    }
}

const SECRET_PARAMS: &[&str] = &["assertion", "client_secret", "refresh_token", "password"];

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let secret =
                    k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("cookie");
                (k.as_str(), if secret { "[redacted]" } else { v.as_str() })
            })
            .collect();
        let form: Vec<(&str, &str)> = self
            .form
            .iter()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.contains(&k.as_str());
                (k.as_str(), if secret { "[redacted]" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("form", &form)
            .field("body_len", &self.body_len)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_credentials() {
        let r = RecordedRequest {
            method: "POST".into(),
            path: "/services/oauth2/token".into(),
            query: None,
            headers: vec![("authorization".into(), "Bearer 00Dsecret!tok".into())],
            form: vec![
                ("grant_type".into(), "jwt".into()),
                ("assertion".into(), "eyJsecret".into()),
            ],
            body_len: 10,
        };
        let debug = format!("{r:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(debug.contains("grant_type"));
        assert_eq!(r.form_value("assertion"), Some("eyJsecret"));
        assert_eq!(r.header("Authorization"), Some("Bearer 00Dsecret!tok"));
    }
}
