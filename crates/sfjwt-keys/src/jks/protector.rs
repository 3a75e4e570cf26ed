//! Sun's JKS key protector: how a private key is encrypted inside a JKS file.
//!
//! A proprietary scheme from JDK 1.2 (OpenJDK's `sun.security.provider.KeyProtector`),
//! identified by the object identifier 1.3.6.1.4.1.42.2.17.1.1 under Sun's arc. Every reader of
//! JKS files, `keytool` and Salesforce's import included, expects exactly this for a key entry.
//! In our words:
//!
//! 1. `P` = the password as UTF-16BE bytes; `K` = the key as PKCS#8 `PrivateKeyInfo` DER.
//! 2. A 20-byte random salt `S`. A keystream is built 20 bytes at a time: `D₁ = SHA-1(P ‖ S)`,
//!    `Dᵢ₊₁ = SHA-1(P ‖ Dᵢ)`, concatenated and cut to the length of `K`.
//! 3. The ciphertext is `K` XOR the keystream; a check value `SHA-1(P ‖ K)` lets the reader tell
//!    a wrong password ("Cannot recover key").
//! 4. The protected key `S ‖ ciphertext ‖ check` is wrapped in a PKCS#8
//!    `EncryptedPrivateKeyInfo` (RFC 5208 §6): the algorithm identifier is the OID above with
//!    NULL parameters (what Java writes), the encrypted data an OCTET STRING.
//!
//! This is obfuscation by today's standards (one SHA-1 round per block, no work factor): the
//! file must be handled as a secret (mode 0600) and the password chosen as one.

use der::asn1::{Null, ObjectIdentifier, OctetStringRef};
use der::{Encode as _, Sequence};
use sha1::{Digest as _, Sha1};
use spki::AlgorithmIdentifier;
use zeroize::Zeroizing;

use super::JksError;

/// The salt length, and the SHA-1 output length the keystream advances by.
pub const SALT_LEN: usize = 20;

/// Sun's key protector, 1.3.6.1.4.1.42.2.17.1.1.
const KEY_PROTECTOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.17.1.1");

/// PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5208 §6) with the key protector's algorithm, whose
/// parameters Java writes as NULL (`pkcs8`'s own type only knows the PBES schemes).
#[derive(Sequence)]
struct EncryptedPrivateKeyInfo<'a> {
    encryption_algorithm: AlgorithmIdentifier<Null>,
    encrypted_data: &'a OctetStringRef,
}

/// Protects `pkcs8` with `password` (UTF-16BE bytes) and `salt`; returns the DER
/// `EncryptedPrivateKeyInfo` stored in the keystore entry.
pub(super) fn protect(
    pkcs8: &[u8],
    password: &[u8],
    salt: &[u8; SALT_LEN],
) -> Result<Vec<u8>, JksError> {
    let mut protected = Zeroizing::new(Vec::with_capacity(SALT_LEN + pkcs8.len() + 20));
    protected.extend_from_slice(salt);
    let mut block: [u8; SALT_LEN] = *salt;
    for chunk in pkcs8.chunks(SALT_LEN) {
        block = Sha1::new()
            .chain_update(password)
            .chain_update(block)
            .finalize()
            .into();
        protected.extend(chunk.iter().zip(block.iter()).map(|(k, s)| k ^ s));
    }
    let check = Sha1::new()
        .chain_update(password)
        .chain_update(pkcs8)
        .finalize();
    protected.extend_from_slice(&check);

    let info = EncryptedPrivateKeyInfo {
        encryption_algorithm: AlgorithmIdentifier {
            oid: KEY_PROTECTOR,
            parameters: Some(Null),
        },
        encrypted_data: OctetStringRef::new(&protected).map_err(|_| too_large())?,
    };
    info.to_der().map_err(|_| too_large())
}

/// The one way DER encoding of the entry fails: a length beyond what DER can state.
fn too_large() -> JksError {
    JksError::TooLarge {
        what: "protected private key",
    }
}

#[cfg(test)]
mod tests {
    use der::Decode as _;

    use super::*;

    /// The reverse of [`protect`], as `KeyProtector.recover` does it.
    fn recover(protected: &[u8], password: &[u8]) -> Option<Vec<u8>> {
        let (salt, rest) = protected.split_at(SALT_LEN);
        let (cipher, check) = rest.split_at(rest.len() - 20);
        let mut block: [u8; 20] = salt.try_into().unwrap();
        let mut plain = Vec::new();
        for chunk in cipher.chunks(20) {
            block = Sha1::new()
                .chain_update(password)
                .chain_update(block)
                .finalize()
                .into();
            plain.extend(chunk.iter().zip(block.iter()).map(|(c, s)| c ^ s));
        }
        let expected = Sha1::new()
            .chain_update(password)
            .chain_update(&plain)
            .finalize();
        (expected.as_slice() == check).then_some(plain)
    }

    fn unwrap_info(der: &[u8]) -> (spki::AlgorithmIdentifierOwned, Vec<u8>) {
        let any = der::asn1::Any::from_der(der).unwrap();
        assert_eq!(der::Tagged::tag(&any), der::Tag::Sequence);
        let inner = any.value();
        let algorithm =
            spki::AlgorithmIdentifierOwned::from_der(&inner[..2 + usize::from(inner[1])]).unwrap();
        let rest = &inner[2 + usize::from(inner[1])..];
        let octets = der::asn1::OctetString::from_der(rest).unwrap();
        (algorithm, octets.as_bytes().to_vec())
    }

    #[test]
    fn round_trips_and_is_wrapped_like_java() {
        // 1217 bytes: a multiple of neither 20 nor 128, long enough for a two-byte DER length.
        let key: Vec<u8> = (0..1217u32).map(|i| (i * 7 % 251) as u8).collect();
        let password = [0, b'p', 0, b'w'];
        let der = protect(&key, &password, &[9; 20]).unwrap();
        let (algorithm, protected) = unwrap_info(&der);
        assert_eq!(algorithm.oid.to_string(), "1.3.6.1.4.1.42.2.17.1.1");
        assert_eq!(algorithm.parameters, Some(der::asn1::Any::null()));
        assert_eq!(protected.len(), 20 + key.len() + 20);
        assert_eq!(protected[..20], [9; 20]);
        assert_eq!(recover(&protected, &password), Some(key.clone()));
        assert_eq!(recover(&protected, &[0, b'x']), None);
    }
}
