//! The External Client App as code through the binary: `sfjwt eca new` writes the folder (or
//! refuses with exit 2 and writes nothing), `sfjwt emulate --eca` plays the org it describes
//! and `sfjwt token` is granted there, and `sfjwt check --eca` cross-checks it with the key.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use predicates::prelude::*;
use sfjwt_test_support::cli::{self as support, key, sfjwt, sfjwt_std};

const CLIENT_ID: &str = "3MVG9_local_eca_key";
const ETL: &str = "etl@acme.com";

/// `sfjwt eca new acme_etl --cert rsa2048.crt.pem --out DIR/acme-eca`, asserted to succeed.
fn eca_new(dir: &Path) -> PathBuf {
    let out = dir.join("acme-eca");
    sfjwt()
        .args(["eca", "new", "acme_etl", "--cert"])
        .arg(key("rsa2048.crt.pem"))
        .arg("--out")
        .arg(&out)
        .args([
            "--contact-email",
            "admin@acme.com",
            "--scopes",
            "Api,RefreshToken",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "sf project deploy start --source-dir",
        ))
        .stdout(predicate::str::contains(
            "sf org assign permset -n acme_etl -o ORG",
        ))
        .stdout(predicate::str::contains(
            "External Client App Manager > acme_etl",
        ))
        .stdout(predicate::str::contains("--audience my-domain"));
    out
}

/// A running `sfjwt emulate --eca …`; stopped (SIGTERM) on drop.
struct Running {
    child: Child,
    base_url: String,
}

impl Running {
    fn start(eca: &Path, users: &[&str]) -> Self {
        let mut cmd = sfjwt_std();
        cmd.args(["emulate", "--eca"])
            .arg(eca)
            .args(["--client-id", CLIENT_ID]);
        for user in users {
            cmd.args(["--user", user]);
        }
        let (child, banner) = support::spawn_emulate(&mut cmd, Stdio::null());
        let base_url = banner
            .first()
            .and_then(|l| l.strip_prefix("Salesforce emulator listening on "))
            .unwrap_or_else(|| panic!("no listening line: {banner:#?}"))
            .to_owned();
        // The banner's own token line names the My Domain audience for the ECA.
        assert!(
            banner.iter().any(
                |l| l.contains(&format!("--client-id {CLIENT_ID} --username {ETL}"))
                    && l.contains("--audience my-domain")
            ),
            "{banner:#?}"
        );
        Self { child, base_url }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = support::terminate(&mut self.child);
    }
}

fn token(org: &Running, username: &str, key_file: &str) -> assert_cmd::assert::Assert {
    sfjwt()
        .args([
            "token",
            "--login-url",
            &org.base_url,
            "--audience",
            "my-domain",
        ])
        .args([
            "--client-id",
            CLIENT_ID,
            "--username",
            username,
            "--key-file",
        ])
        .arg(key(key_file))
        .assert()
}

#[test]
fn eca_new_then_emulate_then_token_grants_and_refuses_as_the_folder_says() {
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    let org = Running::start(&eca, &[ETL]);
    token(&org, ETL, "rsa2048.pkcs8.pem")
        .success()
        .stdout(predicate::str::contains("access_token"));
    token(&org, "ops@acme.com", "rsa2048.pkcs8.pem")
        .code(3)
        .stderr(predicate::str::contains(
            "user hasn't approved this consumer",
        ));
    token(&org, ETL, "other2048.pkcs8.pem")
        .code(3)
        .stderr(predicate::str::contains("invalid_grant"))
        .stderr(predicate::str::contains("invalid assertion"));
}

#[test]
fn emulate_eca_refuses_a_folder_without_users_or_without_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    sfjwt()
        .args(["emulate", "--eca"])
        .arg(&eca)
        .args(["--client-id", CLIENT_ID])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--user"));
    sfjwt()
        .args(["emulate", "--eca"])
        .arg(dir.path().join("missing"))
        .args(["--client-id", CLIENT_ID, "--user", ETL])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sfdx-project.json"));
}

/// Runs `sfjwt eca new` with `cert` and `name` into `out`, expects exit 2 with `why`, and
/// that nothing was written.
fn refused(cert: &Path, name: &str, out: &Path, why: &str) {
    let before: Vec<PathBuf> = list(out);
    sfjwt()
        .args(["eca", "new", name, "--cert"])
        .arg(cert)
        .arg("--out")
        .arg(out)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(why));
    assert_eq!(list(out), before, "{why}: something was written");
}

fn list(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            all.push(entry.path());
            all.extend(list(&entry.path()));
        }
    }
    all.sort();
    all
}

#[test]
fn eca_new_refuses_an_expired_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eca");
    refused(&key("expired.crt.pem"), "acme_etl", &out, "expired on");
    assert!(!out.exists());
}

#[test]
fn eca_new_refuses_a_non_rsa_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("ec.crt");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-new", "-days", "30", "-subj", "/CN=ec", "-key",
        ])
        .arg(key("ec-p256.pkcs8.pem"))
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}). Fix: bash .ci/setup.sh"));
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let out = dir.path().join("eca");
    refused(&cert, "acme_etl", &out, "RSA");
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn eca_new_refuses_an_endless_certificate_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eca");
    refused(
        Path::new("/dev/zero"),
        "acme_etl",
        &out,
        "larger than 1 MiB",
    );
    assert!(!out.exists());
}

