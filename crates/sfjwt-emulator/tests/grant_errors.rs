//! Every refusal of the JWT bearer grant, with Salesforce's exact error JSON, and the order
//! in which Salesforce checks.

use sfjwt_test_support::wire as common;

use common::*;
use sfjwt_emulator::User;

#[test]
fn wrong_or_missing_grant_type_is_unsupported() {
    let sf = start();
    let a = assertion_for(APPROVED);
    for form in [
        vec![("assertion", a.as_str())],
        vec![("grant_type", "password"), ("assertion", a.as_str())],
        // The classic typo: `grand_type`.
        vec![("grand_type", JWT_BEARER), ("assertion", a.as_str())],
        vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:JWT-bearer"),
            ("assertion", a.as_str()),
        ],
    ] {
        assert_refused(&post_form(&sf, &form), refusal::UNSUPPORTED_GRANT_TYPE);
    }
    assert_eq!(sf.grant_count(), 0);
}

#[test]
fn missing_or_malformed_assertion_is_invalid() {
    let sf = start();
    assert_refused(
        &post_form(&sf, &[("grant_type", JWT_BEARER)]),
        refusal::INVALID_ASSERTION,
    );
    for bad in [
        "",
        "abc",
        "a.b.c",
        "e30.e30",
        "e30.e30.e30.e30",
        "%%%.%%%.%%%",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
    ] {
        assert_refused(&grant(&sf, bad), refusal::INVALID_ASSERTION);
    }
}

#[test]
fn algorithms_other_than_rs256_are_refused() {
    let sf = start();
    let claims = format!(
        r#"{{"iss":"{CLIENT_ID}","sub":"{APPROVED}","aud":"{PRODUCTION}","exp":{}}}"#,
        unix_now() + 120
    );
    for header in [
        r#"{"alg":"none"}"#,
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"RS512"}"#,
        r#"{"typ":"JWT"}"#,
    ] {
        let token = sign_raw(header, &claims, &key());
        assert_refused(&grant(&sf, &token), refusal::INVALID_ASSERTION);
    }
    // alg:none with an empty signature: the textbook attack.
    let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(claims.as_bytes()));
    assert_refused(&grant(&sf, &none), refusal::INVALID_ASSERTION);
}

#[test]
fn unknown_issuer_is_invalid_client_id() {
    let sf = start();
    let token = assertion_with("3MVG9_not_an_app", APPROVED, PRODUCTION, unix_now() + 120);
    assert_refused(&grant(&sf, &token), refusal::UNKNOWN_CLIENT);
}

