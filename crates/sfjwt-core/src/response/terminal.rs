//! Text a server chose, shown whole on a terminal or printed as JSON for a program, where
//! [`sanitize`](super::sanitize)'s single bounded line would lose the layout: a REST body, a
//! token response printed with `--json`. The characters a terminal could act on (C0 and C1
//! controls, DEL, bidirectional overrides, zero-width characters: `ESC [2J` clears the
//! screen, U+009B is a one-character CSI on some terminals, U+202E reverses the text after
//! it) are escaped so they show and do nothing; lines, tabs and JSON values are kept.

use core::fmt::Write as _;

use zeroize::Zeroizing;

use super::is_unsafe_char;

/// `text` for a terminal: newlines and tabs kept, every other control character (C0, DEL,
/// C1) and invisible format character (bidirectional overrides, zero-width characters)
/// written as a visible `\u{…}` escape.
pub fn terminal_text(text: &str) -> String {
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
pub fn terminal_json(value: &serde_json::Value) -> Zeroizing<String> {
    let pretty = Zeroizing::new(serde_json::to_string_pretty(value).unwrap_or_default());
    json_escaped(&pretty)
}

/// `json` with every character a terminal could act on written as a JSON `\uXXXX` escape.
///
/// serde_json already escapes U+0000–U+001F; this adds DEL, the C1 controls (U+0080–U+009F,
/// which some terminals read as escape sequences) and invisible bidirectional and zero-width
/// format characters. Outside strings JSON text is ASCII, so the replacement only ever touches
/// string contents, and the value a JSON parser reads back is unchanged.
pub fn json_escaped(json: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(json.len()));
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
    use super::*;
    use crate::response::sanitize;

    const HOSTILE: &str = "a\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{7f}\u{202e}txt.exe\u{2066}b";

    fn inert(text: &str) -> bool {
        !text
            .chars()
            .any(|c| is_unsafe_char(c) && c != '\n' && c != '\t')
    }

    #[test]
    fn every_form_escapes_c0_del_c1_and_bidi_controls() {
        assert!(inert(&sanitize(HOSTILE)));
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
        let line = json_escaped(&json);
        assert!(!line.chars().any(is_unsafe_char), "{}", line.as_str());
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["a"], "x\u{1b}[2J\u{9b}31m\u{202e}\u{7f}");
        // Pretty-printed layout survives.
        let pretty = serde_json::to_string_pretty(&back).unwrap();
        assert_eq!(json_escaped(&pretty).lines().count(), 4);
    }
}