#[test]
fn eca_new_refuses_names_that_are_not_api_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eca");
    for (name, why) in [
        ("1acme", "begin with a letter"),
        ("acme_", "ends with an underscore"),
        ("acme__etl", "two underscores"),
        ("acme-etl", "not allowed"),
        ("a23456789012345678901234567890x", "at most 30 characters"),
    ] {
        refused(&key("rsa2048.crt.pem"), name, &out, why);
        assert!(!out.exists(), "{name}");
    }
}

#[test]
fn eca_new_refuses_a_non_empty_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eca");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    refused(&key("rsa2048.crt.pem"), "acme_etl", &out, "not empty");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn eca_new_warns_inside_a_git_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    sfjwt()
        .args(["eca", "new", "acme_etl", "--cert"])
        .arg(key("rsa2048.crt.pem"))
        .arg("--out")
        .arg(dir.path().join("sub/eca"))
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:"))
        .stderr(predicate::str::contains(
            "must not be added to source control",
        ));
    // Outside a work tree: no warning (unless the temporary directory itself sits in one).
    let clean = tempfile::tempdir().unwrap();
    let in_a_repo = clean.path().ancestors().any(|p| p.join(".git").exists());
    let assert = sfjwt()
        .args(["eca", "new", "other", "--cert"])
        .arg(key("rsa2048.crt.pem"))
        .arg("--out")
        .arg(clean.path().join("other"))
        .assert()
        .success();
    if !in_a_repo {
        assert.stderr(predicate::str::is_empty());
    }
}

fn check(eca: &Path, key_file: &str) -> assert_cmd::assert::Assert {
    sfjwt()
        .args(["check", "--eca"])
        .arg(eca)
        .arg("--key-file")
        .arg(key(key_file))
        .assert()
}

fn edit(eca: &Path, file: &str, from: &str, to: &str) {
    let path = eca.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

const GLOBAL: &str =
    "force-app/main/default/extlClntAppGlobalOauthSets/acme_etl_glbloauth.ecaGlblOauth-meta.xml";
const POLICIES: &str =
    "force-app/main/default/extlClntAppOauthPolicies/acme_etl_oauthPlcy.ecaOauthPlcy-meta.xml";

#[test]
fn check_eca_pairs_with_its_key_and_not_with_another() {
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    check(&eca, "rsa2048.pkcs8.pem")
        .success()
        .stdout(predicate::str::contains(
            "pairs with the key: the JWT bearer flow is on",
        ))
        .stdout(predicate::str::contains("permission set acme_etl"))
        .stdout(predicate::str::contains("66.0: new enough for every field"));
    check(&eca, "other2048.pkcs8.pem")
        .code(2)
        .stdout(predicate::str::contains("does NOT pair with the key"));
}

#[test]
fn check_eca_without_a_certificate_says_the_flow_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    let path = eca.join(GLOBAL);
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("    <certificate>").unwrap();
    let end = text.find("</certificate>\n").unwrap() + "</certificate>\n".len();
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
    check(&eca, "rsa2048.pkcs8.pem")
        .code(2)
        .stdout(predicate::str::contains("no certificate"))
        .stdout(predicate::str::contains("JWT bearer switch"));
}

#[test]
fn check_eca_without_a_pre_authorizing_policy_says_who_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    edit(
        &eca,
        POLICIES,
        "AdminApprovedPreAuthorized",
        "AllSelfAuthorized",
    );
    check(&eca, "rsa2048.pkcs8.pem")
        .code(2)
        .stdout(predicate::str::contains("not AdminApprovedPreAuthorized"))
        .stdout(predicate::str::contains(
            "user hasn't approved this consumer",
        ));
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    edit(
        &eca,
        POLICIES,
        "    <commaSeparatedPermissionSet>acme_etl</commaSeparatedPermissionSet>\n",
        "",
    );
    check(&eca, "rsa2048.pkcs8.pem")
        .code(2)
        .stdout(predicate::str::contains(
            "names no permission set or profile",
        ));
}

#[test]
fn check_eca_names_a_field_the_api_version_is_too_old_for() {
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    edit(&eca, "sfdx-project.json", "\"66.0\"", "\"59.0\"");
    check(&eca, "rsa2048.pkcs8.pem")
        .code(2)
        .stdout(predicate::str::contains(
            "ExtlClntAppGlobalOauthSettings.certificate needs API 60.0 or later; sourceApiVersion is 59.0",
        ));
}

#[test]
fn check_eca_names_an_unknown_element() {
    let dir = tempfile::tempdir().unwrap();
    let eca = eca_new(dir.path());
    edit(
        &eca,
        GLOBAL,
        "<callbackUrl>",
        "<isNamedUserJwtEnabled>true</isNamedUserJwtEnabled>\n    <callbackUrl>",
    );
    check(&eca, "rsa2048.pkcs8.pem")
        .code(2)
        .stdout(predicate::str::contains(
            "unknown element <isNamedUserJwtEnabled>",
        ));
}

#[test]
fn keygen_and_demo_eca_point_to_eca_new_first_and_setup_second() {
    let out = support::keygen_stdout();
    let as_code = out
        .find("sfjwt eca new")
        .expect("keygen names sfjwt eca new");
    let setup = out
        .find("External Client App Manager > New External Client App")
        .unwrap();
    assert!(as_code < setup, "{out}");

    let output = sfjwt().args(["demo", "--eca"]).output().unwrap();
    assert!(output.status.success());
    let out = String::from_utf8(output.stdout).unwrap();
    let as_code = out
        .find("sfjwt eca new")
        .expect("demo --eca names sfjwt eca new");
    let setup = out
        .find("the Setup screens")
        .expect("demo --eca names the Setup screens");
    assert!(as_code < setup, "{out}");
}
