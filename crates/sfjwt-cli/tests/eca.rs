//! An External Client App org as Salesforce runs it since Spring '26, emulated on loopback:
//! the login audience (the default) is refused with `app_not_found` and a hint naming the My
//! Domain fix with its flags (exit 3); the My Domain audience is granted (exit 0).

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use assert_cmd::Command;
use predicates::prelude::*;
use sfjwt_emulator::{App, Emulator, User};
use sfjwt_test_support::cli::{self as support, KEYS, USER};

const CLIENT_ID: &str = "3MVG9_eca_consumer_key";
const MY_DOMAIN: &str = "https://acme.my.salesforce.com";

fn eca_org() -> Emulator {
    let cert = std::fs::read_to_string(format!("{KEYS}/rsa2048.crt.pem")).unwrap();
    Emulator::builder()
        .my_domain(MY_DOMAIN)
        .app(
            App::from_pem(CLIENT_ID, &cert)
                .unwrap()
                .external_client_app()
                .admin_approved([USER]),
        )
        .user(User::new(USER))
        .start()
        .unwrap()
}

fn token(sf: &Emulator) -> Command {
    support::token_cmd(
        sf.base_url(),
        CLIENT_ID,
        format!("{KEYS}/rsa2048.pkcs8.pem"),
    )
}

#[test]
fn the_login_audience_is_refused_with_app_not_found_and_the_my_domain_fix() {
    let sf = eca_org();
    token(&sf)
        .assert()
        .code(3)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("app_not_found"))
        .stderr(predicate::str::contains(
            "External client app is not installed in this org",
        ))
        .stderr(predicate::str::contains("hint:"))
        .stderr(predicate::str::contains(
            "--login-url https://NAME.my.salesforce.com --audience my-domain",
        ));
}

#[test]
fn the_my_domain_audience_is_granted() {
    let sf = eca_org();
    token(&sf)
        .args(["--audience", MY_DOMAIN])
        .assert()
        .success()
        .stdout(predicate::str::contains("access_token"))
        .stdout(predicate::str::contains(sf.org_id()));
}

#[test]
fn audience_my_domain_at_the_emulator_sends_its_base_url_and_is_granted() {
    // The emulator's URL plays the org's My Domain, as https://NAME.my.salesforce.com would.
    let sf = eca_org();
    let output = token(&sf)
        .args(["--audience", "my-domain", "--no-cache", "--json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Salesforce puts the identity URL on the host of the audience it granted: here the
    // loopback base URL, so that is what `aud` was.
    let id = json["id"].as_str().unwrap();
    assert!(
        id.starts_with(&format!("{}/id/{}", sf.base_url(), sf.org_id())),
        "{json}"
    );
}

#[test]
fn demo_eca_shows_the_refusal_the_hint_and_the_fix() {
    let output = Command::cargo_bin("sfjwt")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["demo", "--eca"])
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let position = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("demo --eca output lacks {needle:?}:\n{out}"))
    };
    let refused = position("app_not_found: External client app is not installed in this org");
    let hint = position("hint: ");
    let fix = position("--audience my-domain");
    let granted = position("access_token");
    assert!(refused < hint && hint < fix && fix < granted, "{out}");
    assert!(
        out.contains("aud           https://acme.my.salesforce.com"),
        "{out}"
    );
    assert!(out.contains("granted"), "{out}");
}
