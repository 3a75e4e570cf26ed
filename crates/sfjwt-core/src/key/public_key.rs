//! [`PublicKey`]: a verification key, from SPKI or PKCS#1, PEM or DER.

use rsa::traits::PublicKeyParts as _;

use super::detect::{Detected, Kind, detected_constructors};
use super::{KeyError, MIN_RSA_BITS, rsa_der};

/// An RSA public key, for verifying assertions.
///
/// Loads SPKI (`PUBLIC KEY`, what `openssl pkey -pubout` writes) and PKCS#1
/// (`RSA PUBLIC KEY`), PEM or DER; refuses keys under 2048 bits.
///
/// ```
/// use sfjwt_core::key::{KeyError, PublicKey};
///
/// let spki = include_str!("../../../../testdata/keys/rsa2048.spki.pem");
/// let pkcs1 = include_str!("../../../../testdata/keys/rsa2048.pkcs1-public.pem");
/// assert_eq!(PublicKey::from_pem(spki)?, PublicKey::from_pem(pkcs1)?);
///
/// let private = include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem");
/// assert_eq!(PublicKey::from_pem(private).unwrap_err(), KeyError::PrivateKeyNotPublic);
/// # Ok::<(), KeyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: rsa::PublicKey,
}

impl PublicKey {
    detected_constructors! {
        via from_detected_key;

        /// Loads an SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`) PEM public key.
        ///
        /// # Errors
        /// [`KeyError`] says what was found instead and what to do, e.g.
        /// [`KeyError::PrivateKeyNotPublic`] for a private key.
        from_pem;

        /// Loads an SPKI or PKCS#1 DER public key.
        ///
        /// # Errors
        /// [`KeyError::NotAPublicKey`] for a DER certificate or certificate signing request,
        /// otherwise as [`from_pem`](Self::from_pem).
        from_der;

        /// Loads a public key from bytes, PEM or DER (detected).
        ///
        /// # Errors
        /// As [`from_pem`](Self::from_pem) or [`from_der`](Self::from_der), whichever form
        /// the key is in.
        from_bytes;

        /// Loads a public key file, PEM or DER (detected), reading at most
        /// [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES).
        ///
        /// # Errors
        /// [`KeyError::FileNotFound`], [`KeyError::FileUnreadable`], [`KeyError::FileTooLarge`],
        /// [`KeyError::FileEmpty`] (each naming the path), then as [`from_pem`](Self::from_pem).
        from_file;
    }

    fn from_detected_key(detected: &Detected<'_>) -> Result<Self, KeyError> {
        let key = match detected.kind {
            Kind::Spki => rsa_der::public_from_spki(&detected.der("SPKI public key")?)?,
            Kind::Pkcs1Public => {
                rsa_der::public_from_pkcs1(&detected.der("PKCS#1 RSA public key")?)?
            }
            Kind::Pkcs8
            | Kind::EncryptedPkcs8
            | Kind::Pkcs1
            | Kind::OpensshPrivate
            | Kind::NonRsaPrivate(_) => return Err(KeyError::PrivateKeyNotPublic),
            Kind::Certificate => {
                return Err(KeyError::NotAPublicKey {
                    found: "an X.509 certificate (load it with `Certificate`, then `public_key()`)",
                });
            }
            Kind::Csr => {
                return Err(KeyError::NotAPublicKey {
                    found: "a certificate signing request",
                });
            }
            Kind::OpensshPublic => {
                return Err(KeyError::NotAPublicKey {
                    found: "an OpenSSH public key (convert it with `ssh-keygen -e -m PKCS8 -f key.pub`)",
                });
            }
            Kind::Unknown(_) | Kind::UnknownLabel => {
                return Err(KeyError::Unrecognized {
                    found: detected.describe_unknown(),
                });
            }
        };
        Ok(Self { key })
    }

    /// Builds a public key from its two numbers, big-endian unsigned (leading zeros allowed):
    /// the form PKCS#11 tokens expose (`CKA_MODULUS`, `CKA_PUBLIC_EXPONENT`).
    ///
    /// # Errors
    /// [`KeyError::TooSmall`] / [`KeyError::TooLarge`] for a modulus outside 2048..=8192 bits,
    /// [`KeyError::Malformed`] when the numbers are not an RSA public key.
    ///
    /// ```
    /// use sfjwt_core::key::PublicKey;
    /// let key = PublicKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.spki.pem"))?;
    /// let (n, e) = key.to_components();
    /// assert_eq!(PublicKey::from_components(&n, &e)?, key);
    /// # Ok::<(), sfjwt_core::key::KeyError>(())
    /// ```
    pub fn from_components(modulus: &[u8], public_exponent: &[u8]) -> Result<Self, KeyError> {
        use der::Encode as _;
        let malformed = || KeyError::Malformed {
            what: "RSA public key numbers",
        };
        let strip = |bytes: &'_ [u8]| -> Vec<u8> {
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            bytes.get(first..).unwrap_or_default().to_vec()
        };
        let (n, e) = (strip(modulus), strip(public_exponent));
        let der = pkcs1::RsaPublicKey {
            modulus: der::asn1::UintRef::new(&n).map_err(|_| malformed())?,
            public_exponent: der::asn1::UintRef::new(&e).map_err(|_| malformed())?,
        }
        .to_der()
        .map_err(|_| malformed())?;
        Ok(Self {
            key: rsa_der::public_from_pkcs1(&der)?,
        })
    }

    /// The modulus and public exponent, big-endian unsigned without leading zeros.
    pub fn to_components(&self) -> (Vec<u8>, Vec<u8>) {
        (
            self.key.n().to_be_bytes_trimmed_vartime().to_vec(),
            self.key.e().to_be_bytes_trimmed_vartime().to_vec(),
        )
    }

    /// The key as DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7), what certificates embed and
    /// `openssl pkey -pubin -inform DER` reads.
    ///
    /// # Errors
    /// [`KeyError::Malformed`] if encoding fails (not expected for a loaded key).
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        use pkcs8::EncodePublicKey as _;
        self.key
            .to_public_key_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|_| KeyError::Malformed {
                what: "SPKI public key",
            })
    }

    /// Wraps an RSA key, enforcing the minimum size.
    pub(crate) fn from_rsa(key: rsa::PublicKey) -> Result<Self, KeyError> {
        let bits = key.n().bit_width() as usize;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall { bits });
        }
        Ok(Self { key })
    }

    /// Wraps a key whose size was already checked (it comes from a checked private key).
    pub(crate) fn from_rsa_unchecked(key: rsa::PublicKey) -> Self {
        Self { key }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bit_width() as usize
    }

    /// The modulus size in bytes: the exact length of every RS256 signature by this key.
    pub fn modulus_len(&self) -> usize {
        self.key.size()
    }

    pub(crate) fn rsa(&self) -> &rsa::PublicKey {
        &self.key
    }
}
