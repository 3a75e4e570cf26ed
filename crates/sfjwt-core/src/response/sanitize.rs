//! The one sanitiser for text a server chose that reaches a person or a log.
//!
//! A token endpoint (or whatever answers in its place) picks the bytes of `error`,
//! `error_description`, response bodies and header values. Printed as they are, they can drive
//! the reader's terminal (`ESC [2J` clears it, `ESC ]0;…BEL` retitles it), forge log lines
//! (a newline followed by a fake entry), hide text behind bidirectional overrides, or flood a
//! log with a megabyte-long "description". [`sanitize`] turns any such text into one bounded
//! line, and every `Display`, CLI message and tracing field built from server text goes
//! through it:
//!
//! 1. anything shaped like a credential is replaced by `[redacted]`: Salesforce access tokens
//!    (`00D…!…`), the value of any `"access_token"` JSON field, and compact JWS/JWT strings
//!    (`eyJ….….…`), in case a server echoes the assertion;
//! 2. runs of white space (newlines included) become one space, so no text can start a line;
//! 3. other control characters (C0, DEL, C1) and invisible format characters (bidirectional
//!    overrides, zero-width characters, the byte-order mark) are written as `\u{1b}`-style
//!    escapes, so they are visible and inert;
//! 4. the result is cut at [`DISPLAY_CHARS`] characters (error excerpts of bodies at
//!    [`EXCERPT_CHARS`]), ending with `… N bytes omitted`.
//!
//! Redaction runs before cutting, so a token straddling the cut is still recognised.

use core::fmt::Write as _;

/// The longest server-provided text shown, in characters, before `… N bytes omitted`.
pub const DISPLAY_CHARS: usize = 300;

/// The longest excerpt of a response body quoted in an error message, in characters.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// How much of the text is looked at. Redaction runs on this whole prefix, so a token
/// straddling the cut is still recognised; the rest is only counted.
const SCAN_BYTES: usize = 8192;

const REDACTED: &str = "[redacted]";

/// Makes server-provided text safe to print or log: credentials redacted, white space runs
/// collapsed to one space (no line breaks), control and invisible format characters escaped
/// (`\u{1b}`), cut at [`DISPLAY_CHARS`] characters with `… N bytes omitted`.
///
/// ```
/// use sfjwt_core::response::sanitize;
/// let hostile = "bad\u{1b}[2J\u{7}\nERROR forged line";
/// assert_eq!(sanitize(hostile), "bad\\u{1b}[2J\\u{7} ERROR forged line");
/// let long = sanitize(&"x".repeat(200_000));
/// assert!(long.ends_with("… 199700 bytes omitted"));
/// ```
pub fn sanitize(text: &str) -> String {
    clean(text, DISPLAY_CHARS)
}

/// A short, sanitised, single-line excerpt of a response `body` (any bytes).
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = body.get(..body.len().min(SCAN_BYTES)).unwrap_or(body);
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    let omitted = clean_into(&mut out, &text, EXCERPT_CHARS) + (body.len() - head.len());
    finish(out, omitted)
}

fn clean(text: &str, max_chars: usize) -> String {
    let mut cut = text.len().min(SCAN_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let (head, tail) = text.split_at(cut);
    let mut out = String::new();
    let omitted = clean_into(&mut out, head, max_chars) + tail.len();
    finish(out, omitted)
}

fn finish(out: String, omitted: usize) -> String {
    let mut out = out.trim().to_owned();
    if omitted > 0 {
        let _ = write!(out, "… {omitted} bytes omitted");
    }
    out
}

/// Appends the cleaned form of `text` to `out`, at most `max_chars` characters (an escape
/// counting as the characters it prints); returns how many bytes of the (redacted) text did
/// not fit.
fn clean_into(out: &mut String, text: &str, max_chars: usize) -> usize {
    let redacted = redact(text);
    let mut count = 0;
    let mut last_space = true;
    for (i, c) in redacted.char_indices() {
        if c.is_whitespace() {
            if !last_space {
                if count == max_chars {
                    return redacted.len() - i;
                }
                out.push(' ');
                count += 1;
            }
            last_space = true;
            continue;
        }
        // An escape counts as the characters it prints, so the cut bounds what is shown.
        let width = if is_unsafe_char(c) {
            format!("{:x}", u32::from(c)).len() + 4
        } else {
            1
        };
        if count + width > max_chars {
            return redacted.len() - i;
        }
        last_space = false;
        if width > 1 {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
        count += width;
    }
    0
}

/// Whether `c` must not reach a terminal or a log as is: a control character (C0, DEL, C1:
/// ESC starts escape sequences, CR and LF start lines, U+009B is a one-character CSI on some
/// terminals) or an invisible format character (bidirectional overrides reverse the text
/// around them; zero-width characters hide text). [`sanitize`] escapes every such character.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
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
        let shown = e.split('…').next().unwrap_or_default();
        assert!(shown.chars().count() <= EXCERPT_CHARS, "{e}");
        assert!(!e.contains('\n'));
        assert!(!e.contains("!AQ4"), "{e}");
        assert_eq!(excerpt(b"  hi  "), "hi");
    }

    #[test]
    fn terminal_escapes_and_forged_lines_are_inert() {
        let hostile =
            "x\u{1b}[2J\u{1b}]0;pwned\u{7}\r\n2026-01-01 INFO forged\u{9b}31m\u{202e}gpj.exe\u{7f}";
        let s = sanitize(hostile);
        assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
        assert_eq!(
            s,
            "x\\u{1b}[2J\\u{1b}]0;pwned\\u{7} 2026-01-01 INFO forged\\u{9b}31m\\u{202e}gpj.exe\\u{7f}"
        );
    }

    #[test]
    fn long_text_is_cut_with_the_count_of_what_was_left_out() {
        let s = sanitize(&"é".repeat(100_000));
        let (shown, rest) = s.split_once('…').unwrap_or((&s, ""));
        assert_eq!(shown.chars().count(), DISPLAY_CHARS);
        assert_eq!(rest, " 199400 bytes omitted");
        assert_eq!(sanitize("short"), "short");
        // Cut inside the scanned prefix on a multi-byte boundary: no panic, still bounded.
        let s = sanitize(&format!("{}{}", "a".repeat(8191), "€".repeat(10)));
        assert!(s.len() < 400, "{s}");
    }

    #[test]
    fn credentials_are_redacted_before_the_cut() {
        let s = sanitize(&format!("{}{TOKEN}", "a ".repeat(148)));
        assert!(!s.contains("!AQ4"), "{s}");
    }
}
