//! An independent reader of Java KeyStore (JKS) files, for round-trip tests of
//! `sfjwt-keys`' writer. It is written from the format's description, not from the writer:
//! it shares no code with it, decodes what the writer encodes, and checks what Java checks.
//!
//! The format, as OpenJDK's `JavaKeyStore.engineLoad` and `KeyProtector.recover` read it (all
//! integers big-endian):
//!
//! - magic `0xFEEDFEED`, version (1 or 2), entry count;
//! - each entry: tag (1 = private key, 2 = trusted certificate), alias (`readUTF`: a `u16`
//!   byte length, then Java's modified UTF-8), creation date (`i64` milliseconds), then for a
//!   key the protected key (`u32` length + DER `EncryptedPrivateKeyInfo`) and a chain (count,
//!   then per certificate: in version 2 its type as `readUTF`, a `u32` length, the DER); for a
//!   trusted certificate one such certificate;
//! - 20 bytes of SHA-1 over the password as UTF-16BE, the ASCII `Mighty Aphrodite` and every
//!   byte before the digest.
//!
//! The key protector (OID 1.3.6.1.4.1.42.2.17.1.1): the encrypted data is salt (20 bytes) ‖
//! ciphertext ‖ check (20 bytes); keystream blocks are `SHA-1(password ‖ previous)`, starting
//! from the salt; the check is `SHA-1(password ‖ plaintext)`.

use sha1::{Digest as _, Sha1};

/// The magic number of a JKS file.
const MAGIC: u32 = 0xFEED_FEED;
/// DER content of the key protector's OID, 1.3.6.1.4.1.42.2.17.1.1.
const KEY_PROTECTOR_OID: [u8; 10] = [0x2B, 0x06, 0x01, 0x04, 0x01, 0x2A, 0x02, 0x11, 0x01, 0x01];

/// One entry read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A private key and its chain.
    PrivateKey {
        /// The alias as stored.
        alias: String,
        /// The creation date, milliseconds since the Unix epoch.
        created_millis: i64,
        /// The decrypted PKCS#8 `PrivateKeyInfo` DER.
        pkcs8: Vec<u8>,
        /// Each certificate's type (`X.509`) and DER, in order.
        chain: Vec<(String, Vec<u8>)>,
    },
    /// A trusted certificate.
    TrustedCertificate {
        /// The alias as stored.
        alias: String,
        /// The creation date, milliseconds since the Unix epoch.
        created_millis: i64,
        /// The certificate's type and DER.
        certificate: (String, Vec<u8>),
    },
}

/// Reads every entry of the JKS file `bytes`, checking the integrity digest and each key's
/// protector check with `password` (used for the store and every key, as Salesforce requires).
///
/// # Errors
/// What is wrong, in words: a bad magic number or version, a truncated file, trailing bytes,
/// a wrong digest ("tampered with, or password was incorrect"), an unknown key protector, a
/// wrong key password.
pub fn read(bytes: &[u8], password: &str) -> Result<Vec<Entry>, String> {
    let password = utf16_be(password);
    if bytes.len() < 20 {
        return Err("shorter than the integrity digest".into());
    }
    let (body, digest) = bytes.split_at(bytes.len() - 20);
    let expected = Sha1::new()
        .chain_update(&password)
        .chain_update(b"Mighty Aphrodite")
        .chain_update(body)
        .finalize();
    if expected.as_slice() != digest {
        return Err("Keystore was tampered with, or password was incorrect".into());
    }
    let mut input = Reader(body);
    if input.u32()? != MAGIC {
        return Err("not a JKS file (magic)".into());
    }
    let version = input.u32()?;
    if version != 1 && version != 2 {
        return Err(format!("unknown JKS version {version}"));
    }
    let count = input.u32()?;
    let mut entries = Vec::new();
    for _ in 0..count {
        let tag = input.u32()?;
        let alias = input.utf()?;
        let created_millis = i64::from_be_bytes(input.array()?);
        match tag {
            1 => {
                let len = input.length()?;
                let protected = input.take(len)?;
                let pkcs8 = recover(protected, &password)?;
                let chain_len = input.u32()?;
                let mut chain = Vec::new();
                for _ in 0..chain_len {
                    chain.push(input.certificate(version)?);
                }
                entries.push(Entry::PrivateKey {
                    alias,
                    created_millis,
                    pkcs8,
                    chain,
                });
            }
            2 => entries.push(Entry::TrustedCertificate {
                alias,
                created_millis,
                certificate: input.certificate(version)?,
            }),
            other => return Err(format!("unknown entry tag {other}")),
        }
    }
    if !input.0.is_empty() {
        return Err(format!("{} bytes after the last entry", input.0.len()));
    }
    Ok(entries)
}

