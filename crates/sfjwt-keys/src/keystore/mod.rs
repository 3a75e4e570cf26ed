//! A Java KeyStore that Salesforce's *Import from Keystore* takes on the first try: the key and
//! certificate of the JWT bearer flow, for Apex in one org to call another
//! (`Auth.JWS(jwt, 'alias')`).
//!
//! Every check here prevents an import failure that Salesforce documents or its users report
//! (Salesforce Help, "Export and Import Certificates with a Keystore"; Knowledge Article
//! 000387714; the classic tutorial's readers' "Data Not Available"):
//!
//! | import failure | prevented by |
//! |---|---|
//! | the file is PKCS#12 (what `keytool` writes by default since Java 9) renamed `.jks` | we write JKS (magic `0xFEEDFEED`) |
//! | no PrivateKey entry, or a null certificate | exactly one private-key entry with its chain |
//! | not an RSA key; not PKCS#8 | the core loads RSA keys only; the entry holds PKCS#8 |
//! | key size not 2048, 3072 or 4096 bits | refused ([`SALESFORCE_KEY_BITS`]) |
//! | the private key does not match the certificate chain | refused (the first certificate must be the key's pair) |
//! | the key password differs from the keystore password | one password for both |
//! | an alias that is not a valid Unique Name (`1` from `openssl pkcs12`) | refused, with a valid name ([`Alias`]) |
//! | a mixed-case alias, which Java lists but cannot look up | lower case only |
//! | an expired certificate (Apex's signature would be refused anyway) | refused; not yet valid or expiring soon: a [`Warning`] |
//! | a password shorter than `keytool` accepts | at least [`MIN_PASSWORD_CHARS`] characters ([`KeystorePassword`]) |
//!
//! What cannot be checked from here: the name must not already exist in the org, and the
//! importing user needs the "Manage Certificates" permission.

mod alias;
mod chain;
mod write;

use std::fmt;
use std::time::SystemTime;

use sfjwt_core::key::{Certificate, KeyError, PrivateKey};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

pub use alias::{Alias, AliasError, MAX_ALIAS_LEN};
pub use chain::{ChainError, parse_chain};
pub use write::{WriteError, write_atomically};

use crate::jks;
use sfjwt_core::key::utc_date;

/// The key sizes Salesforce imports (Help: "Imported keys must have a bit size of 2048, 3072,
/// or 4096").
pub const SALESFORCE_KEY_BITS: [usize; 3] = [2048, 3072, 4096];

/// `keytool`'s minimum for store and key passwords; Salesforce documents none of its own, and
/// a shorter one could not be opened again with `keytool`.
pub const MIN_PASSWORD_CHARS: usize = 6;

/// A certificate expiring within this long gets [`Warning::ExpiresSoon`] (the same margin as
/// `sfjwt check`'s diagnosis).
pub use sfjwt_core::diagnose::EXPIRY_WARNING;

/// The keystore password (it protects the store and the key). Zeroized on drop; `Debug` is
/// redacted and there is no `Display`.
pub struct KeystorePassword(Zeroizing<String>);

impl KeystorePassword {
    /// Checks the length.
    ///
    /// # Errors
    /// [`KeystoreError::PasswordTooShort`] below [`MIN_PASSWORD_CHARS`] characters.
    pub fn new(password: Zeroizing<String>) -> Result<Self, KeystoreError> {
        let chars = password.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(KeystoreError::PasswordTooShort { chars });
        }
        Ok(Self(password))
    }
}

impl fmt::Debug for KeystorePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeystorePassword([redacted])")
    }
}

/// Something that will not stop the import but may surprise later.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The certificate's `notBefore` is in the future: this machine's clock is probably behind.
    NotYetValid {
        /// `notBefore`.
        not_before: SystemTime,
    },
    /// The certificate expires within [`EXPIRY_WARNING`].
    ExpiresSoon {
        /// `notAfter`.
        not_after: SystemTime,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotYetValid { not_before } => write!(
                f,
                "the certificate is not valid before {} (check this machine's clock)",
                utc_date(*not_before)
            ),
            Self::ExpiresSoon { not_after } => write!(
                f,
                "the certificate expires soon, on {}: plan its replacement",
                utc_date(*not_after)
            ),
        }
    }
}

