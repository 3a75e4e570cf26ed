//! The directories `sfjwt keygen` creates for its key: 0700 whatever the umask, and gone
//! again when the command fails.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// `sfjwt keygen ARGS…` under `umask 000` (through `sh`, which sets it for the child).
fn keygen_umask_000(args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("umask 000 && exec \"$@\"")
        .arg("sh")
        .arg(assert_cmd::cargo::cargo_bin("sfjwt"))
        .arg("keygen")
        .args(args)
        .env("SFJWT_TEST_KS_PASS", "a long keystore password")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd.output().unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn out_dirs_are_0700_under_umask_000_and_removed_when_the_command_fails() {
    let root = tempfile::tempdir().unwrap();
    let made = root.path().join("new").join("keys");
    let out = keygen_umask_000(&["--bits", "2048", "--out-dir", made.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&made), 0o700);
    assert_eq!(mode(made.parent().unwrap()), 0o700);
    assert_eq!(mode(&made.join("server.key")), 0o600);

    // The keystore cannot be written (its directory does not exist): the key and the
    // certificate are removed, and so are the directories the command made for them.
    let failed = root.path().join("other").join("keys");
    // The keystore's directory does not exist, so writing it fails after the pair is written.
    let failing_keystore = |out_dir: &Path| {
        let jks = root.path().join("missing").join("out.jks");
        keygen_umask_000(&[
            "--bits",
            "2048",
            "--out-dir",
            out_dir.to_str().unwrap(),
            "--keystore",
            jks.to_str().unwrap(),
            "--alias",
            "a",
            "--password-env",
            "SFJWT_TEST_KS_PASS",
        ])
    };
    let out = failing_keystore(&failed);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::symlink_metadata(root.path().join("other")).is_err(),
        "the failed command left its out-dir behind"
    );
    // A directory that existed before is never removed.
    let existing = root.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    let out = failing_keystore(&existing);
    assert_eq!(out.status.code(), Some(2));
    assert!(existing.is_dir());
    assert_eq!(std::fs::read_dir(&existing).unwrap().count(), 0);
}
