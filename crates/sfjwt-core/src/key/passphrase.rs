//! [`Passphrase`]: the secret that unlocks an encrypted private key.

use zeroize::Zeroizing;

/// The passphrase of an encrypted private key.
///
/// Zeroized on drop; its `Debug` output is redacted and it has no `Display`.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<Vec<u8>>);

impl Passphrase {
    /// Wraps a passphrase.
    pub fn new(passphrase: impl Into<Vec<u8>>) -> Self {
        Self(Zeroizing::new(passphrase.into()))
    }

    /// The passphrase bytes, for a key-derivation function.
    #[allow(dead_code)] // used by the encrypted-key loaders
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<&str> for Passphrase {
    fn from(value: &str) -> Self {
        Self::new(value.as_bytes())
    }
}

impl From<String> for Passphrase {
    fn from(value: String) -> Self {
        Self::new(value.into_bytes())
    }
}

impl core::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}