/// Why a keystore was not built. Messages carry their cause; none has a `source()`. No
/// message contains key material or the password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeystoreError {
    /// The password has fewer than [`MIN_PASSWORD_CHARS`] characters.
    PasswordTooShort {
        /// How many it has.
        chars: usize,
    },
    /// The key is not 2048, 3072 or 4096 bits ([`SALESFORCE_KEY_BITS`]). Likely cause: an old
    /// 1024-bit key, or a key made for something else.
    KeySize {
        /// The key's size.
        bits: usize,
    },
    /// The chain is empty. Likely cause: an empty certificate file.
    NoCertificate,
    /// The first certificate does not parse. Likely cause: the wrong file.
    Certificate {
        /// The certificate reader's message.
        detail: String,
    },
    /// The first certificate holds another public key than the private key. Likely cause:
    /// the certificate of another key, or a chain in the wrong order.
    NotThePair {
        /// How many certificates the chain holds (more than one: the order may be wrong).
        chain_len: usize,
    },
    /// The certificate has expired: Salesforce refuses every assertion signed under it.
    Expired {
        /// `notAfter`.
        not_after: SystemTime,
    },
    /// The key could not be encoded as PKCS#8 (not expected for a key the core loaded).
    KeyEncoding {
        /// The encoder's message.
        detail: String,
    },
    /// The system random source failed (the key protector's salt).
    Random {
        /// The random source's message.
        detail: String,
    },
    /// The JKS writer refused the entry (see [`jks::JksError`]).
    Jks(jks::JksError),
}

impl fmt::Display for KeystoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PasswordTooShort { chars } => write!(
                f,
                "the keystore password has {chars} character(s); keytool and Salesforce's import need at least {MIN_PASSWORD_CHARS}"
            ),
            Self::KeySize { bits } => write!(
                f,
                "the key is {bits} bits; Salesforce imports only 2048-, 3072- and 4096-bit RSA keys"
            ),
            Self::NoCertificate => f.write_str("the certificate file holds no certificate"),
            Self::Certificate { detail } => write!(f, "cannot use the certificate: {detail}"),
            Self::NotThePair { chain_len } if *chain_len > 1 => {
                f.write_str("the first certificate in the file is not the pair of the private key")
            }
            Self::NotThePair { .. } => f.write_str(
                "the certificate and the private key are not a pair (different public keys)",
            ),
            Self::Expired { not_after } => write!(
                f,
                "the certificate expired on {}; Salesforce would refuse every assertion signed with it",
                utc_date(*not_after)
            ),
            Self::KeyEncoding { detail } => write!(f, "cannot encode the private key: {detail}"),
            Self::Random { detail } => {
                write!(f, "cannot read the system random source: {detail}")
            }
            Self::Jks(e) => write!(f, "cannot encode the keystore: {e}"),
        }
    }
}

impl std::error::Error for KeystoreError {}

/// A keystore encoded in memory, and what to tell the user about it. `Debug` leaves out the
/// bytes (they hold the key).
pub struct Keystore {
    bytes: Zeroizing<Vec<u8>>,
    subject: String,
    not_after: SystemTime,
    bits: usize,
    chain_len: usize,
    fingerprint: String,
    warnings: Vec<Warning>,
}

impl Keystore {
    /// The JKS file's bytes: a secret (the key protector is obfuscation, see [`crate::jks`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The leaf certificate's subject, e.g. `CN=sfjwt`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// `notAfter` of the leaf certificate.
    pub fn not_after(&self) -> SystemTime {
        self.not_after
    }

    /// The key size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// How many certificates the chain holds (1 for a self-signed certificate).
    pub fn chain_len(&self) -> usize {
        self.chain_len
    }

    /// SHA-256 of the leaf certificate, as `keytool -list` prints it (`AB:CD:…`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// What will not stop the import but may surprise later.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

impl fmt::Debug for Keystore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bytes (the key) are left out.
        let Self {
            subject,
            bits,
            chain_len,
            fingerprint,
            warnings,
            ..
        } = self;
        write!(
            f,
            "Keystore {{ {subject:?}, {bits} bits, chain of {chain_len}, {fingerprint}, {warnings:?}, .. }}"
        )
    }
}

