use der::{Decode as _, DecodePem as _};

use super::{KeyError, PublicKey};

/// An X.509 certificate: the file uploaded to the connected app ("Use digital signatures").
#[derive(Clone, Debug)]
pub struct Certificate {
    public_key: PublicKey,
}

impl Certificate {
    /// Loads a PEM (`CERTIFICATE`) certificate.
    ///
    /// # Errors
    /// [`KeyError`] says what was found instead and what to do.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let cert = x509_cert::Certificate::from_pem(pem).map_err(|_| KeyError::Unrecognized {
            found: "unparseable certificate".into(),
        })?;
        Self::from_x509(&cert)
    }

    /// Loads a DER certificate.
    ///
    /// # Errors
    /// [`KeyError`] says what was found instead and what to do.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|_| KeyError::Unrecognized {
            found: "unparseable certificate".into(),
        })?;
        Self::from_x509(&cert)
    }

    fn from_x509(cert: &x509_cert::Certificate) -> Result<Self, KeyError> {
        use der::Encode as _;
        use rsa::pkcs8::DecodePublicKey as _;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| KeyError::Unrecognized {
                found: "a certificate with an unencodable key".into(),
            })?;
        let key =
            rsa::PublicKey::from_public_key_der(&spki).map_err(|_| KeyError::Unrecognized {
                found: "a certificate for a non-RSA key".into(),
            })?;
        Ok(Self {
            public_key: PublicKey::from_rsa(key)?,
        })
    }

    /// The certified public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
}
