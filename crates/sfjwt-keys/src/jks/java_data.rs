//! The two ways Java turns text into bytes that the JKS format depends on.
//!
//! - `DataOutputStream.writeUTF` ("modified UTF-8", described in the `java.io.DataInput`
//!   interface docs): a `u16` byte count, then each UTF-16 code unit as 1 byte (U+0001..U+007F),
//!   2 bytes (U+0000 and U+0080..U+07FF) or 3 bytes (the rest, surrogates encoded one by one).
//! - A password (`char[]`) as bytes for hashing: each UTF-16 code unit as two bytes, high byte
//!   first, exactly as `JavaKeyStore` and `KeyProtector` convert it.

use zeroize::Zeroizing;

use super::JksError;

/// Appends `text` as `DataOutputStream.writeUTF` would.
pub(super) fn write_modified_utf8(out: &mut Vec<u8>, text: &str) -> Result<(), JksError> {
    let mut encoded = Vec::with_capacity(text.len());
    for unit in text.encode_utf16() {
        match unit {
            0x0001..=0x007F => encoded.push(low_byte(unit)),
            0x0000 | 0x0080..=0x07FF => {
                encoded.push(0xC0 | low_byte(unit >> 6));
                encoded.push(0x80 | low_byte(unit & 0x3F));
            }
            _ => {
                encoded.push(0xE0 | low_byte(unit >> 12));
                encoded.push(0x80 | low_byte((unit >> 6) & 0x3F));
                encoded.push(0x80 | low_byte(unit & 0x3F));
            }
        }
    }
    let len = u16::try_from(encoded.len()).map_err(|_| JksError::StringTooLong)?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&encoded);
    Ok(())
}

/// The low eight bits (the callers mask or shift so nothing else is left).
fn low_byte(value: u16) -> u8 {
    value.to_be_bytes()[1]
}

/// The password as Java hashes it: UTF-16 code units, big-endian, no terminator.
pub(super) fn password_bytes(password: &str) -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(password.len() * 2));
    for unit in password.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        write_modified_utf8(&mut out, text).unwrap();
        out
    }

    #[test]
    fn modified_utf8_matches_java() {
        assert_eq!(utf("X.509"), b"\x00\x05X.509");
        // NUL takes two bytes; é two; € three; U+1F600 is two surrogates of three bytes each.
        assert_eq!(utf("\0"), [0, 2, 0xC0, 0x80]);
        assert_eq!(utf("é"), [0, 2, 0xC3, 0xA9]);
        assert_eq!(utf("€"), [0, 3, 0xE2, 0x82, 0xAC]);
        assert_eq!(utf("😀"), [0, 6, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]);
    }

    #[test]
    fn strings_longer_than_the_prefix_are_refused() {
        let mut out = Vec::new();
        assert_eq!(write_modified_utf8(&mut out, &"a".repeat(65_535)), Ok(()));
        assert_eq!(
            write_modified_utf8(&mut out, &"a".repeat(65_536)),
            Err(JksError::StringTooLong)
        );
    }

    #[test]
    fn password_is_utf16_big_endian() {
        assert_eq!(password_bytes("ab").as_slice(), [0, b'a', 0, b'b']);
        assert_eq!(
            password_bytes("é😀").as_slice(),
            [0x00, 0xE9, 0xD8, 0x3D, 0xDE, 0x00]
        );
    }
}