/// Encodes a JKS keystore of `key` and `chain` (DER, the key's own certificate first) under
/// `alias`, checking them as Salesforce's import will (see the module docs).
///
/// # Errors
/// [`KeystoreError`]: a key size Salesforce does not import, an empty chain, a first
/// certificate that does not parse, is not the key's pair or has expired at `now`.
pub fn build(
    alias: &Alias,
    password: &KeystorePassword,
    key: &PrivateKey,
    chain: &[Vec<u8>],
    now: SystemTime,
) -> Result<Keystore, KeystoreError> {
    if !SALESFORCE_KEY_BITS.contains(&key.bits()) {
        return Err(KeystoreError::KeySize { bits: key.bits() });
    }
    let leaf_der = chain.first().ok_or(KeystoreError::NoCertificate)?;
    let leaf = Certificate::from_der(leaf_der).map_err(|e| KeystoreError::Certificate {
        detail: e.to_string(),
    })?;
    if !leaf.is_pair_of(key) {
        return Err(KeystoreError::NotThePair {
            chain_len: chain.len(),
        });
    }
    if now > leaf.not_after() {
        return Err(KeystoreError::Expired {
            not_after: leaf.not_after(),
        });
    }
    let mut warnings = Vec::new();
    if now < leaf.not_before() {
        warnings.push(Warning::NotYetValid {
            not_before: leaf.not_before(),
        });
    } else if leaf.not_after().duration_since(now).unwrap_or_default() < EXPIRY_WARNING {
        warnings.push(Warning::ExpiresSoon {
            not_after: leaf.not_after(),
        });
    }

    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e: KeyError| KeystoreError::KeyEncoding {
            detail: e.to_string(),
        })?;
    let mut salt = [0u8; jks::SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| KeystoreError::Random {
        detail: e.to_string(),
    })?;
    let entry = jks::KeyEntry {
        alias: alias.as_str(),
        created: now,
        pkcs8: &pkcs8,
        chain,
    };
    let bytes = jks::encode(&entry, &password.0, &salt).map_err(KeystoreError::Jks)?;
    Ok(Keystore {
        bytes: Zeroizing::new(bytes),
        subject: leaf.subject().to_owned(),
        not_after: leaf.not_after(),
        bits: key.bits(),
        chain_len: chain.len(),
        fingerprint: fingerprint(leaf_der),
        warnings,
    })
}

/// SHA-256 of a DER certificate as colon-separated upper-case hex, like `keytool -list`.
fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn fingerprint_is_keytool_style() {
        assert_eq!(
            fingerprint(b"abc"),
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }

    #[test]
    fn the_password_stays_out_of_debug_and_errors() {
        let short = KeystorePassword::new(Zeroizing::new("s3cr!".to_owned())).unwrap_err();
        assert_eq!(short, KeystoreError::PasswordTooShort { chars: 5 });
        assert!(!short.to_string().contains("s3cr!"));
        let password = KeystorePassword::new(Zeroizing::new("hunter2-long".to_owned())).unwrap();
        assert_eq!(format!("{password:?}"), "KeystorePassword([redacted])");
    }

    #[test]
    fn each_refusal_is_typed() {
        let key = sfjwt_test_support::testdata::key();
        let cert = Certificate::from_pem(sfjwt_test_support::testdata::CERT_PEM).unwrap();
        let leaf = der::Document::from_pem(sfjwt_test_support::testdata::CERT_PEM)
            .unwrap()
            .1
            .into_vec();
        let leaf = std::slice::from_ref(&leaf);
        let alias = Alias::parse("sf_cert").unwrap();
        let password = KeystorePassword::new(Zeroizing::new("changeit".to_owned())).unwrap();
        let now = cert.not_before() + Duration::from_secs(60);
        let built = build(&alias, &password, &key, leaf, now).unwrap();
        assert!(built.bytes().starts_with(&[0xFE, 0xED, 0xFE, 0xED]));
        assert_eq!(built.chain_len(), 1);
        assert!(!format!("{built:?}").contains("bytes: ["));
        assert_eq!(
            build(&alias, &password, &key, &[], now).unwrap_err(),
            KeystoreError::NoCertificate
        );
        let other = sfjwt_test_support::testdata::other_key();
        assert_eq!(
            build(&alias, &password, &other, leaf, now).unwrap_err(),
            KeystoreError::NotThePair { chain_len: 1 }
        );
        let later = cert.not_after() + Duration::from_secs(1);
        assert!(matches!(
            build(&alias, &password, &key, leaf, later).unwrap_err(),
            KeystoreError::Expired { .. }
        ));
    }
}
