//! `sfjwt emulate -v`: the ready-to-paste lines on start work as printed, and each request
//! gets one line on stderr with the rule behind a refusal, never a secret.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use sfjwt_test_support::cli::{self as support, key, sfjwt, sfjwt_std};
use sfjwt_test_support::wire::{agent, assertion_with, unix_now};

const PRODUCTION_ORG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sfjwt-emulator/examples/orgs/production.toml"
);

/// The running `sfjwt emulate`, its start lines and a channel of its stderr lines.
struct Running {
    child: Child,
    banner: Vec<String>,
    stderr: mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Self {
        let mut cmd = sfjwt_std();
        cmd.arg("emulate").args(args);
        let (mut child, banner) = support::spawn_emulate(&mut cmd, Stdio::piped());
        let (tx, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            banner,
            stderr,
        }
    }

    fn base_url(&self) -> String {
        self.banner[0]
            .strip_prefix("Salesforce emulator listening on ")
            .unwrap()
            .to_owned()
    }

    /// The printed line that starts with `prefix` (indented), without the indentation.
    fn line(&self, prefix: &str) -> String {
        self.banner
            .iter()
            .map(|l| l.trim())
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} line in {:#?}", self.banner))
            .to_owned()
    }

    fn next_log_line(&self) -> String {
        self.stderr
            .recv_timeout(Duration::from_secs(10))
            .expect("emulate -v printed no line for the request")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = support::terminate(&mut self.child);
    }
}

#[test]
fn the_start_lines_are_ready_to_paste() {
    let sf = Running::start(&["--config", PRODUCTION_ORG]);
    let base = sf.base_url();
    let sf_line = sf.line("sf org login jwt ");
    assert_eq!(
        sf_line,
        format!(
            "sf org login jwt --instance-url {base} --client-id 3MVG9_acme_connected_app --username etl@acme.com --jwt-key-file KEY.pem"
        )
    );
    assert_eq!(
        sf.line("curl -s http"),
        format!("curl -s {base}/services/data")
    );
    assert!(
        sf.line("curl -s -H")
            .contains("/services/data/v62.0/limits")
    );

    // The `sfjwt token` line works once KEY.pem is the key of the configured certificate.
    let token_line = sf.line("sfjwt token ");
    let key_file = key("rsa2048.pkcs8.pem").display().to_string();
    let args: Vec<String> = token_line
        .split_whitespace()
        .skip(2)
        .map(|word| {
            if word == "KEY.pem" {
                key_file.clone()
            } else {
                word.to_owned()
            }
        })
        .collect();
    sfjwt()
        .arg("token")
        .args(&args)
        .arg("--no-cache")
        .assert()
        .success();
}

#[test]
fn verbose_logs_each_request_with_the_refusing_rule_and_no_secret() {
    let sf = Running::start(&["--config", PRODUCTION_ORG, "-v"]);
    let base = sf.base_url();
    let token_url = format!("{base}/services/oauth2/token");
    let post = |aud: &str| {
        let assertion = assertion_with(
            "3MVG9_acme_connected_app",
            "etl@acme.com",
            aud,
            unix_now() + 120,
        );
        let response = agent()
            .post(&token_url)
            .send_form([
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .unwrap();
        (assertion, response.status().as_u16())
    };

    let (refused, status) = post("https://test.salesforce.com");
    assert_eq!(status, 400);
    assert_eq!(
        sf.next_log_line(),
        "POST /services/oauth2/token 400 invalid_grant (audience not accepted by this app kind and org)"
    );
    let (granted, status) = post("https://login.salesforce.com");
    assert_eq!(status, 200);
    let line = sf.next_log_line();
    assert_eq!(line, "POST /services/oauth2/token 200");
    let answer = agent()
        .get(format!("{base}/services/data/v62.0/limits?q=secret"))
        .header("Authorization", "Bearer not-a-live-token")
        .call()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    let line_401 = sf.next_log_line();
    assert_eq!(
        line_401,
        "GET /services/data/v62.0/limits 401 INVALID_SESSION_ID (token unknown, revoked or timed out)"
    );
    for secret in [
        refused.as_str(),
        granted.as_str(),
        "not-a-live-token",
        "secret",
    ] {
        assert!(!line.contains(secret) && !line_401.contains(secret));
    }
}
