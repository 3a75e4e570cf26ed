//! The success path: the token response's shape, using the token, revocation, the sliding
//! session timeout and the rate window (on a manual clock), and the request log.

use sfjwt_test_support::wire as common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use common::*;
use hmac::{KeyInit as _, Mac as _};
use sfjwt_emulator::{App, Emulator, IdentityHost, ManualClock, User};

fn is_sf_id(id: &str, prefix: &str) -> bool {
    id.len() == 18 && id.starts_with(prefix) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The keys of a flat JSON object, in order.
fn keys(body: &str) -> Vec<&str> {
    body.split('"').skip(1).step_by(4).collect()
}

#[test]
fn success_has_salesforces_jwt_bearer_shape() {
    let sf = Emulator::builder()
        .app(App::from_pem(CLIENT_ID, CERT_PEM).unwrap())
        .user(User::new(APPROVED).user_id("005xx000001Sv6A"))
        .org_id("00Dxx0000001gPL")
        .start()
        .unwrap();
    let answer = grant(&sf, &assertion_for(APPROVED));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.content_type.starts_with("application/json"));
    // The JWT bearer flow's response: no issued_at, no signature.
    assert_eq!(
        keys(&answer.body),
        ["access_token", "scope", "instance_url", "id", "token_type"],
        "field order: {}",
        answer.body
    );
    let json = answer.json();

    let token = json["access_token"].as_str().unwrap();
    let (org15, opaque) = token.split_once('!').unwrap();
    assert_eq!(org15, "00Dxx0000001gPL");
    assert!(opaque.len() >= 90, "{token}");
    assert_eq!(json["instance_url"], sf.base_url());
    // `id` is on the login server the assertion was granted for.
    assert_eq!(
        json["id"],
        "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001Sv6AAAS"
    );
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["scope"], "api");
    assert!(json.get("refresh_token").is_none());
    assert!(json.get("expires_in").is_none());

    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.org_id(), "00Dxx0000001gPLEAY");
    assert_eq!(sf.user_id(APPROVED).unwrap(), "005xx000001Sv6AAAS");

    // A sandbox assertion gets its `id` on the sandbox login server.
    let sandbox = assertion_with(
        CLIENT_ID,
        APPROVED,
        "https://test.salesforce.com",
        unix_now() + 120,
    );
    let json = grant(&sf, &sandbox).json();
    assert_eq!(
        json["id"],
        "https://test.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001Sv6AAAS"
    );
}

#[test]
fn issued_at_and_signature_and_identity_on_the_emulator_when_configured() {
    let sf = Emulator::builder()
        .app(
            App::from_pem(CLIENT_ID, CERT_PEM)
                .unwrap()
                .consumer_secret("s3cr3t"),
        )
        .user(User::new(APPROVED).user_id("005xx000001Sv6A"))
        .org_id("00Dxx0000001gPL")
        .issued_at_and_signature(true)
        .identity_host(IdentityHost::Emulator)
        .start()
        .unwrap();
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let answer = grant(&sf, &assertion_for(APPROVED));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        keys(&answer.body),
        [
            "access_token",
            "signature",
            "scope",
            "instance_url",
            "id",
            "token_type",
            "issued_at"
        ],
        "field order: {}",
        answer.body
    );
    let json = answer.json();
    let id = format!("{}/id/00Dxx0000001gPLEAY/005xx000001Sv6AAAS", sf.base_url());
    assert_eq!(json["id"], id.as_str());

    let issued_at = json["issued_at"].as_str().expect("issued_at is a string");
    let issued_ms: u128 = issued_at.parse().unwrap();
    assert!(
        issued_ms >= before && issued_ms < before + 60_000,
        "milliseconds: {issued_at}"
    );

    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cr3t").unwrap();
    mac.update(format!("{id}{issued_at}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(json["signature"], expected.as_str());

    // The identity URL is served where it points.
    let token = json["access_token"].as_str().unwrap();
    let path = id.strip_prefix(sf.base_url()).unwrap();
    let identity = get(&sf, path, Some(token));
    assert_eq!(identity.status, 200, "{}", identity.body);
    assert_eq!(identity.json()["preferred_username"], APPROVED);
}

#[test]
fn generated_ids_are_realistic_and_tokens_unique() {
    let sf = start();
    assert!(is_sf_id(sf.org_id(), "00D"), "{}", sf.org_id());
    assert!(is_sf_id(&sf.user_id(APPROVED).unwrap(), "005"));
    let a = token(&sf);
    let b = token(&sf);
    assert_ne!(a, b);
    assert!(a.starts_with(&sf.org_id()[..15]));
}

#[test]
fn token_opens_the_protected_resources() {
    let sf = start();
    let token = token(&sf);

    let limits = get(&sf, "/services/data/v62.0/limits", Some(&token));
    assert_eq!(limits.status, 200, "{}", limits.body);
    let limits = limits.json();
    assert_eq!(limits["DailyApiRequests"]["Max"], 15000);
    assert!(limits["DailyApiRequests"]["Remaining"].as_u64().unwrap() < 15000);

    let info = get(&sf, "/services/oauth2/userinfo", Some(&token));
    assert_eq!(info.status, 200, "{}", info.body);
    let info = info.json();
    assert_eq!(info["preferred_username"], APPROVED);
    assert_eq!(info["organization_id"], sf.org_id());
    assert_eq!(info["user_id"], sf.user_id(APPROVED).unwrap().as_str());

    let id_path = format!("/id/{}/{}", sf.org_id(), sf.user_id(APPROVED).unwrap());
    let identity = get(&sf, &id_path, Some(&token));
    assert_eq!(identity.status, 200, "{}", identity.body);

    // Salesforce's older scheme name works too.
    let oauth = get_authorized(&sf, "/services/oauth2/userinfo", &format!("OAuth {token}"));
    assert_eq!(oauth.status, 200);
}

#[test]
fn unknown_or_missing_tokens_get_invalid_session_id() {
    let sf = start();
    let _live = token(&sf);
    for token in [None, Some("00Dxx0000001gPL!AQnotatoken"), Some("")] {
        for path in ["/services/data/v62.0/limits", "/services/oauth2/userinfo"] {
            let answer = get(&sf, path, token);
            assert_eq!(answer.status, 401, "{path}");
            assert_eq!(answer.body, INVALID_SESSION);
        }
    }
    let basic = get_authorized(&sf, "/services/data/v62.0/limits", "Basic dXNlcjpwdw==");
    assert_eq!(basic.status, 401);
}

#[test]
fn revoked_tokens_get_401_and_a_new_grant_works() {
    let sf = start();
    let first = token(&sf);
    let second = token(&sf);
    assert!(sf.revoke(&first));
    assert!(!sf.revoke(&first));
    assert_eq!(
        get(&sf, "/services/data/v62.0/limits", Some(&first)).body,
        INVALID_SESSION
    );
    assert_eq!(
        get(&sf, "/services/data/v62.0/limits", Some(&second)).status,
        200
    );

    assert_eq!(sf.revoke_all(), 1);
    let answer = get(&sf, "/services/data/v62.0/limits", Some(&second));
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, INVALID_SESSION);

    let third = token(&sf);
    assert_eq!(
        get(&sf, "/services/data/v62.0/limits", Some(&third)).status,
        200
    );
}

