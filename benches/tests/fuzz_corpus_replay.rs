//! Replays every committed fuzz corpus and regression file (`fuzz/corpus/<target>/*`,
//! `fuzz/regressions/<target>/*`) through the same entry points the cargo-fuzz targets call,
//! so stable CI exercises every input a campaign found interesting, without nightly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)] // test code: a panic is a failed assertion

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/lib.rs"]
#[allow(unreachable_pub, dead_code)] // the fuzz crate's public entry points, used here
mod entry;

type Entry = fn(&[u8]);

/// Every fuzz target and its entry point; a corpus directory not listed here fails the test.
const TARGETS: [(&str, Entry); 8] = [
    ("private_key", entry::private_key),
    ("public_key_cert", entry::public_key_cert),
    ("jws_verify", entry::jws_verify),
    ("claims", entry::claims),
    ("sign_verify", entry::sign_verify),
    ("endpoint", entry::endpoint),
    ("response", entry::response),
    ("jks_writer", entry::jks_writer),
];

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Replays every file under `dir/<target>/`; `open` selects the files named `open-*` (known,
/// reported bugs in code this crate does not own) instead of all the others.
fn replay_dir(dir: &Path) -> usize {
    replay_files(dir, false)
}

fn replay_files(dir: &Path, open: bool) -> usize {
    let Ok(targets) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut replayed = 0;
    for target in targets {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let run = TARGETS
            .iter()
            .find(|(t, _)| *t == name)
            .unwrap_or_else(|| panic!("{}: no entry point for fuzz target {name}", dir.display()))
            .1;
        let mut files: Vec<_> = std::fs::read_dir(&target)
            .unwrap()
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        files.retain(|f| {
            let is_open = f
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("open-"));
            is_open == open
        });
        for file in files {
            let data = std::fs::read(&file).unwrap();
            // A panic names the file, so a failing input can be found and minimised.
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "fuzz input {} panicked", file.display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_corpus_and_regression_file_replays_without_panic() {
    let corpus = replay_dir(&fuzz_dir().join("corpus"));
    let regressions = replay_dir(&fuzz_dir().join("regressions"));
    assert!(
        corpus >= 100,
        "expected the committed corpus, found {corpus} files"
    );
    println!(
        "fuzz replay: {corpus} corpus files and {regressions} regression files replayed \
         through {} targets",
        TARGETS.len()
    );
}

#[test]
fn every_target_has_a_seed_corpus() {
    for (target, _) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(target);
        let count = std::fs::read_dir(&dir).map_or(0, Iterator::count);
        assert!(count > 0, "fuzz target {target} has no committed corpus");
    }
}

/// The seeds must reach the success paths, not only the error paths: a seed corpus that no
/// longer loads (after a format change) would quietly make the fuzzer start from nothing.
#[test]
fn key_seeds_reach_the_success_path() {
    use sfjwt_core::key::{Passphrase, PrivateKey};
    let dir = fuzz_dir().join("corpus/private_key");
    let passphrase = Passphrase::from("correct horse battery staple");
    let mut loaded = Vec::new();
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("seed-") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let (selector, input) = data.split_first().unwrap();
        let passphrase = (selector & 1 == 1).then_some(&passphrase);
        let ok = if selector & 2 == 0 {
            PrivateKey::from_bytes(input, passphrase).is_ok()
        } else {
            PrivateKey::from_env_value(std::str::from_utf8(input).unwrap(), passphrase).is_ok()
        };
        if ok {
            loaded.push(name);
        }
    }
    loaded.sort();
    for expected in [
        "seed-rsa2048.pkcs8.pem",
        "seed-rsa2048.pkcs1.der",
        "seed-rsa2048.pkcs8.scrypt-aes256.pem-pass",
        "seed-rsa2048.legacy-des3.pem-pass",
        "seed-env-escaped-newlines",
        "seed-env-base64",
        "seed-env-encrypted-pass",
    ] {
        assert!(
            loaded.iter().any(|n| n == expected),
            "{expected} does not load: {loaded:?}"
        );
    }
    assert!(
        !loaded
            .iter()
            .any(|n| n.contains("rsa1024") || n.contains("ec-p256"))
    );
}

/// Found by the `endpoint` campaign: `TokenEndpoint::parse` accepted a malformed authority
/// such as `https://a[:]b` (and `my_domain("3[:]")`) and normalised it to `https://a[`, which
/// did not parse again. Fixed on main ("endpoint, audience: refuse hosts that are neither DNS
/// names nor IP literals"); the minimised inputs stay in `fuzz/regressions/endpoint/`.
#[test]
fn endpoint_bracket_host_is_refused() {
    use sfjwt_core::endpoint::TokenEndpoint;
    assert!(TokenEndpoint::parse("https://a[:]b").is_err());
    assert!(TokenEndpoint::my_domain("3[:]").is_err());
}
