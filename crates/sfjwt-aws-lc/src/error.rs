//! Why a key could not be loaded into the aws-lc signer.
//!
//! Follows the core's error convention (`sfjwt_core::manual::errors`): each message holds
//! the whole fact and `source()` is `None`.

/// A key could not be loaded into [`AwsLcSigner`](crate::AwsLcSigner). Never contains key
/// material: only labels, sizes and aws-lc's one-word reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AwsLcKeyError {
    /// The text is not PEM: no `-----BEGIN ...-----` line, bad base64, or a missing
    /// `-----END ...-----` line. Usually a truncated copy-paste, or DER bytes passed as text
    /// (use [`AwsLcSigner::from_der`](crate::AwsLcSigner::from_der)).
    NotPem,
    /// The PEM block is not an RSA private key (`PRIVATE KEY` or `RSA PRIVATE KEY`): for
    /// example a `CERTIFICATE` (upload that to the connected app; sign with the key) or a
    /// `PUBLIC KEY`.
    UnsupportedPemLabel {
        /// The label found after `-----BEGIN `.
        label: String,
    },
    /// The key is encrypted (`ENCRYPTED PRIVATE KEY`, or a legacy `Proc-Type: 4,ENCRYPTED`
    /// header). This backend does not decrypt keys: load it with
    /// `sfjwt_core::key::PrivateKey` and the passphrase, or keep the key in a secret store
    /// that hands it over unencrypted.
    Encrypted,
    /// aws-lc refused the key: not RSA (an EC or Ed25519 key), malformed DER, or an
    /// inconsistent RSA key. `reason` is aws-lc's own word for it (e.g. `InvalidEncoding`).
    Rejected {
        /// aws-lc's reason.
        reason: String,
    },
    /// The RSA modulus is smaller than 2048 bits
    /// ([`MIN_RSA_BITS`](sfjwt_core::key::MIN_RSA_BITS)). Salesforce refuses such keys:
    /// generate a new one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`.
    TooSmall {
        /// The key's modulus size, in bits (0 when aws-lc refused it without saying).
        bits: usize,
    },
}

impl core::fmt::Display for AwsLcKeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotPem => f.write_str(
                "the key is not PEM text (expected -----BEGIN PRIVATE KEY-----); \
                 for binary keys use AwsLcSigner::from_der",
            ),
            Self::UnsupportedPemLabel { label } => write!(
                f,
                "found a PEM `{label}`, not an RSA private key (`PRIVATE KEY` or \
                 `RSA PRIVATE KEY`)"
            ),
            Self::Encrypted => f.write_str(
                "the key is encrypted; the aws-lc signer does not decrypt keys: load it \
                 with sfjwt_core::key::PrivateKey and its passphrase instead",
            ),
            Self::Rejected { reason } => write!(
                f,
                "aws-lc rejected the key ({reason}): it must be an RSA private key in \
                 PKCS#8 or PKCS#1 form"
            ),
            Self::TooSmall { bits } if *bits > 0 => write!(
                f,
                "the RSA key has {bits} bits; Salesforce requires at least 2048: \
                 generate a new 2048-bit key"
            ),
            Self::TooSmall { .. } => f.write_str(
                "the RSA key is smaller than 2048 bits; Salesforce requires at least 2048: \
                 generate a new 2048-bit key",
            ),
        }
    }
}

impl std::error::Error for AwsLcKeyError {}
