//! The audience and login-URL rules through the `sfjwt` binary (`sfjwt_core::manual::audience`):
//! `--audience my-domain`, My Domain audiences, Lightning and instance hosts refused with the
//! My Domain as the fix (exit 2), unknown hosts needing an explicit audience, `sfjwt check`'s
//! audience decision, and the assertion lifetime bounds.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use assert_cmd::Command;
use base64::Engine as _;
use predicates::prelude::*;
use sfjwt_test_support::cli::{USER, sfjwt};

const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/keys/rsa2048.pkcs8.pem"
);
const CLIENT_ID: &str = "3MVG9_audience_test";

/// `sfjwt assertion` with the test identity and `extra` flags.
fn assertion(extra: &[&str]) -> Command {
    let mut cmd = sfjwt();
    cmd.args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args(["--key-file", KEY])
        .args(extra);
    cmd
}

/// The claims of the JWT printed on stdout.
fn claims_of(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    let jwt = String::from_utf8(out).unwrap();
    let payload = jwt.trim().split('.').nth(1).unwrap();
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&json).unwrap()
}

#[test]
fn audience_my_domain_takes_the_login_url() {
    let claims = claims_of(&mut assertion(&[
        "--login-url",
        "https://Acme.my.salesforce.com/",
        "--audience",
        "my-domain",
    ]));
    assert_eq!(claims["aud"], "https://acme.my.salesforce.com");
    let claims = claims_of(&mut assertion(&[
        "--login-url",
        "https://acme--uat.sandbox.my.salesforce.com",
        "--audience",
        "my-domain",
    ]));
    assert_eq!(claims["aud"], "https://acme--uat.sandbox.my.salesforce.com");
}

#[test]
fn a_my_domain_url_is_a_valid_audience() {
    let claims = claims_of(&mut assertion(&[
        "--login-url",
        "https://acme.my.salesforce.com",
        "--audience",
        "https://acme.my.salesforce.com",
    ]));
    assert_eq!(claims["aud"], "https://acme.my.salesforce.com");
    // Without --audience a My Domain login URL keeps the login server (connected apps).
    let claims = claims_of(&mut assertion(&[
        "--login-url",
        "https://acme.my.salesforce.com",
    ]));
    assert_eq!(claims["aud"], "https://login.salesforce.com");
}

#[test]
fn audience_my_domain_at_a_loopback_emulator_is_its_base_url() {
    // A local emulator plays the org's My Domain.
    let claims = claims_of(&mut assertion(&[
        "--login-url",
        "http://127.0.0.1:9/",
        "--audience",
        "my-domain",
    ]));
    assert_eq!(claims["aud"], "http://127.0.0.1:9");
}

