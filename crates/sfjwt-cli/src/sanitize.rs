//! The one sanitiser for outside strings the CLI prints: text chosen by someone else (a login
//! server, the REST API, AWS KMS, a PKCS#11 module, Redis, an HTTP client quoting a server)
//! must not drive the reader's terminal (`ESC [2J` clears it, `ESC ]0;…BEL` retitles it,
//! U+009B is a one-character CSI on some terminals), hide text behind a bidirectional
//! override (U+202A–U+202E, U+2066–U+2069), forge lines, or flood the screen.
//!
//! - [`line()`]: an error text or one field. The core's `sanitize`: credentials redacted, one
//!   line, controls and invisible format characters escaped (`\u{1b}`), at most
//!   [`DISPLAY_CHARS`](sfjwt_core::response::DISPLAY_CHARS) characters, then
//!   `… N bytes omitted`. Every link of every error chain goes through it ([`chain`](crate::error::chain)).
//! - [`terminal_text`]: a body shown on a terminal: lines and tabs kept, every other control
//!   and invisible format character escaped.
//! - [`json_line`]: JSON printed for a program (`--json`): every such character inside a
//!   string written as a JSON `\uXXXX` escape, the value unchanged.
//! - [`terminal_json`]: JSON shown on a terminal: pretty-printed, and every such character
//!   inside a string written as a JSON `\uXXXX` escape, so the text still parses to the same
//!   value.
//!
//! What is *not* for a person is left alone: with `--raw`, or when standard output is not a
//! terminal, `sfjwt api` writes the body's exact bytes.

use core::fmt::Write as _;

use sfjwt_core::response::is_unsafe_char;

/// An outside string as one safe, bounded line.
pub(crate) fn line(text: &str) -> String {
    sfjwt_core::response::sanitize(text)
}

/// `text` for a terminal: newlines and tabs kept, every other control character (C0, DEL,
/// C1) and invisible format character (bidirectional overrides, zero-width characters)
/// written as a visible `\u{…}` escape.
pub(crate) fn terminal_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) && c != '\n' && c != '\t' {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// `value` pretty-printed for a terminal, with every control and invisible format character
/// inside its strings as a JSON escape (serde_json escapes only U+0000–U+001F).
pub(crate) fn terminal_json(value: &serde_json::Value) -> zeroize::Zeroizing<String> {
    let pretty = zeroize::Zeroizing::new(serde_json::to_string_pretty(value).unwrap_or_default());
    json_line(&pretty)
}

/// `json` with every character a terminal could act on written as a JSON `\uXXXX` escape.
///
/// serde_json already escapes U+0000–U+001F; this adds DEL, the C1 controls (U+0080–U+009F,
/// which some terminals read as escape sequences) and invisible bidirectional and zero-width
/// format characters. Outside strings JSON text is ASCII, so the replacement only ever touches
/// string contents, and the value a JSON parser reads back is unchanged.
pub(crate) fn json_line(json: &str) -> zeroize::Zeroizing<String> {
    let mut out = zeroize::Zeroizing::new(String::with_capacity(json.len()));
    for c in json.chars() {
        // Raw white space outside strings is layout (pretty-printed JSON); serde_json escapes it
        // inside strings.
        if is_unsafe_char(c) && !c.is_ascii_whitespace() {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HOSTILE: &str = "a\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{7f}\u{202e}txt.exe\u{2066}b";

    fn inert(text: &str) -> bool {
        !text
            .chars()
            .any(|c| is_unsafe_char(c) && c != '\n' && c != '\t')
    }

    #[test]
    fn every_form_escapes_c0_del_c1_and_bidi_controls() {
        assert!(inert(&line(HOSTILE)));
        let text = terminal_text(&format!("{HOSTILE}\nsecond\tline"));
        assert!(inert(&text), "{text}");
        assert!(text.contains("\\u{9b}") && text.contains("\\u{202e}") && text.contains("\\u{7f}"));
        assert!(text.ends_with("\nsecond\tline"));
        let json = serde_json::json!({ "Name": HOSTILE, "n": [1, 2] });
        let shown = terminal_json(&json);
        assert!(inert(&shown), "{}", shown.as_str());
        assert!(shown.contains("\\u009b") && shown.contains("\\u202e"));
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, json);
    }

    #[test]
    fn json_output_escapes_what_serde_leaves_raw() {
        let json =
            serde_json::json!({"a": "x\u{1b}[2J\u{9b}31m\u{202e}\u{7f}", "b": 1}).to_string();
        let line = json_line(&json);
        assert!(!line.chars().any(is_unsafe_char), "{}", line.as_str());
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["a"], "x\u{1b}[2J\u{9b}31m\u{202e}\u{7f}");
        // Pretty-printed layout survives.
        let pretty = serde_json::to_string_pretty(&back).unwrap();
        assert_eq!(json_line(&pretty).lines().count(), 4);
    }

    #[test]
    fn a_line_is_bounded() {
        let long = line(&"\u{1b}[31m".repeat(10_000_000));
        assert!(long.len() < 4096, "{}", long.len());
        assert!(long.contains("bytes omitted"));
    }
}
