//! From DER to `rsa` crate keys, with the size policy applied before any big-number work.
//!
//! The modulus size is read from the ASN.1 integer and checked against
//! [`MIN_RSA_BITS`]..=[`MAX_RSA_BITS`] *before* the `rsa` crate validates the key and
//! precomputes its CRT values: a 1024-bit key gets "1024 bits, at least 2048" rather than a
//! generic parse error, and a hostile 100 000-bit modulus is refused before it costs seconds.

use der::Decode as _;

use super::{KeyError, MAX_RSA_BITS, MIN_RSA_BITS, algorithm};

/// Parses a PKCS#8 `PrivateKeyInfo` (RFC 5208 §5) that must hold an RSA key.
///
/// # Errors
/// [`KeyError::NotRsa`], [`KeyError::TooSmall`], [`KeyError::TooLarge`],
/// [`KeyError::Malformed`].
pub(crate) fn private_from_pkcs8(der: &[u8]) -> Result<rsa::PrivateKey, KeyError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| KeyError::Malformed {
        what: "PKCS#8 private key",
    })?;
    algorithm::require_rsa(info.algorithm.oid)?;
    private_from_pkcs1(info.private_key.as_bytes())
}

/// Parses a PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix A.1.2).
///
/// # Errors
/// [`KeyError::TooSmall`], [`KeyError::TooLarge`], [`KeyError::Malformed`].
pub(crate) fn private_from_pkcs1(der: &[u8]) -> Result<rsa::PrivateKey, KeyError> {
    let malformed = || KeyError::Malformed {
        what: "PKCS#1 RSA private key",
    };
    let key = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|_| malformed())?;
    check_bits(modulus_bits(key.modulus.as_bytes()))?;
    // `try_from` validates the key (d·e ≡ 1 mod λ(n), p·q = n) and precomputes the CRT values,
    // once, here; signing reuses them.
    rsa::PrivateKey::try_from(key).map_err(|_| KeyError::Malformed {
        what: "RSA private key (its numbers are inconsistent)",
    })
}

/// Parses an SPKI `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7) that must hold an RSA key.
///
/// # Errors
/// [`KeyError::NotRsa`], [`KeyError::TooSmall`], [`KeyError::TooLarge`],
/// [`KeyError::Malformed`].
pub(crate) fn public_from_spki(der: &[u8]) -> Result<rsa::PublicKey, KeyError> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| KeyError::Malformed {
        what: "SPKI public key",
    })?;
    algorithm::require_rsa(info.algorithm.oid)?;
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or(KeyError::Malformed {
            what: "SPKI public key",
        })?;
    public_from_pkcs1(bits)
}

/// Parses a PKCS#1 `RSAPublicKey` (RFC 8017 Appendix A.1.1).
///
/// # Errors
/// [`KeyError::TooSmall`], [`KeyError::TooLarge`], [`KeyError::Malformed`].
pub(crate) fn public_from_pkcs1(der: &[u8]) -> Result<rsa::PublicKey, KeyError> {
    let malformed = || KeyError::Malformed {
        what: "PKCS#1 RSA public key",
    };
    let key = pkcs1::RsaPublicKeyRef::from_der(der).map_err(|_| malformed())?;
    check_bits(modulus_bits(key.modulus.as_bytes()))?;
    rsa::PublicKey::try_from(key).map_err(|_| malformed())
}

fn check_bits(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_RSA_BITS {
        return Err(KeyError::TooSmall { bits });
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyError::TooLarge { bits });
    }
    Ok(())
}

/// The bit length of a big-endian unsigned integer (DER `INTEGER` content, leading zero
/// bytes already stripped by the decoder, but we do not rely on it).
fn modulus_bits(bytes: &[u8]) -> usize {
    let significant = bytes
        .iter()
        .position(|&b| b != 0)
        .and_then(|i| bytes.get(i..))
        .unwrap_or_default();
    match significant.first() {
        None => 0,
        Some(&top) => significant.len() * 8 - top.leading_zeros() as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::modulus_bits;

    #[test]
    fn counts_bits() {
        assert_eq!(modulus_bits(&[]), 0);
        assert_eq!(modulus_bits(&[0, 0]), 0);
        assert_eq!(modulus_bits(&[1]), 1);
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x7f, 0xff]), 15);
    }
}
