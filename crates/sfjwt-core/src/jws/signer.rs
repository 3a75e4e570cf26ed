//! The signer trait and its default implementation on [`PrivateKey`].
//!
//! # Security: why the blinded path (RUSTSEC-2023-0071, "Marvin")
//!
//! RSA private-key operations whose running time depends on secret values leak the key to an
//! attacker who can time many of them. RUSTSEC-2023-0071 reports such a side channel in the
//! `rsa` crate. sfjwt signs through [`RandomizedSigner::try_sign_with_rng`], which applies RSA
//! *blinding*: the message representative is multiplied by `r^e` for a fresh random `r` before
//! exponentiation and unblinded after, so the timing of the secret exponentiation is decorrelated
//! from the data an observer chose or saw. `rsa` 0.10 additionally computes on
//! `crypto-bigint`'s constant-time integers. The advisory's main target is decryption
//! oracles; a JWT client signs data of its own making, which further limits exposure. The
//! decision and its limits are written up in `AUDIT.md`.
//!
//! The randomness comes from the operating system (`getrandom::SysRng`); it is used only for
//! blinding: RSASSA-PKCS1-v1_5 signatures are deterministic, so known-answer tests pin them.

use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};

use crate::key::PrivateKey;

/// Produces RS256 signatures: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.1, RFC 7518 §3.3).
///
/// Implement it to keep the key in an HSM or a cloud KMS; the protocol code never touches key
/// material. A closure is not a signer on purpose: a signer is an identity, so make it a type.
///
/// ```
/// use sfjwt_core::jws::{SignError, Signer};
/// struct Kms;
/// impl Signer for Kms {
///     fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
///         Err(SignError::new("KMS unreachable in this example"))
///     }
/// }
/// assert!(Kms.sign_rs256(b"x").is_err());
/// ```
pub trait Signer {
    /// Signs `signing_input` (the ASCII bytes `b64(header) "." b64(claims)`) and returns the
    /// raw signature: exactly as many bytes as the key's modulus.
    ///
    /// # Errors
    /// [`SignError`] when the signer fails (an unreachable HSM, a failed RNG).
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError>;
}

impl Signer for PrivateKey {
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        // Blinded signing: see the module docs (RUSTSEC-2023-0071).
        let signature = self
            .signing_key()
            .try_sign_with_rng(&mut getrandom::SysRng, signing_input)
            .map_err(|e| SignError::with_source("RSA signing failed", e))?;
        Ok(signature.to_vec())
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        (**self).sign_rs256(signing_input)
    }
}

impl<S: Signer + ?Sized> Signer for std::sync::Arc<S> {
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        (**self).sign_rs256(signing_input)
    }
}

impl<S: Signer + ?Sized> Signer for Box<S> {
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        (**self).sign_rs256(signing_input)
    }
}

/// A signer failed. The message never contains key material.
#[derive(Debug)]
pub struct SignError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl SignError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure described by `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl core::fmt::Display for SignError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SignError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
