//! The request log (`sfjwt emulate -v`): one line per request with method, path, status and
//! the rule behind a refusal; never an assertion, a token or a query string.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sfjwt_test_support::wire as common;

use common::*;
use sfjwt_emulator::ManualClock;

fn logged() -> (
    Arc<Mutex<Vec<String>>>,
    impl Fn(&str) + Send + Sync + 'static,
) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    (lines, move |line: &str| {
        if let Ok(mut lines) = sink.lock() {
            lines.push(line.to_owned());
        }
    })
}

#[test]
fn one_line_per_request_with_the_refusing_rule() {
    let (lines, sink) = logged();
    let clock = ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .max_assertion_lifetime(Duration::from_secs(300))
        .request_log(sink)
        .start()
        .unwrap();
    let now = clock_secs(&clock);
    let granted = assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now + 120);
    let answer = grant(&sf, &granted);
    assert_eq!(answer.status, 200);
    let token = answer.json()["access_token"].as_str().unwrap().to_owned();
    let past = assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now - 60);
    let millis = assertion_with(CLIENT_ID, APPROVED, PRODUCTION, now * 1000);
    let instance_aud = assertion_with(CLIENT_ID, APPROVED, "https://na1.salesforce.com", now + 60);
    grant(&sf, &past);
    grant(&sf, &millis);
    grant(&sf, &instance_aud);
    get(
        &sf,
        "/services/data/v62.0/limits?secret=query",
        Some(&token),
    );
    sf.revoke(&token);
    get(&sf, "/services/data/v62.0/limits", Some(&token));

    let lines = lines.lock().unwrap().clone();
    assert_eq!(
        lines,
        [
            "POST /services/oauth2/token 200",
            "POST /services/oauth2/token 400 invalid_grant (exp in the past)",
            "POST /services/oauth2/token 400 invalid_grant (exp ceiling (opt-in max_assertion_lifetime))",
            "POST /services/oauth2/token 400 invalid_grant (audience not accepted by this app kind and org)",
            "GET /services/data/v62.0/limits 200",
            "GET /services/data/v62.0/limits 401 INVALID_SESSION_ID (token unknown, revoked or timed out)",
        ]
    );
    let all = lines.join("\n");
    for secret in [
        granted.as_str(),
        token.as_str(),
        past.as_str(),
        "secret=query",
    ] {
        assert!(!all.contains(secret), "the log shows a secret");
    }
}