#[test]
fn audience_my_domain_needs_a_my_domain_login_url() {
    for login_url in [
        "https://login.salesforce.com",
        "https://acme.my.site.com/partners",
    ] {
        assertion(&["--login-url", login_url, "--audience", "my-domain"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("My Domain"))
            .stderr(predicate::str::contains(
                "--login-url https://NAME.my.salesforce.com",
            ));
    }
}

#[test]
fn lightning_and_instance_login_urls_exit_2_with_the_my_domain_fix() {
    for (login_url, fix) in [
        (
            "https://acme.lightning.force.com",
            "https://acme.my.salesforce.com",
        ),
        (
            "https://acme--dev.sandbox.lightning.force.com/lightning/page/home",
            "https://acme--dev.sandbox.my.salesforce.com",
        ),
        (
            "https://na123.salesforce.com",
            "https://NAME.my.salesforce.com",
        ),
    ] {
        for command in ["token", "assertion"] {
            sfjwt()
                .args([command, "--client-id", CLIENT_ID, "--username", USER])
                .args(["--key-file", KEY, "--login-url", login_url])
                .assert()
                .code(2)
                .stdout(predicate::str::is_empty())
                .stderr(predicate::str::contains("refused login URL"))
                .stderr(predicate::str::contains(fix))
                .stderr(predicate::str::contains("hint:"))
                .stderr(predicate::str::contains("--audience my-domain"));
        }
        sfjwt()
            .args(["check", "--key-file", KEY, "--login-url", login_url])
            .assert()
            .code(2)
            .stdout(predicate::str::contains("error endpoint"))
            .stdout(predicate::str::contains(fix))
            .stdout(predicate::str::contains(" site").not());
    }
}

#[test]
fn an_unknown_host_needs_an_explicit_audience() {
    sfjwt()
        .args(["token", "--client-id", CLIENT_ID, "--username", USER])
        .args([
            "--key-file",
            KEY,
            "--login-url",
            "https://login.salesforce.com.evil.example",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no audience"))
        .stderr(predicate::str::contains("replayed"))
        .stderr(predicate::str::contains("--audience"));
    let claims = claims_of(&mut assertion(&[
        "--login-url",
        "https://auth.example.org",
        "--audience",
        "https://auth.example.org",
    ]));
    assert_eq!(claims["aud"], "https://auth.example.org");
}

#[test]
fn an_experience_cloud_site_login_url_is_the_default_audience() {
    let claims = claims_of(&mut assertion(&[
        "--login-url",
        "https://acme.my.site.com/partners/",
    ]));
    assert_eq!(claims["aud"], "https://acme.my.site.com/partners");
}

#[test]
fn check_reports_the_audience_decision_and_its_reason() {
    let check = |extra: &[&str]| {
        let mut cmd = sfjwt();
        cmd.args(["check", "--client-id", "3MVG9_check", "--username", USER])
            .args(["--key-file", KEY])
            .args(extra);
        cmd
    };
    check(&["--login-url", "https://acme.my.salesforce.com", "--audience", "my-domain"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "warn  audience    https://acme.my.salesforce.com (My Domain audience: right for External Client App orgs after Spring '26",
        ))
        .stdout(predicate::str::contains("otherwise use login/test"));
    check(&["--login-url", "https://acme.my.salesforce.com"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ok    audience    https://login.salesforce.com (default for a production login URL",
        ))
        .stdout(predicate::str::contains("--audience my-domain"));
    check(&["--sandbox"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "https://test.salesforce.com (default for a sandbox login URL",
        ));
    check(&["--login-url", "https://acme.my.site.com/partners"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "https://acme.my.site.com/partners (default for an Experience Cloud site",
        ));
    // A My Domain audience with another login URL: still a warning, naming the mismatch.
    check(&["--audience", "https://acme.my.salesforce.com"])
        .assert()
        .success()
        .stdout(predicate::str::contains("the same My Domain as login URL"));
    check(&["--login-url", "https://auth.example.org"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("error audience"))
        .stdout(predicate::str::contains(
            "no audience for https://auth.example.org",
        ));
}

#[test]
fn lifetime_defaults_to_180_and_stops_at_300() {
    let now = sfjwt_test_support::wire::unix_now();
    let exp = |claims: serde_json::Value| claims["exp"].as_u64().unwrap();
    let default = exp(claims_of(&mut assertion(&[])));
    assert!(
        (now + 180..now + 190).contains(&default),
        "{default} vs {now}"
    );
    let max = exp(claims_of(&mut assertion(&["--lifetime", "300"])));
    assert!((now + 300..now + 310).contains(&max), "{max} vs {now}");
    for command in ["token", "assertion"] {
        sfjwt()
            .args([command, "--client-id", CLIENT_ID, "--username", USER])
            .args(["--key-file", KEY, "--lifetime", "301"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("301"));
    }
    // --exp past the maximum is refused by the claims builder with the fix.
    assertion(&["--exp", &(now + 600).to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("300 s maximum"))
        .stderr(predicate::str::contains("--lifetime 300 or less"));
}
