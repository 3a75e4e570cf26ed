//! Why a PKCS#11 key could not be opened or used.
//!
//! Follows the core's error convention (`sfjwt_core::manual::errors`): a message says its own
//! words and the token's or the file system's error is the `source()`, or it holds the whole
//! fact.

use std::path::PathBuf;

/// A PKCS#11 key could not be opened or could not sign. Never contains the PIN or key
/// material: only labels, ids, paths and the token's return code.
#[derive(Debug)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The key URI is not a usable RFC 7512 URI; `reason` says which part is wrong.
    InvalidUri {
        /// What is wrong.
        reason: String,
    },
    /// The URI names no PKCS#11 module: add `?module-path=/path/to/vendor-pkcs11.so`
    /// (SoftHSM2: `/usr/lib/softhsm/libsofthsm2.so`).
    NoModulePath,
    /// No file at the module path: a typo, or the vendor's package is not installed
    /// (SoftHSM2: `apt-get install softhsm2`).
    ModuleNotFound {
        /// The path tried.
        path: PathBuf,
    },
    /// The file exists but is not a loadable PKCS#11 module (wrong architecture, a missing
    /// library it links to, not a PKCS#11 library), or its `C_Initialize` failed (for
    /// SoftHSM2: an unreadable `SOFTHSM2_CONF` or token directory).
    ModuleLoad {
        /// The module path.
        path: PathBuf,
        /// The loader's or module's message.
        detail: String,
    },
    /// No token matches the URI's `token=` (and `serial=`, …): a typo in the label, a token
    /// not initialized yet, or (SoftHSM2) `SOFTHSM2_CONF` pointing at another token directory.
    TokenNotFound {
        /// The token attributes asked for.
        wanted: String,
        /// The labels of the tokens present.
        available: Vec<String>,
    },
    /// More than one token matches: add `serial=` or `slot-id=` to the URI.
    TokenAmbiguous {
        /// The token attributes asked for.
        wanted: String,
        /// How many matched.
        count: usize,
    },
    /// The `pin-source` file cannot be read (missing, or no permission). The I/O error is
    /// the `source()`.
    PinFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The token refused the PIN (`CKR_PIN_INCORRECT`). Repeated failures lock the token on
    /// most HSMs: check the `pin-source` file or `pin-value` before trying again.
    WrongPin,
    /// The token's user PIN is locked after too many wrong PINs (`CKR_PIN_LOCKED`): the
    /// security officer must reset it.
    PinLocked,
    /// No private key on the token matches `object=`/`id=`. Private keys are only visible
    /// after login, so a missing PIN shows up here too (`logged_in` is false then).
    KeyNotFound {
        /// The key attributes asked for.
        wanted: String,
        /// Whether the session was logged in with a PIN when searching.
        logged_in: bool,
        /// The labels of the private keys the search could see.
        available: Vec<String>,
    },
    /// More than one private key matches: add `id=` (or `object=`) to the URI.
    KeyAmbiguous {
        /// The key attributes asked for.
        wanted: String,
        /// How many matched.
        count: usize,
    },
    /// The key is not RSA (an EC or EdDSA key): Salesforce only accepts RS256, so the key in
    /// the token must be an RSA key.
    NotRsa {
        /// The token's key type (`CKA_KEY_TYPE`).
        key_type: String,
    },
    /// The RSA key is smaller than 2048 bits: Salesforce refuses it. Generate a 2048-bit (or
    /// larger) key in the token.
    KeyTooSmall {
        /// The modulus size in bits.
        bits: usize,
    },
    /// The key's public half could not be read (no `CKA_MODULUS` / `CKA_PUBLIC_EXPONENT` on
    /// the private key and no public key object with the same id) or is not a valid RSA key.
    PublicKey {
        /// What went wrong.
        detail: String,
    },
    /// The token supports neither `CKM_SHA256_RSA_PKCS` nor `CKM_RSA_PKCS`, so it cannot
    /// make RS256 signatures.
    NoRsaMechanism,
    /// A PKCS#11 call failed; `operation` names it and the module's error is the `source()`
    /// (e.g. `CKR_DEVICE_REMOVED`, `CKR_TOKEN_NOT_PRESENT`).
    Token {
        /// The PKCS#11 operation (e.g. `C_Sign`).
        operation: &'static str,
        /// The module's error.
        source: cryptoki::error::Error,
    },
}

