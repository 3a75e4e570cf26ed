//! [`KmsSigner`] (async) and [`BlockingKmsSigner`]: an AWS KMS RSA key behind sfjwt's signer
//! traits.
//!
//! # What is sent
//!
//! `Sign` with `SigningAlgorithm = RSASSA_PKCS1_V1_5_SHA_256`: KMS hashes with SHA-256 and
//! signs RSASSA-PKCS1-v1_5, exactly RS256 (RFC 7518 §3.3). Inputs up to 4096 bytes (every
//! assertion and certificate) go as `MessageType = RAW`; larger ones as the SHA-256 `DIGEST`
//! computed here, since KMS refuses RAW messages over 4096 bytes. The signature is the same.

use std::time::SystemTime;

use aws_sdk_kms::Client;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec};
use sfjwt_core::jws::{AsyncSigner, SignError, SignFuture, Signer};
use sfjwt_core::key::{
    CertificateError, CertificateSpec, PublicKey, self_signed_certificate_async,
};
use sha2::Digest as _;

use crate::KmsError;

/// KMS's limit for `MessageType = RAW`.
const MAX_RAW_MESSAGE: usize = 4096;

/// An RS256 [`AsyncSigner`] whose RSA private key stays in AWS KMS.
///
/// [`KmsSigner::from_env`] reads credentials, region and endpoint from the standard AWS
/// configuration chain (environment, `~/.aws/config` profiles, web identity, container and
/// instance roles, SSO profiles with the `sso` feature; `AWS_ENDPOINT_URL` /
/// `AWS_ENDPOINT_URL_KMS` redirect the SDK, e.g. to a local KMS). Construction reads the key's public half (`GetPublicKey`) and
/// checks it can sign RS256, so a wrong key fails there, not at the first login.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use sfjwt_aws_kms::KmsSigner;
/// use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer};
/// let signer = KmsSigner::from_env("alias/sfjwt-prod").await?;
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_key")
///     .username("etl@acme.com")
///     .async_signer(signer)
///     .build();
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct KmsSigner {
    client: Client,
    key_id: String,
    key_arn: String,
    public_key: PublicKey,
}

impl KmsSigner {
    /// A signer for `key_id` (key id, key ARN, `alias/name` or alias ARN) with the standard
    /// AWS configuration chain. Without a configured region, a key ARN's region is used.
    ///
    /// # Errors
    /// [`KmsError`]: an invalid key id, incomplete configuration, a key KMS does not have or
    /// will not let this principal use, a key that cannot sign RS256, or KMS unreachable.
    pub async fn from_env(key_id: impl Into<String>) -> Result<Self, KmsError> {
        let key_id = key_id.into();
        check_key_id(&key_id)?;
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(crate::http::https_client());
        if let Some(region) = arn_region(&key_id) {
            // Only a fallback: a region from the environment or profile wins.
            let chain = aws_config::meta::region::RegionProviderChain::default_provider()
                .or_else(aws_config::Region::new(region.to_owned()));
            loader = loader.region(chain);
        }
        let config = loader.load().await;
        if config.region().is_none() {
            return Err(KmsError::Configuration {
                detail: "no AWS region: set AWS_REGION (or a profile's region), or name the \
                         key by its ARN"
                    .to_owned(),
            });
        }
        Self::new(Client::new(&config), key_id).await
    }

