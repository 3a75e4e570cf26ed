//! The official Salesforce CLI (`sf`, npm `@salesforce/cli` 2.146.3 on Node 22, installed by
//! `.ci/setup-clients.sh`) logs in to the emulator with `sf org login jwt` and uses the org
//! afterwards, as it would a real org. A client nobody here wrote, so the emulator cannot
//! merely agree with sfjwt.
//!
//! The CLI signs `exp` in milliseconds and tries several login/audience pairs
//! (sfdx-core `getLoginAudienceCombos`), among them `login.salesforce.com` and
//! `test.salesforce.com`: those go to a loopback-only proxy that refuses them, so nothing
//! leaves the machine and the test sees which hosts were tried.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::{Arc, Mutex};

use sfjwt_emulator::{Emulator, EmulatorConfig};
use sfjwt_test_support::clients::{SfCli, SfOutput, workspace_root};

/// Starts an example org with its request log collected.
fn start(example: &str) -> (Emulator, Arc<Mutex<Vec<String>>>) {
    let path = workspace_root()
        .join("crates/sfjwt-emulator/examples/orgs")
        .join(example);
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let sf = EmulatorConfig::from_file(&path)
        .unwrap()
        .into_builder()
        .request_log(move |line| {
            if let Ok(mut lines) = sink.lock() {
                lines.push(line.to_owned());
            }
        })
        .start()
        .unwrap();
    (sf, lines)
}

fn key_file() -> String {
    workspace_root()
        .join("testdata/keys/rsa2048.pkcs8.pem")
        .display()
        .to_string()
}

/// `sf org login jwt` of `username` through app `client_id` at the emulator's URL.
fn login(cli: &SfCli, sf: &Emulator, client_id: &str, username: &str) -> SfOutput {
    cli.run(&[
        "org",
        "login",
        "jwt",
        "--client-id",
        client_id,
        "--jwt-key-file",
        &key_file(),
        "--username",
        username,
        "--instance-url",
        sf.base_url(),
        "--json",
    ])
}

fn explain(what: &str, out: &SfOutput, log: &Mutex<Vec<String>>) -> String {
    format!(
        "{what}\nstdout:\n{}\nstderr:\n{}\nemulator log:\n{}",
        out.stdout,
        out.stderr,
        log.lock().unwrap().join("\n")
    )
}

#[test]
fn sf_org_login_jwt_is_granted_by_a_production_connected_app_org() {
    let (sf, log) = start("production.toml");
    let cli = SfCli::new();
    let out = login(&cli, &sf, "3MVG9_acme_connected_app", "etl@acme.com");
    assert!(out.success, "{}", explain("login failed", &out, &log));
    let json = out.json();
    assert_eq!(json["result"]["username"], "etl@acme.com", "{json}");
    assert_eq!(json["result"]["orgId"], sf.org_id(), "{json}");
    assert_eq!(sf.grant_count(), 1);
    // The pair real Salesforce grants a connected app came after the CLI's other tries, and
    // the ones meant for Salesforce's public hosts never left the machine.
    let log_lines = log.lock().unwrap().clone();
    assert!(
        log_lines.contains(
            &"POST /services/oauth2/token 400 invalid_grant (audience not accepted by this app kind and org)"
                .to_owned()
        ),
        "{log_lines:?}"
    );
    let refused = cli.refused_hosts();
    assert!(
        refused
            .iter()
            .any(|h| h.starts_with("login.salesforce.com")),
        "{refused:?}"
    );

    let display = cli.run(&["org", "display", "--target-org", "etl@acme.com", "--json"]);
    assert!(
        display.success,
        "{}",
        explain("org display failed", &display, &log)
    );
    let json = display.json();
    assert_eq!(json["result"]["connectedStatus"], "Connected", "{json}");
    assert_eq!(json["result"]["instanceUrl"], sf.base_url(), "{json}");

    let limits = cli.run(&[
        "api",
        "request",
        "rest",
        "/services/data/v62.0/limits",
        "--target-org",
        "etl@acme.com",
    ]);
    assert!(
        limits.success,
        "{}",
        explain("api request failed", &limits, &log)
    );
    let body: serde_json::Value = serde_json::from_str(limits.stdout.trim())
        .unwrap_or_else(|_| panic!("{}", explain("limits is not JSON", &limits, &log)));
    assert_eq!(body["DailyApiRequests"]["Max"], 15_000, "{body}");
}

#[test]
fn sf_org_login_jwt_is_granted_by_an_eca_org_at_its_my_domain() {
    // An External Client App org (Spring '26): the emulator's URL plays the My Domain, and
    // the CLI's first pair (the login URL as its own audience) is granted.
    let (sf, log) = start("eca-spring26.toml");
    let cli = SfCli::new();
    let out = login(&cli, &sf, "3MVG9_acme_eca", "etl@acme.com");
    assert!(out.success, "{}", explain("login failed", &out, &log));
    assert_eq!(sf.grant_count(), 1);
    let first = log.lock().unwrap().first().cloned().unwrap_or_default();
    assert_eq!(first, "POST /services/oauth2/token 200");
    assert!(cli.refused_hosts().is_empty(), "{:?}", cli.refused_hosts());
    let display = cli.run(&["org", "display", "--target-org", "etl@acme.com", "--json"]);
    assert!(
        display.success,
        "{}",
        explain("org display failed", &display, &log)
    );
    assert_eq!(display.json()["result"]["connectedStatus"], "Connected");
}

#[test]
fn a_user_not_pre_authorized_gets_salesforces_words_through_the_cli() {
    let (sf, log) = start("production.toml");
    let cli = SfCli::new();
    let out = login(&cli, &sf, "3MVG9_acme_connected_app", "analyst@acme.com");
    assert!(!out.success, "{}", explain("login succeeded", &out, &log));
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("user hasn't approved this consumer"),
        "{}",
        explain("no Salesforce words", &out, &log)
    );
    assert_eq!(sf.grant_count(), 0);
}