impl core::fmt::Display for Pkcs11Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidUri { reason } => write!(f, "invalid PKCS#11 URI: {reason}"),
            Self::NoModulePath => f.write_str(
                "the PKCS#11 URI names no module: add ?module-path=/path/to/module.so \
                 (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)",
            ),
            Self::ModuleNotFound { path } => write!(
                f,
                "no PKCS#11 module at {}: check module-path, or install the vendor's package \
                 (SoftHSM2: apt-get install softhsm2)",
                path.display()
            ),
            Self::ModuleLoad { path, detail } => write!(
                f,
                "cannot load the PKCS#11 module {}: {detail}",
                path.display()
            ),
            Self::TokenNotFound { wanted, available } if available.is_empty() => write!(
                f,
                "no PKCS#11 token matches {wanted}: the module shows no initialized token \
                 (SoftHSM2: softhsm2-util --init-token, and check SOFTHSM2_CONF)"
            ),
            Self::TokenNotFound { wanted, available } => write!(
                f,
                "no PKCS#11 token matches {wanted}; tokens present: {}",
                quoted(available)
            ),
            Self::TokenAmbiguous { wanted, count } => write!(
                f,
                "{count} PKCS#11 tokens match {wanted}: add serial= or slot-id= to the URI"
            ),
            Self::PinFile { path, .. } => {
                write!(f, "cannot read the PIN file {}", path.display())
            }
            Self::WrongPin => f.write_str(
                "the token refused the PIN (CKR_PIN_INCORRECT); check pin-source/pin-value \
                 before retrying: repeated failures lock most tokens",
            ),
            Self::PinLocked => f.write_str(
                "the token's user PIN is locked (CKR_PIN_LOCKED): the security officer must \
                 reset it",
            ),
            Self::KeyNotFound {
                wanted,
                logged_in: false,
                ..
            } => write!(
                f,
                "no private key matches {wanted} without a PIN: private keys are only visible \
                 after login; add pin-source=file:/path/to/pin or pin-value= to the URI"
            ),
            Self::KeyNotFound {
                wanted, available, ..
            } if available.is_empty() => write!(
                f,
                "no private key matches {wanted}: the token holds no private key (import or \
                 generate one)"
            ),
            Self::KeyNotFound {
                wanted, available, ..
            } => write!(
                f,
                "no private key matches {wanted}; private keys present: {}",
                quoted(available)
            ),
            Self::KeyAmbiguous { wanted, count } => write!(
                f,
                "{count} private keys match {wanted}: add id= (or object=) to the URI"
            ),
            Self::NotRsa { key_type } => write!(
                f,
                "the key is {key_type}, not RSA: Salesforce accepts only RS256, so use an RSA \
                 key of at least 2048 bits"
            ),
            Self::KeyTooSmall { bits } => write!(
                f,
                "the RSA key has {bits} bits; Salesforce requires at least 2048: generate a \
                 2048-bit key in the token"
            ),
            Self::PublicKey { detail } => {
                write!(f, "cannot read the key's public half: {detail}")
            }
            Self::NoRsaMechanism => f.write_str(
                "the token supports neither CKM_SHA256_RSA_PKCS nor CKM_RSA_PKCS, so it cannot \
                 sign RS256",
            ),
            Self::Token { operation, .. } => write!(f, "PKCS#11 {operation} failed"),
        }
    }
}

impl std::error::Error for Pkcs11Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::PinFile { source, .. } => Some(source),
            Self::Token { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn quoted(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("{l:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
