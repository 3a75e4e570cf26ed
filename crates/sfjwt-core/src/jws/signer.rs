//! The signer traits and the default implementation on [`PrivateKey`].
//!
//! - [`Signer`]: signs inline. Right for keys in memory and for local tokens (a PKCS#11
//!   library call that returns in microseconds to milliseconds).
//! - [`AsyncSigner`]: signs without blocking an async executor, for keys behind a network
//!   call (a cloud KMS). Every [`Signer`] is an [`AsyncSigner`] (a blanket implementation
//!   signs inline and returns a ready future), so code written against `AsyncSigner` takes
//!   both kinds.
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

use std::future::Future;
use std::pin::Pin;

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

/// What [`AsyncSigner::sign_rs256_async`] returns: a boxed, `Send` future of the raw
/// signature.
pub type SignFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, SignError>> + Send + 'a>>;

/// Produces RS256 signatures without blocking the caller's executor: the trait for signers
/// whose key sits behind network I/O (AWS KMS and other cloud key services).
///
/// Same contract as [`Signer`]: RSASSA-PKCS1-v1_5 with SHA-256 over the signing input, the
/// raw signature as many bytes as the modulus. The future is boxed so that a client can hold
/// any signer as a trait object (one allocation per signature, next to a network round trip),
/// and the core stays free of any async runtime: the signer brings its own I/O.
///
/// Every [`Signer`] is an `AsyncSigner` through a blanket implementation that signs inline and
/// returns a ready future, so a function taking `&dyn AsyncSigner` accepts a
/// [`PrivateKey`] too. The reverse is not true: an async-only signer cannot sign from a
/// blocking call; such crates ship a blocking wrapper that implements [`Signer`].
///
/// ```
/// use sfjwt_core::jws::{AsyncSigner, SignError, SignFuture};
/// struct RemoteKms;
/// impl AsyncSigner for RemoteKms {
///     fn sign_rs256_async<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a> {
///         Box::pin(async move {
///             // A real signer awaits its service here.
///             let _ = signing_input;
///             Err(SignError::new("KMS unreachable in this example"))
///         })
///     }
/// }
/// # let _ = RemoteKms;
/// ```
pub trait AsyncSigner {
    /// Signs `signing_input` (the ASCII bytes `b64(header) "." b64(claims)`) and resolves to
    /// the raw signature: exactly as many bytes as the key's modulus.
    ///
    /// # Errors
    /// [`SignError`] when the signer fails (an unreachable key service, a refused key).
    fn sign_rs256_async<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a>;
}

impl<S: Signer + ?Sized> AsyncSigner for S {
    fn sign_rs256_async<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a> {
        // Sign now, on the caller's task: a sync signer never waits on I/O.
        let result = self.sign_rs256(signing_input);
        Box::pin(std::future::ready(result))
    }
}

/// A signer failed. The message never contains key material.
#[derive(Debug)]
pub struct SignError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    retryable: bool,
}

impl SignError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
            retryable: false,
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
            retryable: false,
        }
    }

    /// Marks the failure as transient (a throttled or briefly unavailable key service), so
    /// [`ExchangeError::is_retryable`](crate::exchange::ExchangeError::is_retryable) and the
    /// token managers retry it with backoff. Failures are permanent by default.
    #[must_use]
    pub fn retryable(mut self) -> Self {
        self.retryable = true;
        self
    }

    /// Whether trying again may succeed (see [`retryable`](Self::retryable)).
    pub fn is_retryable(&self) -> bool {
        self.retryable
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
