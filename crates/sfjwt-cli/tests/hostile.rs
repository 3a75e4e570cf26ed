//! The `sfjwt` binary facing hostile input: a token endpoint answering with terminal escape
//! sequences and a 200 KB description, files that never end (`/dev/zero`), a key readable by
//! others, a proxy in the environment. Each must end in a short, inert message, bounded
//! memory, and the documented exit code.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::net::TcpListener;
use std::path::Path;

use assert_cmd::Command;
use sfjwt_test_support::canned::answering;
use sfjwt_test_support::cli::{self as support, key, sfjwt};

const CLIENT_ID: &str = "3MVG9_cli_test_consumer_key";

fn token_cmd(login_url: &str, key_file: &Path) -> Command {
    let mut cmd = support::token_cmd(login_url, CLIENT_ID, key_file);
    cmd.args(["--retries", "0"]);
    cmd
}

/// A "token endpoint" on loopback answering every request with `status` and the JSON `body`;
/// returns its URL.
fn hostile_endpoint(status: u16, body: String) -> String {
    answering(status, "application/json", body.into_bytes())
}

/// What an attacker in the token endpoint's place would send to a terminal: clear screen,
/// retitle the window, ring the bell, a CSI in its one-byte C1 form, a right-to-left override,
/// and a newline followed by a forged log line.
const ESCAPES: &str = "\\u001b[2J\\u001b]0;pwned\\u0007\\u0007\\u009b31m\\u202e\\r\\n2026-01-01T00:00:00Z INFO sfjwt: token granted";

/// No control byte but the newlines that end lines, no DEL, no C1 control (UTF-8 C2 80–9F),
/// no bidirectional override.
fn assert_inert(bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        assert!(
            b >= 0x20 && b != 0x7f || b == b'\n',
            "control byte {b:#04x} at {i}"
        );
    }
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && sfjwt_core::response::is_unsafe_char(c)),
        "invisible or C1 character in {text:?}"
    );
    for line in text.lines() {
        assert!(!line.starts_with("2026-01-01"), "forged line: {line}");
    }
}

#[test]
fn an_oauth_error_with_escape_sequences_and_200_kb_stays_inert_and_short_exit_3() {
    let description = format!("{ESCAPES} {}", "A".repeat(200 * 1024));
    let body =
        format!(r#"{{"error":"invalid_grant{ESCAPES}","error_description":"{description}"}}"#);
    let url = hostile_endpoint(400, body);
    let output = token_cmd(&url, &key("rsa2048.pkcs8.pem")).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = &output.stderr;
    assert!(stderr.len() < 4096, "stderr is {} bytes", stderr.len());
    assert_inert(stderr);
    let text = String::from_utf8_lossy(stderr);
    assert!(text.contains("bytes omitted"), "{text}");
    assert!(
        text.contains("\\u{1b}[2J"),
        "escapes are shown, inert: {text}"
    );
    assert!(text.contains("hint:"), "{text}");
    assert!(output.stdout.is_empty());
}

#[test]
fn success_fields_with_escapes_are_refused_exit_4() {
    let ok = sfjwt_test_support::fake::token_json_with;
    for (field, value) in [
        ("token_type", "Bearer\u{1b}[2J"),
        ("scope", "api\nINFO forged"),
        (
            "instance_url",
            "https://acme.my.salesforce.com/\u{1b}]0;x\u{7}",
        ),
        ("id", "\u{1b}[2J"),
    ] {
        let url = hostile_endpoint(200, ok(field, value));
        let output = token_cmd(&url, &key("rsa2048.pkcs8.pem")).output().unwrap();
        assert_eq!(output.status.code(), Some(4), "{field}: {output:?}");
        assert_inert(&output.stderr);
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(field),
            "{field}: {output:?}"
        );
    }
}

#[test]
fn json_output_keeps_full_values_escaped() {
    let body = serde_json::json!({
        "access_token": "00D000000000001!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxLAQcAQH0dMHZfz972Sz",
        "instance_url": "https://acme.my.salesforce.com",
        "id": "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
        "token_type": "Bearer",
        "scope": "api",
        "sfdc_note": format!("x\u{1b}[2J\u{9b}31m\u{202e}{}", "y".repeat(5000)),
    })
    .to_string();
    let url = hostile_endpoint(200, body);
    let output = token_cmd(&url, &key("rsa2048.pkcs8.pem"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_inert(&output.stdout);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["sfdc_note"],
        format!("x\u{1b}[2J\u{9b}31m\u{202e}{}", "y".repeat(5000))
    );
}

/// Every file argument, given `/dev/zero` (endless, and its length reads as 0): refused with
/// the cap in the message, exit 2. Without a cap each of these grew to gigabytes.
#[test]
fn dev_zero_as_every_file_argument_is_refused_with_the_cap() {
    let zero = "/dev/zero";
    let good_key = key("rsa2048.pkcs8.pem");
    let good_cert = key("rsa2048.crt.pem");
    let good_key = good_key.to_str().unwrap();
    let id = support::assertion_args(CLIENT_ID);
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "--key-file", zero],
        vec!["check", "--key-file", good_key, "--cert", zero],
        vec!["verify", "--cert", zero, "x.y.z"],
        vec!["verify", "--public-key", zero, "x.y.z"],
        [&id[..], &["--key-file", zero]].concat(),
        // `token`: the same identity, a login URL nothing listens on.
        [
            &["token"],
            &id[1..],
            &["--key-file", zero, "--login-url", "http://127.0.0.1:9"],
        ]
        .concat(),
    ];
    for args in cases {
        let output = sfjwt().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        // `check` reports findings on stdout and exits 2 when one is an error.
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}{stdout}");
        assert!(
            format!("{stderr}{stdout}").contains("larger than 1024 KiB"),
            "{args:?}: {stderr}{stdout}"
        );
    }
    // The token on standard input.
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("sfjwt"))
        .args(["verify", "--cert"])
        .arg(&good_cert)
        .arg("-")
        .stdin(std::fs::File::open(zero).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("more than 64 KiB"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn token_and_assertion_warn_once_about_a_key_others_can_read() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.key");
    std::fs::copy(key("rsa2048.pkcs8.pem"), &path).unwrap();
    let assertion = |path: &Path| {
        let mut cmd = sfjwt();
        cmd.args(support::assertion_args(CLIENT_ID))
            .arg("--key-file")
            .arg(path);
        cmd.output().unwrap()
    };

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = assertion(&path);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("warning: "), "{stderr}");
    assert!(
        stderr.contains("644") && stderr.contains("chmod 600"),
        "{stderr}"
    );

    let sf = support::org_with(CLIENT_ID, &support::read_key("rsa2048.crt.pem"));
    let output = token_cmd(sf.base_url(), &path).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("warning: "));

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = assertion(&path);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "{output:?}");
}

/// With every proxy variable pointing at a listener, `sfjwt token` to a loopback emulator
/// still succeeds and the listener sees no connection: the assertion never reaches a proxy.
#[test]
fn proxy_variables_never_see_a_loopback_request() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let sf = support::org_with(CLIENT_ID, &support::read_key("rsa2048.crt.pem"));
    let mut cmd = token_cmd(sf.base_url(), &key("rsa2048.pkcs8.pem"));
    for var in [
        "ALL_PROXY",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "all_proxy",
        "http_proxy",
    ] {
        cmd.env(var, &proxy_url);
    }
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(sf.grant_count(), 1);
    // Had the request gone to the proxy, its connection would be waiting in the backlog now.
    proxy.set_nonblocking(true).unwrap();
    assert!(
        matches!(proxy.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the proxy received a connection"
    );
}
