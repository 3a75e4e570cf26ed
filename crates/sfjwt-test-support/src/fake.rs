//! A client with a pinned clock and canned Salesforce responses, for tests that drive the
//! exchange and the managers through a closure transport (no network).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sfjwt_core::clock::ManualClock;
use sfjwt_core::{JwtBearer, PrivateKey, TokenEndpoint};

/// The pinned "now" of [`client`], in seconds since the epoch.
pub const NOW: u64 = 1_700_000_000;
/// Looks like a real Salesforce session id: org id, `!`, opaque part.
pub const TOKEN: &str = "00D5g000004AbcdEFG!AQ4AQFpV3vXhB9kJm.secret_part-XYZ";
/// A second token, for "a new grant replaced the old token" cases.
pub const TOKEN2: &str = "00D5g000004AbcdEFG!AQ4AQSecondTokenValue.zzz";

/// The main test key.
pub fn key() -> PrivateKey {
    crate::testdata::key()
}

/// [`NOW`] plus `offset` seconds.
pub fn at(offset: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW + offset)
}

/// A manual clock standing at [`NOW`]; move it with `set(at(…))` or `advance`.
pub fn clock_at_now() -> ManualClock {
    ManualClock::new(at(0))
}

/// A client of `https://acme.my.salesforce.com` for `etl@acme.com`, its clock at [`NOW`].
pub fn client() -> JwtBearer {
    JwtBearer::builder()
        .endpoint(TokenEndpoint::parse("https://acme.my.salesforce.com").unwrap())
        .client_id("3MVG9_consumer_key")
        .username("etl@acme.com")
        .signer(key())
        .build()
        .with_clock(clock_at_now())
}

/// A response with `status`, an optional content type and `body`.
pub fn response(status: u16, content_type: Option<&str>, body: &str) -> http::Response<Vec<u8>> {
    let mut b = http::Response::builder().status(status);
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    b.body(body.as_bytes().to_vec()).unwrap()
}

/// A success body as Salesforce sends it (with `signature`, `issued_at` and a field sfjwt
/// does not know), carrying `token`.
pub fn token_json(token: &str) -> String {
    format!(
        r#"{{"access_token":"{token}","signature":"c2lnbmF0dXJl","scope":"api web refresh_token","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D5g000004AbcdEFG/0055g00000AbCdEFGH","token_type":"Bearer","issued_at":"1700000000123","future_field":{{"x":1}}}}"#
    )
}

/// [`token_json`] for [`TOKEN`] with `field` set to the string `value`: a success body with
/// one field as a hostile server might send it.
pub fn token_json_with(field: &str, value: &str) -> String {
    let mut json: serde_json::Value = serde_json::from_str(&token_json(TOKEN)).unwrap();
    json[field] = serde_json::Value::String(value.to_owned());
    json.to_string()
}

/// 200 with [`token_json`].
pub fn ok(token: &str) -> http::Response<Vec<u8>> {
    response(
        200,
        Some("application/json;charset=UTF-8"),
        &token_json(token),
    )
}

/// An OAuth error response: `{"error":…,"error_description":…}` with `status`.
pub fn oauth_error(status: u16, error: &str, description: &str) -> http::Response<Vec<u8>> {
    response(
        status,
        Some("application/json"),
        &format!(r#"{{"error":"{error}","error_description":"{description}"}}"#),
    )
}
