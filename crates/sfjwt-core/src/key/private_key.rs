//! [`PrivateKey`]: the signing key, loaded from whatever form the user has.

use std::path::Path;

use rsa::traits::PublicKeyParts as _;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::detect::{self, Detected, Kind, Source};
use super::env_value::{self, Unmangled};
use super::{KeyError, Passphrase, PublicKey, file, legacy_pem, pkcs8_encrypted, rsa_der};

/// An RSA private key, parsed, validated and precomputed once, ready to sign many assertions.
///
/// Every constructor detects the format itself: PKCS#8 (`PRIVATE KEY`) or PKCS#1
/// (`RSA PRIVATE KEY`), PEM or DER, plain or encrypted (PKCS#8 PBES2, or legacy OpenSSL
/// `Proc-Type: 4,ENCRYPTED`). Anything else — a certificate, a public key, an OpenSSH or EC
/// key, a key under 2048 bits — is a [`KeyError`] variant that says what was found.
///
/// `Debug` prints only the key size; the key material is zeroized on drop (the `rsa` crate
/// implements `ZeroizeOnDrop` for its private key), and so is every intermediate buffer
/// (decoded PEM, decrypted DER).
///
/// ```
/// use sfjwt_core::key::{KeyError, Passphrase, PrivateKey};
///
/// let pem = include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem");
/// let key = PrivateKey::from_pem(pem)?;
/// assert_eq!(key.bits(), 2048);
/// assert_eq!(format!("{key:?}"), "PrivateKey { bits: 2048, .. }");
///
/// let encrypted = include_str!("../../../../testdata/keys/rsa2048.legacy-des3.pem");
/// assert_eq!(PrivateKey::from_pem(encrypted).unwrap_err(), KeyError::PassphraseRequired);
/// let pass = Passphrase::from("correct horse battery staple");
/// assert_eq!(PrivateKey::from_pem_with_passphrase(encrypted, &pass)?.public_key(), key.public_key());
/// # Ok::<(), KeyError>(())
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    signing_key: rsa::pkcs1v15::SigningKey<Sha256>,
    bits: usize,
}

