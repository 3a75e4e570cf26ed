//! A writer for Java KeyStore (JKS) files: the only keystore format Salesforce's
//! *Certificate and Key Management → Import from Keystore* accepts.
//!
//! Why hand-written: the format is short and frozen (Java has written version 2 since 1.2), and
//! the one Rust crate that writes it (`jks`) brings an older RustCrypto generation, `rand` 0.8
//! and a PKCS#12 stack this tool does not need. What follows is the format as OpenJDK's
//! `sun.security.provider.JavaKeyStore` (`engineStore`/`engineLoad`) and
//! `sun.security.provider.KeyProtector` (`protect`/`recover`) read and write it, described in
//! our own words. The CLI's tests read the files it writes back with the JDK's `keytool`, and
//! this crate's tests with an independent reader (`sfjwt-test-support`'s `jks` module).
//!
//! # Security
//!
//! A JKS file protects its key with Sun's proprietary key protector ([`protector`] says how):
//! SHA-1 based obfuscation without a work factor. Treat the file itself as the secret (mode
//! 0600, see [`crate::keystore::write_atomically`]) and the password as a password. The
//! integrity hash detects a wrong password or a damaged file, not a forger who knows the
//! password.
//!
//! # File layout (all integers big-endian, as Java's `DataOutputStream` writes them)
//!
//! | field | encoding |
//! |---|---|
//! | magic | `u32` `0xFEEDFEED` |
//! | version | `u32` `2` (version 2 names each certificate's type) |
//! | entry count | `u32` |
//! | each entry | see below |
//! | integrity hash | 20 bytes, see below |
//!
//! A private-key entry (tag 1; tag 2 would be a trusted certificate, which we never write):
//!
//! | field | encoding |
//! |---|---|
//! | tag | `u32` `1` |
//! | alias | Java "modified UTF-8" string: `u16` byte length, then the bytes |
//! | creation date | `i64` milliseconds since the Unix epoch |
//! | protected key | `u32` length, then a DER `EncryptedPrivateKeyInfo` (see [`protector`]) |
//! | chain length | `u32`, the number of certificates, the entry's own certificate first |
//! | each certificate | type as modified UTF-8 (`X.509`), `u32` length, the DER certificate |
//!
//! The integrity hash is SHA-1 over: the store password as UTF-16 big-endian code units (two
//! bytes per Java `char`, no terminator), then the ASCII bytes of `Mighty Aphrodite`, then every
//! byte of the file before the hash. A reader given the password recomputes it and refuses the
//! file ("Keystore was tampered with, or password was incorrect") when it differs.
//!
//! # Aliases are lower case
//!
//! Java's `JKS` type treats aliases case-insensitively by lower-casing them (English locale)
//! when an entry is added or looked up, but it keeps the alias exactly as read from the file.
//! An upper-case alias in a file would therefore be listed yet never found by its own name, so
//! [`encode`] refuses one; callers lower-case first (`keytool` itself only ever writes lower
//! case).

mod java_data;
pub mod protector;

pub use protector::SALT_LEN;

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use sha1::{Digest as _, Sha1};

use java_data::{password_bytes, write_modified_utf8};

/// `0xFEEDFEED`: the first four bytes of every JKS file.
pub const MAGIC: u32 = 0xFEED_FEED;
/// The format version Java has written since 1.2 (each certificate carries its type).
pub const VERSION: u32 = 2;
/// The entry tag of a private key with its certificate chain.
const TAG_PRIVATE_KEY: u32 = 1;
/// The certificate type Java's `CertificateFactory` knows X.509 certificates by.
const CERT_TYPE_X509: &str = "X.509";
/// Mixed into the integrity hash after the password (a fixed "whitener" chosen by Sun).
const WHITENER: &[u8] = b"Mighty Aphrodite";

/// One private-key entry: the key (PKCS#8) and its certificate chain (DER, leaf first).
/// `Debug` shows the alias and sizes, never the key.
pub struct KeyEntry<'a> {
    /// The alias: lower case (see the module docs).
    pub alias: &'a str,
    /// When the entry was made; `keytool -list` shows it as the entry's date.
    pub created: SystemTime,
    /// The private key as unencrypted PKCS#8 `PrivateKeyInfo` DER.
    pub pkcs8: &'a [u8],
    /// The certificate chain as DER, the key's own certificate first.
    pub chain: &'a [Vec<u8>],
}

impl fmt::Debug for KeyEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEntry")
            .field("alias", &self.alias)
            .field("created", &self.created)
            .field("pkcs8", &"[redacted]")
            .field("chain_len", &self.chain.len())
            .finish()
    }
}

/// Why a keystore could not be encoded. [`crate::keystore`] validates aliases and inputs
/// first, so through it each of these means something slipped past its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JksError {
    /// The alias is empty or has upper-case letters, which Java could not look up again.
    /// Likely cause: an alias that skipped the caller's validation.
    Alias,
    /// A string is longer than the 65 535 bytes Java's modified UTF-8 length prefix can hold.
    /// Likely cause: an absurdly long alias.
    StringTooLong,
    /// A key or certificate is larger than a Java array can be. Likely cause: a wrong file.
    TooLarge {
        /// What was too large.
        what: &'static str,
    },
    /// A key entry needs at least its own certificate. Likely cause: an empty chain.
    EmptyChain,
}

impl fmt::Display for JksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Alias => f.write_str("a JKS alias must be non-empty and in lower case"),
            Self::StringTooLong => f.write_str("a JKS string is limited to 65535 bytes"),
            Self::TooLarge { what } => write!(f, "the {what} is too large for a JKS file"),
            Self::EmptyChain => f.write_str("a JKS key entry needs its certificate"),
        }
    }
}

