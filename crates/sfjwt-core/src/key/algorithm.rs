//! Key-algorithm OIDs: which one is RSA, and human names for the ones that are not.
//!
//! A PKCS#8 key or SPKI public key says its algorithm in an `AlgorithmIdentifier` (RFC 5208 §5,
//! RFC 5280 §4.1.1.2). Salesforce's JWT bearer flow is RS256 only, so everything except
//! `rsaEncryption` is refused, by name, so the user knows what they have.

use der::asn1::ObjectIdentifier;

use super::KeyError;

/// `rsaEncryption` (RFC 8017 Appendix C).
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Refuses every algorithm but `rsaEncryption`, naming it.
///
/// # Errors
/// [`KeyError::NotRsa`].
pub(crate) fn require_rsa(oid: ObjectIdentifier) -> Result<(), KeyError> {
    if oid == RSA_ENCRYPTION {
        return Ok(());
    }
    Err(KeyError::NotRsa {
        algorithm: name(oid),
    })
}

/// A human name for a key algorithm.
pub(crate) fn name(oid: ObjectIdentifier) -> String {
    let known = match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "EC (ECDSA)",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.3.101.110" => "X25519",
        "1.3.101.111" => "X448",
        "1.2.840.10040.4.1" => "DSA",
        // RFC 4055 §3.1: an RSA-PSS key is restricted to PSS signatures; RS256 is PKCS#1 v1.5.
        "1.2.840.113549.1.1.10" => {
            "RSA-PSS (restricted to PSS; RS256 needs a plain rsaEncryption key)"
        }
        "1.2.840.113549.1.3.1" | "1.2.840.10046.2.1" => "Diffie-Hellman",
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" => "GOST R 34.10-2012",
        "1.2.156.10197.1.301" => "SM2",
        _ => return format!("an unknown algorithm (OID {oid})"),
    };
    known.to_owned()
}
