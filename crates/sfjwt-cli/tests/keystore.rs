//! `sfjwt keystore` and `sfjwt keygen --keystore`, checked by the JDK's own `keytool` (the
//! reader Salesforce's import is built on) and by `openssl`: every keystore written here is
//! listed by `keytool -list -v -storetype JKS`, exported by `keytool` to PKCS#12 and opened by
//! `openssl pkcs12`, which must give back the very key we started from.
//!
//! `keytool` and `openssl` come from `.ci/setup.sh` (Debian `default-jdk-headless`,
//! `openssl`); when missing, the tests fail with that command rather than skip.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Command as Process, Output, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;
use sfjwt_test_support::cli::{self as support, key};

const PASSPHRASE: &str = "correct horse battery staple";
const STORE_PASSWORD: &str = "store-pass-1";
const PASSWORD_VAR: &str = "SFJWT_TEST_KS_PASS";

/// The binary with no SFJWT_* variables inherited from the developer's shell, and the
/// keystore password in PASSWORD_VAR.
fn sfjwt() -> Command {
    let mut cmd = support::sfjwt();
    cmd.env(PASSWORD_VAR, STORE_PASSWORD)
        // Not a terminal: an encrypted key without --passphrase-env must fail, not prompt.
        .write_stdin("");
    cmd
}

