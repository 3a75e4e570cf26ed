//! The exchange end to end through closure transports: the request on the wire, every row of
//! the error table of `sfjwt_core::manual::errors`, every malformed-body class, and the redaction of tokens.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

use sfjwt_core::claims::Audience;
use sfjwt_core::exchange::ExchangeError;
use sfjwt_core::jws::Verifier;
use sfjwt_core::response::{OAuthErrorCode, ResponseError};
use sfjwt_test_support::fake::*;

type Transport = fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error>;

fn exchange_with(
    resp: http::Response<Vec<u8>>,
) -> Result<sfjwt_core::response::TokenResponse, ExchangeError> {
    let cell = Mutex::new(Some(resp));
    let transport = |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        Ok(cell.lock().unwrap().take().unwrap())
    };
    client().request_token(&transport)
}

#[test]
fn the_request_is_what_salesforce_expects() {
    let seen = Mutex::new(None);
    let transport = |req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        *seen.lock().unwrap() = Some(req);
        Ok(ok(TOKEN))
    };
    client().request_token(&transport).unwrap();
    let req = seen.lock().unwrap().take().unwrap();
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(
        req.uri(),
        "https://acme.my.salesforce.com/services/oauth2/token"
    );
    assert_eq!(
        req.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(req.headers()["accept"], "application/json");
    assert_eq!(
        req.headers()["user-agent"],
        concat!("sfjwt/", env!("CARGO_PKG_VERSION"))
    );
    let body = String::from_utf8(req.body().clone()).unwrap();
    assert!(
        body.starts_with(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
        ),
        "{body}"
    );
    let pairs: Vec<(String, String)> = form_urlencoded::parse(req.body()).into_owned().collect();
    assert_eq!(pairs.len(), 2);
    assert_eq!(
        pairs[0],
        (
            "grant_type".into(),
            "urn:ietf:params:oauth:grant-type:jwt-bearer".into()
        )
    );
    // The assertion verifies, with aud = login (not the My Domain) and exp = now + 180.
    let claims = Verifier::new(key().public_key())
        .expect_issuer("3MVG9_consumer_key")
        .expect_audience(Audience::PRODUCTION_URL)
        .verify(&pairs[1].1, UNIX_EPOCH + Duration::from_secs(NOW))
        .unwrap();
    assert_eq!(claims.subject(), "etl@acme.com");
    assert_eq!(claims.expires_at(), NOW + 180);
}

#[test]
fn sandbox_my_domain_defaults_to_the_test_audience_and_can_be_overridden() {
    use sfjwt_core::endpoint::TokenEndpoint;
    use sfjwt_core::exchange::JwtBearer;
    let e = TokenEndpoint::parse("https://acme--dev.sandbox.my.salesforce.com").unwrap();
    let c = JwtBearer::builder()
        .endpoint(e.clone())
        .client_id("k")
        .username("u@x.com")
        .signer(key())
        .build();
    assert_eq!(c.audience(), Some(Audience::sandbox()));
    let site = Audience::parse("https://acme.my.site.com/partners").unwrap();
    assert_eq!(
        JwtBearer::builder()
            .endpoint(e.clone())
            .client_id("k")
            .username("u@x.com")
            .signer(key())
            .build()
            .with_audience(site.clone())
            .audience(),
        Some(site)
    );
    let my_domain = Audience::my_domain_of(&e).unwrap();
    assert_eq!(
        JwtBearer::builder()
            .endpoint(e)
            .client_id("k")
            .username("u@x.com")
            .signer(key())
            .build()
            .with_audience(my_domain)
            .audience()
            .unwrap()
            .as_str(),
        "https://acme--dev.sandbox.my.salesforce.com"
    );
}

