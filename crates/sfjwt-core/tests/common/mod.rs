//! Helpers shared by the integration tests: paths into `testdata/` and key loading.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use sfjwt_core::key::PrivateKey;

/// `testdata/` at the workspace root.
pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// Reads a file under `testdata/`.
pub fn read(relative: &str) -> Vec<u8> {
    let path = testdata().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Loads an unencrypted test key (PEM or DER, chosen by the file name).
pub fn private_key(relative: &str) -> PrivateKey {
    let bytes = read(relative);
    if relative.ends_with(".der") {
        PrivateKey::from_der(&bytes).unwrap()
    } else {
        PrivateKey::from_pem(std::str::from_utf8(&bytes).unwrap()).unwrap()
    }
}
