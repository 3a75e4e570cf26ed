//! Encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, RFC 5208 §6) with PBES2 (RFC 8018 §6.2).
//!
//! This is what `openssl pkcs8 -topk8 -v2 aes-256-cbc` and `openssl genpkey -aes256` write:
//! PBKDF2-HMAC-SHA256 (or scrypt, RFC 7914) derives a key from the passphrase, AES-CBC or
//! 3DES-CBC encrypts the PKCS#8 `PrivateKeyInfo`. The `pkcs8`/`pkcs5` crates do the
//! cryptography; this module adds what they leave to the caller:
//!
//! - **Limits on the key-derivation cost**, checked before deriving anything. The parameters
//!   come from the file, so a hostile 2 KB file could ask for 2^32 PBKDF2 rounds or gigabytes
//!   of scrypt memory (`N = 2^20, r = 64` is 8 GiB). The limits sit well above what real
//!   tools write, measured rather than guessed:
//!
//!   | tool | writes |
//!   |---|---|
//!   | `openssl pkcs8 -topk8 -v2 aes-256-cbc`, `openssl genpkey -aes256` (3.0) | PBKDF2-HMAC-SHA256, 2048 iterations |
//!   | Python `cryptography` 48 `BestAvailableEncryption` (PKCS#8) | PBKDF2-HMAC-SHA256, 2048 iterations |
//!   | `sfjwt keygen` with a passphrase | PBKDF2-HMAC-SHA256, 600 000 iterations (OWASP 2023) |
//!   | `openssl pkcs8 -topk8 -scrypt` (3.0) | scrypt N = 2^14, r = 8, p = 1: 16 MiB |
//!   | RustCrypto `pkcs8` 0.11 `encrypt` | scrypt N = 2^14, r = 8, p = 1: 16 MiB |
//!
//!   OpenSSL itself refuses scrypt parameters needing more than 32 MiB, when writing and when
//!   reading. sfjwt accepts scrypt memory `128·r·N` up to [`MAX_SCRYPT_MEMORY`] (256 MiB, 8×
//!   OpenSSL's ceiling; the `scrypt` crate's "recommended" N = 2^17, r = 8 needs 128 MiB),
//!   work `N·r·p` up to [`MAX_SCRYPT_WORK`] (2^22: the 256 MiB case with p = 2, 1.4 s of
//!   CPU in a release build), and PBKDF2 up to [`MAX_PBKDF2_ITERATIONS`] (5 000 000, 8×
//!   keygen's count, 1.0 s of CPU). The check also keeps scrypt `N = 0`, on which `pkcs5` 0.8 panics,
//!   away from it.
//! - **Named errors**: no passphrase, wrong passphrase, and which unsupported scheme it is.
//! - **Zeroized plaintext**: decryption happens in place in a `Zeroizing` buffer.

use der::{Decode as _, asn1::AnyRef, asn1::OctetStringRef};
use pkcs8::pkcs5::{self, pbes2};
use zeroize::Zeroizing;

use super::{KeyError, Passphrase};

/// The largest PBKDF2 iteration count accepted: 8× the 600 000 `sfjwt keygen` writes (OWASP
/// 2023 for HMAC-SHA256), 2400× OpenSSL's and Python `cryptography`'s 2048.
pub(crate) const MAX_PBKDF2_ITERATIONS: u32 = 5_000_000;
/// The most memory scrypt may need, `128·r·N` bytes: 256 MiB.
pub(crate) const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
/// The most work scrypt may do, `N·r·p` (each unit is one 128-byte block mix): 2^22.
pub(crate) const MAX_SCRYPT_WORK: u64 = 1 << 22;

/// Whether `der` has the outline of an `EncryptedPrivateKeyInfo`:
/// `SEQUENCE { AlgorithmIdentifier, OCTET STRING }`, whatever the algorithm.
pub(crate) fn looks_encrypted(der: &[u8]) -> bool {
    scheme_oid(der).is_some()
}

fn scheme_oid(der: &[u8]) -> Option<der::asn1::ObjectIdentifier> {
    let any = AnyRef::from_der(der).ok()?;
    any.sequence(|r| {
        let alg: spki::AlgorithmIdentifierRef<'_> = der::Reader::decode(r)?;
        let _data: &OctetStringRef = der::Reader::decode(r)?;
        Ok::<_, der::Error>(alg.oid)
    })
    .ok()
}

