/// Why a key or certificate could not be loaded.
///
/// Every variant says what was found and what to do about it. No variant ever contains key
/// material or a passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The input was empty (an unset environment variable, an empty file).
    Empty,
    /// The input is not a key in any format sfjwt recognises.
    Unrecognized {
        /// What was found instead, for the message.
        found: String,
    },
    /// The key is an RSA key smaller than [`MIN_RSA_BITS`](super::MIN_RSA_BITS).
    TooSmall {
        /// The key's modulus size.
        bits: usize,
    },
    /// The key is encrypted and no passphrase was given.
    PassphraseRequired,
    /// The passphrase did not decrypt the key.
    WrongPassphrase,
}

impl core::fmt::Display for KeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Empty => {
                f.write_str("the key input is empty: pass the PEM text or the path of the key file")
            }
            Self::Unrecognized { found } => write!(f, "not an RSA private key: found {found}"),
            Self::TooSmall { bits } => write!(
                f,
                "the RSA key has {bits} bits; Salesforce and sfjwt require at least {}: generate a new key with `sfjwt keygen`",
                super::MIN_RSA_BITS
            ),
            Self::PassphraseRequired => f.write_str("the key is encrypted: supply its passphrase"),
            Self::WrongPassphrase => f.write_str("the passphrase does not decrypt this key"),
        }
    }
}

impl std::error::Error for KeyError {}