    /// A signer for `key_id` through a KMS client configured by the caller.
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub async fn new(client: Client, key_id: impl Into<String>) -> Result<Self, KmsError> {
        let key_id = key_id.into();
        check_key_id(&key_id)?;
        let output = client
            .get_public_key()
            .key_id(&key_id)
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(e, &key_id))?;
        if let Some(usage) = output.key_usage() {
            if *usage != KeyUsageType::SignVerify {
                return Err(KmsError::UnsuitableKey {
                    reason: format!("its key usage is {}, not SIGN_VERIFY", usage.as_str()),
                });
            }
        }
        match output.key_spec() {
            Some(KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096) | None => {}
            Some(other) => {
                return Err(KmsError::UnsuitableKey {
                    reason: format!("its key spec is {}, not RSA", other.as_str()),
                });
            }
        }
        // KMS lists the signing algorithms of every signing key; a symmetric or encryption
        // key has none.
        if !output
            .signing_algorithms()
            .contains(&SigningAlgorithmSpec::RsassaPkcs1V15Sha256)
        {
            return Err(KmsError::UnsuitableKey {
                reason: "it does not offer RSASSA_PKCS1_V1_5_SHA_256 (not an RSA signing key)"
                    .to_owned(),
            });
        }
        let der = output.public_key().ok_or_else(|| KmsError::Response {
            detail: "GetPublicKey returned no public key".to_owned(),
        })?;
        let public_key = PublicKey::from_der(der.as_ref()).map_err(|e| KmsError::Response {
            detail: format!("the key's public half is not usable: {e}"),
        })?;
        let key_arn = output.key_id().unwrap_or(&key_id).to_owned();
        Ok(Self {
            client,
            key_id,
            key_arn,
            public_key,
        })
    }

    /// Signs `signing_input` with RS256 in KMS.
    ///
    /// # Errors
    /// [`KmsError`]; see [`KmsError::is_retryable`].
    pub async fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KmsError> {
        let (message, kind) = if signing_input.len() <= MAX_RAW_MESSAGE {
            (signing_input.to_vec(), MessageType::Raw)
        } else {
            (
                sha2::Sha256::digest(signing_input).to_vec(),
                MessageType::Digest,
            )
        };
        let output = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(kind)
            .signing_algorithm(SigningAlgorithmSpec::RsassaPkcs1V15Sha256)
            .send()
            .await
            .map_err(|e| KmsError::from_sdk(e, &self.key_id))?;
        let signature = output.signature().ok_or_else(|| KmsError::Response {
            detail: "Sign returned no signature".to_owned(),
        })?;
        if signature.as_ref().len() != self.public_key.modulus_len() {
            return Err(KmsError::Response {
                detail: format!(
                    "a {}-byte signature for a {}-byte modulus",
                    signature.as_ref().len(),
                    self.public_key.modulus_len()
                ),
            });
        }
        Ok(signature.clone().into_inner())
    }

    /// The key's public half (from `GetPublicKey`).
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The key as given (id, ARN or alias).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key as `GetPublicKey` named it: its ARN on AWS (local emulators may give the id).
    pub fn key_arn(&self) -> &str {
        &self.key_arn
    }

    /// A self-signed certificate (PEM) for this key, signed in KMS: the `server.crt` to upload
    /// to the connected app.
    ///
    /// # Errors
    /// [`CertificateError`], with the [`KmsError`] as the source of a signing failure.
    pub async fn self_signed_certificate(
        &self,
        spec: &CertificateSpec,
        now: SystemTime,
    ) -> Result<String, CertificateError> {
        self_signed_certificate_async(self, &self.public_key, spec, now).await
    }
}

impl AsyncSigner for KmsSigner {
    fn sign_rs256_async<'a>(&'a self, signing_input: &'a [u8]) -> SignFuture<'a> {
        Box::pin(async move { self.sign(signing_input).await.map_err(sign_error) })
    }
}

fn sign_error(e: KmsError) -> SignError {
    let retryable = e.is_retryable();
    let error = SignError::with_source("AWS KMS could not sign", e);
    if retryable { error.retryable() } else { error }
}

impl core::fmt::Debug for KmsSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KmsSigner")
            .field("key_id", &self.key_id)
            .field("key_arn", &self.key_arn)
            .field("bits", &self.public_key.bits())
            .finish_non_exhaustive()
    }
}

/// A [`KmsSigner`] for blocking code (threads, the `sfjwt` CLI): a [`Signer`] that runs each
/// KMS call on a private single-thread tokio runtime.
///
/// Do not call it from inside an async runtime (it returns
/// [`KmsError::BlockingInAsyncContext`] there rather than stall the executor): async code
/// uses [`KmsSigner`] directly.
pub struct BlockingKmsSigner {
    runtime: tokio::runtime::Runtime,
    signer: KmsSigner,
}

