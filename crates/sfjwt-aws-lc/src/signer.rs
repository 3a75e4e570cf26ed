//! [`AwsLcSigner`]: an aws-lc RSA key pair behind sfjwt's [`Signer`] trait.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use sfjwt_core::jws::{SignError, Signer};
use sfjwt_core::key::MIN_RSA_BITS;

use crate::AwsLcKeyError;

/// An RSA private key held by aws-lc, signing RS256 (RSASSA-PKCS1-v1_5 with SHA-256,
/// RFC 8017 §8.2.1, RFC 7518 §3.3).
///
/// `Debug` prints only the key size. aws-lc keeps the key in C memory and clears it when
/// the signer is dropped.
pub struct AwsLcSigner {
    key_pair: KeyPair,
    rng: SystemRandom,
}

impl AwsLcSigner {
    /// Loads an unencrypted PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM key.
    ///
    /// # Errors
    /// [`AwsLcKeyError`] says what was found instead: not PEM, another PEM label, an
    /// encrypted key, a key aws-lc refuses, or one smaller than 2048 bits.
    ///
    /// ```
    /// # let pem = include_str!("../../../testdata/keys/rsa2048.pkcs1.pem");
    /// let signer = sfjwt_aws_lc::AwsLcSigner::from_pem(pem)?;
    /// assert_eq!(signer.bits(), 2048);
    /// # Ok::<(), sfjwt_aws_lc::AwsLcKeyError>(())
    /// ```
    pub fn from_pem(pem: &str) -> Result<Self, AwsLcKeyError> {
        let block = pem::parse(pem).map_err(|_| AwsLcKeyError::NotPem)?;
        match block.tag() {
            "PRIVATE KEY" => Self::from_key_pair(KeyPair::from_pkcs8(block.contents())),
            // RFC 1421 headers on a PKCS#1 block mean OpenSSL's legacy encryption.
            "RSA PRIVATE KEY" if block.headers().get("Proc-Type").is_some() => {
                Err(AwsLcKeyError::Encrypted)
            }
            "RSA PRIVATE KEY" => Self::from_key_pair(KeyPair::from_der(block.contents())),
            "ENCRYPTED PRIVATE KEY" => Err(AwsLcKeyError::Encrypted),
            label => Err(AwsLcKeyError::UnsupportedPemLabel {
                label: label.to_owned(),
            }),
        }
    }

    /// Loads an unencrypted PKCS#8 or PKCS#1 DER key (tried in that order).
    ///
    /// # Errors
    /// [`AwsLcKeyError::Rejected`] when the bytes are neither, [`AwsLcKeyError::TooSmall`]
    /// for keys under 2048 bits.
    pub fn from_der(der: &[u8]) -> Result<Self, AwsLcKeyError> {
        match KeyPair::from_pkcs8(der) {
            Ok(pair) => Self::from_key_pair(Ok(pair)),
            Err(pkcs8_error) => match KeyPair::from_der(der) {
                Ok(pair) => Self::from_key_pair(Ok(pair)),
                // Neither parses: PKCS#8 is the more common form, so report its reason.
                Err(_) => Self::from_key_pair(Err(pkcs8_error)),
            },
        }
    }

    fn from_key_pair(
        parsed: Result<KeyPair, aws_lc_rs::error::KeyRejected>,
    ) -> Result<Self, AwsLcKeyError> {
        let key_pair = parsed.map_err(|rejected| {
            let reason = rejected.description_();
            // aws-lc refuses keys under 2048 bits itself; keep our typed error for them.
            if reason == "TooSmall" {
                AwsLcKeyError::TooSmall { bits: 0 }
            } else {
                AwsLcKeyError::Rejected {
                    reason: reason.to_owned(),
                }
            }
        })?;
        let bits = key_pair.public_modulus_len().saturating_mul(8);
        if bits < MIN_RSA_BITS {
            return Err(AwsLcKeyError::TooSmall { bits });
        }
        Ok(Self {
            key_pair,
            rng: SystemRandom::new(),
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key_pair.public_modulus_len().saturating_mul(8)
    }

    /// The public key as DER `RSAPublicKey` (PKCS#1), e.g. to compare with a certificate.
    pub fn public_key_der(&self) -> &[u8] {
        self.key_pair.public_key().as_ref()
    }
}

impl Signer for AwsLcSigner {
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut signature = vec![0; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, signing_input, &mut signature)
            .map_err(|_| SignError::new("aws-lc RSA signing failed"))?;
        Ok(signature)
    }
}

impl core::fmt::Debug for AwsLcSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AwsLcSigner")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}