impl PrivateKey {
    /// Loads an unencrypted PEM key: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
    ///
    /// # Errors
    /// [`KeyError`] says what was found instead and what to do; an encrypted key gives
    /// [`KeyError::PassphraseRequired`].
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_detected(&detect::detect_text(pem)?, None)
    }

    /// Loads a PEM key that may be encrypted (`ENCRYPTED PRIVATE KEY`, or `RSA PRIVATE KEY`
    /// with `Proc-Type: 4,ENCRYPTED`). An unencrypted key loads too; the passphrase is then
    /// unused.
    ///
    /// # Errors
    /// [`KeyError::WrongPassphrase`], [`KeyError::UnsupportedEncryption`], and every error of
    /// [`from_pem`](Self::from_pem).
    pub fn from_pem_with_passphrase(pem: &str, passphrase: &Passphrase) -> Result<Self, KeyError> {
        Self::from_detected(&detect::detect_text(pem)?, Some(passphrase))
    }

    /// Loads an unencrypted DER key: PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    ///
    /// # Errors
    /// [`KeyError`] says what was found instead and what to do.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_der_inner(der, None)
    }

    /// Loads a DER key that may be an encrypted PKCS#8 `EncryptedPrivateKeyInfo`.
    ///
    /// # Errors
    /// As [`from_pem_with_passphrase`](Self::from_pem_with_passphrase).
    pub fn from_der_with_passphrase(der: &[u8], passphrase: &Passphrase) -> Result<Self, KeyError> {
        Self::from_der_inner(der, Some(passphrase))
    }

    /// Loads a key from bytes, PEM or DER (detected), encrypted or not.
    ///
    /// # Errors
    /// As [`from_pem_with_passphrase`](Self::from_pem_with_passphrase);
    /// [`KeyError::PassphraseRequired`] when the key is encrypted and `passphrase` is `None`.
    pub fn from_bytes(bytes: &[u8], passphrase: Option<&Passphrase>) -> Result<Self, KeyError> {
        Self::from_detected(&detect::detect_bytes(bytes)?, passphrase)
    }

    /// Loads a key from the value of an environment variable holding the PEM text, repairing
    /// the usual damage: CRLF line endings, the two characters `\n` in place of newlines,
    /// newlines turned into spaces, surrounding quotes and whitespace. A value that is the
    /// whole PEM (or DER) file base64-encoded once more also loads.
    ///
    /// ```
    /// # let pem = include_str!("../../../../testdata/keys/rsa2048.pkcs1.pem");
    /// use sfjwt_core::key::PrivateKey;
    ///
    /// let mangled = format!("\"{}\"", pem.replace('\n', "\\n"));
    /// assert_eq!(PrivateKey::from_env_value(&mangled, None)?.bits(), 2048);
    /// # Ok::<(), sfjwt_core::key::KeyError>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_bytes`](Self::from_bytes); [`KeyError::Empty`] for an empty value.
    pub fn from_env_value(value: &str, passphrase: Option<&Passphrase>) -> Result<Self, KeyError> {
        match env_value::unmangle(value) {
            Unmangled::Text(text) => Self::from_detected(&detect::detect_text(&text)?, passphrase),
            Unmangled::Bytes(bytes) => Self::from_bytes(&bytes, passphrase),
        }
    }

    /// Loads a key file, PEM or DER (detected), encrypted or not.
    ///
    /// # Errors
    /// [`KeyError::FileNotFound`], [`KeyError::FileUnreadable`], [`KeyError::FileTooLarge`],
    /// [`KeyError::FileEmpty`]
    /// (each naming the path), then as [`from_bytes`](Self::from_bytes).
    pub fn from_file(
        path: impl AsRef<Path>,
        passphrase: Option<&Passphrase>,
    ) -> Result<Self, KeyError> {
        let contents = file::read(path.as_ref())?;
        Self::from_bytes(&contents, passphrase)
    }

    fn from_der_inner(der: &[u8], passphrase: Option<&Passphrase>) -> Result<Self, KeyError> {
        let detected = detect::detect_der(der)?;
        Self::from_detected(&detected, passphrase)
    }

    fn from_detected(
        detected: &Detected<'_>,
        passphrase: Option<&Passphrase>,
    ) -> Result<Self, KeyError> {
        let key = match detected.kind {
            Kind::Pkcs8 => rsa_der::private_from_pkcs8(&detected.der("PKCS#8 private key")?)?,
            Kind::EncryptedPkcs8 => {
                let der = detected.der("encrypted PKCS#8 private key")?;
                let plain = pkcs8_encrypted::decrypt(&der, passphrase)?;
                rsa_der::private_from_pkcs8(&plain)?
            }
            Kind::Pkcs1 => Self::pkcs1(detected, passphrase)?,
            Kind::Spki | Kind::Pkcs1Public | Kind::OpensshPublic => {
                return Err(KeyError::PublicKeyNotPrivateKey);
            }
            Kind::Certificate => return Err(KeyError::CertificateNotPrivateKey),
            Kind::Csr => return Err(KeyError::CsrNotPrivateKey),
            Kind::OpensshPrivate => return Err(KeyError::OpensshPrivateKey),
            Kind::NonRsaPrivate(algorithm) => {
                return Err(KeyError::NotRsa {
                    algorithm: algorithm.to_owned(),
                });
            }
            Kind::Unknown(_) | Kind::UnknownLabel => {
                return Err(KeyError::Unrecognized {
                    found: detected.describe_unknown(),
                });
            }
        };
        Self::from_rsa(key)
    }

    /// PKCS#1, plain or with legacy OpenSSL PEM encryption.
    fn pkcs1(
        detected: &Detected<'_>,
        passphrase: Option<&Passphrase>,
    ) -> Result<rsa::PrivateKey, KeyError> {
        if let Source::Pem(pem) = &detected.source {
            if legacy_pem::is_encrypted(pem.header("Proc-Type")) {
                // The ciphertext is not DER, so decode the body without the DER check.
                let ciphertext: Zeroizing<Vec<u8>> = pem.decode()?;
                let plain = legacy_pem::decrypt(pem.header("DEK-Info"), &ciphertext, passphrase)?;
                // A wrong passphrase passes the CBC padding check about once in 256 tries.
                return rsa_der::private_from_pkcs1(&plain).map_err(|e| match e {
                    KeyError::Malformed { .. } => KeyError::WrongPassphrase,
                    other => other,
                });
            }
        }
        rsa_der::private_from_pkcs1(&detected.der("PKCS#1 RSA private key")?)
    }

    fn from_rsa(key: rsa::PrivateKey) -> Result<Self, KeyError> {
        let bits = key.n().bit_width() as usize;
        if bits < super::MIN_RSA_BITS {
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

    /// The key as unencrypted PKCS#8 DER (RFC 5208 `PrivateKeyInfo`), whatever form it was
    /// loaded from: for writing it into a key store that encrypts it in its own way (a Java
    /// KeyStore, say). The bytes are the secret itself; they are zeroized when dropped.
    ///
    /// ```
    /// use sfjwt_core::key::PrivateKey;
    ///
    /// let pkcs1 = include_str!("../../../../testdata/keys/rsa2048.pkcs1.pem");
    /// let der = PrivateKey::from_pem(pkcs1)?.to_pkcs8_der()?;
    /// assert_eq!(PrivateKey::from_der(&der)?.bits(), 2048);
    /// # Ok::<(), sfjwt_core::key::KeyError>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Malformed`] if the key cannot be encoded (not expected for a loaded key).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        use pkcs8::EncodePrivateKey as _;
        let document =
            self.signing_key
                .as_ref()
                .to_pkcs8_der()
                .map_err(|_| KeyError::Malformed {
                    what: "PKCS#8 encoding of the private key",
                })?;
        Ok(Zeroizing::new(document.as_bytes().to_vec()))
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
