//! A new key pair for the connected app: what the classic tutorial's five openssl commands did
//! (`genrsa -des3`, `rsa`, `req`, `x509 -req -sha256`), in one call and without the traps its
//! readers fell into (an unencrypted copy of the key, a CSR nobody needs, DES3).
//!
//! - The key is RSA from the operating system's random source, encoded as PKCS#8 PEM
//!   (RFC 5208). With a passphrase it is encrypted with PBES2 (RFC 8018 §6.2):
//!   PBKDF2-HMAC-SHA256 with [`PBKDF2_ROUNDS`] rounds (OWASP 2023), a 16-byte salt and
//!   AES-256-CBC, which OpenSSL 1.1+, Java and the sfjwt core read.
//! - The certificate is a self-signed X.509 v3 certificate (RFC 5280) signed
//!   sha256WithRSAEncryption, as Salesforce expects under "Use digital signatures".

use std::fmt;
use std::time::{Duration, SystemTime};

use der::pem::LineEnding;
use pkcs8::EncodePrivateKey as _;
use sfjwt_core::key::{CertificateError, CertificateSpec, PrivateKey, self_signed_certificate};
use zeroize::Zeroizing;

/// PBKDF2 rounds of an encrypted key: the pkcs5 crate's OWASP 2023 figure for
/// PBKDF2-HMAC-SHA256. About half a second to derive on a laptop, once per load.
pub const PBKDF2_ROUNDS: u32 = 600_000;

/// The RSA sizes [`generate`] makes: the sizes Salesforce imports
/// ([`SALESFORCE_KEY_BITS`](crate::keystore::SALESFORCE_KEY_BITS)), which sign in reasonable
/// time.
pub const KEY_BITS: [usize; 3] = crate::keystore::SALESFORCE_KEY_BITS;

/// What to generate. The passphrase is borrowed and never copied into an error or `Debug`.
///
/// ```
/// use sfjwt_keys::KeyPairSpec;
/// let spec = KeyPairSpec::new("acme integration").bits(3072).valid_for_days(730);
/// assert_eq!(spec.common_name(), "acme integration");
/// ```
#[derive(Clone)]
pub struct KeyPairSpec<'a> {
    bits: usize,
    days: u32,
    common_name: &'a str,
    passphrase: Option<&'a [u8]>,
}

impl<'a> KeyPairSpec<'a> {
    /// A 2048-bit key whose certificate names `common_name` (the CN) and is valid for 365 days,
    /// written unencrypted.
    pub fn new(common_name: &'a str) -> Self {
        Self {
            bits: 2048,
            days: 365,
            common_name,
            passphrase: None,
        }
    }

    /// The RSA key size: one of [`KEY_BITS`].
    #[must_use]
    pub fn bits(mut self, bits: usize) -> Self {
        self.bits = bits;
        self
    }

    /// Days the certificate is valid from now (Salesforce refuses assertions once it expires).
    #[must_use]
    pub fn valid_for_days(mut self, days: u32) -> Self {
        self.days = days;
        self
    }

    /// Encrypts the key's PEM with this passphrase (PBES2, see the module docs).
    #[must_use]
    pub fn passphrase(mut self, passphrase: &'a [u8]) -> Self {
        self.passphrase = Some(passphrase);
        self
    }

    /// The certificate's common name.
    pub fn common_name(&self) -> &str {
        self.common_name
    }
}

impl fmt::Debug for KeyPairSpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPairSpec")
            .field("bits", &self.bits)
            .field("days", &self.days)
            .field("common_name", &self.common_name)
            .field("passphrase", &self.passphrase.map(|_| "[redacted]"))
            .finish()
    }
}

/// A freshly generated key (PEM, encrypted if a passphrase was given) and its self-signed
/// certificate (PEM). The key is zeroized on drop and never shown by `Debug`.
pub struct KeyPair {
    key: PrivateKey,
    key_pem: Zeroizing<String>,
    cert_pem: String,
}

