//! [`KmsError`]: what went wrong with AWS KMS, and whether trying again can help.
//!
//! Follows the core's error convention (`sfjwt_core::manual::errors`): each message holds
//! the whole fact (the SDK's error context included) and `source()` is `None`.

use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// AWS KMS could not be reached, refused the request, or the key cannot make RS256
/// signatures. [`is_retryable`](Self::is_retryable) says whether trying later can help (the
/// SDK has already retried those with its standard backoff). Never contains credentials.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum KmsError {
    /// The key id is empty or not a key id, key ARN, alias name (`alias/…`) or alias ARN.
    InvalidKeyId {
        /// What is wrong.
        reason: String,
    },
    /// The AWS configuration is incomplete: no region (set `AWS_REGION`, a profile's
    /// `region`, or use a key ARN), no credentials (set `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`,
    /// an instance role…), or an invalid endpoint override (`AWS_ENDPOINT_URL_KMS`).
    Configuration {
        /// The SDK's explanation.
        detail: String,
    },
    /// KMS has no such key (`NotFoundException`): a typo, another account or region than the
    /// key's, or an alias that does not exist in this region.
    KeyNotFound {
        /// The key asked for.
        key_id: String,
    },
    /// The caller may not use the key (`AccessDeniedException`), or the credentials are
    /// invalid or expired (`UnrecognizedClientException`, `ExpiredTokenException`…): grant
    /// `kms:Sign` and `kms:GetPublicKey` on the key to this principal, or refresh the
    /// credentials.
    AccessDenied {
        /// KMS's error code.
        code: String,
        /// KMS's message.
        message: String,
    },
    /// The key is disabled or pending deletion (`DisabledException`,
    /// `KMSInvalidStateException`): enable it (or cancel its deletion) in KMS.
    KeyState {
        /// KMS's error code.
        code: String,
        /// KMS's message.
        message: String,
    },
    /// The key cannot make RS256 signatures: not an RSA signing key (`KeySpec` `RSA_2048`,
    /// `RSA_3072` or `RSA_4096` with `KeyUsage` `SIGN_VERIFY`), or KMS refused the algorithm
    /// (`InvalidKeyUsageException`). Create an asymmetric RSA key for signing.
    UnsuitableKey {
        /// What is wrong with it.
        reason: String,
    },
    /// KMS is throttling this account (`ThrottlingException`, `LimitExceededException`).
    /// Retryable: wait, and reuse access tokens (one signature per login) to stay under the
    /// request quota.
    Throttled {
        /// KMS's message.
        message: String,
    },
    /// KMS or the key's backing store is temporarily unavailable (`KMSInternalException`,
    /// `KeyUnavailableException`, `DependencyTimeoutException`, a 5xx). Retryable.
    Unavailable {
        /// KMS's error code.
        code: String,
        /// KMS's message.
        message: String,
    },
    /// No response from KMS: DNS, connection, TLS or timeout. Retryable; check the network
    /// path and any endpoint override (`AWS_ENDPOINT_URL_KMS`).
    Transport {
        /// The SDK's explanation.
        detail: String,
    },
    /// KMS answered with another error; `code` and `message` are KMS's.
    Service {
        /// KMS's error code.
        code: String,
        /// KMS's message.
        message: String,
    },
    /// KMS's answer lacked a field it always sends (a signature, a public key), or the
    /// public key it sent is not a usable RSA key.
    Response {
        /// What is missing or wrong.
        detail: String,
    },
    /// The blocking signer was called on an async runtime's thread, where blocking would
    /// stall the executor (and tokio forbids it): use the async `KmsSigner` there.
    BlockingInAsyncContext,
}

impl KmsError {
    /// Whether trying again later may succeed: throttling, temporary unavailability and
    /// transport failures.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Throttled { .. } | Self::Unavailable { .. } | Self::Transport { .. }
        )
    }

    /// Classifies an SDK error from any KMS operation on `key_id`.
    pub(crate) fn from_sdk<E, R>(error: SdkError<E, R>, key_id: &str) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        match &error {
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().unwrap_or("UnknownError").to_owned();
                let message = e.message().unwrap_or_default().to_owned();
                Self::from_code(code, message, key_id)
            }
            SdkError::TimeoutError(_) | SdkError::ResponseError(_) => Self::Transport {
                detail: DisplayErrorContext(&error).to_string(),
            },
            SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
                Self::Transport {
                    detail: DisplayErrorContext(&error).to_string(),
                }
            }
            // Construction failures and the rest (no credentials, no region, a bad endpoint)
            // are configuration: retrying cannot fix them.
            _ => Self::Configuration {
                detail: DisplayErrorContext(&error).to_string(),
            },
        }
    }

    fn from_code(code: String, message: String, key_id: &str) -> Self {
        match code.as_str() {
            "NotFoundException" => Self::KeyNotFound {
                key_id: key_id.to_owned(),
            },
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "ExpiredTokenException"
            | "IncompleteSignature"
            | "InvalidClientTokenId" => Self::AccessDenied { code, message },
            "DisabledException" | "KMSInvalidStateException" => Self::KeyState { code, message },
            "InvalidKeyUsageException" | "UnsupportedOperationException" => Self::UnsuitableKey {
                reason: format!("{code}: {message}"),
            },
            "ThrottlingException" | "LimitExceededException" | "RequestLimitExceeded" => {
                Self::Throttled { message }
            }
            "KMSInternalException"
            | "KeyUnavailableException"
            | "DependencyTimeoutException"
            | "ServiceUnavailableException"
            | "InternalFailure" => Self::Unavailable { code, message },
            _ => Self::Service { code, message },
        }
    }
}

impl core::fmt::Display for KmsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidKeyId { reason } => write!(f, "invalid AWS KMS key id: {reason}"),
            Self::Configuration { detail } => write!(
                f,
                "the AWS configuration is incomplete (region, credentials or endpoint): {detail}"
            ),
            Self::KeyNotFound { key_id } => write!(
                f,
                "AWS KMS has no key {key_id:?} in this account and region: check the key id, \
                 alias (alias/…), region and account"
            ),
            Self::AccessDenied { code, message } => write!(
                f,
                "AWS KMS refused access ({code}: {message}): allow kms:Sign and \
                 kms:GetPublicKey on the key for this principal, or refresh the credentials"
            ),
            Self::KeyState { code, message } => write!(
                f,
                "the AWS KMS key is not usable ({code}: {message}): enable it, or cancel its \
                 pending deletion"
            ),
            Self::UnsuitableKey { reason } => write!(
                f,
                "the AWS KMS key cannot sign RS256: {reason}; use an asymmetric RSA_2048, \
                 RSA_3072 or RSA_4096 key with key usage SIGN_VERIFY"
            ),
            Self::Throttled { message } => write!(
                f,
                "AWS KMS is throttling requests ({message}); retry later, and reuse access \
                 tokens to sign less often"
            ),
            Self::Unavailable { code, message } => write!(
                f,
                "AWS KMS is temporarily unavailable ({code}: {message}); retry later"
            ),
            Self::Transport { detail } => {
                write!(f, "no response from AWS KMS: {detail}")
            }
            Self::Service { code, message } => write!(f, "AWS KMS error {code}: {message}"),
            Self::Response { detail } => write!(f, "unexpected answer from AWS KMS: {detail}"),
            Self::BlockingInAsyncContext => f.write_str(
                "BlockingKmsSigner was called from inside an async runtime, where it would \
                 block the executor: use KmsSigner (an AsyncSigner) there",
            ),
        }
    }
}

impl std::error::Error for KmsError {}
