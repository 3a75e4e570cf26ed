//! The REST resources real clients call right after login (the Salesforce CLI, jsforce):
//! the versions list, a version's resources, and Salesforce's error bodies around them.

use sfjwt_test_support::wire as common;

use common::*;

#[test]
fn the_versions_list_needs_no_session() {
    let sf = start();
    for path in ["/services/data", "/services/data/"] {
        let answer = get(&sf, path, None);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        let versions = answer.json();
        let versions = versions.as_array().unwrap();
        let v62 = versions
            .iter()
            .find(|v| v["version"] == "62.0")
            .expect("v62.0 is listed");
        assert_eq!(v62["label"], "Winter '25");
        assert_eq!(v62["url"], "/services/data/v62.0");
        // Exactly the three documented fields.
        assert_eq!(v62.as_object().unwrap().len(), 3);
        // Oldest first, as Salesforce lists them.
        assert_eq!(versions.first().unwrap()["version"], "31.0");
        assert_eq!(versions.last().unwrap()["version"], "66.0");
    }
    assert_eq!(sf.api_call_count(), 0, "no session was used");
}

#[test]
fn a_versions_resources_need_a_session() {
    let sf = start();
    let token = token(&sf);
    let answer = get(&sf, "/services/data/v62.0", Some(&token));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let resources = answer.json();
    assert_eq!(resources["sobjects"], "/services/data/v62.0/sobjects");
    assert_eq!(resources["limits"], "/services/data/v62.0/limits");
    let user_id = sf.user_id(APPROVED).unwrap();
    assert_eq!(
        resources["identity"],
        format!("{}/id/{}/{user_id}", sf.base_url(), sf.org_id())
    );
    assert_eq!(
        get(&sf, "/services/data/v62.0/", Some(&token)).status,
        200,
        "a trailing / is the same resource"
    );

    let without = get(&sf, "/services/data/v62.0", None);
    assert_eq!(without.status, 401);
    assert_eq!(without.body, INVALID_SESSION);
}

#[test]
fn revoked_and_timed_out_sessions_get_invalid_session_id() {
    let clock = sfjwt_emulator::ManualClock::starting_now();
    let sf = builder()
        .clock(clock.clone())
        .session_timeout(std::time::Duration::from_secs(60))
        .start()
        .unwrap();
    let revoked = token(&sf);
    assert!(sf.revoke(&revoked));
    let answer = get(&sf, "/services/data/v62.0", Some(&revoked));
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, INVALID_SESSION);

    let idle = token(&sf);
    clock.advance(std::time::Duration::from_secs(61));
    let answer = get(&sf, "/services/data/v62.0/limits", Some(&idle));
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, INVALID_SESSION);
}

#[test]
fn an_unknown_version_is_not_found() {
    let sf = start();
    let token = token(&sf);
    for path in [
        "/services/data/v99.0",
        "/services/data/v99.0/limits",
        "/services/data/v20.0/limits",
        "/services/data/latest/limits",
    ] {
        let answer = get(&sf, path, Some(&token));
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
        assert_eq!(
            answer.body,
            r#"[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]"#
        );
    }
}
