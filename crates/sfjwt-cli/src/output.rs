//! Writing to stdout without `println!` (which panics on a closed pipe) and with colour only
//! where a person reads it: stdout is a terminal and `NO_COLOR` is unset (no-color.org).
//!
//! Also the redaction every command shares: an access token is shown as its first 15
//! characters (the org id part of a Salesforce session id) and `…[redacted]`.

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
pub(crate) fn redact_token(token: &str) -> String {
    let head: String = token.chars().take(15).collect();
    format!("{head}…[redacted]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_fifteen_characters() {
        assert_eq!(
            redact_token("00D000000000001!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxL"),
            "00D000000000001…[redacted]"
        );
        assert_eq!(redact_token("short"), "short…[redacted]");
        assert_eq!(
            redact_token("ééééééééééééééééé"),
            "ééééééééééééééé…[redacted]"
        );
    }
}