#[test]
fn a_my_domain_audience_is_signed_for_the_my_domain_endpoint() {
    use sfjwt_core::endpoint::TokenEndpoint;
    use sfjwt_core::exchange::JwtBearer;
    let e = TokenEndpoint::parse("https://acme.my.salesforce.com").unwrap();
    let client = JwtBearer::builder()
        .endpoint(e.clone())
        .client_id("3MVG9_consumer_key")
        .username("etl@acme.com")
        .signer(key())
        .build()
        .with_audience(Audience::my_domain_of(&e).unwrap())
        .with_clock(clock_at_now());
    let request = client.prepare_request().unwrap();
    assert_eq!(
        request.uri().to_string(),
        "https://acme.my.salesforce.com/services/oauth2/token"
    );
    let body = String::from_utf8(request.body().clone()).unwrap();
    let assertion = body.split("assertion=").nth(1).unwrap();
    let claims = Verifier::new(key().public_key())
        .expect_audience("https://acme.my.salesforce.com")
        .verify(assertion, UNIX_EPOCH + Duration::from_secs(NOW))
        .unwrap();
    assert_eq!(claims.expires_at(), NOW + 180);
}

#[test]
fn an_unknown_host_needs_an_explicit_audience() {
    use sfjwt_core::claims::ClaimsError;
    use sfjwt_core::endpoint::TokenEndpoint;
    use sfjwt_core::exchange::{ExchangeError, JwtBearer};
    let e = TokenEndpoint::parse("https://login.salesforce.com.evil.example").unwrap();
    let client = JwtBearer::builder()
        .endpoint(e)
        .client_id("3MVG9_consumer_key")
        .username("etl@acme.com")
        .signer(key())
        .build();
    assert_eq!(client.audience(), None);
    let sent = std::cell::Cell::new(0);
    let transport =
        |_req: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, std::io::Error> {
            sent.set(sent.get() + 1);
            Ok(ok(TOKEN))
        };
    let err = client.request_token(&transport).unwrap_err();
    assert!(
        matches!(
            err,
            ExchangeError::Claims(ClaimsError::AudienceRequired { .. })
        ),
        "{err:?}"
    );
    assert_eq!(sent.get(), 0, "nothing is signed or sent");
    let explicit = client.with_audience(Audience::parse("https://auth.evil.example").unwrap());
    assert!(explicit.request_token(&transport).is_ok());
    assert_eq!(sent.get(), 1);
}

#[test]
fn lifetimes_up_to_300_s_and_no_further() {
    use sfjwt_core::claims::ClaimsError;
    use sfjwt_core::endpoint::TokenEndpoint;
    use sfjwt_core::exchange::{ExchangeError, JwtBearer};
    let client = |secs| {
        JwtBearer::builder()
            .endpoint(TokenEndpoint::production())
            .client_id("3MVG9_k")
            .username("etl@acme.com")
            .signer(key())
            .build()
            .with_lifetime(Duration::from_secs(secs))
            .with_clock(clock_at_now())
    };
    for secs in [1, 180, 300] {
        let request = client(secs).prepare_request().unwrap();
        let body = String::from_utf8(request.body().clone()).unwrap();
        let assertion = body.split("assertion=").nth(1).unwrap();
        let claims = Verifier::new(key().public_key())
            .verify(assertion, UNIX_EPOCH + Duration::from_secs(NOW))
            .unwrap();
        assert_eq!(claims.expires_at(), NOW + secs);
    }
    assert!(matches!(
        client(301).prepare_request(),
        Err(ExchangeError::Claims(ClaimsError::LifetimeTooLong {
            seconds: 301
        }))
    ));
}

#[test]
fn a_success_is_parsed_completely() {
    let token = exchange_with(ok(TOKEN)).unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(token.instance_url(), "https://acme.my.salesforce.com");
    assert_eq!(token.org_id(), Some("00D5g000004AbcdEFG"));
    assert_eq!(token.user_id(), Some("0055g00000AbCdEFGH"));
    assert_eq!(token.token_type(), "Bearer");
    assert_eq!(token.scopes(), ["api", "web", "refresh_token"]);
    assert_eq!(
        token.issued_at(),
        Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123))
    );
    assert_eq!(token.signature(), Some("c2lnbmF0dXJl"));
    assert_eq!(token.extra()["future_field"]["x"], 1);
    assert_eq!(token.community_url(), None);
    // Round trip for token stores.
    let again = sfjwt_core::response::TokenResponse::from_json(token.to_json().as_bytes()).unwrap();
    assert_eq!(again.access_token().expose_secret(), TOKEN);
    assert_eq!(again.extra()["future_field"]["x"], 1);
}

