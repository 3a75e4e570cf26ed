//! The certificate chain of a keystore entry: one certificate (PEM or DER), or a PEM chain
//! with the key's own certificate first, kept whole and in order.

use std::fmt;

use der::{Decode as _, Encode as _};
use sfjwt_core::key::Certificate;

const PEM_CERT_BEGIN: &str = "-----BEGIN CERTIFICATE-----";

/// Why bytes are not a certificate chain. The message carries its cause (no `source()`), and
/// never quotes the input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainError {
    /// A PEM certificate in a chain does not parse. Likely cause: a damaged or truncated file.
    Pem {
        /// The PEM/DER reader's message.
        detail: String,
    },
    /// The bytes are not a certificate; `detail` says what they are instead when the core can
    /// tell (a private key, a CSR, …). Likely cause: the wrong file.
    NotACertificate {
        /// What the core's reader found.
        detail: String,
    },
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem { detail } => write!(f, "a PEM certificate does not parse ({detail})"),
            Self::NotACertificate { detail } => f.write_str(detail),
        }
    }
}

impl std::error::Error for ChainError {}

/// The DER certificates in `bytes`, in order: a PEM chain goes through `x509-cert`; anything
/// else through the core's detection, whose errors say what the bytes are instead.
///
/// # Errors
/// [`ChainError`] when the bytes hold something other than certificates.
pub fn parse_chain(bytes: &[u8]) -> Result<Vec<Vec<u8>>, ChainError> {
    let not_a_cert = |detail: String| ChainError::NotACertificate { detail };
    let is_pem_chain =
        std::str::from_utf8(bytes).is_ok_and(|text| text.trim_start().starts_with(PEM_CERT_BEGIN));
    if is_pem_chain {
        let certs = x509_cert::Certificate::load_pem_chain(bytes).map_err(|e| ChainError::Pem {
            detail: e.to_string(),
        })?;
        return certs
            .iter()
            .map(|cert| cert.to_der().map_err(|e| not_a_cert(e.to_string())))
            .collect();
    }
    // One certificate, DER (or PEM the core can explain better).
    Certificate::from_bytes(bytes).map_err(|e| not_a_cert(e.to_string()))?;
    let cert = x509_cert::Certificate::from_der(bytes).map_err(|e| not_a_cert(e.to_string()))?;
    Ok(vec![cert.to_der().map_err(|e| not_a_cert(e.to_string()))?])
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../../../testdata/keys/rsa2048.crt.pem");
    const KEY: &str = include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem");

    #[test]
    fn single_pem_and_its_der_read_the_same() {
        let pem = parse_chain(CERT.as_bytes()).unwrap();
        assert_eq!(pem.len(), 1);
        assert_eq!(parse_chain(&pem[0]).unwrap(), pem);
    }

    #[test]
    fn a_chain_keeps_its_order() {
        let other = include_str!("../../../../testdata/keys/rsa3072.crt.pem");
        let both = format!("{CERT}{other}");
        let chain = parse_chain(both.as_bytes()).unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[0], parse_chain(CERT.as_bytes()).unwrap()[0]);
    }

    #[test]
    fn a_key_is_named_as_a_key() {
        let message = parse_chain(KEY.as_bytes()).unwrap_err().to_string();
        assert!(message.contains("private key"), "{message}");
    }
}