#[test]
fn issuer_is_checked_before_signature() {
    // Unknown issuer *and* a bad signature: Salesforce reports the issuer.
    let sf = start();
    let claims = format!(
        r#"{{"iss":"3MVG9_nope","sub":"{APPROVED}","aud":"{PRODUCTION}","exp":{}}}"#,
        unix_now() + 120
    );
    let token = sign_raw(r#"{"alg":"RS256"}"#, &claims, &other_key());
    assert_refused(&grant(&sf, &token), refusal::UNKNOWN_CLIENT);
}

#[test]
fn signature_by_another_key_is_invalid_assertion() {
    let sf = start();
    let claims = format!(
        r#"{{"iss":"{CLIENT_ID}","sub":"{APPROVED}","aud":"{PRODUCTION}","exp":{}}}"#,
        unix_now() + 120
    );
    let wrong_key = sign_raw(r#"{"alg":"RS256"}"#, &claims, &other_key());
    assert_refused(&grant(&sf, &wrong_key), refusal::INVALID_ASSERTION);

    // A valid token whose claims were altered after signing.
    let good = assertion_for(APPROVED);
    let mut parts: Vec<&str> = good.split('.').collect();
    let altered_claims = b64(claims.replace(APPROVED, NOT_APPROVED).as_bytes());
    parts[1] = &altered_claims;
    assert_refused(&grant(&sf, &parts.join(".")), refusal::INVALID_ASSERTION);

    // The other app verifies with the other certificate: the main key does not fit it.
    let for_other = assertion_with(OTHER_CLIENT_ID, APPROVED, PRODUCTION, unix_now() + 120);
    assert_refused(&grant(&sf, &for_other), refusal::INVALID_ASSERTION);
}

#[test]
fn signature_is_checked_before_audience_and_expiry() {
    let sf = start();
    let claims = format!(
        r#"{{"iss":"{CLIENT_ID}","sub":"{APPROVED}","aud":"https://acme.my.salesforce.com","exp":1}}"#
    );
    let token = sign_raw(r#"{"alg":"RS256"}"#, &claims, &other_key());
    assert_refused(&grant(&sf, &token), refusal::INVALID_ASSERTION);
}

#[test]
fn wrong_audience_is_refused() {
    let sf = start();
    for aud in [
        "https://acme.my.salesforce.com",
        "https://acme--dev.sandbox.my.salesforce.com",
        "https://na1.salesforce.com",
        "login.salesforce.com",
        "https://login.salesforce.com/services/oauth2/token",
    ] {
        let token = assertion_with(CLIENT_ID, APPROVED, aud, unix_now() + 120);
        assert_refused(&grant(&sf, &token), refusal::AUDIENCE_INVALID);
    }
}

#[test]
fn sandbox_and_configured_site_audiences_are_accepted() {
    let site = "https://acme.my.site.com/partners";
    let sf = builder().audience(site).start().unwrap();
    for aud in [
        "https://test.salesforce.com",
        "https://login.salesforce.com/",
        site,
    ] {
        let token = assertion_with(CLIENT_ID, APPROVED, aud, unix_now() + 120);
        let answer = grant(&sf, &token);
        assert_eq!(answer.status, 200, "{aud}: {}", answer.body);
    }
    // Without configuring it, the site is refused.
    let plain = start();
    let token = assertion_with(CLIENT_ID, APPROVED, site, unix_now() + 120);
    assert_refused(&grant(&plain, &token), refusal::AUDIENCE_INVALID);
}

#[test]
fn audience_is_checked_before_expiry() {
    let sf = start();
    let token = assertion_with(CLIENT_ID, APPROVED, "https://acme.my.salesforce.com", 1_000);
    assert_refused(&grant(&sf, &token), refusal::AUDIENCE_INVALID);
}

#[test]
fn expired_assertion_is_an_expired_authorization_code() {
    let sf = builder()
        .exp_skew(std::time::Duration::ZERO)
        .start()
        .unwrap();
    for exp in [unix_now() - 1, unix_now() - 3600, 0] {
        let token = assertion_with(CLIENT_ID, APPROVED, PRODUCTION, exp);
        assert_refused(&grant(&sf, &token), refusal::EXPIRED);
    }
}

#[test]
fn exp_skew_tolerates_a_just_expired_assertion() {
    let sf = builder()
        .exp_skew(std::time::Duration::from_secs(300))
        .start()
        .unwrap();
    let token = assertion_with(CLIENT_ID, APPROVED, PRODUCTION, unix_now() - 60);
    assert_eq!(grant(&sf, &token).status, 200);
    let token = assertion_with(CLIENT_ID, APPROVED, PRODUCTION, unix_now() - 600);
    assert_refused(&grant(&sf, &token), refusal::EXPIRED);
}

#[test]
fn expiry_is_checked_before_the_user() {
    let sf = builder()
        .exp_skew(std::time::Duration::ZERO)
        .start()
        .unwrap();
    let token = assertion_with(CLIENT_ID, "nobody@acme.com", PRODUCTION, unix_now() - 10);
    assert_refused(&grant(&sf, &token), refusal::EXPIRED);
}

#[test]
fn unknown_user_has_not_approved_the_consumer() {
    let sf = start();
    let token = assertion_with(CLIENT_ID, "nobody@acme.com", PRODUCTION, unix_now() + 120);
    assert_refused(&grant(&sf, &token), refusal::NOT_APPROVED);
}

#[test]
fn inactive_users_and_users_not_pre_authorized_are_refused() {
    assert_user_refusals(&start());
}

#[test]
fn usernames_are_case_insensitive() {
    let sf = start();
    assert_eq!(grant(&sf, &assertion_for("ETL@Acme.com")).status, 200);
}

#[test]
fn inactive_org_is_refused_after_user_checks() {
    let sf = builder().org_active(false).start().unwrap();
    assert_refused(&grant(&sf, &assertion_for(APPROVED)), refusal::INACTIVE_ORG);
    // The user checks come first.
    assert_refused(
        &grant(&sf, &assertion_for(INACTIVE)),
        refusal::INACTIVE_USER,
    );
    sf.set_org_active(true);
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
}

#[test]
fn deactivating_a_user_refuses_grants_and_ends_sessions() {
    let sf = start();
    let token = token(&sf);
    assert!(sf.set_user_active(APPROVED, false));
    assert_eq!(
        get(&sf, "/services/oauth2/userinfo", Some(&token)).status,
        401
    );
    assert_refused(
        &grant(&sf, &assertion_for(APPROVED)),
        refusal::INACTIVE_USER,
    );
    assert!(!sf.set_user_active("nobody@acme.com", true));
}

#[test]
fn login_rate_is_limited_per_user_with_http_400() {
    let sf = builder()
        .app(sfjwt_emulator::App::from_pem("3MVG9_all_users", CERT_PEM).unwrap())
        .login_rate_per_hour(3)
        .start()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
    }
    assert_refused(&grant(&sf, &assertion_for(APPROVED)), refusal::RATE_LIMITED);
    assert_eq!(sf.grant_count(), 3);
    // Another user has their own budget.
    let other = assertion_with(
        "3MVG9_all_users",
        NOT_APPROVED,
        PRODUCTION,
        unix_now() + 120,
    );
    assert_eq!(grant(&sf, &other).status, 200);
}

#[test]
fn refusals_issue_no_token() {
    let sf = builder().user(User::new("x@acme.com")).start().unwrap();
    let _ = grant(&sf, &assertion_for(NOT_APPROVED));
    let _ = grant(&sf, "garbage");
    assert_eq!(sf.grant_count(), 0);
    assert_eq!(sf.session_count(), 0);
}
