//! `sfjwt probe` against each kind of emulated org: it names the login URL / audience pair
//! that works, in at most 6 requests, counted at the emulator and at a loopback-only proxy
//! that stands in for login/test.salesforce.com (nothing leaves the machine).

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use sfjwt_emulator::{Emulator, EmulatorConfig};
use sfjwt_test_support::cli::{key, sfjwt_std};
use sfjwt_test_support::loopback_proxy::LoopbackProxy;

fn org(example: &str) -> Emulator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sfjwt-emulator/examples/orgs")
        .join(example);
    EmulatorConfig::from_file(path).unwrap().start().unwrap()
}

struct Probe {
    code: i32,
    stdout: String,
    stderr: String,
    /// Requests the emulator received plus those the proxy refused.
    requests: usize,
    refused: Vec<String>,
}

fn probe(sf: &Emulator, client_id: &str, username: &str, extra: &[&str]) -> Probe {
    let proxy = LoopbackProxy::start();
    let output = sfjwt_std()
        .env("HTTPS_PROXY", proxy.url())
        .args([
            "probe",
            "--login-url",
            sf.base_url(),
            "--client-id",
            client_id,
        ])
        .args(["--username", username, "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .args(extra)
        .output()
        .unwrap();
    let refused = proxy.refused();
    Probe {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
        requests: sf.requests().len() + refused.len(),
        refused,
    }
}

#[test]
fn production_connected_app_wants_the_login_audience() {
    let sf = org("production.toml");
    let p = probe(&sf, "3MVG9_acme_connected_app", "etl@acme.com", &[]);
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    let base = sf.base_url();
    let lines: Vec<&str> = p.stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("login {base}  aud {base}  refused: invalid_grant: audience is invalid")
    );
    assert!(
        lines[1].starts_with(
            "login https://test.salesforce.com  aud https://test.salesforce.com  no answer:"
        ),
        "{}",
        p.stdout
    );
    assert!(
        lines[2].starts_with(
            "login https://login.salesforce.com  aud https://login.salesforce.com  no answer:"
        ),
        "{}",
        p.stdout
    );
    assert_eq!(
        lines[3],
        format!("login {base}  aud https://login.salesforce.com  granted")
    );
    assert!(
        lines[4].starts_with(&format!(
            "works: sfjwt token --login-url {base} --audience https://login.salesforce.com --client-id 3MVG9_acme_connected_app --username etl@acme.com --key-file "
        )),
        "{}",
        p.stdout
    );
    assert_eq!(p.requests, 4);
    assert_eq!(
        p.refused,
        ["test.salesforce.com:443", "login.salesforce.com:443"]
    );
    assert_eq!(sf.grant_count(), 1);
}

#[test]
fn sandbox_wants_the_test_audience() {
    let sf = org("sandbox.toml");
    let p = probe(&sf, "3MVG9_acme_connected_app", "etl@acme.com.dev", &[]);
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    assert!(
        p.stdout.contains(&format!(
            "login {}  aud https://test.salesforce.com  granted",
            sf.base_url()
        )),
        "{}",
        p.stdout
    );
    assert!(
        p.stdout.contains("--audience https://test.salesforce.com"),
        "{}",
        p.stdout
    );
    assert_eq!(p.requests, 5);
}

#[test]
fn an_eca_org_wants_its_my_domain_first_try() {
    let sf = org("eca-spring26.toml");
    let p = probe(&sf, "3MVG9_acme_eca", "etl@acme.com", &[]);
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    let base = sf.base_url();
    assert_eq!(
        p.stdout.lines().next().unwrap(),
        format!("login {base}  aud {base}  granted")
    );
    assert!(
        p.stdout.contains(&format!(
            "works: sfjwt token --login-url {base} --audience my-domain "
        )),
        "{}",
        p.stdout
    );
    assert_eq!(p.requests, 1);
    assert!(p.refused.is_empty());
}

#[test]
fn an_eca_not_installed_is_refused_everywhere_with_exit_3() {
    let sf = org("eca-not-installed.toml");
    let p = probe(&sf, "3MVG9_acme_eca", "etl@acme.com", &["--json"]);
    assert_eq!(p.code, 3, "{}\n{}", p.stdout, p.stderr);
    let json: serde_json::Value = serde_json::from_str(p.stdout.trim()).unwrap();
    let pairs = json["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 5);
    assert!(json["works"].is_null());
    let at_emulator: Vec<&serde_json::Value> = pairs
        .iter()
        .filter(|p| p["login_url"] == sf.base_url())
        .collect();
    assert_eq!(at_emulator.len(), 3);
    for pair in at_emulator {
        assert_eq!(pair["answer"], "refused");
        assert_eq!(pair["error"], "app_not_found");
    }
    assert!(p.stderr.contains("none of the 5"), "{}", p.stderr);
    assert_eq!(p.requests, 5);
    assert!(p.requests <= 6);
    assert_eq!(sf.grant_count(), 0);
}

#[test]
fn probe_chooses_the_audience_itself() {
    let sf = org("production.toml");
    let p = probe(
        &sf,
        "3MVG9_acme_connected_app",
        "etl@acme.com",
        &["--audience", "https://login.salesforce.com"],
    );
    assert_eq!(p.code, 2);
    assert!(p.stderr.contains("--audience"), "{}", p.stderr);
    assert_eq!(p.requests, 0);
}
