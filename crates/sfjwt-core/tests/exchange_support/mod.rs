//! Fixtures for the exchange and manager tests: a client with a pinned clock, fake responses.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sfjwt_core::clock::Clock;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::key::PrivateKey;

pub const NOW: u64 = 1_700_000_000;
/// Looks like a real Salesforce session id: org id, `!`, opaque part.
pub const TOKEN: &str = "00D5g000004AbcdEFG!AQ4AQFpV3vXhB9kJm.secret_part-XYZ";
pub const TOKEN2: &str = "00D5g000004AbcdEFG!AQ4AQSecondTokenValue.zzz";

pub fn key() -> PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/keys/rsa2048.pkcs8.pem"),
        )
        .unwrap();
        PrivateKey::from_pem(&pem).unwrap()
    })
    .clone()
}

/// A clock pinned at [`NOW`] plus an adjustable offset.
#[derive(Default)]
pub struct FakeClock(pub std::sync::atomic::AtomicU64);

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW + self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}

pub fn client() -> JwtBearer {
    JwtBearer::new(
        TokenEndpoint::parse("https://acme.my.salesforce.com").unwrap(),
        "3MVG9_consumer_key",
        "etl@acme.com",
        key(),
    )
    .with_clock(FakeClock::default())
}

pub fn response(status: u16, content_type: Option<&str>, body: &str) -> http::Response<Vec<u8>> {
    let mut b = http::Response::builder().status(status);
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    b.body(body.as_bytes().to_vec()).unwrap()
}

pub fn token_json(token: &str) -> String {
    format!(
        r#"{{"access_token":"{token}","signature":"c2lnbmF0dXJl","scope":"api web refresh_token","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D5g000004AbcdEFG/0055g00000AbCdEFGH","token_type":"Bearer","issued_at":"1700000000123","future_field":{{"x":1}}}}"#
    )
}

pub fn ok(token: &str) -> http::Response<Vec<u8>> {
    response(
        200,
        Some("application/json;charset=UTF-8"),
        &token_json(token),
    )
}

pub fn oauth_error(status: u16, error: &str, description: &str) -> http::Response<Vec<u8>> {
    response(
        status,
        Some("application/json"),
        &format!(r#"{{"error":"{error}","error_description":"{description}"}}"#),
    )
}
