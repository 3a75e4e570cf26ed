//! The signing key: what container it came in (for a report; the loaders detect it
//! themselves), and whether it signs at all (a key in an HSM or KMS can fail at signing time).

use super::{Finding, Level};
use crate::jws::{Signer, verify_rs256_signature};
use crate::key::PublicKey;

/// What [`signer`] signs: fixed, and no assertion, so the signature is useless to anyone else.
const TEST_INPUT: &[u8] = b"sfjwt check: test signature";

/// One test signature by `signer`, verified with `public_key` (topic `key`): ok when it
/// verifies, an error when it does not (the key is not the pair of `public_key`) or when the
/// signer fails (an HSM logged out, a KMS key disabled; the message holds the signer's error
/// and its cause). `description` names the key in the messages (e.g. the vault and key
/// label; never the key). A service can run it at start-up to fail before its first login.
pub fn signer(description: &str, signer: &dyn Signer, public_key: &PublicKey) -> Finding {
    let signed = signer.sign_rs256(TEST_INPUT);
    let (level, message) =
        match signed.map(|sig| verify_rs256_signature(public_key, TEST_INPUT, &sig)) {
            Ok(Ok(())) => {
                let bits = public_key.bits();
                (
                    Level::Ok,
                    format!("RSA {bits} bits, in {description}; a test signature verifies"),
                )
            }
            Ok(Err(_)) => (
                Level::Error,
                format!("{description}: its signature does not verify with its own public key"),
            ),
            Err(e) => {
                let cause = core::error::Error::source(&e)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default();
                (
                    Level::Error,
                    format!("{description} cannot sign: {e}{cause}"),
                )
            }
        };
    Finding::new(level, "key", message)
}

/// The container of the private key whose text starts with `head` (its PEM label is in the
/// first lines; 4 KiB is plenty), as a report names it: `"PKCS#8 PEM, encrypted"`,
/// `"PKCS#8 PEM"`, `"PKCS#1 PEM, legacy OpenSSL encryption"`, `"PKCS#1 PEM"`, or
/// `"DER or re-encoded text"` for anything without those labels. Only labels are looked at:
/// nothing of the key itself is read or returned.
///
/// ```
/// use sfjwt_core::diagnose::key_container;
///
/// assert_eq!(key_container("-----BEGIN PRIVATE KEY-----\nMIIE..."), "PKCS#8 PEM");
/// ```
pub fn key_container(head: &str) -> &'static str {
    if head.contains("BEGIN ENCRYPTED PRIVATE KEY") {
        "PKCS#8 PEM, encrypted"
    } else if head.contains("BEGIN PRIVATE KEY") {
        "PKCS#8 PEM"
    } else if head.contains("BEGIN RSA PRIVATE KEY") && head.contains("ENCRYPTED") {
        "PKCS#1 PEM, legacy OpenSSL encryption"
    } else if head.contains("BEGIN RSA PRIVATE KEY") {
        "PKCS#1 PEM"
    } else {
        "DER or re-encoded text"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jws::SignError;
    use crate::key::PrivateKey;

    struct Broken;

    impl Signer for Broken {
        fn sign_rs256(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
            Err(SignError::new("the token is logged out"))
        }
    }

    #[test]
    fn a_signer_is_graded_by_a_test_signature() {
        let key = PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"));
        let key = key.unwrap();
        let other = PrivateKey::from_pem(include_str!(
            "../../../../testdata/keys/other2048.pkcs8.pem"
        ));
        let own = signer("slot 0", &key, &key.public_key());
        assert_eq!((own.topic, own.level), ("key", Level::Ok));
        assert_eq!(
            own.message,
            "RSA 2048 bits, in slot 0; a test signature verifies"
        );
        let mismatch = signer("slot 0", &key, &other.unwrap().public_key());
        assert_eq!(mismatch.level, Level::Error);
        let broken = signer("slot 0", &Broken, &key.public_key());
        assert_eq!(broken.level, Level::Error);
        assert!(
            broken.message.starts_with("slot 0 cannot sign: "),
            "{broken:?}"
        );
    }

    #[test]
    fn every_container_of_the_testdata_is_named() {
        let cases = [
            (
                include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"),
                "PKCS#8 PEM",
            ),
            (
                include_str!("../../../../testdata/keys/rsa2048.pkcs8.pbkdf2-aes256.pem"),
                "PKCS#8 PEM, encrypted",
            ),
            (
                include_str!("../../../../testdata/keys/rsa2048.pkcs1.pem"),
                "PKCS#1 PEM",
            ),
            (
                include_str!("../../../../testdata/keys/rsa2048.legacy-des3.pem"),
                "PKCS#1 PEM, legacy OpenSSL encryption",
            ),
            ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "DER or re-encoded text"),
        ];
        for (text, want) in cases {
            assert_eq!(key_container(text), want);
        }
    }
}