#[test]
fn community_fields_and_loopback_instance_urls_are_accepted() {
    let body = r#"{"access_token":"x!y","instance_url":"http://127.0.0.1:8080","id":"http://127.0.0.1:8080/id/00D/005","sfdc_community_url":"https://acme.my.site.com/p","sfdc_community_id":"0DB000000000001"}"#;
    let t = exchange_with(response(200, Some("application/json"), body)).unwrap();
    assert_eq!(t.community_url(), Some("https://acme.my.site.com/p"));
    assert_eq!(t.community_id(), Some("0DB000000000001"));
    assert_eq!(t.token_type(), "Bearer");
}

#[test]
fn api_instance_url_is_typed_kept_and_checked() {
    let body = r#"{"access_token":"x!y","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D/005","scope":"sfap_api api","api_instance_url":"https://api.salesforce.com"}"#;
    let t = exchange_with(response(200, Some("application/json"), body)).unwrap();
    assert_eq!(t.api_instance_url(), Some("https://api.salesforce.com"));
    assert!(!t.extra().contains_key("api_instance_url"));
    let again = sfjwt_core::response::TokenResponse::from_json(t.to_json().as_bytes()).unwrap();
    assert_eq!(again.api_instance_url(), Some("https://api.salesforce.com"));

    let insecure = body.replace("https://api.salesforce.com", "http://api.example.com");
    let err = exchange_with(response(200, Some("application/json"), &insecure)).unwrap_err();
    assert!(err.to_string().contains("api_instance_url"), "{err}");

    let without = r#"{"access_token":"x!y","instance_url":"http://127.0.0.1:8080","id":"http://127.0.0.1:8080/id/00D/005"}"#;
    let t = exchange_with(response(200, Some("application/json"), without)).unwrap();
    assert_eq!(t.api_instance_url(), None);
}