/// Decrypts an `EncryptedPrivateKeyInfo` into the DER of its `PrivateKeyInfo`.
///
/// # Errors
/// [`KeyError::PassphraseRequired`], [`KeyError::WrongPassphrase`],
/// [`KeyError::UnsupportedEncryption`], [`KeyError::Malformed`].
pub(crate) fn decrypt(
    der: &[u8],
    passphrase: Option<&Passphrase>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let info = match pkcs8::EncryptedPrivateKeyInfoRef::from_der(der) {
        Ok(info) => info,
        Err(_) => return Err(undecodable(der)),
    };
    let params = match &info.encryption_algorithm {
        pkcs5::EncryptionScheme::Pbes2(params) => params,
        pkcs5::EncryptionScheme::Pbes1(alg) => {
            return Err(KeyError::UnsupportedEncryption {
                scheme: format!("PBES1 ({:?})", alg.encryption),
            });
        }
        _ => {
            return Err(KeyError::UnsupportedEncryption {
                scheme: "an unknown password-based scheme".into(),
            });
        }
    };
    check_kdf(&params.kdf)?;
    let Some(passphrase) = passphrase else {
        return Err(KeyError::PassphraseRequired);
    };
    let mut buffer = Zeroizing::new(info.encrypted_data.as_bytes().to_vec());
    let len = match params.decrypt_in_place(passphrase.as_bytes(), &mut buffer) {
        Ok(plaintext) => plaintext.len(),
        Err(pkcs5::Error::DecryptFailed) => return Err(KeyError::WrongPassphrase),
        Err(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
            return Err(KeyError::UnsupportedEncryption {
                scheme: format!("PBES2 with algorithm OID {oid}"),
            });
        }
        Err(_) => {
            return Err(KeyError::Malformed {
                what: "encrypted PKCS#8 key's encryption parameters",
            });
        }
    };
    buffer.truncate(len);
    // CBC padding survives a wrong passphrase about once in 256 tries; then the plaintext is
    // noise, which this catches.
    if pkcs8::PrivateKeyInfoRef::from_der(&buffer).is_err() {
        return Err(KeyError::WrongPassphrase);
    }
    Ok(buffer)
}

/// Refuses key-derivation functions we do not support or whose cost is beyond sane limits.
fn check_kdf(kdf: &pbes2::Kdf) -> Result<(), KeyError> {
    match kdf {
        pbes2::Kdf::Pbkdf2(p) => {
            if matches!(p.prf, pbes2::Pbkdf2Prf::HmacWithSha1) {
                // Older OpenSSL (1.0.x) used HMAC-SHA1; the pkcs5 crate hides it behind a
                // feature named `sha1-insecure`, which we keep off.
                return Err(KeyError::UnsupportedEncryption {
                    scheme: "PBES2 with PBKDF2-HMAC-SHA1 (OpenSSL 1.0 default)".into(),
                });
            }
            if p.iteration_count == 0 || p.iteration_count > MAX_PBKDF2_ITERATIONS {
                return Err(KeyError::UnsupportedEncryption {
                    scheme: format!(
                        "PBKDF2 with {} iterations (sfjwt accepts 1 to {MAX_PBKDF2_ITERATIONS}; OpenSSL writes 2048, `sfjwt keygen` 600000)",
                        p.iteration_count
                    ),
                });
            }
            Ok(())
        }
        pbes2::Kdf::Scrypt(p) => {
            let n = p.cost_parameter;
            let (r, par) = (u64::from(p.block_size), u64::from(p.parallelization));
            // u128: N is a u64 in the file, so 128·r·N can overflow u64.
            let memory = 128 * u128::from(r) * u128::from(n);
            let work = u128::from(n) * u128::from(r) * u128::from(par);
            if n < 2
                || !n.is_power_of_two()
                || r == 0
                || par == 0
                || memory > u128::from(MAX_SCRYPT_MEMORY)
                || work > u128::from(MAX_SCRYPT_WORK)
            {
                return Err(KeyError::UnsupportedEncryption {
                    scheme: format!(
                        "scrypt with N={n}, r={r}, p={par}, which needs {} of memory (128·r·N) and N·r·p = {work} (sfjwt accepts N a power of two, at most {} MiB and N·r·p at most 2^{}; OpenSSL writes N=16384, r=8, p=1)",
                        human_bytes(memory),
                        MAX_SCRYPT_MEMORY >> 20,
                        MAX_SCRYPT_WORK.ilog2()
                    ),
                });
            }
            Ok(())
        }
        _ => Err(KeyError::UnsupportedEncryption {
            scheme: "PBES2 with an unknown key-derivation function".into(),
        }),
    }
}

/// `8 GiB`, `256 MiB`, `512 KiB`: memory sizes for messages.
fn human_bytes(bytes: u128) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b => format!("{} KiB", b >> 10),
    }
}

/// Names the scheme of an `EncryptedPrivateKeyInfo` the `pkcs8` crate cannot decode.
fn undecodable(der: &[u8]) -> KeyError {
    let Some(oid) = scheme_oid(der) else {
        return KeyError::Malformed {
            what: "encrypted PKCS#8 key",
        };
    };
    let oid_text = oid.to_string();
    let scheme = if oid_text.starts_with("1.2.840.113549.1.12.1.") {
        // RFC 7292 Appendix C: OpenSSL 1.0's `pkcs8 -topk8` default (PBE-SHA1-3DES).
        format!("a PKCS#12 password-based scheme (OID {oid})")
    } else if oid_text == "1.2.840.113549.1.5.13" {
        "PBES2 with a cipher or key-derivation function sfjwt does not know".to_owned()
    } else if oid_text.starts_with("1.2.840.113549.1.5.") {
        format!("PBES1 (OID {oid})")
    } else {
        format!("an unknown scheme (OID {oid})")
    };
    KeyError::UnsupportedEncryption { scheme }
}
