//! Token exchanges through `ReqwestTransport` against the emulator: success, and every
//! Salesforce refusal arriving as the typed OAuth error with its remediation hint.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

// Both adapters test against the same emulated org; its fixture lives with sfjwt-ureq's tests.
use sfjwt_test_support::org as common;

use common::*;
use sfjwt_core::claims::Audience;
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::response::OAuthErrorCode;
use sfjwt_core::transport::AsyncTransport;
use sfjwt_reqwest::ReqwestTransport;

#[tokio::test]
async fn one_call_gets_a_token() {
    let sf = start();
    let token = sfjwt_reqwest::request_token(&client(&sf, APPROVED))
        .await
        .unwrap();
    assert_eq!(token.instance_url(), sf.base_url());
    assert_eq!(token.token_type(), "Bearer");
    assert_eq!(token.user_id(), sf.user_id(APPROVED).as_deref());
    assert_eq!(sf.grant_count(), 1);

    // The token works on the protected resource, through the same transport.
    let transport = ReqwestTransport::new().unwrap();
    let response = transport.send(limits_request(&token)).await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_user_supplied_client_works() {
    let sf = start();
    let client_ = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let transport = ReqwestTransport::from(client_);
    client(&sf, APPROVED)
        .request_token_async(&transport)
        .await
        .unwrap();
    let err = client(&sf, NOT_APPROVED)
        .request_token_async(&transport)
        .await
        .unwrap_err();
    assert_eq!(
        err.oauth().map(|e| e.code()),
        Some(&OAuthErrorCode::UserNotApproved),
        "{err:?}"
    );
}

async fn refusal(sf: &sfjwt_emulator::Emulator, client: &JwtBearer) -> ExchangeError {
    let err = client
        .request_token_async(&ReqwestTransport::default())
        .await
        .unwrap_err();
    assert_no_secrets(&err, None);
    assert_eq!(sf.grant_count(), 0, "a refused grant issues no token");
    err
}

#[tokio::test]
async fn unknown_client_id() {
    let sf = start();
    let c = client_as(&sf, "3MVG9_not_an_app", APPROVED, key());
    let err = refusal(&sf, &c).await;
    assert_oauth(
        &err,
        OAuthErrorCode::InvalidClientId,
        "client identifier invalid",
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn wrong_key_is_an_invalid_assertion() {
    let sf = start();
    let c = client_as(&sf, CLIENT_ID, APPROVED, other_key());
    let err = refusal(&sf, &c).await;
    assert_oauth(&err, OAuthErrorCode::InvalidAssertion, "invalid assertion");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unapproved_user() {
    let sf = start();
    let err = refusal(&sf, &client(&sf, NOT_APPROVED)).await;
    assert_oauth(
        &err,
        OAuthErrorCode::UserNotApproved,
        "user hasn't approved this consumer",
    );
}

#[tokio::test]
async fn inactive_user() {
    let sf = start();
    let err = refusal(&sf, &client(&sf, INACTIVE)).await;
    assert_oauth(&err, OAuthErrorCode::InactiveUser, "inactive user");
}

#[tokio::test]
async fn inactive_organization() {
    let sf = start();
    sf.set_org_active(false);
    let err = refusal(&sf, &client(&sf, APPROVED)).await;
    assert_oauth(
        &err,
        OAuthErrorCode::InactiveOrganization,
        "inactive organization",
    );
}

#[tokio::test]
async fn wrong_audience() {
    let sf = start();
    let site = Audience::parse("https://acme.my.site.com/partners").unwrap();
    let err = refusal(&sf, &client(&sf, APPROVED).with_audience(site)).await;
    assert_oauth(&err, OAuthErrorCode::InvalidAudience, "audience is invalid");
}

#[tokio::test]
async fn expired_assertion() {
    let sf = start();
    let err = refusal(&sf, &client(&sf, APPROVED).with_clock(HourAgo)).await;
    assert_oauth(
        &err,
        OAuthErrorCode::ExpiredAssertion,
        "expired authorization code",
    );
}

#[tokio::test]
async fn login_rate_exceeded() {
    let sf = builder().login_rate_per_hour(1).start().unwrap();
    let c = client(&sf, APPROVED);
    let transport = ReqwestTransport::default();
    c.request_token_async(&transport).await.unwrap();
    let err = c.request_token_async(&transport).await.unwrap_err();
    assert_oauth(&err, OAuthErrorCode::RateLimited, "login rate exceeded");
}
