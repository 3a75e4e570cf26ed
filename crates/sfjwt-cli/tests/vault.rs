//! `--key URI` end to end: keys in a SoftHSM2 token (`pkcs11:`) and in a local AWS KMS
//! (`awskms:`, moto on loopback) for `assertion`, `check`, `keygen` and `token`, against the
//! emulator. SoftHSM2 and moto come from `.ci/setup.sh`; without them these tests fail.
//!
//! Each backend is a cargo feature of `sfjwt-cli`: its tests are those of a binary built with
//! it (`bash .ci/test.sh` builds every feature), and a binary built without it is tested to
//! refuse the URI with exit 2 and the install line.

#[cfg(feature = "pkcs11")]
use predicates::prelude::*;
#[cfg(any(feature = "pkcs11", feature = "aws-kms"))]
use sfjwt_emulator::Emulator;
use sfjwt_test_support::cli::{self as support, USER, key, sfjwt};
#[cfg(feature = "aws-kms")]
use sfjwt_test_support::moto;
#[cfg(feature = "pkcs11")]
use sfjwt_test_support::softhsm;

const CLIENT_ID: &str = "3MVG9_cli_vault_consumer_key";

#[cfg(any(feature = "pkcs11", feature = "aws-kms"))]
fn emulator_with(cert_pem: &str) -> Emulator {
    sfjwt_test_support::cli::org_with(CLIENT_ID, cert_pem)
}

#[cfg(feature = "pkcs11")]
fn token_with_test_key() -> softhsm::Token {
    let token = softhsm::Token::new();
    token.import("keys/rsa2048.pkcs8.pem", "jwt", "01");
    token
}

