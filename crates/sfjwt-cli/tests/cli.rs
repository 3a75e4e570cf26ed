//! End-to-end tests of the `sfjwt` binary against an in-process sfjwt-emulator: every
//! command and every exit code (0 ok, 1 invalid token, 2 local problem, 3 rejected,
//! 4 transport), plus the secrets-never-printed rule.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;
use sfjwt_emulator::Emulator;
use sfjwt_test_support::cli::{self as support, USER, key, read_key as read, sfjwt};

const CLIENT_ID: &str = "3MVG9_cli_test_consumer_key";
const PASSPHRASE: &str = "correct horse battery staple";

/// An org whose app holds `cert_pem`, with USER pre-authorized.
fn emulator_with(cert_pem: &str) -> Emulator {
    support::org_with(CLIENT_ID, cert_pem)
}

fn emulator() -> Emulator {
    emulator_with(&read("rsa2048.crt.pem"))
}

/// `sfjwt token` against `sf` with the standard identity and `key_file`.
fn token_cmd(sf: &Emulator, key_file: &Path) -> Command {
    support::token_cmd(sf.base_url(), CLIENT_ID, key_file)
}

/// `sfjwt assertion` for the test app and user, signed with the testdata key `key_name`.
fn assertion_cmd(key_name: &str) -> Command {
    let mut cmd = sfjwt();
    cmd.args(support::assertion_args(CLIENT_ID))
        .arg("--key-file")
        .arg(key(key_name));
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

// ---- exit 0: every command succeeding ------------------------------------------------------

#[test]
fn version_and_help_with_examples_for_every_command() {
    sfjwt()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("sfjwt "));
    for command in [
        "token",
        "assertion",
        "verify",
        "keygen",
        "keystore",
        "check",
        "emulate",
        "demo",
        "api",
        "logout",
        "probe",
    ] {
        sfjwt()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn token_prints_a_redacted_summary() {
    let sf = emulator();
    let out = stdout_of(&mut token_cmd(&sf, &key("rsa2048.pkcs8.pem")));
    assert!(
        out.contains(&format!("instance_url  {}", sf.base_url())),
        "{out}"
    );
    assert!(
        out.contains(&format!("org_id        {}", sf.org_id())),
        "{out}"
    );
    assert!(out.contains("scope         api"), "{out}");
    let token_line = out.lines().find(|l| l.starts_with("access_token")).unwrap();
    assert!(token_line.ends_with("…[redacted]"), "{token_line}");
    assert_eq!(sf.grant_count(), 1);
}

#[test]
fn token_json_is_one_object_with_the_token() {
    let sf = emulator();
    let out = stdout_of(token_cmd(&sf, &key("rsa2048.pkcs8.pem")).arg("--json"));
    assert_eq!(out.lines().count(), 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let token = json["access_token"].as_str().unwrap();
    assert!(token.len() > 15);
    assert_eq!(json["instance_url"], sf.base_url());
    assert_eq!(json["token_type"], "Bearer");
    // The summary mode must never print what --json does.
    let summary = stdout_of(&mut token_cmd(&sf, &key("rsa2048.pkcs8.pem")));
    assert!(!summary.contains(token));
}

#[test]
fn token_with_an_encrypted_key_via_passphrase_env() {
    let sf = emulator();
    token_cmd(&sf, &key("rsa2048.pkcs8.pbkdf2-aes256.pem"))
        .args(["--passphrase-env", "MY_KEY_PASS"])
        .env("MY_KEY_PASS", PASSPHRASE)
        .assert()
        .success()
        .stdout(predicate::str::contains("[redacted]"))
        .stdout(predicate::str::contains(PASSPHRASE).not());
}

#[test]
fn token_with_the_key_in_sfjwt_key_and_the_rest_in_env() {
    let sf = emulator();
    // As a CI secret often arrives: newlines escaped as \n, wrapped in quotes.
    let mangled = format!("\"{}\"", read("rsa2048.pkcs8.pem").replace('\n', "\\n"));
    sfjwt()
        .arg("token")
        .env("SFJWT_KEY", mangled)
        .env("SFJWT_CLIENT_ID", CLIENT_ID)
        .env("SFJWT_USERNAME", USER)
        .env("SFJWT_LOGIN_URL", sf.base_url())
        .assert()
        .success()
        .stdout(predicate::str::contains("[redacted]"));
}

#[test]
fn assertion_prints_one_jws_that_verify_accepts() {
    let out = stdout_of(&mut assertion_cmd("rsa2048.pkcs8.pem"));
    assert!(out.ends_with('\n'));
    let jws = out.trim_end();
    assert_eq!(jws.lines().count(), 1);
    assert!(jws.starts_with("eyJhbGciOiJSUzI1NiJ9."), "{jws}");
    assert_eq!(jws.split('.').count(), 3);

    // Verified from stdin with `-`, and as an argument.
    let claims = stdout_of(
        sfjwt()
            .args([
                "verify",
                "--client-id",
                CLIENT_ID,
                "--audience",
                "https://login.salesforce.com",
            ])
            .arg("--cert")
            .arg(key("rsa2048.crt.pem"))
            .arg("-")
            .write_stdin(out.clone()),
    );
    let json: serde_json::Value = serde_json::from_str(&claims).unwrap();
    assert_eq!(json["iss"], CLIENT_ID);
    assert_eq!(json["sub"], USER);
    assert_eq!(json["aud"], "https://login.salesforce.com");
    sfjwt()
        .args(["verify", "--public-key"])
        .arg(key("rsa2048.spki.pem"))
        .arg(jws)
        .assert()
        .success();
}

#[test]
fn assertion_exp_and_sandbox_audience() {
    let now = sfjwt_test_support::wire::unix_now();
    let exp = now + 120;
    let out = stdout_of(
        sfjwt()
            .args([
                "assertion",
                "--sandbox",
                "--client-id",
                CLIENT_ID,
                "--username",
                USER,
            ])
            .args(["--exp", &exp.to_string(), "--key-file"])
            .arg(key("rsa2048.pkcs1.pem")),
    );
    let claims = stdout_of(
        sfjwt()
            .args(["verify", "--cert"])
            .arg(key("rsa2048.crt.pem"))
            .args(["--now", &now.to_string()])
            .arg(out.trim()),
    );
    let json: serde_json::Value = serde_json::from_str(&claims).unwrap();
    assert_eq!(json["exp"], exp);
    assert_eq!(json["aud"], "https://test.salesforce.com");
}

#[test]
fn check_passes_a_good_pair() {
    sfjwt()
        .args([
            "check",
            "--client-id",
            CLIENT_ID,
            "--username",
            USER,
            "--key-file",
        ])
        .arg(key("rsa2048.pkcs8.pem"))
        .arg("--cert")
        .arg(key("rsa2048.crt.pem"))
        .assert()
        .success()
        .stdout(predicate::str::contains("is the certificate of the key"))
        .stdout(predicate::str::contains("no errors"));
}

#[test]
fn demo_runs_the_whole_story_offline() {
    sfjwt()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains(r#"{"alg":"RS256"}"#))
        .stdout(predicate::str::contains("-> 200 OK"))
        .stdout(predicate::str::contains("401"))
        .stdout(predicate::str::contains("INVALID_SESSION_ID"))
        .stdout(predicate::str::contains("grants so far: 2"))
        .stdout(predicate::str::contains("Done"));
}

#[test]
fn emulate_prints_a_working_token_line() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sfjwt"))
        .arg("emulate")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut token_line = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("sfjwt token ") {
            token_line = Some(rest.to_owned());
            break;
        }
    }
    let args: Vec<String> = token_line
        .expect("emulate printed no `sfjwt token` line")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let result = sfjwt().arg("token").args(&args).assert();
    // Stop the emulator with SIGTERM so it cleans up its temporary key directory.
    let status = support::terminate(&mut child).unwrap();
    result
        .success()
        .stdout(predicate::str::contains("[redacted]"));
    assert!(status.success(), "emulate exited with {status}");
}

#[test]
fn emulate_with_a_config_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(key("rsa2048.crt.pem"), dir.path().join("app.crt")).unwrap();
    let config = dir.path().join("org.toml");
    std::fs::write(
        &config,
        format!(
            "[[apps]]\nconsumer_key = \"{CLIENT_ID}\"\ncertificate = \"app.crt\"\n\n[[users]]\nusername = \"{USER}\"\n"
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sfjwt"))
        .args(["emulate", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Keep the pipe open while the emulator runs: it prints more lines after the first.
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_owned();
    let result = sfjwt()
        .args([
            "token",
            "--login-url",
            &url,
            "--client-id",
            CLIENT_ID,
            "--username",
            USER,
        ])
        .arg("--key-file")
        .arg(key("rsa2048.pkcs8.pem"))
        .assert();
    let _ = support::terminate(&mut child);
    drop(lines);
    result.success();
}

#[test]
fn emulate_an_eca_org_from_the_example_config() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sfjwt-emulator/examples/orgs/eca-spring26.toml");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sfjwt"))
        .args(["emulate", "--config"])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_owned();
    let mut audience_line = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.contains("--audience") {
            audience_line = Some(line);
            break;
        }
    }
    // The login audience (the default) is refused the way ECA orgs refuse it since Spring '26.
    let refused = sfjwt()
        .args([
            "token",
            "--login-url",
            &url,
            "--client-id",
            "3MVG9_acme_eca",
            "--username",
            "etl@acme.com",
        ])
        .arg("--key-file")
        .arg(key("rsa2048.pkcs8.pem"))
        .assert();
    let _ = support::terminate(&mut child);
    drop(lines);
    let audience_line = audience_line.expect("emulate printed no --audience line for the ECA");
    // The emulator's URL plays the org's My Domain, so the printed line says `my-domain`.
    assert!(
        audience_line.contains("--audience my-domain"),
        "{audience_line}"
    );
    refused
        .code(3)
        .stderr(predicate::str::contains("app_not_found"));
}

// ---- keygen ---------------------------------------------------------------------------------

fn openssl_accepts(args: &[&str], path: &Path) -> Option<bool> {
    match std::process::Command::new("openssl")
        .args(args)
        .arg(path)
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) => Some(out.status.success()),
        Err(_) => None,
    }
}