#[test]
fn session_times_out_when_idle_and_slides_with_use() {
    let clock = ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .session_timeout(Duration::from_secs(2 * 3600))
        .start()
        .unwrap();
    let token = token(&sf);

    // Used every 90 minutes, the session lives well past two hours.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(90 * 60));
        assert_eq!(
            get(&sf, "/services/oauth2/userinfo", Some(&token)).status,
            200
        );
    }
    // Idle for two hours, it is gone.
    clock.advance(Duration::from_secs(2 * 3600));
    let answer = get(&sf, "/services/oauth2/userinfo", Some(&token));
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, INVALID_SESSION);
}

#[test]
fn clock_drives_expiry_checks() {
    let clock = ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .exp_skew(Duration::ZERO)
        .start()
        .unwrap();
    let assertion = assertion_for(APPROVED); // exp = now + 180 s
    clock.advance(Duration::from_secs(181));
    assert_refused(&grant(&sf, &assertion), refusal::EXPIRED);
}

#[test]
fn rate_window_is_one_hour_on_the_emulators_clock() {
    let clock = ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .login_rate_per_hour(2)
        .start()
        .unwrap();
    let fresh = |clock: &ManualClock| {
        let exp = clock_secs(clock) + 120;
        assertion_with(CLIENT_ID, APPROVED, PRODUCTION, exp)
    };
    assert_eq!(grant(&sf, &fresh(&clock)).status, 200);
    clock.advance(Duration::from_secs(600));
    assert_eq!(grant(&sf, &fresh(&clock)).status, 200);
    clock.advance(Duration::from_secs(600));
    assert_refused(&grant(&sf, &fresh(&clock)), refusal::RATE_LIMITED);
    // An hour after the first login, one slot is free again.
    clock.advance(Duration::from_secs(2400));
    assert_eq!(grant(&sf, &fresh(&clock)).status, 200);
    assert_refused(&grant(&sf, &fresh(&clock)), refusal::RATE_LIMITED);
}

#[test]
fn requests_are_recorded() {
    let sf = start();
    let assertion = assertion_for(APPROVED);
    let token = token_with(&sf, &assertion);
    let _ = get(&sf, "/services/data/v62.0/limits?x=1", Some(&token));

    let log = sf.requests();
    assert_eq!(log.len(), 2);
    let post = &log[0];
    assert_eq!(post.method(), "POST");
    assert_eq!(post.path(), "/services/oauth2/token");
    assert_eq!(
        post.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(post.form_value("grant_type"), Some(JWT_BEARER));
    assert_eq!(post.form_value("assertion"), Some(assertion.as_str()));
    assert!(post.body_len() > assertion.len());

    let api = &log[1];
    assert_eq!(api.method(), "GET");
    assert_eq!(api.path(), "/services/data/v62.0/limits");
    assert_eq!(api.query(), Some("x=1"));
    assert_eq!(
        api.header("Authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert!(api.form().is_empty());

    // The log is the test's data, but a printed record does not leak credentials.
    let debug = format!("{log:?}");
    assert!(!debug.contains(&token), "{debug}");
    assert!(!debug.contains(&assertion), "{debug}");

    sf.clear_requests();
    assert!(sf.requests().is_empty());
}

#[test]
fn record_limit_keeps_the_newest() {
    let sf = builder().record_limit(2).start().unwrap();
    for path in ["/a", "/b", "/c"] {
        let _ = get(&sf, path, None);
    }
    let paths: Vec<String> = sf.requests().iter().map(|r| r.path().to_owned()).collect();
    assert_eq!(paths, ["/b", "/c"]);
}

#[test]
fn emulator_debug_shows_no_secrets() {
    let sf = Emulator::builder()
        .app(
            App::from_pem(CLIENT_ID, CERT_PEM)
                .unwrap()
                .consumer_secret("hunter2"),
        )
        .start()
        .unwrap();
    let app = App::from_pem(CLIENT_ID, CERT_PEM)
        .unwrap()
        .consumer_secret("hunter2");
    assert!(!format!("{sf:?}{app:?}").contains("hunter2"));
}
