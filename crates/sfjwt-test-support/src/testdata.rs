//! The files of `testdata/` at the workspace root, and the test keys.

use std::path::PathBuf;

use sfjwt_core::key::PrivateKey;

/// The main test key (RSA 2048, unencrypted PKCS#8 PEM).
pub const KEY_PEM: &str = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
/// The self-signed certificate of [`KEY_PEM`], as an app in an emulated org holds it.
pub const CERT_PEM: &str = include_str!("../../../testdata/keys/rsa2048.crt.pem");
/// A second key, for "signed by the wrong key" cases.
pub const OTHER_KEY_PEM: &str = include_str!("../../../testdata/keys/other2048.pkcs8.pem");
/// The certificate of [`OTHER_KEY_PEM`].
pub const OTHER_CERT_PEM: &str = include_str!("../../../testdata/keys/other2048.crt.pem");

/// `testdata/` at the workspace root.
pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// A path under `testdata/`.
pub fn path(relative: &str) -> PathBuf {
    testdata().join(relative)
}

/// Reads a file under `testdata/`.
pub fn read(relative: &str) -> Vec<u8> {
    let path = path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Loads an unencrypted test key under `testdata/` (PEM or DER, chosen by the file name).
pub fn private_key(relative: &str) -> PrivateKey {
    let bytes = read(relative);
    if relative.ends_with(".der") {
        PrivateKey::from_der(&bytes).unwrap()
    } else {
        PrivateKey::from_pem(std::str::from_utf8(&bytes).unwrap()).unwrap()
    }
}

/// The main test key, [`KEY_PEM`].
pub fn key() -> PrivateKey {
    PrivateKey::from_pem(KEY_PEM).unwrap()
}

/// The second test key, [`OTHER_KEY_PEM`].
pub fn other_key() -> PrivateKey {
    PrivateKey::from_pem(OTHER_KEY_PEM).unwrap()
}
