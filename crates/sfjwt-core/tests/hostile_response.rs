//! Server-chosen text never drives a terminal or forges a log line: OAuth `error` and
//! `error_description`, transport messages and success fields reach `Display` and `Debug`
//! only through the one sanitiser, bounded; success fields of the wrong shape are refused.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_core::exchange::ExchangeError;
use sfjwt_core::response::{
    DEFAULT_MAX_BODY, DISPLAY_CHARS, ResponseError, is_unsafe_char, parse_token_response,
};

/// Clear screen, retitle the window, bell, one-byte CSI, right-to-left override, and a newline
/// followed by a forged log line.
const ESCAPES: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}\r\n2026-01-01T00:00:00Z INFO sfjwt: token granted";

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn assert_inert(text: &str, max_len: usize) {
    assert!(
        !text.chars().any(is_unsafe_char),
        "unsafe character in {text:?}"
    );
    assert!(text.len() <= max_len, "{} bytes: {text}", text.len());
}

#[test]
fn oauth_error_display_and_debug_are_inert_and_bounded_accessors_whole() {
    let description = format!("{ESCAPES} {}", "A".repeat(200 * 1024));
    let body = serde_json::json!({
        "error": format!("invalid_grant{ESCAPES}"),
        "error_description": description,
    })
    .to_string();
    let Err(ExchangeError::OAuth(e)) =
        parse_token_response(&response(400, &body), DEFAULT_MAX_BODY)
    else {
        panic!("an OAuth error")
    };
    let shown = e.to_string();
    assert_inert(&shown, 2048);
    assert!(
        shown.contains("\\u{1b}[2J") && shown.contains("bytes omitted"),
        "{shown}"
    );
    assert!(!shown.contains("\n2026"), "{shown}");
    assert_inert(&format!("{e:?}"), 4096);
    // The values themselves stay whole for programs (and `--json`).
    assert_eq!(e.description(), Some(description.as_str()));
    assert_eq!(e.error(), format!("invalid_grant{ESCAPES}"));
    // And through the exchange error.
    assert_inert(&ExchangeError::OAuth(e).to_string(), 2048);
}

#[test]
fn a_transport_message_quoting_the_server_is_sanitised() {
    let client = sfjwt_core::exchange::JwtBearer::builder()
        .endpoint(sfjwt_core::endpoint::TokenEndpoint::production())
        .client_id("3MVG9x")
        .username("u@example.com")
        .signer(
            sfjwt_core::key::PrivateKey::from_pem(include_str!(
                "../../../testdata/keys/rsa2048.pkcs8.pem"
            ))
            .unwrap(),
        )
        .build();
    let hostile = |_: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, std::io::Error> {
        Err(std::io::Error::other(format!(
            "bad header value {ESCAPES}{}",
            "B".repeat(100_000)
        )))
    };
    let e = client.request_token(&hostile).unwrap_err();
    assert!(matches!(e, ExchangeError::Transport { .. }));
    assert_inert(&e.to_string(), 1024);
}

#[test]
fn success_fields_are_validated() {
    let token = |field: &str, value: &str| {
        let body = sfjwt_test_support::fake::token_json_with(field, value);
        parse_token_response(&response(200, &body), DEFAULT_MAX_BODY)
    };
    assert_eq!(
        token("scope", "api  web").unwrap().scopes(),
        ["api", "web"],
        "RFC 6749 §3.3 names, extra spaces tolerated"
    );
    assert!(token("scope", "").unwrap().scopes().is_empty());
    assert_eq!(
        token("token_type", "bearer").unwrap().token_type(),
        "bearer"
    );
    for (field, value, path) in [
        ("token_type", "Bearer\u{1b}[2J", "$.token_type"),
        ("token_type", "Bearer x", "$.token_type"),
        ("token_type", "B".repeat(65).as_str(), "$.token_type"),
        ("scope", "api\nINFO forged", "$.scope"),
        ("scope", "api \"web\"", "$.scope"),
        ("scope", "api\u{9b}", "$.scope"),
        ("id", "not a url", "$.id"),
        ("id", "http://login.salesforce.com/id/00D/005", "$.id"),
        ("id", "https://login.salesforce.com/id/\u{1b}[2J", "$.id"),
    ] {
        let e = token(field, value).unwrap_err();
        match &e {
            ExchangeError::Response(ResponseError::WrongShape { path: p, .. }) => {
                assert_eq!(p, path, "{field}={value:?}");
            }
            other => panic!("{field}={value:?}: {other:?}"),
        }
        assert_inert(&e.to_string(), 1024);
    }
    let long = format!(
        "https://acme.my.salesforce.com/{}\u{1b}]0;x\u{7}",
        "p".repeat(5000)
    );
    let e = token("instance_url", &long).unwrap_err();
    let ExchangeError::Response(ResponseError::InsecureInstanceUrl { instance_url, .. }) = &e
    else {
        panic!("{e:?}")
    };
    assert!(
        instance_url.chars().count() < DISPLAY_CHARS + 40,
        "{instance_url}"
    );
    assert_inert(&e.to_string(), 1024);
}
