//! Base64url without padding (RFC 7515 §2, "Base64url Encoding").
//!
//! Decoding is strict on purpose: a JWS has exactly one valid encoding, so `=`, `+`, `/`,
//! whitespace and non-zero trailing bits are all refused. The `base64` crate's
//! `URL_SAFE_NO_PAD` engine already refuses each of these (padding mode `RequireNone`,
//! `decode_allow_trailing_bits = false`); the tests in this module pin that behaviour so a
//! dependency upgrade cannot silently loosen it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Encodes `bytes` as base64url without padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes canonical base64url without padding; any other spelling is an error.
pub(crate) fn decode_strict(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode_strict(&encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn refuses_non_canonical_spellings() {
        // "QQ" is canonical for b"A"; "QR" carries non-zero trailing bits.
        assert_eq!(decode_strict("QQ").unwrap(), b"A");
        for bad in [
            "QR", "QQ==", "QQ=", "Q Q", "QQ\n", "+/8", "a+b", "a/b", "Q", "!!",
        ] {
            assert!(decode_strict(bad).is_err(), "{bad:?} must be refused");
        }
        // The url-safe alphabet itself is accepted.
        assert_eq!(decode_strict("-_8").unwrap(), vec![0xfb, 0xff]);
    }
}
