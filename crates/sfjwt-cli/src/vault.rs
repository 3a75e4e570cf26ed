//! `--key URI`: a private key that never leaves a vault, for `token`, `assertion`, `check` and
//! `keygen`.
//!
//! - `pkcs11:…`: an RFC 7512 URI naming a key in a PKCS#11 token (SoftHSM2, a YubiHSM, a
//!   cloud HSM's library), e.g.
//!   `pkcs11:token=sfjwt;object=jwt-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin`.
//! - `awskms:KEY`: an AWS KMS key by id, ARN or alias (`awskms:alias/sfjwt-prod`,
//!   `awskms:arn:aws:kms:…`), with credentials, region and endpoint from the standard AWS
//!   configuration chain (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL_KMS`, roles…).
//!
//! The CLI is blocking, so KMS is used through its blocking wrapper.

use std::sync::Arc;

#[cfg(feature = "aws-kms")]
use sfjwt_aws_kms::{BlockingKmsSigner, KmsError};
use sfjwt_core::jws::Signer;
use sfjwt_core::key::PublicKey;
#[cfg(feature = "pkcs11")]
use sfjwt_pkcs11::{Pkcs11Error, Pkcs11Signer, Pkcs11Uri};

#[cfg(feature = "aws-kms")]
use crate::error::Exit;
#[cfg(feature = "pkcs11")]
use crate::error::chain;
use crate::error::{CliError, CliResult};

/// The URI schemes `--key` takes.
const SCHEMES: &str =
    "pkcs11:… (a PKCS#11 token, RFC 7512) or awskms:KEY (an AWS KMS key id, ARN or alias/NAME)";

/// A `--key` value as given. `Debug` hides it: a PKCS#11 URI may carry `pin-value=`.
#[derive(Clone)]
pub(crate) struct KeyUri(pub(crate) String);

impl std::fmt::Debug for KeyUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split_once(':').map_or("?", |(scheme, _)| scheme);
        write!(f, "KeyUri({scheme}:[redacted])")
    }
}

/// clap's parser for `--key`: any text; [`open`] says what is wrong with it.
pub(crate) fn key_uri(text: &str) -> Result<KeyUri, String> {
    Ok(KeyUri(text.to_owned()))
}

/// A signer in a vault and its public half.
pub(crate) struct VaultKey {
    pub(crate) signer: Arc<dyn Signer + Send + Sync>,
    pub(crate) public_key: PublicKey,
    /// Where the key is, for messages (never the PIN).
    pub(crate) description: String,
}

/// Opens the key `uri` names, checking it can sign RS256.
pub(crate) fn open(uri: &str) -> CliResult<VaultKey> {
    if uri.starts_with("pkcs11:") {
        return open_pkcs11(uri);
    }
    if let Some(key_id) = uri.strip_prefix("awskms:") {
        return open_aws_kms(key_id);
    }
    let scheme = uri.split_once(':').map_or(uri, |(scheme, _)| scheme);
    Err(CliError::local(format!(
        "--key takes a key URI, not {:?}",
        if scheme.len() > 16 {
            "this value"
        } else {
            scheme
        }
    ))
    .hint(format!("use {SCHEMES}; for a key file use --key-file PATH")))
}

#[cfg(feature = "pkcs11")]
fn open_pkcs11(uri: &str) -> CliResult<VaultKey> {
    let parsed = Pkcs11Uri::parse(uri).map_err(|e| pkcs11_error(&e))?;
    let signer = Pkcs11Signer::open(&parsed).map_err(|e| pkcs11_error(&e))?;
    let description = format!(
        "PKCS#11 token {:?}, {}",
        signer.token_label(),
        parsed.describe_key()
    );
    let public_key = signer.public_key().clone();
    Ok(VaultKey {
        signer: Arc::new(signer),
        public_key,
        description,
    })
}

#[cfg(not(feature = "pkcs11"))]
fn open_pkcs11(_uri: &str) -> CliResult<VaultKey> {
    Err(crate::features::not_built("pkcs11", "--key pkcs11:…"))
}

#[cfg(feature = "aws-kms")]
fn open_aws_kms(key_id: &str) -> CliResult<VaultKey> {
    let signer = BlockingKmsSigner::from_env(key_id).map_err(|e| kms_error(&e))?;
    let description = format!("AWS KMS key {}", signer.inner().key_arn());
    let public_key = signer.public_key().clone();
    Ok(VaultKey {
        signer: Arc::new(signer),
        public_key,
        description,
    })
}

#[cfg(not(feature = "aws-kms"))]
fn open_aws_kms(_key_id: &str) -> CliResult<VaultKey> {
    Err(crate::features::not_built("aws-kms", "--key awskms:…"))
}

#[cfg(feature = "pkcs11")]
fn pkcs11_error(error: &Pkcs11Error) -> CliError {
    let hint = match error {
        Pkcs11Error::InvalidUri { .. } | Pkcs11Error::NoModulePath => {
            "example: --key 'pkcs11:token=sfjwt;object=jwt-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/path/to/pin'"
        }
        Pkcs11Error::WrongPin | Pkcs11Error::PinLocked | Pkcs11Error::PinFile { .. } => {
            "the PIN comes from pin-source=file:PATH (a file holding only the PIN) or pin-value=PIN in the URI"
        }
        Pkcs11Error::NotRsa { .. } | Pkcs11Error::KeyTooSmall { .. } => {
            "generate an RSA key of 2048 bits or more in the token (e.g. pkcs11-tool --keypairgen --key-type rsa:2048), then `sfjwt keygen --key URI` for its certificate"
        }
        _ => {
            "list the token's objects with `pkcs11-tool --module MODULE --list-objects --login` (OpenSC)"
        }
    };
    CliError::local(chain(error)).hint(hint)
}

#[cfg(feature = "aws-kms")]
fn kms_error(error: &KmsError) -> CliError {
    let exit = if error.is_retryable() {
        Exit::Transport
    } else {
        Exit::Local
    };
    let hint = match error {
        KmsError::AccessDenied { .. } => {
            "the key policy or IAM policy must allow kms:Sign and kms:GetPublicKey for this principal"
        }
        KmsError::Configuration { .. } => {
            "set AWS_REGION and credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); AWS_ENDPOINT_URL_KMS points at another KMS endpoint"
        }
        _ if error.is_retryable() => "try again later; this is temporary",
        _ => "check the key with `aws kms describe-key --key-id KEY` (same region and account)",
    };
    // KMS chose the message inside the error (a fake or hostile endpoint could send escapes
    // or 50 MB): sanitised and bounded like every chain.
    CliError::new(exit, chain(error)).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_uri_never_shows_in_debug() {
        let uri = key_uri("pkcs11:token=t;object=k?module-path=/m.so&pin-value=7355608").unwrap();
        assert_eq!(format!("{uri:?}"), "KeyUri(pkcs11:[redacted])");
    }
}