#[test]
fn keygen_writes_a_pair_openssl_and_the_emulator_accept() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("jwt");
    sfjwt()
        .args([
            "keygen",
            "--subject",
            "cli test",
            "--days",
            "30",
            "--out-dir",
        ])
        .arg(&out_dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("Use digital signatures"))
        .stdout(predicate::str::contains(
            "Admin approved users are pre-authorized",
        ));
    let (key_path, cert_path) = (out_dir.join("server.key"), out_dir.join("server.crt"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "server.key mode {mode:o}");
    }
    assert!(read_path(&key_path).starts_with("-----BEGIN PRIVATE KEY-----"));

    match (
        openssl_accepts(&["x509", "-noout", "-in"], &cert_path),
        openssl_accepts(&["pkey", "-noout", "-in"], &key_path),
    ) {
        (Some(x509), Some(pkey)) => {
            assert!(x509, "openssl x509 refused server.crt");
            assert!(pkey, "openssl pkey refused server.key");
        }
        _ => panic!(
            "`openssl` is not installed, so keygen's files cannot be cross-checked: run `bash .ci/setup.sh`"
        ),
    }

    // The emulator takes the certificate, and `sfjwt token` logs in with the key.
    let sf = emulator_with(&read_path(&cert_path));
    token_cmd(&sf, &key_path).assert().success();

    // check agrees, and warns that 30 days is close to expiry.
    sfjwt()
        .args([
            "check",
            "--client-id",
            CLIENT_ID,
            "--username",
            USER,
            "--key-file",
        ])
        .arg(&key_path)
        .arg("--cert")
        .arg(&cert_path)
        .assert()
        .success()
        .stdout(predicate::str::contains("expires in"));

    // Never overwritten without --force; replaced with it.
    let before = read_path(&key_path);
    sfjwt()
        .args(["keygen", "--out-dir"])
        .arg(&out_dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(read_path(&key_path), before);
    sfjwt()
        .args(["keygen", "--force", "--out-dir"])
        .arg(&out_dir)
        .assert()
        .success();
    assert_ne!(read_path(&key_path), before);
}

