//! Every example org in `examples/orgs/` loads, starts, and plays what its comments say,
//! and every example is covered here (a new file without a test fails).

use sfjwt_test_support::wire as common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use sfjwt_emulator::{Emulator, EmulatorConfig, ManualClock};

const EXAMPLES: [&str; 10] = [
    "eca-not-installed.toml",
    "eca-spring26.toml",
    "inactive.toml",
    "ip-locked-sessions.toml",
    "ip-restricted.toml",
    "new-app-propagating.toml",
    "production.toml",
    "rate-limited.toml",
    "salesforce-response-shape.toml",
    "sandbox.toml",
];

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/orgs")
        .join(name)
}

#[allow(clippy::panic, reason = "a test helper: a panic is a failed test")]
fn load(name: &str) -> Emulator {
    EmulatorConfig::from_file(example(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .start()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fresh(iss: &str, sub: &str, aud: &str) -> String {
    assertion_with(iss, sub, aud, unix_now() + 120)
}

/// The examples' connected app.
const ACME_APP: &str = "3MVG9_acme_connected_app";

/// A grant for `sub` at the production audience through the examples' connected app.
fn acme_grant(sf: &Emulator, sub: &str) -> Answer {
    grant(sf, &fresh(ACME_APP, sub, PRODUCTION))
}

#[test]
fn every_example_is_listed_here() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(example(""))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    let listed: BTreeSet<String> = EXAMPLES.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(on_disk, listed);
    for name in EXAMPLES {
        let _ = load(name);
    }
}

#[test]
fn production() {
    let sf = load("production.toml");
    let app = "3MVG9_acme_connected_app";
    assert_eq!(grant(&sf, &fresh(app, APPROVED, PRODUCTION)).status, 200);
    assert_refused(
        &grant(&sf, &fresh(app, APPROVED, "https://test.salesforce.com")),
        refusal::AUDIENCE_INVALID,
    );
    assert_refused(
        &grant(&sf, &fresh(app, NOT_APPROVED, PRODUCTION)),
        refusal::NOT_APPROVED,
    );
}

#[test]
fn sandbox() {
    let sf = load("sandbox.toml");
    let app = "3MVG9_acme_connected_app";
    let test = "https://test.salesforce.com";
    assert_eq!(
        grant(&sf, &fresh(app, "etl@acme.com.dev", test)).status,
        200
    );
    assert_refused(
        &grant(&sf, &fresh(app, APPROVED, test)),
        refusal::NOT_APPROVED,
    );
    assert_refused(
        &grant(&sf, &fresh(app, "etl@acme.com.dev", PRODUCTION)),
        refusal::AUDIENCE_INVALID,
    );
}

#[test]
fn eca_after_spring_26() {
    let sf = load("eca-spring26.toml");
    let app = "3MVG9_acme_eca";
    for aud in [PRODUCTION, "https://test.salesforce.com"] {
        assert_refused(
            &grant(&sf, &fresh(app, APPROVED, aud)),
            refusal::ECA_NOT_INSTALLED,
        );
    }
    let answer = grant(&sf, &fresh(app, APPROVED, "https://acme.my.salesforce.com"));
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
fn eca_not_installed() {
    let sf = load("eca-not-installed.toml");
    for aud in [PRODUCTION, "https://acme.my.salesforce.com"] {
        assert_refused(
            &grant(&sf, &fresh("3MVG9_acme_eca", APPROVED, aud)),
            refusal::ECA_NOT_INSTALLED,
        );
    }
}

#[test]
fn ip_restricted() {
    let sf = load("ip-restricted.toml");
    assert_refused(
        &grant(&sf, &fresh("3MVG9_acme_enforced", APPROVED, PRODUCTION)),
        refusal::IP_RESTRICTED,
    );
    assert_eq!(
        grant(&sf, &fresh("3MVG9_acme_relaxed", APPROVED, PRODUCTION)).status,
        200
    );
}

#[test]
fn ip_locked_sessions() {
    let sf = load("ip-locked-sessions.toml");
    let token = token_with(
        &sf,
        &fresh("3MVG9_acme_connected_app", APPROVED, PRODUCTION),
    );
    let answer = get(&sf, "/services/data/v62.0/limits", Some(&token));
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, INVALID_SESSION);
}

#[test]
fn rate_limited() {
    let sf = load("rate-limited.toml");
    for _ in 0..3 {
        assert_eq!(acme_grant(&sf, APPROVED).status, 200);
    }
    assert_refused(&acme_grant(&sf, APPROVED), refusal::RATE_LIMITED);
}

#[test]
fn new_app_propagating() {
    let clock = ManualClock::starting_now();
    let sf = EmulatorConfig::from_file(example("new-app-propagating.toml"))
        .unwrap()
        .into_builder()
        .clock(clock.clone())
        .start()
        .unwrap();
    let fresh = |clock: &ManualClock| {
        assertion_with(
            "3MVG9_acme_new_app",
            APPROVED,
            PRODUCTION,
            clock_secs(clock) + 120,
        )
    };
    assert_refused(&grant(&sf, &fresh(&clock)), refusal::UNKNOWN_CLIENT);
    clock.advance(Duration::from_secs(120));
    assert_eq!(grant(&sf, &fresh(&clock)).status, 200);
}

#[test]
fn inactive() {
    let sf = load("inactive.toml");
    assert_refused(&acme_grant(&sf, INACTIVE), refusal::INACTIVE_USER);
    assert_eq!(acme_grant(&sf, APPROVED).status, 200);
}

#[test]
fn salesforce_response_shape() {
    let sf = load("salesforce-response-shape.toml");
    let ten_minutes = assertion_with(
        "3MVG9_acme_connected_app",
        APPROVED,
        PRODUCTION,
        unix_now() + 600,
    );
    let answer = grant(&sf, &ten_minutes);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json = answer.json();
    assert!(
        json["issued_at"].is_string() && json["signature"].is_string(),
        "{json}"
    );
    let id = json["id"].as_str().unwrap();
    assert!(id.starts_with(sf.base_url()), "{id}");
}
