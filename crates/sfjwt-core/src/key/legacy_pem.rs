//! Legacy OpenSSL PEM encryption: `Proc-Type: 4,ENCRYPTED` + `DEK-Info: <cipher>,<iv>`.
//!
//! `openssl genrsa -des3` — the first command of the Salesforce JWT tutorial everybody
//! follows — writes this format (RFC 1421 §4.6.1 headers, OpenSSL's own key derivation). The
//! key is derived with OpenSSL's `EVP_BytesToKey` using MD5, one iteration, and the first 8
//! bytes of the IV as salt:
//!
//! ```text
//! D_1 = MD5(passphrase || salt), D_i = MD5(D_{i-1} || passphrase || salt), key = D_1 || D_2 ...
//! ```
//!
//! then the PKCS#1 DER is decrypted with CBC and PKCS#7 padding. MD5 with one iteration is a
//! weak KDF: we read this format because users have it, and the docs nudge them to PKCS#8.

use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use md5::{Digest as _, Md5};
use zeroize::{Zeroize as _, Zeroizing};

use super::{KeyError, Passphrase};

/// The ciphers OpenSSL writes with `genrsa`/`rsa -des3|-aes128|-aes192|-aes256`.
#[derive(Clone, Copy)]
enum CbcCipher {
    DesEde3,
    Aes128,
    Aes192,
    Aes256,
}

impl CbcCipher {
    fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "DES-EDE3-CBC" => Some(Self::DesEde3),
            "AES-128-CBC" => Some(Self::Aes128),
            "AES-192-CBC" => Some(Self::Aes192),
            "AES-256-CBC" => Some(Self::Aes256),
            _ => None,
        }
    }

    fn key_len(self) -> usize {
        match self {
            Self::DesEde3 | Self::Aes192 => 24,
            Self::Aes128 => 16,
            Self::Aes256 => 32,
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Self::DesEde3 => 8,
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
        }
    }
}

/// Whether the PEM headers say the body is encrypted (`Proc-Type: 4,ENCRYPTED`).
pub(crate) fn is_encrypted(proc_type: Option<&str>) -> bool {
    proc_type.is_some_and(|v| {
        v.split(',')
            .nth(1)
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("ENCRYPTED"))
    })
}

/// Decrypts a legacy-encrypted PEM body (`ciphertext`) given its `DEK-Info` header value.
/// Returns the plaintext (PKCS#1 DER) in a zeroizing buffer.
///
/// # Errors
/// [`KeyError::PassphraseRequired`], [`KeyError::UnsupportedEncryption`] for a cipher other
/// than DES-EDE3/AES-CBC, [`KeyError::Malformed`] for a broken `DEK-Info`,
/// [`KeyError::WrongPassphrase`] when the padding is wrong.
pub(crate) fn decrypt(
    dek_info: Option<&str>,
    ciphertext: &[u8],
    passphrase: Option<&Passphrase>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let bad_dek = || KeyError::Malformed {
        what: "`DEK-Info` header of the encrypted PEM key",
    };
    let (name, iv_hex) = dek_info
        .and_then(|v| v.split_once(','))
        .ok_or_else(bad_dek)?;
    let name = name.trim();
    let cipher = CbcCipher::from_name(name).ok_or_else(|| KeyError::UnsupportedEncryption {
        scheme: format!("the legacy PEM cipher `{}`", sanitize(name)),
    })?;
    let iv = decode_hex(iv_hex.trim()).ok_or_else(bad_dek)?;
    if iv.len() != cipher.iv_len() {
        return Err(bad_dek());
    }
    let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
    let salt = iv.get(..8).ok_or_else(bad_dek)?;
    let key = evp_bytes_to_key(passphrase.as_bytes(), salt, cipher.key_len());

    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plaintext_len = match cipher {
        CbcCipher::DesEde3 => cbc_decrypt::<des::TdesEde3>(&key, &iv, &mut buffer),
        CbcCipher::Aes128 => cbc_decrypt::<aes::Aes128>(&key, &iv, &mut buffer),
        CbcCipher::Aes192 => cbc_decrypt::<aes::Aes192>(&key, &iv, &mut buffer),
        CbcCipher::Aes256 => cbc_decrypt::<aes::Aes256>(&key, &iv, &mut buffer),
    }
    .ok_or(KeyError::WrongPassphrase)?;
    buffer.truncate(plaintext_len);
    Ok(buffer)
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buffer: &mut [u8]) -> Option<usize>
where
    C: BlockCipherDecrypt,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor
        .decrypt_padded::<Pkcs7>(buffer)
        .ok()
        .map(<[u8]>::len)
}

/// OpenSSL's `EVP_BytesToKey(cipher, EVP_md5(), salt, passphrase, count = 1)`.
fn evp_bytes_to_key(passphrase: &[u8], salt: &[u8], key_len: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(key_len + 16));
    let mut previous: Zeroizing<[u8; 16]> = Zeroizing::new([0; 16]);
    let mut first = true;
    while key.len() < key_len {
        let mut md5 = Md5::new();
        if !first {
            md5.update(previous.as_slice());
        }
        md5.update(passphrase);
        md5.update(salt);
        let mut digest = md5.finalize();
        previous.copy_from_slice(&digest);
        digest.as_mut_slice().zeroize();
        key.extend_from_slice(previous.as_slice());
        first = false;
    }
    key.truncate(key_len);
    key
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || hex.len() > 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    hex.as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let text = core::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

/// A cipher name from the file, reduced to characters a cipher name has, for the message.
fn sanitize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The structure of EVP_BytesToKey; the end-to-end check against OpenSSL output is the
    /// legacy-encrypted fixtures in tests/keys.rs.
    #[test]
    fn evp_bytes_to_key_shape() {
        let salt = [1, 2, 3, 4, 5, 6, 7, 8];
        let k16 = evp_bytes_to_key(b"secret", &salt, 16);
        let k32 = evp_bytes_to_key(b"secret", &salt, 32);
        assert_eq!(k16.len(), 16);
        assert_eq!(&k32[..16], &k16[..]);
        // D_1 = MD5(passphrase || salt)
        let mut md5 = Md5::new();
        md5.update(b"secret");
        md5.update(salt);
        assert_eq!(&k16[..], md5.finalize().as_slice());
    }

    #[test]
    fn proc_type_detection() {
        assert!(is_encrypted(Some("4,ENCRYPTED")));
        assert!(!is_encrypted(Some("4,MIC-ONLY")));
        assert!(!is_encrypted(None));
    }

    #[test]
    fn hex_is_strict() {
        assert_eq!(decode_hex("0aFF"), Some(vec![10, 255]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("+1"), None);
    }
}
