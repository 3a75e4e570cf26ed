use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use sha2::Sha256;

use super::{KeyError, MIN_RSA_BITS, PublicKey};

/// An RSA private key, parsed and checked once, ready to sign many assertions.
///
/// `Debug` prints only the key size; the key material is zeroized on drop (the `rsa` crate
/// implements `ZeroizeOnDrop` for its private key).
#[derive(Clone)]
pub struct PrivateKey {
    signing_key: rsa::pkcs1v15::SigningKey<Sha256>,
    bits: usize,
}

impl PrivateKey {
    /// Loads an unencrypted PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM key.
    ///
    /// # Errors
    /// [`KeyError`] says what was found instead and what to do.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = rsa::PrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_pem(pem))
            .map_err(|_| KeyError::Unrecognized {
                found: "unparseable PEM".into(),
            })?;
        Self::from_rsa(key)
    }

    /// Loads an unencrypted PKCS#8 or PKCS#1 DER key.
    ///
    /// # Errors
    /// [`KeyError`] says what was found instead and what to do.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = rsa::PrivateKey::from_pkcs8_der(der)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_der(der))
            .map_err(|_| KeyError::Unrecognized {
                found: "unparseable DER".into(),
            })?;
        Self::from_rsa(key)
    }

    fn from_rsa(key: rsa::PrivateKey) -> Result<Self, KeyError> {
        let bits = key.n().bit_width() as usize;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall { bits });
        }
        Ok(Self {
            signing_key: rsa::pkcs1v15::SigningKey::new(key),
            bits,
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_rsa_unchecked(self.signing_key.as_ref().to_public_key())
    }

    /// The RS256 signing key (RSASSA-PKCS1-v1_5 with SHA-256), for the signer.
    pub(crate) fn signing_key(&self) -> &rsa::pkcs1v15::SigningKey<Sha256> {
        &self.signing_key
    }
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}