impl KeyPair {
    /// The private key as PKCS#8 PEM (`PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY`). A secret:
    /// write it to a file only its owner can read.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The private key, to use it without reading [`key_pem`](Self::key_pem) back (which,
    /// encrypted, would cost the passphrase's key derivation again).
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// The self-signed certificate as PEM: the file to upload to the app.
    pub fn certificate_pem(&self) -> &str {
        &self.cert_pem
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is left out.
        f.debug_struct("KeyPair")
            .field("cert_pem", &self.cert_pem)
            .finish_non_exhaustive()
    }
}

/// Why a key pair could not be generated.
#[derive(Debug)]
#[non_exhaustive]
pub enum GenerateError {
    /// The key size is not one of [`KEY_BITS`]. Likely cause: a size taken unchecked from
    /// user input.
    Bits {
        /// The size asked for.
        bits: usize,
    },
    /// A step failed that only fails when the system random source does (or on a bug): the
    /// RSA key, its PKCS#8 or PEM encoding, the PBES2 parameters or the encryption. The
    /// encoder's message is in `detail` (never key material).
    Step {
        /// What could not be made, e.g. `RSA key`.
        what: &'static str,
        /// The underlying library's message.
        detail: String,
    },
    /// The certificate could not be made; the likely cause is a common name that X.509 cannot
    /// hold (see [`CertificateError::Subject`]). The cause is in `source()`.
    Certificate(CertificateError),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bits { bits } => {
                write!(f, "{bits}-bit keys are not made: use 2048, 3072 or 4096")
            }
            Self::Step { what, detail } => write!(f, "cannot generate the {what}: {detail}"),
            Self::Certificate(_) => f.write_str("cannot generate the certificate"),
        }
    }
}

impl std::error::Error for GenerateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Certificate(e) => Some(e),
            _ => None,
        }
    }
}

/// A [`GenerateError::Step`] of `what`, keeping the library's message.
fn step<E: fmt::Display>(what: &'static str) -> impl FnOnce(E) -> GenerateError {
    move |detail| GenerateError::Step {
        what,
        detail: detail.to_string(),
    }
}

/// Generates an RSA key and a self-signed certificate for it, valid from a minute before
/// `now`.
///
/// # Errors
/// [`GenerateError`]: a key size outside [`KEY_BITS`], a common name X.509 cannot hold, or a
/// failing random source.
///
/// ```no_run
/// use std::time::SystemTime;
/// use sfjwt_keys::{KeyPairSpec, generate};
/// let pair = generate(&KeyPairSpec::new("acme").passphrase(b"long passphrase"), SystemTime::now())?;
/// assert!(pair.key_pem().starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
/// # Ok::<(), sfjwt_keys::GenerateError>(())
/// ```
pub fn generate(spec: &KeyPairSpec<'_>, now: SystemTime) -> Result<KeyPair, GenerateError> {
    if !KEY_BITS.contains(&spec.bits) {
        return Err(GenerateError::Bits { bits: spec.bits });
    }
    let mut rng = getrandom::SysRng;
    let key = rsa::PrivateKey::new(&mut rng, spec.bits).map_err(step("RSA key"))?;
    let der = key.to_pkcs8_der().map_err(step("PKCS#8 key"))?;
    let key_pem = match spec.passphrase {
        None => der
            .to_pem("PRIVATE KEY", LineEnding::LF)
            .map_err(step("PEM key"))?,
        Some(passphrase) => encrypt_pkcs8_pem(der.as_bytes(), passphrase)?,
    };
    let key = PrivateKey::from_der(der.as_bytes()).map_err(step("PKCS#8 key"))?;
    let valid_for = Duration::from_secs(u64::from(spec.days) * 86_400);
    let cert_spec = CertificateSpec::new(spec.common_name).valid_for(valid_for);
    let cert_pem = self_signed_certificate(&key, &key.public_key(), &cert_spec, now)
        .map_err(GenerateError::Certificate)?;
    Ok(KeyPair {
        key,
        key_pem,
        cert_pem,
    })
}