#[test]
fn every_row_of_the_error_table() {
    let rows: [(&str, &str, OAuthErrorCode, &str); 22] = [
        (
            "OAUTH_APP_BLOCKED",
            "this app is blocked by admin",
            OAuthErrorCode::AppBlocked,
            "API Access Control",
        ),
        (
            "invalid_grant",
            "ip restricted or invalid login hours",
            OAuthErrorCode::IpRestricted,
            "Login Hours",
        ),
        (
            "rate_limit_exceeded",
            "login rate exceeded",
            OAuthErrorCode::RateLimited,
            "rolling window",
        ),
        (
            "invalid_grant",
            "user hasn't approved this consumer",
            OAuthErrorCode::UserNotApproved,
            "Salesforce API Integration",
        ),
        (
            "app_not_found",
            "External client app is not installed in this org",
            OAuthErrorCode::AppNotFound,
            "sandbox refresh",
        ),
        (
            "invalid_grant",
            "user hasn't approved this consumer",
            OAuthErrorCode::UserNotApproved,
            "pre-authorized",
        ),
        (
            "invalid_grant",
            "audience is invalid",
            OAuthErrorCode::InvalidAudience,
            "My Domain URL (External Client Apps",
        ),
        (
            "invalid_grant",
            "Audience validation failed",
            OAuthErrorCode::InvalidAudience,
            "login.salesforce.com",
        ),
        (
            "invalid_grant",
            "expired authorization code",
            OAuthErrorCode::ExpiredAssertion,
            "clock",
        ),
        (
            "invalid_grant",
            "invalid assertion",
            OAuthErrorCode::InvalidAssertion,
            "certificate",
        ),
        (
            "invalid_client_id",
            "client identifier invalid",
            OAuthErrorCode::InvalidClientId,
            "consumer key",
        ),
        (
            "unsupported_grant_type",
            "grant type not supported",
            OAuthErrorCode::UnsupportedGrantType,
            "form-encoded",
        ),
        (
            "invalid_grant",
            "inactive user",
            OAuthErrorCode::InactiveUser,
            "deactivated",
        ),
        (
            "invalid_grant",
            "inactive organization",
            OAuthErrorCode::InactiveOrganization,
            "deactivated",
        ),
        (
            "invalid_grant",
            "login rate exceeded",
            OAuthErrorCode::RateLimited,
            "3,600",
        ),
        (
            "rate_limit_exceeded",
            "too many",
            OAuthErrorCode::RateLimited,
            "reuse tokens",
        ),
        (
            "invalid_app_access",
            "user is not admin approved to access this app",
            OAuthErrorCode::AppNotInstalled,
            "profile or permission set",
        ),
        (
            "app_not_found",
            "External client app is not installed in this org",
            OAuthErrorCode::AppNotFound,
            "--login-url https://NAME.my.salesforce.com --audience my-domain",
        ),
        (
            "invalid_grant",
            "External client app is not installed in this org",
            OAuthErrorCode::AppNotFound,
            "Audience::my_domain_of",
        ),
        (
            "invalid_grant",
            "ip restricted",
            OAuthErrorCode::IpRestricted,
            "IP Relaxation",
        ),
        (
            "inactive_user",
            "inactive user",
            OAuthErrorCode::InactiveUser,
            "deactivated",
        ),
        (
            "inactive_org",
            "inactive organization",
            OAuthErrorCode::InactiveOrganization,
            "deactivated",
        ),
    ];
    for (error, description, code, hint_part) in rows {
        let err = exchange_with(oauth_error(400, error, description)).unwrap_err();
        let oauth = err.oauth().unwrap_or_else(|| panic!("{error}: {err:?}"));
        assert_eq!(oauth.code(), &code, "{error} / {description}");
        assert_eq!(oauth.error(), error);
        assert_eq!(oauth.description(), Some(description));
        assert!(
            oauth.hint().contains(hint_part),
            "{code:?}: {}",
            oauth.hint()
        );
        assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
        // None of these is cured by trying again within the call: not even the rate limit,
        // whose window is a rolling hour.
        assert!(!err.is_retryable(), "{code:?}");
        let text = err.to_string();
        assert!(
            text.contains(description) && text.contains(hint_part),
            "{text}"
        );
    }
}

#[test]
fn unknown_codes_parse_verbatim_and_5xx_is_retryable() {
    let err = exchange_with(oauth_error(400, "brand_new_error", "Something New")).unwrap_err();
    let oauth = err.oauth().unwrap();
    assert_eq!(
        oauth.code(),
        &OAuthErrorCode::Unknown("brand_new_error".into())
    );
    assert_eq!(oauth.description(), Some("Something New"));
    assert!(!err.is_retryable());
    let err = exchange_with(oauth_error(503, "server_error", "try later")).unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    let err = exchange_with(oauth_error(429, "whatever", "slow down")).unwrap_err();
    assert!(err.is_retryable());
    let err = exchange_with(oauth_error(429, "rate_limit_exceeded", "slow down")).unwrap_err();
    assert_eq!(err.oauth().unwrap().code(), &OAuthErrorCode::RateLimited);
    assert!(
        !err.is_retryable(),
        "a rolling hour: not retried even as 429"
    );
    let err = exchange_with(oauth_error(400, "inactive_user", "")).unwrap_err();
    assert_eq!(err.oauth().unwrap().code(), &OAuthErrorCode::InactiveUser);
    let err = exchange_with(oauth_error(400, "invalid_grant", "something else")).unwrap_err();
    assert_eq!(err.oauth().unwrap().code(), &OAuthErrorCode::InvalidGrant);
}

fn response_error(resp: http::Response<Vec<u8>>) -> ResponseError {
    match exchange_with(resp).unwrap_err() {
        ExchangeError::Response(e) => e,
        other => panic!("expected a response error, got {other:?}"),
    }
}