impl BlockingKmsSigner {
    /// [`KmsSigner::from_env`], blocking.
    ///
    /// # Errors
    /// As [`KmsSigner::from_env`], and [`KmsError::BlockingInAsyncContext`].
    pub fn from_env(key_id: impl Into<String>) -> Result<Self, KmsError> {
        let runtime = runtime()?;
        let signer = runtime.block_on(KmsSigner::from_env(key_id))?;
        Ok(Self { runtime, signer })
    }

    /// Wraps an async signer.
    ///
    /// # Errors
    /// [`KmsError::BlockingInAsyncContext`] inside an async runtime;
    /// [`KmsError::Configuration`] if the private runtime cannot start.
    pub fn new(signer: KmsSigner) -> Result<Self, KmsError> {
        Ok(Self {
            runtime: runtime()?,
            signer,
        })
    }

    /// Signs `signing_input` with RS256 in KMS, blocking the calling thread.
    ///
    /// # Errors
    /// As [`KmsSigner::sign`], and [`KmsError::BlockingInAsyncContext`].
    pub fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KmsError> {
        not_in_runtime()?;
        self.runtime.block_on(self.signer.sign(signing_input))
    }

    /// The async signer inside.
    pub fn inner(&self) -> &KmsSigner {
        &self.signer
    }

    /// The key's public half.
    pub fn public_key(&self) -> &PublicKey {
        self.signer.public_key()
    }
}

impl Signer for BlockingKmsSigner {
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        self.sign(signing_input).map_err(sign_error)
    }
}

impl core::fmt::Debug for BlockingKmsSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("BlockingKmsSigner")
            .field(&self.signer)
            .finish()
    }
}

fn not_in_runtime() -> Result<(), KmsError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(KmsError::BlockingInAsyncContext);
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, KmsError> {
    not_in_runtime()?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| KmsError::Configuration {
            detail: format!("cannot start the runtime for KMS calls: {e}"),
        })
}

/// KMS accepts a key id (UUID), key ARN, alias name (`alias/…`) or alias ARN; refuse what
/// can only be a mistake before a network call.
fn check_key_id(key_id: &str) -> Result<(), KmsError> {
    if key_id.is_empty() {
        return Err(KmsError::InvalidKeyId {
            reason: "it is empty; give a key id, key ARN or alias/NAME".to_owned(),
        });
    }
    if key_id.chars().any(char::is_whitespace) {
        return Err(KmsError::InvalidKeyId {
            reason: format!("{key_id:?} contains whitespace"),
        });
    }
    if key_id.starts_with("arn:") && arn_region(key_id).is_none() {
        return Err(KmsError::InvalidKeyId {
            reason: format!(
                "{key_id:?} is not a KMS ARN (arn:aws:kms:REGION:ACCOUNT:key/ID or :alias/NAME)"
            ),
        });
    }
    Ok(())
}

/// The region of a KMS ARN (`arn:PARTITION:kms:REGION:ACCOUNT:…`).
fn arn_region(key_id: &str) -> Option<&str> {
    let mut parts = key_id.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("arn"), Some(_partition), Some("kms"), Some(region)) if !region.is_empty() => {
            Some(region)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids() {
        assert!(check_key_id("alias/sfjwt-prod").is_ok());
        assert!(check_key_id("1234abcd-12ab-34cd-56ef-1234567890ab").is_ok());
        assert!(check_key_id("arn:aws:kms:eu-west-1:111122223333:key/1234abcd").is_ok());
        assert!(check_key_id("").is_err());
        assert!(check_key_id("alias/ x").is_err());
        assert!(check_key_id("arn:aws:s3:::bucket").is_err());
        assert_eq!(
            arn_region("arn:aws:kms:eu-west-1:111122223333:alias/x"),
            Some("eu-west-1")
        );
        assert_eq!(arn_region("alias/x"), None);
    }
}
