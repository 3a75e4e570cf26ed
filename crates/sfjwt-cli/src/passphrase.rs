//! Where a key's passphrase comes from: the environment variable named by `--passphrase-env`
//! (scripts, CI), else a no-echo prompt when a person is at a terminal, else a clear failure.
//!
//! The passphrase itself is never a command-line argument: arguments are visible to every
//! user of the machine through `ps` and end up in shell history.

use std::io::IsTerminal as _;

use zeroize::Zeroizing;

use crate::error::{CliError, CliResult};

/// Reads the passphrase from the environment variable `var`.
///
/// # Errors
/// Exit 2 when the variable is unset, not UTF-8 or empty.
pub(crate) fn from_env(var: &str) -> CliResult<Zeroizing<String>> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(Zeroizing::new(value)),
        Ok(_) => Err(CliError::local(format!(
            "the environment variable {var} (from --passphrase-env) is empty"
        ))
        .hint(format!("export {var}='…' with the key's passphrase"))),
        Err(std::env::VarError::NotPresent) => Err(CliError::local(format!(
            "the environment variable {var} (from --passphrase-env) is not set"
        ))
        .hint(format!(
            "export {var}='…' with the key's passphrase; --passphrase-env takes the variable's name, not the passphrase"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(CliError::local(format!(
            "the environment variable {var} (from --passphrase-env) is not valid UTF-8"
        ))
        .hint("set it to the passphrase as text")),
    }
}

/// Whether a person can be asked: standard input is a terminal.
pub(crate) fn can_prompt() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks for the passphrase on the terminal, without echo.
///
/// # Errors
/// Exit 2 when the terminal cannot be read.
pub(crate) fn prompt(what: &str) -> CliResult<Zeroizing<String>> {
    rpassword::prompt_password(format!("Passphrase for {what}: "))
        .map(Zeroizing::new)
        .map_err(|e| {
            CliError::local(format!("cannot read the passphrase from the terminal: {e}"))
                .hint("pass --passphrase-env VAR, naming an environment variable that holds it")
        })
}

/// The passphrase is required but no one can be asked.
pub(crate) fn required_error(what: &str) -> CliError {
    CliError::local(format!(
        "the private key from {what} is encrypted and no passphrase was given (not a terminal, so no prompt)"
    ))
    .hint("pass --passphrase-env VAR, naming an environment variable that holds the passphrase")
}