#[test]
fn each_malformed_body_class_has_its_own_error() {
    let html = response_error(response(
        200,
        Some("text/html"),
        "<html><body>Login | Salesforce</body></html>",
    ));
    assert!(matches!(html, ResponseError::Html { .. }), "{html:?}");
    assert!(html.to_string().contains("Login | Salesforce"));
    let untyped_html = response_error(response(502, None, "  <!DOCTYPE html><p>Bad gateway</p>"));
    assert!(matches!(untyped_html, ResponseError::Html { .. }));
    assert!(untyped_html.is_retryable());

    assert!(matches!(
        response_error(response(200, Some("application/json"), "")),
        ResponseError::Empty { .. }
    ));
    assert!(matches!(
        response_error(response(400, None, " \n")),
        ResponseError::Empty { .. }
    ));

    let truncated = response_error(response(
        200,
        Some("application/json"),
        r#"{"access_token":"00D5g0"#,
    ));
    assert!(
        matches!(truncated, ResponseError::TruncatedJson { .. }),
        "{truncated:?}"
    );
    let invalid = response_error(response(200, Some("application/json"), "{access_token: 1}"));
    assert!(
        matches!(invalid, ResponseError::InvalidJson { .. }),
        "{invalid:?}"
    );
    assert!(invalid.to_string().contains("line 1"));

    let wrong = response_error(response(
        200,
        Some("application/json"),
        r#"{"access_token":"a!b","instance_url":42,"id":"x"}"#,
    ));
    match &wrong {
        ResponseError::WrongShape { path, .. } => assert_eq!(path, "$.instance_url"),
        other => panic!("{other:?}"),
    }
    let wrong = response_error(response(
        200,
        Some("application/json"),
        r#"{"access_token":"a!b","instance_url":"https://a.com","id":"x","issued_at":"soon"}"#,
    ));
    assert!(
        matches!(&wrong, ResponseError::WrongShape { path, .. } if path == "$.issued_at"),
        "{wrong:?}"
    );
    let array = response_error(response(200, Some("application/json"), "[1,2]"));
    assert!(matches!(&array, ResponseError::WrongShape { path, .. } if path == "$"));

    let missing = response_error(response(
        200,
        Some("application/json"),
        r#"{"instance_url":"https://a.com","id":"x"}"#,
    ));
    assert!(matches!(missing, ResponseError::MissingAccessToken { .. }));

    let ct = response_error(response(200, Some("text/plain"), "OK then"));
    assert!(
        matches!(&ct, ResponseError::UnexpectedContentType { content_type, .. } if content_type == "text/plain"),
        "{ct:?}"
    );

    let insecure = response_error(response(
        200,
        Some("application/json"),
        r#"{"access_token":"a!b","instance_url":"http://acme.my.salesforce.com","id":"x"}"#,
    ));
    assert!(matches!(
        insecure,
        ResponseError::InsecureInstanceUrl { .. }
    ));

    let status = response_error(response(
        302,
        Some("application/json"),
        r#"{"location":"elsewhere"}"#,
    ));
    assert!(matches!(status, ResponseError::UnexpectedStatus { .. }));
    assert_eq!(status.status(), http::StatusCode::FOUND);
}

#[test]
fn bodies_over_the_limit_are_refused() {
    let big = format!(
        r#"{{"access_token":"a!b","pad":"{}"}}"#,
        "x".repeat(1 << 20)
    );
    let err = response_error(response(200, Some("application/json"), &big));
    assert!(
        matches!(err, ResponseError::TooLarge { limit, .. } if limit == 1 << 20),
        "{err}"
    );
    let small = client().with_max_response_bytes(10);
    let transport = |_r: http::Request<Vec<u8>>| -> Result<_, std::io::Error> { Ok(ok(TOKEN)) };
    assert!(matches!(
        small.request_token(&transport),
        Err(ExchangeError::Response(ResponseError::TooLarge {
            limit: 10,
            ..
        }))
    ));
}