impl std::error::Error for JksError {}

/// Encodes a keystore holding exactly `entry`, its key protected with `password` (the key
/// password is the store password, as Salesforce's import requires). `salt` is the key
/// protector's random salt: pass [`SALT_LEN`] bytes from the OS random source (a repeated
/// salt with the same password repeats the keystream).
///
/// Limits: one private-key entry, X.509 certificates only, aliases in lower case, strings of at
/// most 65 535 modified-UTF-8 bytes, key and certificates under 2 GiB.
///
/// # Errors
/// [`JksError`] when the entry cannot be represented (see its variants).
pub fn encode(
    entry: &KeyEntry<'_>,
    password: &str,
    salt: &[u8; SALT_LEN],
) -> Result<Vec<u8>, JksError> {
    if entry.alias.is_empty() || entry.alias.to_lowercase() != entry.alias {
        return Err(JksError::Alias);
    }
    if entry.chain.is_empty() {
        return Err(JksError::EmptyChain);
    }
    let password = password_bytes(password);
    let protected = protector::protect(entry.pkcs8, &password, salt)?;

    let mut out =
        Vec::with_capacity(64 + protected.len() + entry.chain.iter().map(Vec::len).sum::<usize>());
    out.extend_from_slice(&MAGIC.to_be_bytes());
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes());

    out.extend_from_slice(&TAG_PRIVATE_KEY.to_be_bytes());
    write_modified_utf8(&mut out, entry.alias)?;
    out.extend_from_slice(&java_millis(entry.created).to_be_bytes());
    write_length(&mut out, protected.len(), "protected private key")?;
    out.extend_from_slice(&protected);
    write_length(&mut out, entry.chain.len(), "certificate chain")?;
    for cert in entry.chain {
        write_modified_utf8(&mut out, CERT_TYPE_X509)?;
        write_length(&mut out, cert.len(), "certificate")?;
        out.extend_from_slice(cert);
    }

    let digest = Sha1::new()
        .chain_update(password.as_slice())
        .chain_update(WHITENER)
        .chain_update(&out)
        .finalize();
    out.extend_from_slice(&digest);
    Ok(out)
}

/// A Java `int` length (`DataOutputStream.writeInt`): non-negative and below 2³¹.
fn write_length(out: &mut Vec<u8>, len: usize, what: &'static str) -> Result<(), JksError> {
    let len = i32::try_from(len).map_err(|_| JksError::TooLarge { what })?;
    out.extend_from_slice(&len.to_be_bytes());
    Ok(())
}

/// `Instant.toEpochMilli()`: milliseconds since the epoch (negative before it).
fn java_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn entry<'a>(alias: &'a str, chain: &'a [Vec<u8>]) -> KeyEntry<'a> {
        KeyEntry {
            alias,
            created: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            pkcs8: b"not really a key, but the protector does not parse it",
            chain,
        }
    }

    #[test]
    fn layout_and_integrity_hash() {
        let chain = vec![vec![0x30, 0x03, 0x02, 0x01, 0x01]];
        let bytes = encode(&entry("sf_cert", &chain), "changeit", &[7; 20]).unwrap();
        assert_eq!(bytes[..4], [0xFE, 0xED, 0xFE, 0xED]);
        assert_eq!(bytes[4..8], [0, 0, 0, 2]);
        assert_eq!(bytes[8..12], [0, 0, 0, 1]);
        assert_eq!(bytes[12..16], [0, 0, 0, 1]);
        assert_eq!(bytes[16..18], [0, 7]);
        assert_eq!(&bytes[18..25], b"sf_cert");
        assert_eq!(bytes[25..33], 1_700_000_000_123i64.to_be_bytes());
        // The chain ends the body: count 1, "X.509", length 5, the certificate.
        let (body, hash) = bytes.split_at(bytes.len() - 20);
        assert!(body.ends_with(&[
            0, 0, 0, 1, 0, 5, b'X', b'.', b'5', b'0', b'9', 0, 0, 0, 5, 0x30, 0x03, 0x02, 0x01,
            0x01
        ]));
        // The hash covers UTF-16BE password, the whitener and the body.
        let mut keyed = Vec::new();
        for unit in "changeit".encode_utf16() {
            keyed.extend_from_slice(&unit.to_be_bytes());
        }
        keyed.extend_from_slice(b"Mighty Aphrodite");
        keyed.extend_from_slice(body);
        assert_eq!(hash, Sha1::digest(&keyed).as_slice());
    }

    #[test]
    fn refuses_what_java_could_not_read_back() {
        let chain = vec![vec![0x30, 0x00]];
        assert_eq!(
            encode(&entry("Upper", &chain), "changeit", &[0; 20]),
            Err(JksError::Alias)
        );
        assert_eq!(
            encode(&entry("", &chain), "changeit", &[0; 20]),
            Err(JksError::Alias)
        );
        assert_eq!(
            encode(&entry("a", &[]), "changeit", &[0; 20]),
            Err(JksError::EmptyChain)
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let chain = vec![vec![0x30, 0x00]];
        let debug = format!("{:?}", entry("sf_cert", &chain));
        assert!(
            debug.contains("sf_cert") && debug.contains("[redacted]"),
            "{debug}"
        );
        // The bytes of "not", as a derived Debug of the slice would print them.
        assert!(!debug.contains("110, 111, 116"), "{debug}");
    }

    #[test]
    fn dates_before_the_epoch_are_negative() {
        assert_eq!(java_millis(UNIX_EPOCH - Duration::from_millis(5)), -5);
        assert_eq!(java_millis(UNIX_EPOCH + Duration::from_secs(1)), 1000);
    }
}