/// Encrypts an unencrypted PKCS#8 `PrivateKeyInfo` (DER) as `ENCRYPTED PRIVATE KEY` PEM with
/// PBES2: PBKDF2-HMAC-SHA256, [`PBKDF2_ROUNDS`] rounds, a random 16-byte salt, AES-256-CBC
/// with a random IV.
///
/// # Errors
/// [`GenerateError::Step`] when `pkcs8` is not PKCS#8 DER or the random source fails.
pub fn encrypt_pkcs8_pem(
    pkcs8: &[u8],
    passphrase: &[u8],
) -> Result<Zeroizing<String>, GenerateError> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(pkcs8).map_err(step("PKCS#8 key"))?;
    // The pkcs5 crate's PBKDF2 default is the OWASP figure pinned above; a test checks it.
    let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2(&mut getrandom::SysRng)
        .map_err(step("encryption parameters"))?;
    info.encrypt_with_params(params, passphrase)
        .map_err(step("encrypted key"))?
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map_err(step("PEM key"))
}

#[cfg(test)]
mod tests {
    use der::Decode as _;
    use pkcs8::pkcs5::{EncryptionScheme, pbes2};

    use super::*;

    #[test]
    fn generated_pair_loads_in_the_core() {
        let generated = generate(
            &KeyPairSpec::new("unit, test")
                .valid_for_days(2)
                .passphrase(b"pw"),
            SystemTime::now(),
        )
        .unwrap();
        let pass = sfjwt_core::key::Passphrase::from("pw");
        let key = PrivateKey::from_pem_with_passphrase(generated.key_pem(), &pass).unwrap();
        let cert = sfjwt_core::key::Certificate::from_pem(generated.certificate_pem()).unwrap();
        assert!(cert.is_pair_of(&key));
        assert_eq!(cert.subject(), "CN=unit\\, test");
        assert!(cert.is_valid_at(SystemTime::now()));
        assert!(!cert.is_valid_at(SystemTime::now() + Duration::from_secs(3 * 86_400)));
    }

    #[test]
    fn encryption_uses_the_documented_pbes2_parameters() {
        let der = sfjwt_test_support::testdata::key().to_pkcs8_der().unwrap();
        let pem = encrypt_pkcs8_pem(&der, b"pw").unwrap();
        let (label, doc) = der::Document::from_pem(&pem).unwrap();
        assert_eq!(label, "ENCRYPTED PRIVATE KEY");
        let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(doc.as_bytes()).unwrap();
        let EncryptionScheme::Pbes2(params) = info.encryption_algorithm else {
            panic!("not PBES2");
        };
        let kdf = params.kdf.pbkdf2().unwrap();
        assert_eq!(kdf.iteration_count, PBKDF2_ROUNDS);
        assert_eq!(kdf.prf, pbes2::Pbkdf2Prf::HmacWithSha256);
        assert_eq!(kdf.salt.as_ref().len(), 16);
        assert!(matches!(
            params.encryption,
            pbes2::EncryptionScheme::Aes256Cbc { .. }
        ));
        // And the core reads it back to the same key.
        let key = PrivateKey::from_pem_with_passphrase(&pem, &"pw".into()).unwrap();
        assert_eq!(*key.to_pkcs8_der().unwrap(), *der);
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let spec = KeyPairSpec::new("cn").passphrase(b"hunter2-secret");
        assert!(!format!("{spec:?}").contains("hunter2"));
        let pem = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
        let pair = KeyPair {
            key: PrivateKey::from_pem(pem).unwrap(),
            key_pem: Zeroizing::new("-----BEGIN PRIVATE KEY-----secret".to_owned()),
            cert_pem: String::new(),
        };
        assert!(!format!("{pair:?}").contains("secret"));
        let err = encrypt_pkcs8_pem(b"hunter2-not-der", b"hunter2-secret").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let bits = generate(&spec.bits(1024), SystemTime::now()).unwrap_err();
        assert!(matches!(bits, GenerateError::Bits { bits: 1024 }));
    }
}
