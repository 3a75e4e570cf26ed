//! RSA keys and certificates: loading every form users actually have.
//!
//! - [`PrivateKey`]: the signing key (PKCS#1 / PKCS#8, PEM / DER, encrypted or not).
//! - [`PublicKey`]: a verification key (SPKI or PKCS#1 public, PEM / DER).
//! - [`Certificate`]: an X.509 certificate, as uploaded to the connected app.
//!
//! The format is detected from the input; callers never say which one they have.

mod certificate;
mod error;
mod passphrase;
mod private_key;
mod public_key;

pub use certificate::Certificate;
pub use error::KeyError;
pub use passphrase::Passphrase;
pub use private_key::PrivateKey;
pub use public_key::PublicKey;

/// The smallest RSA modulus sfjwt accepts, in bits. Salesforce requires 2048-bit keys, and
/// smaller keys are factorable by well-funded attackers (NIST SP 800-131A).
pub const MIN_RSA_BITS: usize = 2048;