/// `password` as Java hashes a `char[]`: UTF-16 code units, big-endian.
fn utf16_be(password: &str) -> Vec<u8> {
    password.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// The input not read yet.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err(format!(
                "truncated: wanted {n} bytes, {} left",
                self.0.len()
            ));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N)?.try_into().unwrap())
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A Java `int` length: negative is an error.
    fn length(&mut self) -> Result<usize, String> {
        let len = i32::from_be_bytes(self.array()?);
        usize::try_from(len).map_err(|_| format!("negative length {len}"))
    }

    /// `DataInputStream.readUTF`: modified UTF-8 to UTF-16 code units to a string.
    fn utf(&mut self) -> Result<String, String> {
        let len = u16::from_be_bytes(self.array()?);
        let mut bytes = self.take(usize::from(len))?.iter().copied();
        let mut units = Vec::new();
        let continuation = |b: Option<u8>| match b {
            Some(b) if b & 0xC0 == 0x80 => Ok(u16::from(b & 0x3F)),
            _ => Err("bad modified UTF-8 continuation byte".to_owned()),
        };
        while let Some(first) = bytes.next() {
            let unit = match first {
                0x01..=0x7F => u16::from(first),
                0xC0..=0xDF => (u16::from(first & 0x1F) << 6) | continuation(bytes.next())?,
                0xE0..=0xEF => {
                    let high = (u16::from(first & 0x0F) << 12) | (continuation(bytes.next())? << 6);
                    high | continuation(bytes.next())?
                }
                _ => return Err(format!("bad modified UTF-8 lead byte {first:#04x}")),
            };
            units.push(unit);
        }
        String::from_utf16(&units).map_err(|e| format!("alias is not UTF-16: {e}"))
    }

    fn certificate(&mut self, version: u32) -> Result<(String, Vec<u8>), String> {
        let kind = if version == 2 {
            self.utf()?
        } else {
            "X.509".to_owned()
        };
        let len = self.length()?;
        Ok((kind, self.take(len)?.to_vec()))
    }
}

/// One DER element's content, checking its tag; returns (content, rest).
fn der(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), String> {
    let mut reader = Reader(input);
    let [found] = reader.array()?;
    if found != tag {
        return Err(format!("DER tag {found:#04x}, wanted {tag:#04x}"));
    }
    let [first] = reader.array()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return Err("unsupported DER length".into());
        }
        reader
            .take(count)?
            .iter()
            .fold(0usize, |len, b| (len << 8) | usize::from(*b))
    };
    let content = reader.take(len)?;
    Ok((content, reader.0))
}

/// `KeyProtector.recover`: unwraps the `EncryptedPrivateKeyInfo` and decrypts it.
fn recover(encrypted_info: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
    let (info, rest) = der(encrypted_info, 0x30)?;
    if !rest.is_empty() {
        return Err("bytes after EncryptedPrivateKeyInfo".into());
    }
    let (algorithm, data) = der(info, 0x30)?;
    let (oid, params) = der(algorithm, 0x06)?;
    if oid != KEY_PROTECTOR_OID {
        return Err("not Sun's JKS key protector".into());
    }
    if !params.is_empty() && params != [0x05, 0x00] {
        return Err("unexpected key protector parameters".into());
    }
    let (protected, rest) = der(data, 0x04)?;
    if !rest.is_empty() {
        return Err("bytes after the encrypted key".into());
    }
    if protected.len() < 40 {
        return Err("protected key shorter than salt and check".into());
    }
    let (salt, rest) = protected.split_at(20);
    let (cipher, check) = rest.split_at(rest.len() - 20);
    let mut block = salt.to_vec();
    let mut plain = Vec::with_capacity(cipher.len());
    for chunk in cipher.chunks(20) {
        block = Sha1::new()
            .chain_update(password)
            .chain_update(&block)
            .finalize()
            .to_vec();
        plain.extend(chunk.iter().zip(&block).map(|(c, k)| c ^ k));
    }
    let expected = Sha1::new()
        .chain_update(password)
        .chain_update(&plain)
        .finalize();
    if expected.as_slice() != check {
        return Err("Cannot recover key (wrong key password)".into());
    }
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_modified_utf8_as_java_writes_it() {
        // NUL as two bytes, é, €, and U+1F600 as two three-byte surrogates.
        let bytes = [
            0, 13, 0xC0, 0x80, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80,
        ];
        assert_eq!(Reader(&bytes).utf().unwrap(), "\0é€😀");
        assert!(Reader(&[0, 1, 0x80]).utf().is_err());
    }

    #[test]
    fn refuses_a_wrong_password_and_a_short_file() {
        assert!(read(b"short", "pw").is_err());
        let mut body = Vec::new();
        body.extend_from_slice(&MAGIC.to_be_bytes());
        body.extend_from_slice(&2u32.to_be_bytes());
        body.extend_from_slice(&0u32.to_be_bytes());
        let digest = Sha1::new()
            .chain_update(utf16_be("right"))
            .chain_update(b"Mighty Aphrodite")
            .chain_update(&body)
            .finalize();
        body.extend_from_slice(&digest);
        assert_eq!(read(&body, "right").unwrap(), vec![]);
        assert!(read(&body, "wrong").unwrap_err().contains("password"));
    }
}
