//! RSA keys and certificates: loading every form users actually have.
//!
//! - [`PrivateKey`]: the signing key (PKCS#1 / PKCS#8, PEM / DER, encrypted or not, from text,
//!   bytes, an environment variable or a file).
//! - [`PublicKey`]: a verification key (SPKI or PKCS#1 public, PEM / DER).
//! - [`Certificate`]: an X.509 certificate, as uploaded to the connected app.
//! - [`self_signed_certificate`]: a certificate for a key made through its [`Signer`](crate::jws::Signer),
//!   for keys that never leave an HSM or KMS.
//!
//! The format is detected from the input; callers never say which one they have. Every wrong
//! input is a [`KeyError`] variant that names what was found and what to do, and no input
//! makes a loader panic.

mod algorithm;
mod certificate;
mod date;
mod detect;
mod env_value;
mod error;
mod file;
mod legacy_pem;
mod passphrase;
mod pem_text;
mod pkcs8_encrypted;
mod private_key;
mod public_key;
mod rsa_der;
mod self_signed;

pub use certificate::Certificate;
pub use date::utc_date;
pub use error::KeyError;
pub use file::MAX_FILE_BYTES;
pub use passphrase::Passphrase;
pub use private_key::PrivateKey;
pub use public_key::PublicKey;
pub use self_signed::{
    CertificateError, CertificateSpec, self_signed_certificate, self_signed_certificate_async,
};

/// The smallest RSA modulus sfjwt accepts, in bits. Salesforce requires 2048-bit keys, and
/// smaller keys are factorable by well-funded attackers (NIST SP 800-131A).
pub const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus sfjwt accepts, in bits: the `rsa` crate's verification limit.
/// Larger keys buy no security anyone needs and make every signature slow; refusing them also
/// bounds the work a hostile key file can cause.
pub const MAX_RSA_BITS: usize = 8192;
