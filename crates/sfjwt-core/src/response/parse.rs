use http::StatusCode;
use serde_json::{Map, Value};

use super::sanitize::{excerpt, redact, sanitize};
use super::{AccessToken, OAuthError, ResponseError, TokenResponse};
use crate::exchange::ExchangeError;
use crate::url::{HttpUrl, SchemePolicy};

/// The default limit on a token response body: 1 MiB. A real one is about 1 KiB; transports
/// should cap their reads at this size too.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// Parses the token endpoint's response ([`manual::errors`](crate::manual::errors)): a 200 with a token, an OAuth error,
/// or one of the malformed classes of [`ResponseError`].
///
/// `max_body` bounds the body ([`DEFAULT_MAX_BODY`] unless you know better).
///
/// # Errors
/// [`ExchangeError::OAuth`] for Salesforce's error JSON, [`ExchangeError::Response`] for
/// anything else that is not a token; no other variant.
///
/// ```
/// use sfjwt_core::exchange::ExchangeError;
/// use sfjwt_core::response::{parse_token_response, DEFAULT_MAX_BODY};
/// let ok = http::Response::builder().status(200).header("content-type", "application/json")
///     .body(br#"{"access_token":"00Dxx0000001gPL!AR8AQJ","instance_url":"https://acme.my.salesforce.com",
///        "id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS","token_type":"Bearer","scope":"api web"}"#.to_vec())?;
/// let token = parse_token_response(&ok, DEFAULT_MAX_BODY)?;
/// assert_eq!(token.org_id(), Some("00Dxx0000001gPLEAY"));
/// assert_eq!(token.scopes(), ["api", "web"]);
///
/// let refused = http::Response::builder().status(400)
///     .body(br#"{"error":"invalid_grant","error_description":"expired authorization code"}"#.to_vec())?;
/// let err = parse_token_response(&refused, DEFAULT_MAX_BODY).unwrap_err();
/// assert!(matches!(err, ExchangeError::OAuth(_)) && !err.is_retryable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_token_response(
    response: &http::Response<Vec<u8>>,
    max_body: usize,
) -> Result<TokenResponse, ExchangeError> {
    let status = response.status();
    let body = response.body().as_slice();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase());
    let map = json_object(status, content_type, body, max_body).map_err(ExchangeError::Response)?;
    if let Some(error) = map.get("error") {
        let Value::String(error) = error else {
            return Err(ExchangeError::Response(wrong_shape(
                status, body, "error", "a string",
            )));
        };
        // Verbatim, except that anything shaped like a credential (a session id or a JWS)
        // is redacted: Salesforce never puts one there, and an error must never carry one.
        let description = match map.get("error_description") {
            Some(Value::String(d)) => Some(redact(d)),
            _ => None,
        };
        return Err(ExchangeError::OAuth(OAuthError::new(
            status,
            error.clone(),
            description,
        )));
    }
    if status != StatusCode::OK {
        return Err(ExchangeError::Response(ResponseError::UnexpectedStatus {
            status,
            excerpt: excerpt(body),
        }));
    }
    token_from_map(status, body, map).map_err(ExchangeError::Response)
}

/// A stored token response (the JSON of [`TokenResponse::to_json`]) read back: the checks of
/// a 200 response, and an OAuth error object is refused as not a token.
pub(super) fn token_from_json(json: &[u8]) -> Result<TokenResponse, ResponseError> {
    let status = StatusCode::OK;
    let map = json_object(
        status,
        Some("application/json".to_owned()),
        json,
        usize::MAX,
    )?;
    if map.contains_key("error") {
        return Err(wrong_shape(
            status,
            json,
            "error",
            "absent: this is an OAuth error, not a token",
        ));
    }
    token_from_map(status, json, map)
}

/// The body as a JSON object: bounded, not empty, not an HTML page, valid JSON.
fn json_object(
    status: StatusCode,
    content_type: Option<String>,
    body: &[u8],
    max_body: usize,
) -> Result<Map<String, Value>, ResponseError> {
    if body.len() > max_body {
        return Err(ResponseError::TooLarge {
            status,
            len: body.len(),
            limit: max_body,
        });
    }
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Err(ResponseError::Empty { status });
    }
    let is_html = content_type.as_deref().is_some_and(|c| c.contains("html"))
        || trimmed.first() == Some(&b'<');
    if is_html {
        return Err(ResponseError::Html {
            status,
            excerpt: excerpt(body),
        });
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) if status.is_success() => Err(ResponseError::WrongShape {
            status,
            path: "$".to_owned(),
            expected: "a JSON object",
            excerpt: excerpt(body),
        }),
        Ok(_) => Err(ResponseError::UnexpectedStatus {
            status,
            excerpt: excerpt(body),
        }),
        Err(e) => Err(json_error(status, content_type, body, &e)),
    }
}

