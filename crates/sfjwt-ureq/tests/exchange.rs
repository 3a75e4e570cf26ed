//! Token exchanges through `UreqTransport` against the emulator: success, and every Salesforce
//! refusal arriving as the typed OAuth error with its remediation hint.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::org as common;

use common::*;
use sfjwt_core::claims::Audience;
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::response::OAuthErrorCode;
use sfjwt_ureq::UreqTransport;

#[test]
fn one_call_gets_a_token() {
    let sf = start();
    let token = sfjwt_ureq::request_token(&client(&sf, APPROVED)).unwrap();
    assert_eq!(token.instance_url(), sf.base_url());
    assert_eq!(token.token_type(), "Bearer");
    assert_eq!(token.user_id(), sf.user_id(APPROVED).as_deref());
    assert_eq!(sf.grant_count(), 1);

    // The token works on the protected resource, through the same transport.
    let transport = UreqTransport::default();
    let response =
        sfjwt_core::transport::SyncTransport::send(&transport, limits_request(&token)).unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn a_user_supplied_default_agent_still_reads_error_bodies() {
    // ureq's defaults turn a 400 into a bodiless status error; the transport overrides that
    // per request, so the OAuth error (and its hint) still arrives.
    let sf = start();
    let transport = UreqTransport::from(ureq::Agent::new_with_defaults());
    let err = client(&sf, NOT_APPROVED)
        .request_token(&transport)
        .unwrap_err();
    assert_eq!(
        err.oauth().map(|e| e.code()),
        Some(&OAuthErrorCode::UserNotApproved),
        "{err:?}"
    );
}

fn refusal(sf: &sfjwt_emulator::Emulator, client: &JwtBearer) -> ExchangeError {
    let err = client.request_token(&UreqTransport::default()).unwrap_err();
    assert_no_secrets(&err, None);
    assert_eq!(sf.grant_count(), 0, "a refused grant issues no token");
    err
}

#[test]
fn unknown_client_id() {
    let sf = start();
    let c = client_as(&sf, "3MVG9_not_an_app", APPROVED, key());
    let err = refusal(&sf, &c);
    assert_oauth(
        &err,
        OAuthErrorCode::InvalidClientId,
        "client identifier invalid",
    );
    assert!(!err.is_retryable());
}

#[test]
fn wrong_key_is_an_invalid_assertion() {
    let sf = start();
    let c = client_as(&sf, CLIENT_ID, APPROVED, other_key());
    let err = refusal(&sf, &c);
    assert_oauth(&err, OAuthErrorCode::InvalidAssertion, "invalid assertion");
    assert!(!err.is_retryable());
}

#[test]
fn unapproved_user() {
    let sf = start();
    let err = refusal(&sf, &client(&sf, NOT_APPROVED));
    assert_oauth(
        &err,
        OAuthErrorCode::UserNotApproved,
        "user hasn't approved this consumer",
    );
}

#[test]
fn inactive_user() {
    let sf = start();
    let err = refusal(&sf, &client(&sf, INACTIVE));
    assert_oauth(&err, OAuthErrorCode::InactiveUser, "inactive user");
}

#[test]
fn inactive_organization() {
    let sf = start();
    sf.set_org_active(false);
    let err = refusal(&sf, &client(&sf, APPROVED));
    assert_oauth(
        &err,
        OAuthErrorCode::InactiveOrganization,
        "inactive organization",
    );
}

#[test]
fn wrong_audience() {
    let sf = start();
    let site = Audience::parse("https://acme.my.site.com/partners").unwrap();
    let err = refusal(&sf, &client(&sf, APPROVED).with_audience(site));
    assert_oauth(&err, OAuthErrorCode::InvalidAudience, "audience is invalid");
}

#[test]
fn expired_assertion() {
    let sf = start();
    let err = refusal(&sf, &client(&sf, APPROVED).with_clock(HourAgo));
    assert_oauth(
        &err,
        OAuthErrorCode::ExpiredAssertion,
        "expired authorization code",
    );
}

#[test]
fn login_rate_exceeded() {
    let sf = builder().login_rate_per_hour(1).start().unwrap();
    let c = client(&sf, APPROVED);
    c.request_token(&UreqTransport::default()).unwrap();
    let err = c.request_token(&UreqTransport::default()).unwrap_err();
    assert_oauth(&err, OAuthErrorCode::RateLimited, "login rate exceeded");
}
