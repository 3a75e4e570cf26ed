//! simple-salesforce (PyPI 1.12.10, in `.ci/venv`, installed by `.ci/setup-clients.sh`) logs
//! in to the emulator with its JWT bearer flow and reads `limits()`.
//!
//! simple-salesforce builds every URL itself (`https://{domain}.salesforce.com`, then
//! `https://{instance}`), so the test hands it a `requests` session whose transport sends
//! those https URLs to the emulator over plain loopback http and refuses every other host.
//! Everything else — the claims (`exp` a string, 3 minutes), the signing, the form, reading
//! the answer — is simple-salesforce's own code.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

use base64::Engine as _;

use sfjwt_emulator::{Emulator, EmulatorConfig};
use sfjwt_test_support::clients::{python_with_simple_salesforce, workspace_root};

/// The Python side: a loopback-only session, then simple-salesforce as a user would call it.
const SCRIPT: &str = r#"
import json, sys
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

base, domain, key_file, client_id, username = sys.argv[1:6]
loopback = base[len("http://"):]

class ToEmulator(HTTPAdapter):
    """Sends Salesforce's public hosts and https://127.0.0.1:PORT to the emulator; nothing
    else goes anywhere."""
    def send(self, request, **kwargs):
        scheme, rest = request.url.split("://", 1)
        host, _, path = rest.partition("/")
        if host not in ("login.salesforce.com", "test.salesforce.com", loopback):
            raise RuntimeError("refused to leave the machine: " + request.url)
        request.url = base + "/" + path
        return super().send(request, **kwargs)

session = requests.Session()
session.mount("https://", ToEmulator())
try:
    sf = Salesforce(username=username, consumer_key=client_id, privatekey_file=key_file,
                    domain=domain, session=session)
    print(json.dumps({"limits": sf.limits()}))
except SalesforceAuthenticationFailed as e:
    print(json.dumps({"refused": str(e)}))
"#;

fn start(example: &str) -> Emulator {
    let path = workspace_root()
        .join("crates/sfjwt-emulator/examples/orgs")
        .join(example);
    EmulatorConfig::from_file(&path).unwrap().start().unwrap()
}

/// Runs the script against `sf` with simple-salesforce's `domain`; returns its JSON line.
fn simple_salesforce(sf: &Emulator, domain: &str) -> serde_json::Value {
    let key = workspace_root().join("testdata/keys/rsa2048.pkcs8.pem");
    let output = Command::new(python_with_simple_salesforce())
        .args(["-c", SCRIPT, sf.base_url(), domain])
        .arg(&key)
        .args(["3MVG9_acme_connected_app", "etl@acme.com"])
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    let stdout = sfjwt_test_support::process::succeeded(&output, "the simple-salesforce script");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("no JSON ({e}):\n{stdout}"))
}

#[test]
fn simple_salesforce_logs_in_and_reads_limits() {
    let sf = start("production.toml");
    let answer = simple_salesforce(&sf, "login");
    assert_eq!(
        answer["limits"]["DailyApiRequests"]["Max"], 15_000,
        "{answer}"
    );
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(sf.api_call_count(), 1);
    // What simple-salesforce sent: `exp` as a JSON string, the production audience.
    let token_request = sf
        .requests()
        .into_iter()
        .find(|r| r.path() == "/services/oauth2/token")
        .unwrap();
    let assertion = token_request.form_value("assertion").unwrap();
    let payload = assertion.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(claims["exp"].is_string(), "{claims}");
    assert_eq!(claims["aud"], "https://login.salesforce.com", "{claims}");
}

#[test]
fn simple_salesforce_with_domain_test_against_production_is_an_invalid_audience() {
    let sf = start("production.toml");
    let answer = simple_salesforce(&sf, "test");
    let refused = answer["refused"].as_str().unwrap_or_default();
    assert!(refused.contains("audience is invalid"), "{answer}");
    assert_eq!(sf.grant_count(), 0);
}
