//! Writing to stdout without `println!` (which panics on a closed pipe) and with colour only
//! where a person reads it: stdout is a terminal and `NO_COLOR` is unset (no-color.org).
//!
//! Also the redaction every command shares: an access token is shown as its first 15
//! characters (the org id part of a Salesforce session id) and `…[redacted]`, a short one
//! not at all.

use std::io::{IsTerminal as _, Write};

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
}