/// Runs a tool the tests depend on; a missing tool fails with the command that installs it.
fn tool(name: &str, args: &[&str]) -> Output {
    match Process::new(name).args(args).stdin(Stdio::null()).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run `{name}` ({e}): the keystore tests need keytool (JDK) and openssl; install them with `bash .ci/setup.sh`"
        ),
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The certificate's SHA-256 fingerprint as openssl computes it (`AB:CD:…`).
fn openssl_fingerprint(cert: &Path) -> String {
    let out = tool(
        "openssl",
        &[
            "x509",
            "-noout",
            "-fingerprint",
            "-sha256",
            "-in",
            path_str(cert),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let line = String::from_utf8(out.stdout).unwrap();
    line.trim().split_once('=').unwrap().1.to_owned()
}

/// `keytool -list -v`: exactly one PrivateKeyEntry under `alias` whose first certificate has
/// `fingerprint`; returns the listing.
fn assert_keytool_lists(jks: &Path, alias: &str, fingerprint: &str, chain_len: usize) -> String {
    let out = tool(
        "keytool",
        &[
            "-list",
            "-v",
            "-storetype",
            "JKS",
            "-keystore",
            path_str(jks),
            "-storepass",
            STORE_PASSWORD,
        ],
    );
    let listing = text(&out);
    assert!(out.status.success(), "keytool -list failed:\n{listing}");
    assert!(listing.contains("Keystore type: JKS"), "{listing}");
    assert!(
        listing.contains("Your keystore contains 1 entry"),
        "{listing}"
    );
    assert!(
        listing.contains(&format!("Alias name: {alias}\n")),
        "{listing}"
    );
    assert_eq!(
        listing.matches("Entry type: PrivateKeyEntry").count(),
        1,
        "{listing}"
    );
    assert!(
        listing.contains(&format!("Certificate chain length: {chain_len}\n")),
        "{listing}"
    );
    let first = listing.split("Certificate[2]").next().unwrap();
    assert!(
        first.contains(&format!("SHA256: {fingerprint}\n")),
        "{listing}"
    );
    // Without -storetype too: keytool recognises the file as JKS by its magic number.
    let out = tool(
        "keytool",
        &[
            "-list",
            "-keystore",
            path_str(jks),
            "-storepass",
            STORE_PASSWORD,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Keystore type: JKS"), "{}", text(&out));
    listing
}

/// The `modulus:` and `privateExponent:` blocks of `openssl rsa -noout -text`.
fn modulus_and_private_exponent(rsa_text: &str) -> (String, String) {
    let block = |name: &str| {
        let start = rsa_text
            .find(&format!("\n{name}:"))
            .unwrap_or_else(|| panic!("no {name} in:\n{rsa_text}"));
        rsa_text[start + name.len() + 2..]
            .lines()
            .skip(1)
            .take_while(|line| line.starts_with(' '))
            .collect::<String>()
    };
    (block("modulus"), block("privateExponent"))
}

fn openssl_rsa_text(key_file: &Path, passphrase: Option<&str>) -> String {
    let pass = format!("pass:{}", passphrase.unwrap_or(""));
    let out = tool(
        "openssl",
        &[
            "rsa",
            "-noout",
            "-text",
            "-in",
            path_str(key_file),
            "-passin",
            &pass,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// keytool converts the JKS to PKCS#12; openssl reads the key out of that; it must be the
/// original key (same modulus and private exponent).
fn assert_keytool_export_gives_back(jks: &Path, original: &Path, passphrase: Option<&str>) {
    let p12 = jks.with_extension("p12");
    let out = tool(
        "keytool",
        &[
            "-importkeystore",
            "-noprompt",
            "-srcstoretype",
            "JKS",
            "-srckeystore",
            path_str(jks),
            "-srcstorepass",
            STORE_PASSWORD,
            "-deststoretype",
            "PKCS12",
            "-destkeystore",
            path_str(&p12),
            "-deststorepass",
            STORE_PASSWORD,
        ],
    );
    assert!(
        out.status.success(),
        "keytool -importkeystore failed:\n{}",
        text(&out)
    );
    let pem = jks.with_extension("exported.pem");
    let out = tool(
        "openssl",
        &[
            "pkcs12",
            "-in",
            path_str(&p12),
            "-passin",
            &format!("pass:{STORE_PASSWORD}"),
            "-nocerts",
            "-nodes",
            "-out",
            path_str(&pem),
        ],
    );
    assert!(
        out.status.success(),
        "openssl pkcs12 failed:\n{}",
        text(&out)
    );
    let exported = modulus_and_private_exponent(&openssl_rsa_text(&pem, None));
    let original = modulus_and_private_exponent(&openssl_rsa_text(original, passphrase));
    assert!(exported.0.len() > 500, "modulus: {}", exported.0);
    assert_eq!(
        exported, original,
        "the key in the keystore is not the original key"
    );
}

fn keystore_cmd(key_file: &Path, cert: &Path, out: &Path, alias: &str) -> Command {
    let mut cmd = sfjwt();
    cmd.arg("keystore")
        .arg("--key-file")
        .arg(key_file)
        .arg("--cert")
        .arg(cert)
        .arg("--out")
        .arg(out)
        .args(["--alias", alias, "--password-env", PASSWORD_VAR]);
    cmd
}

/// Writes a keystore from `key_name` + `cert_name`, then checks it with keytool and openssl.
fn round_trip(key_name: &str, cert_name: &str, passphrase: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let jks = dir.path().join("server.jks");
    let mut cmd = keystore_cmd(&key(key_name), &key(cert_name), &jks, "org_to_org");
    if let Some(passphrase) = passphrase {
        cmd.env("SFJWT_TEST_KEY_PASS", passphrase)
            .args(["--passphrase-env", "SFJWT_TEST_KEY_PASS"]);
    }
    let fingerprint = openssl_fingerprint(&key(cert_name));
    cmd.assert()
        .success()
        .stdout(predicate::str::contains(format!("SHA-256 {fingerprint}")))
        .stdout(predicate::str::contains("new Auth.JWS(jwt, 'org_to_org')"))
        .stdout(predicate::str::contains("Import from Keystore"))
        .stdout(predicate::str::contains(STORE_PASSWORD).not());
    assert_eq!(
        std::fs::read(&jks).unwrap()[..8],
        [0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&jks).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_keytool_lists(&jks, "org_to_org", &fingerprint, 1);
    assert_keytool_export_gives_back(&jks, &key(key_name), passphrase);
}

// ---- keystores keytool reads back ----------------------------------------------------------

#[test]
fn pkcs8_2048_key() {
    round_trip("rsa2048.pkcs8.pem", "rsa2048.crt.pem", None);
}

#[test]
fn pkcs1_3072_key_and_der_certificate() {
    round_trip("rsa3072.pkcs1.pem", "rsa3072.crt.der", None);
}

#[test]
fn der_4096_key() {
    round_trip("rsa4096.pkcs8.der", "rsa4096.crt.pem", None);
}

#[test]
fn encrypted_pkcs8_key_with_passphrase_env() {
    round_trip(
        "rsa2048.pkcs8.pbkdf2-aes256.pem",
        "rsa2048.crt.pem",
        Some(PASSPHRASE),
    );
}

#[test]
fn legacy_des3_encrypted_key_with_passphrase_env() {
    round_trip(
        "rsa2048.legacy-des3.pem",
        "rsa2048.crt.pem",
        Some(PASSPHRASE),
    );
}

#[test]
fn a_pem_chain_is_kept_leaf_first() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.pem");
    let leaf = std::fs::read_to_string(key("rsa2048.crt.pem")).unwrap();
    let issuer = std::fs::read_to_string(key("rsa3072.crt.pem")).unwrap();
    std::fs::write(&chain, format!("{leaf}{issuer}")).unwrap();
    let jks = dir.path().join("chain.jks");
    keystore_cmd(&key("rsa2048.pkcs8.pem"), &chain, &jks, "with_chain")
        .assert()
        .success()
        .stdout(predicate::str::contains("a chain of 2 certificates"));
    let listing = assert_keytool_lists(
        &jks,
        "with_chain",
        &openssl_fingerprint(&key("rsa2048.crt.pem")),
        2,
    );
    assert!(listing.contains("Certificate[2]:"), "{listing}");
}

#[test]
fn keygen_writes_key_certificate_and_keystore() {
    let dir = tempfile::tempdir().unwrap();
    let jks = dir.path().join("out.jks");
    sfjwt()
        .env("SFJWT_TEST_KEY_PASS", PASSPHRASE)
        .args([
            "keygen",
            "--passphrase-env",
            "SFJWT_TEST_KEY_PASS",
            "--out-dir",
        ])
        .arg(dir.path())
        .arg("--keystore")
        .arg(&jks)
        .args(["--alias", "from_keygen", "--password-env", PASSWORD_VAR])
        .assert()
        .success()
        .stdout(predicate::str::contains("Use digital signatures"))
        .stdout(predicate::str::contains("new Auth.JWS(jwt, 'from_keygen')"));
    let cert = dir.path().join("server.crt");
    assert_keytool_lists(&jks, "from_keygen", &openssl_fingerprint(&cert), 1);
    assert_keytool_export_gives_back(&jks, &dir.path().join("server.key"), Some(PASSPHRASE));
}

// ---- refusals: exit 2, a message with the fix, no file left behind -------------------------

/// Runs `cmd` in a fresh directory expecting exit 2 with `expected` in stderr, and checks
/// the directory holds nothing afterwards.
fn assert_refused_leaving_nothing(mut cmd: Command, dir: &Path, expected: &str) {
    let out = cmd.assert().code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in:\n{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
    assert!(!stderr.contains(STORE_PASSWORD), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

#[test]
fn bad_aliases_are_refused_with_a_valid_name() {
    for (alias, expected) in [
        ("1", "use --alias cert_1:"),
        ("My Cert", "use --alias my_cert:"),
        ("OrgToOrg", "use --alias orgtoorg:"),
        ("org__to", "two underscores in a row"),
        ("org_", "must not end with an underscore"),
        ("org-to-org", "use --alias org_to_org:"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let cmd = keystore_cmd(
            &key("rsa2048.pkcs8.pem"),
            &key("rsa2048.crt.pem"),
            &dir.path().join("server.jks"),
            alias,
        );
        assert_refused_leaving_nothing(cmd, dir.path(), expected);
    }
}

#[test]
fn short_or_missing_passwords_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = keystore_cmd(
        &key("rsa2048.pkcs8.pem"),
        &key("rsa2048.crt.pem"),
        &dir.path().join("server.jks"),
        "org_to_org",
    );
    cmd.env(PASSWORD_VAR, "12345");
    assert_refused_leaving_nothing(cmd, dir.path(), "has 5 character(s)");

    let mut cmd = keystore_cmd(
        &key("rsa2048.pkcs8.pem"),
        &key("rsa2048.crt.pem"),
        &dir.path().join("server.jks"),
        "org_to_org",
    );
    cmd.env_remove(PASSWORD_VAR);
    assert_refused_leaving_nothing(cmd, dir.path(), "is not set");
}

#[test]
fn a_key_and_certificate_that_are_not_a_pair_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = keystore_cmd(
        &key("rsa2048.pkcs8.pem"),
        &key("other2048.crt.pem"),
        &dir.path().join("server.jks"),
        "org_to_org",
    );
    assert_refused_leaving_nothing(cmd, dir.path(), "are not a pair");
}

#[test]
fn expired_certificates_and_unimportable_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("server.jks");
    let cmd = keystore_cmd(
        &key("rsa2048.pkcs8.pem"),
        &key("expired.crt.pem"),
        &out,
        "a",
    );
    assert_refused_leaving_nothing(cmd, dir.path(), "expired on 2021-01-01");
    let cmd = keystore_cmd(
        &key("rsa1024.pkcs8.pem"),
        &key("rsa2048.crt.pem"),
        &out,
        "a",
    );
    assert_refused_leaving_nothing(cmd, dir.path(), "1024");
    let cmd = keystore_cmd(
        &key("ec-p256.pkcs8.pem"),
        &key("rsa2048.crt.pem"),
        &out,
        "a",
    );
    assert_refused_leaving_nothing(cmd, dir.path(), "RSA");
    let cmd = keystore_cmd(
        &key("rsa2048.pkcs8.pem"),
        &key("rsa2048.pkcs8.pem"),
        &out,
        "a",
    );
    assert_refused_leaving_nothing(cmd, dir.path(), "private key");
    // An encrypted key, no passphrase and no terminal: said, not prompted.
    let cmd = keystore_cmd(
        &key("rsa2048.legacy-des3.pem"),
        &key("rsa2048.crt.pem"),
        &out,
        "a",
    );
    assert_refused_leaving_nothing(cmd, dir.path(), "--passphrase-env");
}

#[test]
fn an_existing_keystore_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("server.jks");
    std::fs::write(&out, b"precious").unwrap();
    keystore_cmd(
        &key("rsa2048.pkcs8.pem"),
        &key("rsa2048.crt.pem"),
        &out,
        "org_to_org",
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn keygen_with_a_bad_keystore_alias_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sfjwt();
    cmd.args(["keygen", "--out-dir"])
        .arg(dir.path())
        .arg("--keystore")
        .arg(dir.path().join("server.jks"))
        .args(["--alias", "1", "--password-env", PASSWORD_VAR]);
    assert_refused_leaving_nothing(cmd, dir.path(), "use --alias cert_1:");
    // --alias without --keystore is a usage error (clap, exit 2).
    sfjwt()
        .args(["keygen", "--alias", "x", "--out-dir"])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn a_vault_key_cannot_be_exported() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = keystore_cmd(
        Path::new("pkcs11:token=sfjwt;object=jwt-key"),
        &key("rsa2048.crt.pem"),
        &dir.path().join("server.jks"),
        "org_to_org",
    );
    assert_refused_leaving_nothing(cmd, dir.path(), "cannot be exported");
}

#[test]
fn a_non_ascii_password_is_hashed_as_java_does() {
    // Java hashes a password as UTF-16 code units: é, € and an emoji (a surrogate pair) must
    // open the store (integrity hash) and the key (key protector) in keytool.
    let password = "pässwörd€😀";
    let dir = tempfile::tempdir().unwrap();
    let jks = dir.path().join("utf.jks");
    keystore_cmd(
        &key("rsa2048.pkcs8.pem"),
        &key("rsa2048.crt.pem"),
        &jks,
        "utf",
    )
    .env(PASSWORD_VAR, password)
    .assert()
    .success();
    let keytool = |args: &[&str]| {
        let out = Process::new("keytool")
            .args(args)
            .env("LC_ALL", "C.UTF-8")
            .env("SFJWT_TEST_UTF_PASS", password)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run keytool ({e}): run `bash .ci/setup.sh`"));
        assert!(out.status.success(), "keytool {args:?}:\n{}", text(&out));
    };
    keytool(&[
        "-list",
        "-storetype",
        "JKS",
        "-keystore",
        path_str(&jks),
        "-storepass:env",
        "SFJWT_TEST_UTF_PASS",
    ]);
    let p12 = dir.path().join("utf.p12");
    keytool(&[
        "-importkeystore",
        "-noprompt",
        "-srcstoretype",
        "JKS",
        "-srckeystore",
        path_str(&jks),
        "-srcstorepass:env",
        "SFJWT_TEST_UTF_PASS",
        "-deststoretype",
        "PKCS12",
        "-destkeystore",
        path_str(&p12),
        "-deststorepass",
        STORE_PASSWORD,
    ]);
}
