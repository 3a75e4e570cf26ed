//! What Salesforce accepts in an assertion beyond the canonical form — `exp` as a JSON string
//! of digits — and the `exp` ceiling: how far ahead an assertion may expire.

use sfjwt_test_support::wire as common;

use std::time::Duration;

use common::*;
use sfjwt_emulator::ManualClock;

fn signed(claims: &serde_json::Value) -> String {
    sign_raw(r#"{"alg":"RS256"}"#, &claims.to_string(), &key())
}

#[test]
fn exp_as_a_string_of_digits_is_accepted() {
    let sf = start();
    // What simple-salesforce sends: `"exp": "1700000000"`.
    let claims = serde_json::json!({
        "iss": CLIENT_ID, "sub": APPROVED, "aud": PRODUCTION,
        "exp": (unix_now() + 180).to_string(),
    });
    let answer = grant(&sf, &signed(&claims));
    assert_eq!(answer.status, 200, "{}", answer.body);

    // A string in the past is expired like a number in the past.
    let past = serde_json::json!({
        "iss": CLIENT_ID, "sub": APPROVED, "aud": PRODUCTION,
        "exp": (unix_now() - 60).to_string(),
    });
    assert_refused(&grant(&sf, &signed(&past)), refusal::EXPIRED);
}

#[test]
fn other_exp_shapes_are_invalid_assertions() {
    let sf = start();
    let soon = unix_now() + 120;
    for exp in [
        serde_json::json!(format!("{soon}.0")),
        serde_json::json!(format!(" {soon}")),
        serde_json::json!(""),
        serde_json::json!("soon"),
        serde_json::json!(-1),
        serde_json::json!(soon as f64 + 0.5),
        serde_json::json!(null),
        serde_json::json!([soon]),
    ] {
        let claims = serde_json::json!({
            "iss": CLIENT_ID, "sub": APPROVED, "aud": PRODUCTION, "exp": exp,
        });
        assert_refused(&grant(&sf, &signed(&claims)), refusal::INVALID_ASSERTION);
    }
}

#[test]
fn no_exp_ceiling_by_default_as_at_salesforce() {
    // The Salesforce CLI signs `exp: Date.now() + 300`: milliseconds, centuries ahead, and
    // real orgs grant it. So does the emulator unless a ceiling is asked for.
    let clock = ManualClock::starting_now();
    let sf = builder().clock(clock.clone()).start().unwrap();
    let now = clock_secs(&clock);
    for exp in [
        now + 180,
        now + 300,
        now + 600,
        now + 3600,
        now * 1000 + 300,
    ] {
        let answer = grant(&sf, &assertion_with(CLIENT_ID, APPROVED, PRODUCTION, exp));
        assert_eq!(answer.status, 200, "exp {exp}: {}", answer.body);
    }
}

#[test]
fn the_opt_in_ceiling_refuses_milliseconds_and_long_lifetimes() {
    let clock = ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .max_assertion_lifetime(Duration::from_secs(300))
        .start()
        .unwrap();
    let now = clock_secs(&clock);
    for lifetime in [180, 300] {
        let answer = grant(
            &sf,
            &assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now + lifetime),
        );
        assert_eq!(answer.status, 200, "{lifetime} s: {}", answer.body);
    }
    for exp in [now + 600, now + 3600, now * 1000] {
        assert_refused(
            &grant(&sf, &assertion_with(CLIENT_ID, APPROVED, PRODUCTION, exp)),
            refusal::EXPIRED,
        );
    }
    // The skew (default 5 s) also absorbs a client clock slightly ahead.
    let answer = grant(
        &sf,
        &assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now + 305),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_refused(
        &grant(
            &sf,
            &assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now + 306),
        ),
        refusal::EXPIRED,
    );
}

#[test]
fn the_ceiling_is_configurable() {
    let clock = ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .exp_skew(Duration::ZERO)
        .max_assertion_lifetime(Duration::from_secs(3600))
        .start()
        .unwrap();
    let now = clock_secs(&clock);
    assert_eq!(
        grant(
            &sf,
            &assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now + 3600)
        )
        .status,
        200
    );
    assert_refused(
        &grant(
            &sf,
            &assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now + 3601),
        ),
        refusal::EXPIRED,
    );
}

#[test]
fn crit_header_is_refused() {
    let sf = start();
    let claims = serde_json::json!({
        "iss": CLIENT_ID, "sub": APPROVED, "aud": PRODUCTION, "exp": unix_now() + 120,
    });
    let token = sign_raw(
        r#"{"alg":"RS256","crit":["exp"]}"#,
        &claims.to_string(),
        &key(),
    );
    assert_refused(&grant(&sf, &token), refusal::INVALID_ASSERTION);
}
