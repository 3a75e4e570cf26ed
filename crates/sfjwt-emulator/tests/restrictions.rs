//! What an admin can switch on that refuses a correct assertion: login IP ranges, the login
//! rate per rolling hour, deactivated users and orgs (both error-code styles), and an app
//! that has not propagated yet.

use sfjwt_test_support::wire as common;

use std::time::Duration;

use common::*;
use sfjwt_emulator::{App, Emulator, EmulatorError, ManualClock, User};

fn ip_restricted(answer: &Answer) {
    assert_refused(answer, refusal::IP_RESTRICTED);
}

#[test]
fn callers_outside_the_login_ip_ranges_are_ip_restricted() {
    let sf = builder()
        .login_ip_ranges(["10.0.0.0/8", "203.0.113.7"])
        .login_ip_ranges(["198.51.100.1-198.51.100.9", "2001:db8::/32"])
        .start()
        .unwrap();
    // Loopback (the TCP peer) is outside every range.
    ip_restricted(&grant(&sf, &assertion_for(APPROVED)));
    for outside in ["11.0.0.1", "203.0.113.8", "198.51.100.10", "2001:db9::1"] {
        ip_restricted(&grant_from(&sf, outside, &assertion_for(APPROVED)));
    }
    for inside in ["10.1.2.3", "203.0.113.7", "198.51.100.9", "2001:db8::42"] {
        let answer = grant_from(&sf, inside, &assertion_for(APPROVED));
        assert_eq!(answer.status, 200, "{inside}: {}", answer.body);
    }
    // The first address of a proxy chain is the caller's.
    let chained = grant_from(&sf, "10.9.9.9, 127.0.0.1", &assertion_for(APPROVED));
    assert_eq!(chained.status, 200, "{}", chained.body);
    assert_eq!(sf.grant_count(), 5);
}

#[test]
fn ip_restriction_comes_after_the_user_checks() {
    let sf = builder().login_ip_ranges(["10.0.0.0/8"]).start().unwrap();
    assert_user_refusals(&sf);
}

#[test]
fn an_app_that_relaxes_ip_restrictions_is_granted_from_anywhere() {
    let sf = Emulator::builder()
        .login_ip_ranges(["10.0.0.0/8"])
        .app(
            App::from_pem(CLIENT_ID, CERT_PEM)
                .unwrap()
                .relax_ip_restrictions(true),
        )
        .user(User::new(APPROVED))
        .start()
        .unwrap();
    let answer = grant(&sf, &assertion_for(APPROVED));
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
fn bad_ip_ranges_are_refused_at_start() {
    let err = builder()
        .login_ip_ranges(["10.0.0.0/33"])
        .start()
        .unwrap_err();
    assert!(
        matches!(&err, EmulatorError::InvalidIpRange { range, .. } if range == "10.0.0.0/33"),
        "{err}"
    );
    assert!(err.to_string().contains("10.0.0.0/8"), "{err}");
}

#[test]
fn login_rate_is_per_user_per_rolling_hour() {
    let clock = ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .login_rate_per_hour(3)
        .start()
        .unwrap();
    let fresh = |clock: &ManualClock, user: &str| {
        assertion_with(CLIENT_ID, user, PRODUCTION, clock_secs(clock) + 120)
    };
    // Logins at 0, 20 and 40 minutes use the budget.
    for minute in [0, 20, 40] {
        if minute > 0 {
            clock.advance(Duration::from_secs(20 * 60));
        }
        assert_eq!(grant(&sf, &fresh(&clock, APPROVED)).status, 200);
    }
    // Another user (through the org's other app) has a budget of their own.
    let other_user = sign_raw(
        r#"{"alg":"RS256"}"#,
        &format!(
            r#"{{"iss":"{OTHER_CLIENT_ID}","sub":"{NOT_APPROVED}","aud":"{PRODUCTION}","exp":{}}}"#,
            clock_secs(&clock) + 60
        ),
        &other_key(),
    );
    assert_eq!(grant(&sf, &other_user).status, 200);
    // At 60 minutes minus a second, the first is still inside the rolling hour.
    clock.advance(Duration::from_secs(20 * 60 - 1));
    assert_refused(&grant(&sf, &fresh(&clock, APPROVED)), refusal::RATE_LIMITED);
    // Refusals do not count, and retrying at once cannot help.
    assert_refused(&grant(&sf, &fresh(&clock, APPROVED)), refusal::RATE_LIMITED);
    // One second later the first login has left the window: exactly one slot is free. A
    // fixed clock-hour window would have freed all three.
    clock.advance(Duration::from_secs(1));
    assert_eq!(grant(&sf, &fresh(&clock, APPROVED)).status, 200);
    assert_refused(&grant(&sf, &fresh(&clock, APPROVED)), refusal::RATE_LIMITED);
    assert_eq!(sf.grant_count(), 5);
}

#[test]
fn the_rate_limit_as_invalid_grant_when_asked() {
    // The other form reported from real orgs; inactive users and orgs keep the documented
    // bare codes.
    let sf = builder()
        .bare_error_codes(false)
        .login_rate_per_hour(1)
        .start()
        .unwrap();
    assert_refused(
        &grant(&sf, &assertion_for(INACTIVE)),
        refusal::INACTIVE_USER,
    );
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
    assert_refused(
        &grant(&sf, &assertion_for(APPROVED)),
        refusal::RATE_LIMITED_AS_INVALID_GRANT,
    );
    sf.set_org_active(false);
    assert_refused(&grant(&sf, &assertion_for(APPROVED)), refusal::INACTIVE_ORG);
    // Other refusals keep their codes.
    assert_refused(
        &grant(&sf, &assertion_for(NOT_APPROVED)),
        refusal::NOT_APPROVED,
    );
}

#[test]
fn inactive_org_with_the_documented_code() {
    let sf = builder().org_active(false).start().unwrap();
    assert_refused(&grant(&sf, &assertion_for(APPROVED)), refusal::INACTIVE_ORG);
    sf.set_org_active(true);
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
}

#[test]
fn a_new_app_is_an_invalid_client_until_it_has_propagated() {
    let clock = ManualClock::starting_now();
    let sf = Emulator::builder()
        .clock(clock.clone())
        .app(
            App::from_pem(CLIENT_ID, CERT_PEM)
                .unwrap()
                .propagation_delay(Duration::from_secs(120)),
        )
        .app(App::from_pem(OTHER_CLIENT_ID, OTHER_CERT_PEM).unwrap())
        .user(User::new(APPROVED))
        .start()
        .unwrap();
    let fresh = |clock: &ManualClock| {
        assertion_with(CLIENT_ID, APPROVED, PRODUCTION, clock_secs(clock) + 120)
    };
    assert_refused(&grant(&sf, &fresh(&clock)), refusal::UNKNOWN_CLIENT);
    clock.advance(Duration::from_secs(119));
    assert_refused(&grant(&sf, &fresh(&clock)), refusal::UNKNOWN_CLIENT);
    clock.advance(Duration::from_secs(1));
    let answer = grant(&sf, &fresh(&clock));
    assert_eq!(answer.status, 200, "{}", answer.body);
    // Another app of the org was never delayed.
    let other = sign_raw(
        r#"{"alg":"RS256"}"#,
        &format!(
            r#"{{"iss":"{OTHER_CLIENT_ID}","sub":"{APPROVED}","aud":"{PRODUCTION}","exp":{}}}"#,
            clock_secs(&clock) + 60
        ),
        &other_key(),
    );
    assert_eq!(grant(&sf, &other).status, 200);
}
