//! Undoing what environment variables and secret stores do to PEM text.
//!
//! A PEM file pasted into a CI secret, a `.env` file or a container environment comes back
//! with CRLF line endings, with the two characters `\n` instead of newlines (JSON- or
//! shell-escaped), wrapped in quotes, padded with whitespace — or base64-encoded whole
//! (`base64 -w0 key.pem`) to dodge all of that. [`unmangle`] undoes each of these; the PEM
//! parser itself accepts CRLF and newlines flattened to spaces.

use base64::Engine as _;
use zeroize::Zeroizing;

/// The value, repaired: PEM text, or bytes when the whole value was base64.
pub(crate) enum Unmangled {
    /// Text to hand to the PEM/text detector.
    Text(Zeroizing<String>),
    /// The base64-decoded value: a PEM file or DER.
    Bytes(Zeroizing<Vec<u8>>),
}

/// Repairs an environment-variable value holding a PEM key.
pub(crate) fn unmangle(value: &str) -> Unmangled {
    let mut text = value.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            text = inner.trim();
            break;
        }
    }
    if !text.contains("-----BEGIN") {
        if let Some(bytes) = whole_base64(text) {
            return Unmangled::Bytes(bytes);
        }
    }
    let mut repaired = Zeroizing::new(String::with_capacity(text.len()));
    let mut rest = text;
    // Escaped newlines: `\r\n`, `\n` and a lone `\r` as two-character sequences.
    while let Some(i) = rest.find('\\') {
        repaired.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i..).unwrap_or_default();
        if let Some(tail) = after.strip_prefix("\\r\\n") {
            repaired.push('\n');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("\\n") {
            repaired.push('\n');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("\\r") {
            rest = tail;
        } else {
            repaired.push('\\');
            rest = after.get(1..).unwrap_or_default();
        }
    }
    repaired.push_str(rest);
    Unmangled::Text(repaired)
}

/// The decoded value when the whole value is one base64 string (long enough to be a key, so
/// that short junk is reported as junk rather than decoded).
fn whole_base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    const MIN_LEN: usize = 64;
    let compact: Zeroizing<Vec<u8>> =
        Zeroizing::new(text.bytes().filter(|b| !b.is_ascii_whitespace()).collect());
    if compact.len() < MIN_LEN
        || !compact
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_slice())
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(u: Unmangled) -> String {
        match u {
            Unmangled::Text(t) => t.to_string(),
            Unmangled::Bytes(_) => panic!("expected text"),
        }
    }

    #[test]
    fn repairs_escapes_quotes_and_whitespace() {
        assert_eq!(text(unmangle("  \"a\\nb\\r\\nc\"  ")), "a\nb\nc");
        assert_eq!(text(unmangle("'a\\rb'")), "ab");
        assert_eq!(text(unmangle("a\\tb\\")), "a\\tb\\");
    }

    #[test]
    fn decodes_whole_base64() {
        let encoded = base64::engine::general_purpose::STANDARD.encode([7u8; 60]);
        match unmangle(&encoded) {
            Unmangled::Bytes(b) => assert_eq!(b.as_slice(), &[7u8; 60]),
            Unmangled::Text(_) => panic!("expected bytes"),
        }
    }
}
