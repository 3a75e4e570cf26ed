//! `sfjwt api`, end to end against the emulator: the cached token reaches the instance, an
//! ended session costs exactly one re-grant, answers outside 2xx exit 5 with their body, and
//! the token is never printed.

use sfjwt_test_support::cli as support;

use sfjwt_emulator::{Fault, Target};
use support::{LIMITS, Org, run, token_json};

#[test]
fn api_uses_the_cached_token() {
    let org = Org::new();
    let (token, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    let (out, _) = run(&mut org.sfjwt(&["api", LIMITS]), 0);
    let limits: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(limits["DailyApiRequests"]["Max"].is_number(), "{out}");
    assert_eq!(org.grants(), 1);
    let sent = org.sf.requests();
    let call = sent.iter().find(|r| r.path() == LIMITS).unwrap();
    assert_eq!(call.method(), "GET");
    let auth = call
        .headers()
        .iter()
        .find(|(name, _)| name == "authorization")
        .map(|(_, value)| value.clone());
    assert_eq!(auth, Some(format!("Bearer {token}")));
}

#[test]
fn after_the_session_is_revoked_api_regrants_once_and_succeeds() {
    let org = Org::new();
    let (stale, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    assert!(org.sf.revoke(&stale));
    let (out, err) = run(&mut org.sfjwt(&["api", LIMITS]), 0);
    assert!(out.contains("DailyApiRequests"), "{out}");
    assert!(!out.contains(&stale) && !err.contains(&stale));
    assert_eq!(org.grants(), 2, "exactly one re-grant");
    assert_eq!(api_calls(&org), 2, "the refused call and its one retry");
    assert_eq!(org.sf.refused_api_call_count(), 1);
    // The new token replaced the stale one in the cache.
    let (current, cached) = token_json(&mut org.sfjwt(&["token", "--json"]));
    assert!(cached);
    assert_ne!(current, stale);
}

#[test]
fn a_session_refused_twice_is_reported_not_retried_forever() {
    let org = Org::new();
    // Every token is refused by the API (sessions locked to an IP the caller no longer has).
    org.sf.set_ip_locked_sessions(true);
    let (out, err) = run(&mut org.sfjwt(&["api", LIMITS]), 5);
    assert!(out.contains("INVALID_SESSION_ID"), "{out}");
    assert!(err.contains("HTTP 401"), "{err}");
    assert_eq!(org.grants(), 2, "the first login and one re-grant, no more");
    assert_eq!(org.sf.refused_api_call_count(), 2);
    assert_eq!(api_calls(&org), 2);
}

#[test]
fn a_refused_re_grant_keeps_exit_3_and_is_tried_once() {
    let org = Org::new();
    run(&mut org.sfjwt(&["token"]), 0);
    // Deactivating the user ends its sessions and makes logins fail.
    assert!(org.sf.set_user_active(support::USER, false));
    let (out, err) = run(&mut org.sfjwt(&["api", LIMITS]), 3);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("inactive user"), "{err}");
    assert_eq!(
        org.token_requests(),
        2,
        "the first login and one re-grant, no more"
    );
    assert_eq!(api_calls(&org), 1);
}

/// Requests to the limits resource in the emulator's record.
fn api_calls(org: &Org) -> usize {
    org.sf
        .requests()
        .iter()
        .filter(|r| r.path() == LIMITS)
        .count()
}

#[test]
fn an_answer_outside_2xx_prints_its_body_and_exits_5() {
    let org = Org::new();
    let (out, err) = run(
        &mut org.sfjwt(&["api", "/services/data/v62.0/nothing-here"]),
        5,
    );
    assert!(out.contains("NOT_FOUND"), "{out}");
    assert!(err.contains("error: the API answered HTTP 404"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn include_shows_status_and_headers_but_never_the_token() {
    let org = Org::new();
    let (token, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    let (out, err) = run(&mut org.sfjwt(&["api", "-i", LIMITS]), 0);
    assert!(out.starts_with("HTTP/1.1 200 OK\n"), "{out}");
    assert!(
        out.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{out}"
    );
    assert!(!out.contains(&token) && !err.contains(&token));
    // Raw (not a terminal): the body exactly as sent, after the blank line.
    let body = out.split("\n\n").nth(1).unwrap();
    serde_json::from_str::<serde_json::Value>(body).unwrap();
}

#[test]
fn data_headers_and_methods_reach_the_server() {
    let org = Org::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acct.json");
    std::fs::write(&file, br#"{"Name":"Acme"}"#).unwrap();
    let data = format!("@{}", file.display());
    // The emulator has no sobjects: 404, but the request is what counts here.
    let path = "/services/data/v62.0/sobjects/Account";
    run(
        &mut org.sfjwt(&["api", path, "--data", &data, "-H", "X-Test: one"]),
        5,
    );
    run(&mut org.sfjwt(&["api", "PATCH", path, "--data", "{}"]), 5);
    let sent: Vec<_> = org
        .sf
        .requests()
        .into_iter()
        .filter(|r| r.path() == path)
        .collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].method(),
        "POST",
        "--data without a method is a POST"
    );
    assert_eq!(sent[0].body_len(), br#"{"Name":"Acme"}"#.len());
    let header = |r: &sfjwt_emulator::RecordedRequest, name: &str| {
        r.headers()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header(&sent[0], "x-test").as_deref(), Some("one"));
    assert_eq!(
        header(&sent[0], "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(sent[1].method(), "PATCH");
}

#[test]
fn usage_errors_exit_2_before_any_login() {
    let org = Org::new();
    for words in [
        &["api", "https://evil.example/services/data"][..],
        &["api", "//evil.example/x"],
        &["api", "FETCH", LIMITS],
        &["api", LIMITS, "-H", "Authorization: Bearer mine"],
        &["api", LIMITS, "--data", "@/no/such/file.json"],
    ] {
        let (_, err) = run(&mut org.sfjwt(words), 2);
        assert!(err.contains("hint:"), "{words:?}: {err}");
    }
    assert_eq!(org.grants(), 0);
}

/// `sfjwt api` with a cached token, the API answering once with `fault`: its stderr, after
/// asserting the exit code.
fn api_after_fault(fault: Fault, code: i32) -> String {
    let org = Org::new();
    run(&mut org.sfjwt(&["token"]), 0);
    org.sf.inject_fault_on(Target::Api, fault, 1);
    run(&mut org.sfjwt(&["api", LIMITS]), code).1
}

#[test]
fn redirects_are_not_followed() {
    let location = "https://evil.example/steal".into();
    let err = api_after_fault(Fault::Redirect { location }, 5);
    assert!(err.contains("HTTP 302"), "{err}");
    assert!(err.contains("redirects are not followed"), "{err}");
}

#[test]
fn an_oversized_body_is_a_transport_error() {
    let bytes = 65 * 1024 * 1024;
    let err = api_after_fault(Fault::OversizedBody { bytes }, 4);
    assert!(err.contains("hint:"), "{err}");
}
