//! [`Certificate`]: the X.509 certificate uploaded to the connected app.
//!
//! Salesforce verifies assertions with the public key of the certificate uploaded under
//! "Use digital signatures". The most common `invalid_grant / invalid assertion` cause is a
//! certificate that is not the pair of the signing key, or one that expired; this type answers
//! both questions before a token request is ever made.

use std::time::SystemTime;

use der::Decode as _;

use super::detect::{Detected, Kind, detected_constructors};
use super::{KeyError, PrivateKey, PublicKey, rsa_der};

/// An X.509 certificate (RFC 5280) holding an RSA key: its public key, validity and subject.
///
/// ```
/// use sfjwt_core::key::{Certificate, PrivateKey};
///
/// let cert = Certificate::from_pem(include_str!("../../../../testdata/keys/rsa2048.crt.pem"))?;
/// let key = PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// assert!(cert.is_pair_of(&key));
/// assert_eq!(cert.subject(), "CN=sfjwt test 2048");
/// assert!(cert.is_valid_at(std::time::SystemTime::now()));
/// # Ok::<(), sfjwt_core::key::KeyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    public_key: PublicKey,
    not_before: SystemTime,
    not_after: SystemTime,
    subject: String,
}

impl Certificate {
    detected_constructors! {
        via from_detected_certificate;

        /// Loads a PEM (`CERTIFICATE`) certificate.
        ///
        /// # Errors
        /// [`KeyError`] says what was found instead and what to do: e.g.
        /// [`KeyError::PrivateKeyNotPublic`] for a private key, [`KeyError::NotRsa`] for an EC
        /// certificate.
        from_pem;

        /// Loads a DER certificate.
        ///
        /// # Errors
        /// [`KeyError::NotACertificate`] for a DER public key or certificate signing request,
        /// otherwise as [`from_pem`](Self::from_pem).
        from_der;

        /// Loads a certificate from bytes, PEM or DER (detected).
        ///
        /// # Errors
        /// As [`from_pem`](Self::from_pem) or [`from_der`](Self::from_der), whichever form
        /// the certificate is in.
        from_bytes;

        /// Loads a certificate file, PEM or DER (detected).
        ///
        /// # Errors
        /// [`KeyError::FileNotFound`], [`KeyError::FileUnreadable`], [`KeyError::FileTooLarge`],
        /// [`KeyError::FileEmpty`] (each naming the path), then as [`from_pem`](Self::from_pem).
        from_file;
    }

    fn from_detected_certificate(detected: &Detected<'_>) -> Result<Self, KeyError> {
        match detected.kind {
            Kind::Certificate => {}
            Kind::Pkcs8
            | Kind::EncryptedPkcs8
            | Kind::Pkcs1
            | Kind::OpensshPrivate
            | Kind::NonRsaPrivate(_) => return Err(KeyError::PrivateKeyNotPublic),
            Kind::Spki | Kind::Pkcs1Public | Kind::OpensshPublic => {
                return Err(KeyError::NotACertificate {
                    found: "a public key",
                });
            }
            Kind::Csr => {
                return Err(KeyError::NotACertificate {
                    found: "a certificate signing request (it becomes a certificate once signed; or self-sign it with `openssl x509 -req -signkey`)",
                });
            }
            Kind::Unknown(_) | Kind::UnknownLabel => {
                return Err(KeyError::Unrecognized {
                    found: detected.describe_unknown(),
                });
            }
        }
        let what = "X.509 certificate";
        let der = detected.der(what)?;
        let cert =
            x509_cert::Certificate::from_der(&der).map_err(|_| KeyError::Malformed { what })?;
        let tbs = cert.tbs_certificate();
        let spki = tbs.subject_public_key_info();
        super::algorithm::require_rsa(spki.algorithm.oid).map_err(|e| match e {
            KeyError::NotRsa { algorithm } => KeyError::NotRsa {
                algorithm: format!("{algorithm} (in the certificate)"),
            },
            other => other,
        })?;
        let key_der = spki
            .subject_public_key
            .as_bytes()
            .ok_or(KeyError::Malformed {
                what: "certificate's public key",
            })?;
        let public_key = PublicKey::from_rsa(rsa_der::public_from_pkcs1(key_der)?)?;
        let validity = tbs.validity();
        Ok(Self {
            public_key,
            not_before: validity.not_before.to_system_time(),
            not_after: validity.not_after.to_system_time(),
            subject: tbs.subject().to_string(),
        })
    }

    /// The certified public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The start of the validity period (`notBefore`, RFC 5280 §4.1.2.5).
    pub fn not_before(&self) -> SystemTime {
        self.not_before
    }

    /// The end of the validity period (`notAfter`, RFC 5280 §4.1.2.5), inclusive.
    pub fn not_after(&self) -> SystemTime {
        self.not_after
    }

    /// The subject as an RFC 4514 string, e.g. `CN=sfjwt test 2048`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Whether `key` is the private key of this certificate (same modulus and exponent).
    /// When it is not, Salesforce answers `invalid_grant / invalid assertion`.
    pub fn is_pair_of(&self, key: &PrivateKey) -> bool {
        self.public_key == key.public_key()
    }

    /// Whether `now` is within `notBefore..=notAfter`. The core never reads the clock: pass
    /// the time in.
    pub fn is_valid_at(&self, now: SystemTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}
