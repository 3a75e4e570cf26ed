//! Excerpts of response bodies that are safe to put in an error message.
//!
//! Error messages end up in logs, so the excerpt is cut to [`EXCERPT_CHARS`] characters and
//! anything that looks like a credential is replaced by `[redacted]` *before* cutting:
//! Salesforce access tokens (`00D…!…`), the value of any `"access_token"` JSON field, and
//! compact JWS/JWT strings (`eyJ….….…`), in case a server echoes the assertion.

/// The longest excerpt quoted in an error message, in characters.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// How much of the body is scanned for the excerpt. Redaction runs on this whole prefix, so a
/// token straddling the excerpt's cut is still recognised.
const SCAN_BYTES: usize = 8192;

const REDACTED: &str = "[redacted]";

/// A short, redacted, single-line excerpt of `body`.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = body.get(..body.len().min(SCAN_BYTES)).unwrap_or(body);
    let text = String::from_utf8_lossy(head);
    let redacted = redact(&text);
    let mut out = String::new();
    let mut last_space = true;
    let mut count = 0;
    for c in redacted.chars() {
        let c = if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            c
        };
        if c == ' ' && last_space {
            continue;
        }
        if count == EXCERPT_CHARS {
            out.push('…');
            return out;
        }
        last_space = c == ' ';
        out.push(c);
        count += 1;
    }
    if body.len() > head.len() {
        out.push('…');
    }
    out.trim_end().to_owned()
}

/// Replaces credentials in `text` by `[redacted]`.
pub(crate) fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let skip = salesforce_token_len(bytes, i)
            .or_else(|| jws_len(bytes, i))
            .map(|len| (i, len))
            .or_else(|| json_access_token_value(bytes, i));
        if let Some((start, len)) = skip {
            out.push_str(text.get(copied..start).unwrap_or_default());
            out.push_str(REDACTED);
            i = start + len;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

fn at(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+' | b'/' | b'=')
}

/// `00D` + 12 or 15 alphanumerics (the 15/18-character org id), `!`, then token characters.
fn salesforce_token_len(bytes: &[u8], i: usize) -> Option<usize> {
    if i > 0 && at(bytes, i - 1).is_ascii_alphanumeric() {
        return None;
    }
    if bytes.get(i..i + 3)? != b"00D" {
        return None;
    }
    let mut j = i + 3;
    while at(bytes, j).is_ascii_alphanumeric() {
        j += 1;
    }
    let org_len = j - i;
    if !(org_len == 15 || org_len == 18) || at(bytes, j) != b'!' {
        return None;
    }
    j += 1;
    while token_char(at(bytes, j)) {
        j += 1;
    }
    Some(j - i)
}

/// `eyJ` + base64url with at least one `.`: a compact JWS/JWT.
fn jws_len(bytes: &[u8], i: usize) -> Option<usize> {
    let prev = if i > 0 { at(bytes, i - 1) } else { b' ' };
    if prev.is_ascii_alphanumeric() || matches!(prev, b'_' | b'-' | b'.') {
        return None;
    }
    if bytes.get(i..i + 3)? != b"eyJ" {
        return None;
    }
    let mut j = i;
    let mut dots = 0;
    while at(bytes, j).is_ascii_alphanumeric() || matches!(at(bytes, j), b'_' | b'-' | b'.') {
        dots += usize::from(at(bytes, j) == b'.');
        j += 1;
    }
    (dots >= 1 && j - i > 16).then_some(j - i)
}

/// The string value after `"access_token"` `:`, returned as (start, len) of the value.
fn json_access_token_value(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    const KEY: &[u8] = b"\"access_token\"";
    if bytes.get(i..i + KEY.len())? != KEY {
        return None;
    }
    let mut j = i + KEY.len();
    while at(bytes, j).is_ascii_whitespace() {
        j += 1;
    }
    if at(bytes, j) != b':' {
        return None;
    }
    j += 1;
    while at(bytes, j).is_ascii_whitespace() {
        j += 1;
    }
    if at(bytes, j) != b'"' {
        return None;
    }
    let start = j + 1;
    let mut k = start;
    while k < bytes.len() && at(bytes, k) != b'"' {
        k += 1 + usize::from(at(bytes, k) == b'\\');
    }
    Some((start, k.min(bytes.len()) - start))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "00D5g000004Abcd!AQ4AQFpV3vXhB9k.Jm_secret-part";

    #[test]
    fn salesforce_tokens_are_redacted_anywhere() {
        for text in [
            TOKEN.to_owned(),
            format!("token {TOKEN} here"),
            format!("<p>{TOKEN}</p>"),
            "00D5g000004AbcdEFG!xyz".to_owned(),
        ] {
            let r = redact(&text);
            assert!(!r.contains("!AQ4") && !r.contains("!xyz"), "{r}");
            assert!(r.contains(REDACTED), "{r}");
        }
        // An org id alone is not a secret and stays.
        assert_eq!(redact("org 00D5g000004Abcd"), "org 00D5g000004Abcd");
    }

    #[test]
    fn json_access_token_values_are_redacted() {
        let r = redact(r#"{"access_token" : "opaque-thing", "x":1}"#);
        assert_eq!(r, r#"{"access_token" : "[redacted]", "x":1}"#);
        let r = redact(r#"{"access_token":"unterminated"#);
        assert!(!r.contains("unterminated"), "{r}");
    }

    #[test]
    fn jws_strings_are_redacted() {
        let r = redact("assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln&x");
        assert_eq!(r, "assertion=[redacted]&x");
    }

    #[test]
    fn excerpts_are_short_single_line_and_redact_before_cutting() {
        let body = format!("{}{TOKEN}", "a\n\n".repeat(99));
        let e = excerpt(body.as_bytes());
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert!(!e.contains('\n'));
        assert!(!e.contains("!AQ4"), "{e}");
        assert_eq!(excerpt(b"  hi  "), "hi");
    }
}
