//! Outside strings on the way to a terminal: `sfjwt api` JSON shown on a real terminal (a pty,
//! through util-linux `script`), a KMS endpoint answering with escape sequences and 50 MB,
//! and PIN sources that never end or are not files. Each must end inert, bounded and with
//! the documented exit code.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]
#![cfg(unix)]

use std::process::{Command, Stdio};

use sfjwt_test_support::canned::answering;
#[cfg(feature = "pkcs11")]
use sfjwt_test_support::cli as support;
#[cfg(feature = "aws-kms")]
use sfjwt_test_support::cli::sfjwt_std;
use sfjwt_test_support::cli::{CLIENT_ID, INHERITED, Org, USER, key, token_json};
#[cfg(feature = "pkcs11")]
use sfjwt_test_support::softhsm;

/// Characters a terminal acts on or that hide text: C1 CSI, DEL, ESC, BEL, RLO, LRI.
const HOSTILE: [char; 6] = [
    '\u{9b}', '\u{7f}', '\u{1b}', '\u{7}', '\u{202e}', '\u{2066}',
];

fn raw_hostile(text: &str) -> Vec<char> {
    text.chars().filter(|c| HOSTILE.contains(c)).collect()
}

/// An org whose cached token (written by this user, as `sfjwt token` would) names `instance`
/// as its instance: `sfjwt api` sends its requests there.
fn org_with_instance(instance: &str) -> Org {
    let org = Org::new();
    token_json(&mut org.sfjwt(&["token", "--json"]));
    let file = org.entry_files().into_iter().next().unwrap();
    let mut entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    entry["token"]["instance_url"] = instance.into();
    std::fs::write(&file, entry.to_string()).unwrap();
    org
}

#[test]
fn api_json_with_c1_del_and_bidi_controls_is_escaped_on_a_terminal_and_exact_in_a_pipe() {
    let body = "{\"Name\":\"a\u{9b}31mb\u{202e}txt.exe\u{7f}\u{2066}c\",\"n\":1}";
    let instance = answering(200, "application/json", body.as_bytes().to_vec());
    let org = org_with_instance(&instance);

    // A real terminal: `script` runs the command on a pty and copies what it shows.
    let program = assert_cmd::cargo::cargo_bin("sfjwt");
    let line = format!(
        "'{}' api /services/data/v62.0/sobjects/Account/001 --login-url '{}' --client-id '{CLIENT_ID}' --username '{USER}' --key-file '{}'",
        program.display(),
        org.sf.base_url(),
        key("rsa2048.pkcs8.pem").display()
    );
    let mut script = Command::new("script");
    script.args(["-qec", &line, "/dev/null"]);
    for var in INHERITED {
        script.env_remove(var);
    }
    let out = script
        .env("XDG_CACHE_HOME", org.cache_home.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run `script` ({e}).\nFix: apt-get install util-linux"));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{shown}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("\"Name\""), "not the pretty JSON: {shown:?}");
    assert_eq!(raw_hostile(&shown), Vec::<char>::new(), "{shown:?}");
    for escape in ["\\u009b", "\\u202e", "\\u007f", "\\u2066"] {
        assert!(shown.contains(escape), "{escape} missing: {shown:?}");
    }

    // A pipe (and --raw on a terminal) gets the exact bytes.
    let mut piped = org.sfjwt(&["api", "/services/data/v62.0/sobjects/Account/001"]);
    let out = piped.output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, body.as_bytes());
    let raw_line = format!("{line} --raw");
    let out = Command::new("script")
        .args(["-qec", &raw_line, "/dev/null"])
        .env("XDG_CACHE_HOME", org.cache_home.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains('\u{202e}'),
        "--raw keeps the bytes: {shown:?}"
    );
}

#[cfg(feature = "aws-kms")]
#[test]
fn a_kms_error_with_escape_sequences_and_50_mb_stays_inert_and_short() {
    let mut message = String::from("denied \u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}evil ");
    message.push_str(&"A".repeat(50 * 1024 * 1024));
    let body = serde_json::json!({"__type": "AccessDeniedException", "message": message});
    let endpoint = answering(
        400,
        "application/x-amz-json-1.1",
        serde_json::to_vec(&body).unwrap(),
    );
    let out = sfjwt_std()
        .args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args(["--key", "awskms:alias/sfjwt-test"])
        .env("AWS_ENDPOINT_URL_KMS", &endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "not-a-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        err.chars().take(2000).collect::<String>()
    );
    assert!(
        out.stderr.len() < 8 * 1024,
        "{} bytes on stderr",
        out.stderr.len()
    );
    assert!(err.contains("denied"), "{err}");
    assert!(err.contains("bytes omitted"), "{err}");
    assert!(
        !err.chars().any(|c| c.is_control() && c != '\n') && raw_hostile(&err).is_empty(),
        "{err:?}"
    );
}

#[cfg(feature = "pkcs11")]
#[test]
fn pin_sources_that_are_not_pin_files_and_relative_modules_exit_2() {
    let token = softhsm::Token::new();
    token.import("keys/rsa2048.pkcs8.pem", "jwt", "01");
    let module = softhsm::module_path();
    let assertion = |uri: &str| {
        // RLIMIT_DATA 64 MiB: reading /dev/zero to the end (or to a 1 GB string) would fail
        // to allocate long before it finished.
        let mut cmd = Command::new("prlimit");
        cmd.arg("--data=67108864")
            .arg("--")
            .arg(assert_cmd::cargo::cargo_bin("sfjwt"))
            .args(support::assertion_args(CLIENT_ID))
            .args(["--key", uri])
            .env("SOFTHSM2_CONF", token.conf())
            .stdin(Stdio::null());
        for var in INHERITED {
            cmd.env_remove(var);
        }
        let out = cmd.output().unwrap_or_else(|e| {
            panic!("cannot run prlimit ({e}).\nFix: apt-get install util-linux")
        });
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let base = format!(
        "pkcs11:token={};object=jwt?module-path={}",
        softhsm::TOKEN,
        module.display()
    );
    let fifo = tempfile::tempdir().unwrap();
    let fifo = fifo.path().join("pin");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for source in ["/dev/zero", "/dev/null", fifo.to_str().unwrap()] {
        let (code, err) = assertion(&format!("{base}&pin-source=file:{source}"));
        assert_eq!(code, Some(2), "{source}: {err}");
        assert!(
            err.contains(source) && err.contains("regular file"),
            "{source}: {err}"
        );
    }
    // RFC 7512: module-path is absolute; a relative one would load from the current directory.
    let (code, err) = assertion(&format!(
        "pkcs11:token={};object=jwt?module-path=libsofthsm2.so&pin-value=1234",
        softhsm::TOKEN
    ));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("RFC 7512") && err.contains("absolute"),
        "{err}"
    );
    assert!(!err.contains("1234"), "{err}");
}