fn json_error(
    status: StatusCode,
    content_type: Option<String>,
    body: &[u8],
    e: &serde_json::Error,
) -> ResponseError {
    if let Some(ct) = content_type.filter(|c| !c.contains("json")) {
        return ResponseError::UnexpectedContentType {
            status,
            content_type: ct,
            excerpt: excerpt(body),
        };
    }
    if e.is_eof() {
        return ResponseError::TruncatedJson {
            status,
            excerpt: excerpt(body),
        };
    }
    // Only the position: serde_json's message for data errors can quote the input.
    ResponseError::InvalidJson {
        status,
        reason: format!("syntax error at line {} column {}", e.line(), e.column()),
        excerpt: excerpt(body),
    }
}

fn wrong_shape(
    status: StatusCode,
    body: &[u8],
    field: &str,
    expected: &'static str,
) -> ResponseError {
    ResponseError::WrongShape {
        status,
        path: format!("$.{field}"),
        expected,
        excerpt: excerpt(body),
    }
}

fn token_from_map(
    status: StatusCode,
    body: &[u8],
    mut map: Map<String, Value>,
) -> Result<TokenResponse, ResponseError> {
    let shape = |field: &str, expected| wrong_shape(status, body, field, expected);
    let access_token = match map.remove("access_token") {
        None | Some(Value::Null) => {
            return Err(ResponseError::MissingAccessToken {
                status,
                excerpt: excerpt(body),
            });
        }
        Some(Value::String(t)) if !t.is_empty() => AccessToken::new(t),
        Some(_) => return Err(shape("access_token", "a non-empty string")),
    };
    let mut required = |field: &'static str| match map.remove(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err(shape(field, "a non-empty string")),
    };
    let instance_url = required("instance_url")?;
    let id = required("id")?;
    if !is_safe_url(&instance_url) {
        return Err(ResponseError::InsecureInstanceUrl {
            status,
            instance_url: sanitize(&instance_url),
        });
    }
    let mut optional = |field: &'static str| match map.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(shape(field, "a string")),
    };
    let token_type = optional("token_type")?.unwrap_or_else(|| "Bearer".to_owned());
    if !is_token_type(&token_type) {
        return Err(shape("token_type", "a token type name such as Bearer"));
    }
    let scope = optional("scope")?.unwrap_or_default();
    if !is_scope(&scope) {
        return Err(shape(
            "scope",
            "space-separated scope names (RFC 6749 §3.3)",
        ));
    }
    let scope = scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let signature = optional("signature")?;
    let community_url = optional("sfdc_community_url")?;
    let community_id = optional("sfdc_community_id")?;
    let api_instance_url = optional("api_instance_url")?;
    // Salesforce sends `issued_at` as a string of milliseconds; accept a number too.
    let issued_at = match map.remove("issued_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            s.parse::<u64>()
                .map_err(|_| shape("issued_at", "milliseconds since the epoch"))?,
        ),
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| shape("issued_at", "milliseconds since the epoch"))?,
        ),
        Some(_) => return Err(shape("issued_at", "milliseconds since the epoch")),
    };
    // The identity URL is called with the token (it answers who the user is), so it gets the
    // same rule as `instance_url`.
    if !is_safe_url(&id) {
        return Err(shape("id", "an https URL (http only on a loopback host)"));
    }
    // API calls with the token may go there too: the same rule again.
    if api_instance_url
        .as_deref()
        .is_some_and(|url| !is_safe_url(url))
    {
        return Err(shape(
            "api_instance_url",
            "an https URL (http only on a loopback host)",
        ));
    }
    Ok(TokenResponse {
        access_token,
        instance_url,
        id,
        token_type,
        scope,
        issued_at,
        signature,
        community_url,
        community_id,
        api_instance_url,
        extra: map,
    })
}

/// A token type name (RFC 6749 §7.1 and §11.1: a registered name, `Bearer` for Salesforce):
/// printable ASCII without spaces, at most 64 characters.
fn is_token_type(token_type: &str) -> bool {
    (1..=64).contains(&token_type.len()) && token_type.bytes().all(|b| b.is_ascii_graphic())
}

/// RFC 6749 §3.3: `scope = scope-token *( SP scope-token )`, `scope-token = 1*NQCHAR`,
/// `NQCHAR = %x21 / %x23-5B / %x5D-7E`. Empty is accepted as "no scope listed".
fn is_scope(scope: &str) -> bool {
    scope
        .bytes()
        .all(|b| b == b' ' || (b.is_ascii_graphic() && b != b'"' && b != b'\\'))
}

/// Where the token may be sent: an absolute https URL, or http to a loopback host (local
/// emulators), by the one URL parser every endpoint goes through.
fn is_safe_url(url: &str) -> bool {
    HttpUrl::parse(url, SchemePolicy::HttpsOrLoopbackHttp).is_ok()
}