#[test]
fn keygen_with_a_passphrase_writes_an_encrypted_key() {
    let dir = tempfile::tempdir().unwrap();
    sfjwt()
        .args(["keygen", "--passphrase-env", "NEW_KEY_PASS", "--out-dir"])
        .arg(dir.path())
        .env("NEW_KEY_PASS", PASSPHRASE)
        .assert()
        .success()
        .stdout(predicate::str::contains(PASSPHRASE).not());
    let key_path = dir.path().join("server.key");
    assert!(read_path(&key_path).starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let sf = emulator_with(&read_path(&dir.path().join("server.crt")));
    token_cmd(&sf, &key_path)
        .args(["--passphrase-env", "NEW_KEY_PASS"])
        .env("NEW_KEY_PASS", PASSPHRASE)
        .assert()
        .success();
    if let Some(ok) = openssl_accepts(
        &[
            "pkey",
            "-noout",
            "-passin",
            &format!("pass:{PASSPHRASE}"),
            "-in",
        ],
        &key_path,
    ) {
        assert!(ok, "openssl pkey could not decrypt server.key");
    }
}

fn read_path(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

// ---- exit 1: verify found the token invalid --------------------------------------------------

#[test]
fn verify_exits_1_on_a_bad_token() {
    sfjwt()
        .args(["verify", "--cert"])
        .arg(key("rsa2048.crt.pem"))
        .arg("not.a.jwt")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the token is invalid"))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn verify_exits_1_on_a_token_signed_by_another_key_or_expired() {
    let jws = stdout_of(&mut assertion_cmd("other2048.pkcs8.pem"));
    sfjwt()
        .args(["verify", "--cert"])
        .arg(key("rsa2048.crt.pem"))
        .arg(jws.trim())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("signed by another key"));
    sfjwt()
        .args(["verify", "--now", "4102444800", "--cert"])
        .arg(key("other2048.crt.pem"))
        .arg(jws.trim())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("expired"));
    sfjwt()
        .args(["verify", "--client-id", "3MVG9_someone_else", "--cert"])
        .arg(key("other2048.crt.pem"))
        .arg(jws.trim())
        .assert()
        .code(1);
}

