//! Writing to stdout without `println!` (which panics on a closed pipe) and with colour only
//! where a person reads it: stdout is a terminal and `NO_COLOR` is unset (no-color.org).
//!
//! Also the redaction every command shares: an access token is shown as its first 15
//! characters (the org id part of a Salesforce session id) and `…[redacted]`, a short one
//! not at all.

use std::io::{IsTerminal as _, Write};

use sfjwt_core::response::is_unsafe_char;

use crate::error::{CliError, CliResult};

/// Standard output, locked once per command.
pub(crate) struct Out {
    inner: std::io::StdoutLock<'static>,
    color: bool,
}

impl Out {
    pub(crate) fn stdout() -> Self {
        let stdout = std::io::stdout();
        let color =
            stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self {
            inner: stdout.lock(),
            color,
        }
    }

    /// Writes one line.
    pub(crate) fn line(&mut self, text: impl AsRef<str>) -> CliResult {
        writeln!(self.inner, "{}", text.as_ref()).map_err(|e| CliError::output(&e))
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// A section heading.
    pub(crate) fn heading(&self, text: &str) -> String {
        self.paint("1;36", text)
    }

    pub(crate) fn ok(&self, text: &str) -> String {
        self.paint("32", text)
    }

    pub(crate) fn warn(&self, text: &str) -> String {
        self.paint("33", text)
    }

    pub(crate) fn bad(&self, text: &str) -> String {
        self.paint("31", text)
    }

    pub(crate) fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
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

/// `00D5g000004ABCD…[redacted]`: enough to tell tokens and orgs apart, useless to an attacker.
///
/// Only a token of at least [`SHOW_PREFIX_FROM`] characters (a Salesforce session id is about
/// 112) shows its first 15; a shorter one (a test token, a truncated value, some other
/// system's token) is shown as `…[redacted]` alone, so no short secret is ever printed whole or
/// mostly whole.
pub(crate) fn redact_token(token: &str) -> String {
    let shown = if token.chars().count() >= SHOW_PREFIX_FROM {
        15
    } else {
        0
    };
    let head: String = token.chars().take(shown).collect();
    format!("{head}…[redacted]")
}

/// The shortest token whose first 15 characters are shown: 15 of 60 characters leave 45
/// secret ones.
const SHOW_PREFIX_FROM: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_fifteen_characters_of_long_tokens_only() {
        let token =
            "00D000000000001!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxLAQcAQH0dMHZfz972Szmpkb58urF";
        assert_eq!(redact_token(token), "00D000000000001…[redacted]");
        for short in [
            "short",
            "00D000000000001",
            "00D000000000001!AQcAQH0dMHZfz972",
            "",
        ] {
            assert_eq!(redact_token(short), "…[redacted]", "{short}");
        }
        assert_eq!(
            redact_token(&"é".repeat(60)),
            format!("{}…[redacted]", "é".repeat(15))
        );
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
}