#[test]
fn tokens_never_appear_in_debug_or_error_messages() {
    let token = exchange_with(ok(TOKEN)).unwrap();
    let debug = format!("{token:?} {:?}", token.access_token());
    assert!(
        !debug.contains("AQ4AQ") && debug.contains("[redacted]"),
        "{debug}"
    );
    assert!(!debug.contains("c2lnbmF0dXJl"), "signature shown: {debug}");

    // Every malformed class that quotes the body, with a token inside it.
    let bodies: Vec<(u16, Option<&str>, String)> = vec![
        (200, Some("text/html"), format!("<html>{TOKEN}</html>")),
        (200, Some("text/plain"), format!("token={TOKEN}")),
        (
            200,
            Some("application/json"),
            format!(r#"{{"access_token":"{TOKEN}","instance_url":5}}"#),
        ),
        (
            200,
            Some("application/json"),
            format!(r#"{{"access_token":"{TOKEN}","instance_url":"http://evil.com","id":"x"}}"#),
        ),
        (
            200,
            Some("application/json"),
            format!(r#"{{"access_token":"{TOKEN}"#),
        ),
        (
            200,
            Some("application/json"),
            format!(r#"{{"access_token":"{TOKEN}",}}"#),
        ),
        (
            302,
            Some("application/json"),
            format!(r#"{{"access_token":"{TOKEN}"}}"#),
        ),
        (
            200,
            Some("application/json"),
            format!(r#"{{"token":"{TOKEN}"}}"#),
        ),
        (
            200,
            Some("application/json"),
            r#"{"access_token":"opaque-non-salesforce-token","instance_url":[]}"#.to_owned(),
        ),
        (
            500,
            Some("text/plain"),
            format!("{} {TOKEN}", "x".repeat(300)),
        ),
        (
            200,
            Some("text/plain"),
            format!("{}{TOKEN}", "y ".repeat(95)),
        ),
    ];
    for (status, ct, body) in bodies {
        let err = exchange_with(response(status, ct, &body)).unwrap_err();
        let shown = format!("{err} {err:?}");
        for secret in [
            "AQ4AQFpV3vXhB9kJm",
            "secret_part",
            "opaque-non-salesforce-token",
        ] {
            assert!(!shown.contains(secret), "{body} leaked in: {shown}");
        }
    }
}

#[test]
fn transport_errors_carry_the_source_and_its_retry_hint() {
    let refused: Transport = |_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "refused",
        ))
    };
    let err = client().request_token(&refused).unwrap_err();
    assert!(matches!(
        err,
        ExchangeError::Transport {
            retryable: true,
            ..
        }
    ));
    assert!(err.is_retryable() && err.status().is_none());
    assert!(
        std::error::Error::source(&err)
            .unwrap()
            .to_string()
            .contains("refused")
    );
    let bad: Transport = |_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "bad cert config",
        ))
    };
    assert!(!client().request_token(&bad).unwrap_err().is_retryable());
}

#[test]
fn config_errors_come_before_any_request_and_are_not_retryable() {
    use sfjwt_core::endpoint::TokenEndpoint;
    use sfjwt_core::exchange::JwtBearer;
    let never: Transport = |_| panic!("no request may be sent");
    let c = JwtBearer::builder()
        .endpoint(TokenEndpoint::production())
        .client_id("")
        .username("u@x.com")
        .signer(key())
        .build();
    let err = c.request_token(&never).unwrap_err();
    assert!(
        matches!(err, ExchangeError::Claims(_)) && !err.is_retryable(),
        "{err:?}"
    );
    let c = client().with_lifetime(Duration::from_secs(600));
    assert!(matches!(
        c.request_token(&never),
        Err(ExchangeError::Claims(_))
    ));
}

#[test]
fn the_async_flavour_shares_the_logic() {
    let transport = |_req: http::Request<Vec<u8>>| async { Ok::<_, std::io::Error>(ok(TOKEN)) };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let token = rt
        .block_on(client().request_token_async(&transport))
        .unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    let failing = |_req: http::Request<Vec<u8>>| async {
        Ok::<_, std::io::Error>(oauth_error(400, "invalid_grant", "invalid assertion"))
    };
    let err = rt
        .block_on(client().request_token_async(&failing))
        .unwrap_err();
    assert_eq!(
        err.oauth().unwrap().code(),
        &OAuthErrorCode::InvalidAssertion
    );
}
