//! Sessions a new login does not cure: locked to an IP the caller no longer leaves from
//! (always, or per origin address), or not valid for the REST API. Granted, then refused
//! with 401 `INVALID_SESSION_ID`, however often the client logs in again.

use sfjwt_test_support::wire as common;

use common::*;

const API_PATHS: [&str; 3] = [
    "/services/data/v62.0/limits",
    "/services/oauth2/userinfo",
    "/services/data/v62.0/sobjects",
];

#[test]
fn ip_locked_sessions_answer_401_right_after_the_grant() {
    let sf = builder().ip_locked_sessions(true).start().unwrap();
    for _ in 0..3 {
        // A new login succeeds every time...
        let token = token(&sf);
        // ...and its session is refused at once.
        for path in API_PATHS {
            let answer = get(&sf, path, Some(&token));
            assert_eq!(answer.status, 401, "{path}");
            assert_eq!(answer.body, INVALID_SESSION, "{path}");
        }
        let id_path = format!("/id/{}/{}", sf.org_id(), sf.user_id(APPROVED).unwrap());
        assert_eq!(get(&sf, &id_path, Some(&token)).status, 401);
    }
    assert_eq!(sf.grant_count(), 3);
    assert_eq!(sf.api_call_count(), 0);
    assert_eq!(sf.refused_api_call_count(), 12);
}

#[test]
fn the_lock_can_be_toggled_at_run_time() {
    let sf = start();
    let token = token(&sf);
    let limits = "/services/data/v62.0/limits";
    assert_eq!(get(&sf, limits, Some(&token)).status, 200);

    sf.set_ip_locked_sessions(true);
    let answer = get(&sf, limits, Some(&token));
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, INVALID_SESSION);

    // The session itself was not ended: unlocked, the same token works again.
    sf.set_ip_locked_sessions(false);
    assert_eq!(get(&sf, limits, Some(&token)).status, 200);
    assert_eq!(sf.api_call_count(), 2);
    assert_eq!(sf.refused_api_call_count(), 1);
}

#[test]
fn the_401_carries_the_www_authenticate_header() {
    let sf = builder().ip_locked_sessions(true).start().unwrap();
    let token = token(&sf);
    let response = agent()
        .get(format!("{}/services/data/v62.0/limits", sf.base_url()))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers().get("www-authenticate").unwrap(), "Token");
}

#[test]
fn sessions_locked_to_their_origin_ip_refuse_other_addresses() {
    let sf = builder()
        .sessions_locked_to_origin_ip(true)
        .start()
        .unwrap();
    let limits = "/services/data/v62.0/limits";
    // Granted to 203.0.113.1 (one egress IP of the fleet)...
    let token = {
        let answer = grant_from(&sf, "203.0.113.1", &assertion_for(APPROVED));
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()["access_token"].as_str().unwrap().to_owned()
    };
    // ...served from there, refused from the other egress IP and from the TCP peer.
    assert_eq!(get_from(&sf, "203.0.113.1", limits, &token).status, 200);
    let other = get_from(&sf, "203.0.113.2", limits, &token);
    assert_eq!(other.status, 401);
    assert_eq!(other.body, INVALID_SESSION);
    assert_eq!(get(&sf, limits, Some(&token)).status, 401);
    // The refusal does not end the session: the origin is still served.
    assert_eq!(get_from(&sf, "203.0.113.1", limits, &token).status, 200);
    assert_eq!(sf.api_call_count(), 2);
    assert_eq!(sf.refused_api_call_count(), 2);
}

#[test]
fn sessions_not_valid_for_the_rest_api() {
    let sf = builder()
        .sessions_not_valid_for_rest_api(true)
        .start()
        .unwrap();
    let token = token(&sf);
    for path in [
        "/services/data/v62.0/limits",
        "/services/data/v62.0/sobjects",
    ] {
        let answer = get(&sf, path, Some(&token));
        assert_eq!(answer.status, 401, "{path}");
        assert_eq!(
            answer.body,
            r#"[{"message":"This session is not valid for use with the REST API","errorCode":"INVALID_SESSION_ID"}]"#
        );
    }
    // The OAuth resources still take the session.
    assert_eq!(
        get(&sf, "/services/oauth2/userinfo", Some(&token)).status,
        200
    );
    // An unknown token is still "Session expired or invalid".
    assert_eq!(
        get(&sf, "/services/data/v62.0/limits", Some("00D!nope")).body,
        INVALID_SESSION
    );
}