#[cfg(feature = "pkcs11")]
#[test]
fn pkcs11_assertion_is_byte_for_byte_the_file_keys() {
    let token = token_with_test_key();
    let exp = (sfjwt_test_support::wire::unix_now() + 120).to_string();
    let args = [
        "assertion",
        "--client-id",
        CLIENT_ID,
        "--username",
        USER,
        "--exp",
        &exp,
    ];
    let from_file = sfjwt()
        .args(args)
        .arg("--key-file")
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    // The URI from the environment variable this time.
    let from_token = sfjwt()
        .args(args)
        .env("SOFTHSM2_CONF", token.conf())
        .env("SFJWT_KEY_URI", token.uri("jwt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(from_token, from_file);
}

/// `sfjwt token --key uri` through `cmd` logs in to `sf` once.
#[cfg(any(feature = "pkcs11", feature = "aws-kms"))]
fn grants_with(mut cmd: assert_cmd::Command, uri: &str, sf: &Emulator) {
    cmd.args(support::vault_token_args(uri, CLIENT_ID))
        .args(["--login-url", sf.base_url()])
        .assert()
        .success()
        .stdout(predicate::str::contains("access_token"));
    assert_eq!(sf.grant_count(), 1);
}

#[cfg(feature = "pkcs11")]
#[test]
fn pkcs11_check_keygen_and_token_against_the_emulator() {
    let token = token_with_test_key();
    let uri = token.uri("jwt");
    let run = || {
        let mut cmd = sfjwt();
        cmd.env("SOFTHSM2_CONF", token.conf());
        cmd
    };
    // The pair proof with the key's known certificate, and with a wrong one.
    run()
        .args(["check", "--key", &uri, "--cert"])
        .arg(key("rsa2048.crt.pem"))
        .assert()
        .success()
        .stdout(predicate::str::contains("a test signature verifies"))
        .stdout(predicate::str::contains("is the certificate of the key"));
    run()
        .args(["check", "--key", &uri, "--cert"])
        .arg(key("other2048.crt.pem"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "is NOT the certificate of this key",
        ));

    // keygen --key: only server.crt, signed in the token.
    let out = tempfile::tempdir().unwrap();
    run()
        .args([
            "keygen",
            "--key",
            &uri,
            "--subject",
            "vault test",
            "--out-dir",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("signed in PKCS#11 token"));
    assert!(!out.path().join("server.key").exists());
    let cert = out.path().join("server.crt");
    run()
        .args(["check", "--key", &uri, "--cert"])
        .arg(&cert)
        .assert()
        .success()
        .stdout(predicate::str::contains("is the certificate of the key"));

    // The grant, with the certificate keygen wrote.
    let sf = emulator_with(&std::fs::read_to_string(&cert).unwrap());
    grants_with(run(), &uri, &sf);
}

#[cfg(feature = "pkcs11")]
#[test]
fn pkcs11_failures_exit_2_with_a_hint() {
    let token = token_with_test_key();
    let uri = format!(
        "pkcs11:token={};object=jwt?module-path={}&pin-value=0000",
        softhsm::TOKEN,
        softhsm::module_path().display()
    );
    sfjwt()
        .env("SOFTHSM2_CONF", token.conf())
        .args(support::assertion_args(CLIENT_ID))
        .args(["--key", &uri])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refused the PIN"))
        .stderr(predicate::str::contains("hint:"))
        .stderr(predicate::str::contains("0000").not());
    sfjwt()
        .env("SOFTHSM2_CONF", token.conf())
        .args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args(["--key", &token.uri("nope")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no private key matches"));
    sfjwt()
        .args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args(["--key", "vault:whatever"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pkcs11:"));
    sfjwt()
        .args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args(["--key", &token.uri("jwt"), "--key-file"])
        .arg(key("rsa2048.pkcs8.pem"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not both").or(predicate::str::contains("give one")));
}

#[cfg(feature = "aws-kms")]
#[test]
fn aws_kms_keygen_check_and_token_against_the_emulator() {
    let kms = moto::Moto::start();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = kms.client(sfjwt_aws_kms::https_client()).await;
            moto::create_rsa_key(&client, "alias/sfjwt-cli").await;
        });
    let run = || {
        let mut cmd = sfjwt();
        cmd.envs(kms.env());
        cmd
    };
    let uri = "awskms:alias/sfjwt-cli";
    let out = tempfile::tempdir().unwrap();
    run()
        .args(["keygen", "--key", uri, "--out-dir"])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("signed in AWS KMS key "));
    let cert = out.path().join("server.crt");
    run()
        .args(["check", "--key", uri, "--cert"])
        .arg(&cert)
        .assert()
        .success()
        .stdout(predicate::str::contains("is the certificate of the key"));
    run()
        .args(["check", "--key", uri, "--cert"])
        .arg(key("rsa2048.crt.pem"))
        .assert()
        .code(2);

    let sf = emulator_with(&std::fs::read_to_string(&cert).unwrap());
    grants_with(run(), uri, &sf);

    // A key that does not exist: exit 2 and a hint.
    run()
        .args(["assertion", "--client-id", CLIENT_ID, "--username", USER])
        .args(["--key", "awskms:alias/no-such-key"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no key \"alias/no-such-key\""))
        .stderr(predicate::str::contains("hint:"));
}

/// A binary built without a backend names the feature and the line that adds it, and sends
/// nothing anywhere.
#[test]
fn a_backend_left_out_of_the_build_exits_2_with_the_install_line() {
    let cases = [
        (cfg!(feature = "aws-kms"), "aws-kms", "awskms:alias/x"),
        (
            cfg!(feature = "pkcs11"),
            "pkcs11",
            "pkcs11:token=t;object=k?module-path=/nonexistent.so",
        ),
    ];
    for (built, feature, uri) in cases {
        if built {
            continue;
        }
        sfjwt()
            .args(support::vault_token_args(uri, CLIENT_ID))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "cargo install sfjwt-cli --features {feature}"
            )));
    }
    if !cfg!(feature = "redis") {
        sfjwt()
            .args(["token", "--key-file"])
            .arg(key("rsa2048.pkcs8.pem"))
            .args(["--client-id", CLIENT_ID, "--username", USER])
            .args(["--cache", "redis://127.0.0.1:1/0"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "cargo install sfjwt-cli --features redis",
            ));
    }
    let version = sfjwt().arg("--version").output().unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    for (feature, built) in [
        ("pkcs11", cfg!(feature = "pkcs11")),
        ("redis", cfg!(feature = "redis")),
        ("aws-kms", cfg!(feature = "aws-kms")),
    ] {
        let (built_in, left_out) = version.split_once("not built in").unwrap();
        assert_eq!(built_in.contains(feature), built, "{version}");
        assert_eq!(left_out.contains(feature), !built, "{version}");
    }
}