// ---- exit 2: usage or local problem ----------------------------------------------------------

#[test]
fn bad_flags_exit_2() {
    sfjwt().args(["token", "--bogus"]).assert().code(2);
    sfjwt().args(["keygen", "--bits", "1024"]).assert().code(2);
    sfjwt().arg("no-such-command").assert().code(2);
    sfjwt()
        .args(["verify", "token-without-key"])
        .assert()
        .code(2);
    sfjwt()
        .args(["assertion", "--exp", "1", "--lifetime", "60"])
        .assert()
        .code(2);
    sfjwt().assert().code(2);
}

#[test]
fn token_exits_2_on_an_unreadable_or_unusable_key() {
    let sf = emulator();
    token_cmd(&sf, Path::new("/nonexistent/server.key"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"))
        .stderr(predicate::str::contains("hint:"));
    // A certificate where the key belongs.
    token_cmd(&sf, &key("rsa2048.crt.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("certificate"));
    // No key at all.
    sfjwt()
        .args([
            "token",
            "--login-url",
            sf.base_url(),
            "--client-id",
            CLIENT_ID,
            "--username",
            USER,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no private key"));
    assert_eq!(sf.grant_count(), 0);
}

#[test]
fn encrypted_key_without_passphrase_and_no_terminal_exits_2() {
    let sf = emulator();
    token_cmd(&sf, &key("rsa2048.pkcs8.pbkdf2-aes256.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("encrypted"))
        .stderr(predicate::str::contains("--passphrase-env"));
    token_cmd(&sf, &key("rsa2048.pkcs8.pbkdf2-aes256.pem"))
        .args(["--passphrase-env", "UNSET_VARIABLE_FOR_SFJWT_TEST"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not set"));
    token_cmd(&sf, &key("rsa2048.pkcs8.pbkdf2-aes256.pem"))
        .args(["--passphrase-env", "WRONG_PASS"])
        .env("WRONG_PASS", "wrong")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("passphrase"))
        .stderr(predicate::str::contains("wrong").not());
}

#[test]
fn token_refuses_plain_http_to_a_non_loopback_host_with_exit_2() {
    sfjwt()
        .args([
            "token",
            "--login-url",
            "http://login.salesforce.com",
            "--client-id",
            CLIENT_ID,
        ])
        .args(["--username", USER, "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plain http"))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn invalid_claims_exit_2() {
    // A Lightning URL as audience: copied from the browser's address bar.
    sfjwt()
        .args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args([
            "--audience",
            "https://acme.lightning.force.com",
            "--key-file",
        ])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("audience"))
        .stderr(predicate::str::contains("https://acme.my.salesforce.com"));
    // Milliseconds for exp.
    sfjwt()
        .args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args(["--exp", "1700000000000", "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("milliseconds"));
    // No username.
    sfjwt()
        .args(["assertion", "--client-id", CLIENT_ID, "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--username"));
}

#[test]
fn check_catches_a_mismatched_certificate() {
    sfjwt()
        .args([
            "check",
            "--client-id",
            CLIENT_ID,
            "--username",
            USER,
            "--key-file",
        ])
        .arg(key("rsa2048.pkcs8.pem"))
        .arg("--cert")
        .arg(key("other2048.crt.pem"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("NOT the certificate of this key"))
        .stdout(predicate::str::contains("invalid assertion"));
}

#[test]
fn check_catches_expired_certificates_audience_and_whitespace() {
    sfjwt()
        .args(["check", "--client-id", " 3MVG9_padded", "--username", USER])
        .args(["--login-url", "https://acme--dev.sandbox.my.salesforce.com"])
        .args(["--audience", "https://login.salesforce.com", "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .arg("--cert")
        .arg(key("expired.crt.pem"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("expired on"))
        .stdout(predicate::str::contains("white space"))
        .stdout(predicate::str::contains(
            "sandboxes need https://test.salesforce.com",
        ));
    sfjwt()
        .args([
            "check",
            "--audience",
            "https://na123.salesforce.com",
            "--key-file",
        ])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("My Domain"));
    sfjwt()
        .args(["check", "--login-url", "http://10.1.2.3", "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("plain http"));
}

#[test]
fn verify_exits_2_on_an_unusable_certificate() {
    sfjwt()
        .args(["verify", "--cert", "/nonexistent.crt", "a.b.c"])
        .assert()
        .code(2);
    sfjwt()
        .args(["verify", "--cert"])
        .arg(key("rsa2048.pkcs8.pem"))
        .arg("a.b.c")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("private key"));
}

// ---- exit 3: Salesforce rejected the request -------------------------------------------------

#[test]
fn token_exits_3_on_an_unknown_client_id_with_code_description_and_hint() {
    let sf = emulator();
    sfjwt()
        .args([
            "token",
            "--login-url",
            sf.base_url(),
            "--client-id",
            "3MVG9_unknown",
        ])
        .args(["--username", USER, "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("invalid_client_id"))
        .stderr(predicate::str::contains("client identifier invalid"))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn token_exits_3_for_a_user_not_pre_authorized_and_a_wrong_key() {
    let sf = emulator();
    sfjwt()
        .args([
            "token",
            "--login-url",
            sf.base_url(),
            "--client-id",
            CLIENT_ID,
        ])
        .args(["--username", "someone.else@acme.com", "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "user hasn't approved this consumer",
        ))
        .stderr(predicate::str::contains("pre-authorized"));
    token_cmd(&sf, &key("other2048.pkcs8.pem"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("invalid assertion"));
}

// ---- exit 4: transport or response problem ---------------------------------------------------

#[test]
fn token_exits_4_on_a_closed_port() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    sfjwt()
        .args(["token", "--retries", "0", "--timeout", "5"])
        .args(["--login-url", &format!("http://127.0.0.1:{port}")])
        .args(["--client-id", CLIENT_ID, "--username", USER, "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(4)
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn token_exits_4_on_an_html_answer() {
    let sf = emulator();
    sf.inject_fault(sfjwt_emulator::Fault::HtmlPage, 1);
    token_cmd(&sf, &key("rsa2048.pkcs8.pem"))
        .args(["--retries", "0"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("HTML"));
}

// ---- secrets ---------------------------------------------------------------------------------

#[test]
fn a_broken_key_in_sfjwt_key_is_not_echoed() {
    let pem = read("rsa2048.pkcs8.pem");
    let body_line = pem.lines().nth(3).unwrap().to_owned();
    // Cut short: the END line is missing.
    let truncated: String = pem.lines().take(10).collect::<Vec<_>>().join("\n");
    sfjwt()
        .args(["token", "--client-id", CLIENT_ID, "--username", USER])
        .env("SFJWT_KEY", truncated)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SFJWT_KEY"))
        .stderr(predicate::str::contains(body_line.as_str()).not());
}
