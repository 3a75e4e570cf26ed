use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::traits::PublicKeyParts as _;

use super::{KeyError, MIN_RSA_BITS};

/// An RSA public key, for verifying assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: rsa::PublicKey,
}

impl PublicKey {
    /// Loads an SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`) PEM public key.
    ///
    /// # Errors
    /// [`KeyError`] says what was found instead and what to do.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = rsa::PublicKey::from_public_key_pem(pem)
            .or_else(|_| rsa::PublicKey::from_pkcs1_pem(pem))
            .map_err(|_| KeyError::Unrecognized {
                found: "unparseable PEM".into(),
            })?;
        Self::from_rsa(key)
    }

    pub(crate) fn from_rsa(key: rsa::PublicKey) -> Result<Self, KeyError> {
        let bits = key.n().bit_width() as usize;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall { bits });
        }
        Ok(Self { key })
    }

    /// Wraps a key whose size was already checked (it comes from a checked private key).
    pub(crate) fn from_rsa_unchecked(key: rsa::PublicKey) -> Self {
        Self { key }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bit_width() as usize
    }

    /// The modulus size in bytes: the exact length of every RS256 signature by this key.
    pub fn modulus_len(&self) -> usize {
        self.key.size()
    }

    pub(crate) fn rsa(&self) -> &rsa::PublicKey {
        &self.key
    }
}
