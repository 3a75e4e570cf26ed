//! Exit codes and the one-line error (plus one hint line) every failure prints.
//!
//! The codes are a contract scripts depend on: 0 success, 1 `verify` found the token
//! invalid, 2 a usage or local problem, 3 Salesforce rejected the request, 4 the transport or
//! the response failed, 5 `sfjwt api` got an answer outside 2xx. Every library error is mapped here, in one place, so no command can
//! invent its own code. Messages come from the core's `Display` impls, which never contain key
//! material, assertions or tokens. A library error is printed with its causes ([`chain`]):
//! under the error convention (`sfjwt_core::manual::errors`) each link says one fact, once.

use std::fmt;
use std::process::ExitCode;

use sfjwt_core::claims::ClaimsError;
use sfjwt_core::endpoint::EndpointError;
use sfjwt_core::exchange::ExchangeError;
use sfjwt_core::key::{CertificateError, KeyError};
use sfjwt_core::manager::ManagerError;
use sfjwt_core::response::{sanitize, terminal_text};
use sfjwt_keys::GenerateError;
use sfjwt_keys::keystore::{AliasError, KeystoreError, MAX_ALIAS_LEN};

/// The process exit status of a failed command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// `verify`: the token is invalid.
    Invalid = 1,
    /// Bad flags, an unreadable or unusable key, invalid claims, a refused endpoint.
    Local = 2,
    /// Salesforce (or the emulator) answered with an OAuth error.
    Rejected = 3,
    /// No response, or a response that is neither a token nor an OAuth error.
    Transport = 4,
    /// `api`: the API answered with a status outside 2xx (its body is printed).
    Api = 5,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A failure to report: what went wrong (one line) and what to do about it (one line).
#[derive(Debug)]
pub(crate) struct CliError {
    exit: Exit,
    message: String,
    hint: Option<String>,
}

impl CliError {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// A usage or local problem (exit 2).
    pub(crate) fn local(message: impl Into<String>) -> Self {
        Self::new(Exit::Local, message)
    }

    #[must_use]
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The message without the hint, for reports that list findings.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn exit(&self) -> Exit {
        self.exit
    }

    /// A key that could not be loaded from `source` (a path or `SFJWT_KEY`).
    pub(crate) fn key(error: &KeyError, source: &str) -> Self {
        let hint = match error {
            KeyError::PassphraseRequired | KeyError::WrongPassphrase => {
                "pass --passphrase-env VAR, naming an environment variable that holds the passphrase (or run on a terminal to be prompted)".to_owned()
            }
            KeyError::FileNotFound { .. }
            | KeyError::FileUnreadable { .. }
            | KeyError::FileTooLarge { .. } => {
                "give the private key with --key-file PATH (or SFJWT_KEY_FILE), or its PEM text in SFJWT_KEY; `sfjwt keygen` makes a new pair".to_owned()
            }
            _ => format!("check the key in {source}; `sfjwt check` diagnoses key, certificate and claims offline"),
        };
        Self::local(format!("cannot use the private key from {source}: {error}")).hint(hint)
    }

    /// A certificate or public key file that could not be loaded.
    pub(crate) fn certificate(error: &KeyError, path: &str) -> Self {
        Self::local(format!("cannot use {path}: {error}")).hint(
            "pass the certificate uploaded to the connected app (server.crt) or its public key",
        )
    }

    pub(crate) fn claims(error: &ClaimsError) -> Self {
        let hint = match error {
            ClaimsError::MissingClientId => {
                "pass --client-id or set SFJWT_CLIENT_ID to the app's Consumer Key"
            }
            ClaimsError::MissingUsername => "pass --username or set SFJWT_USERNAME",
            ClaimsError::AudienceIsInstance { .. } => {
                "pass your My Domain as --login-url (https://NAME.my.salesforce.com) and either leave --audience out (connected apps: login/test) or use --audience my-domain (External Client Apps since Spring '26)"
            }
            ClaimsError::NotAMyDomain { .. } => {
                "--audience my-domain takes the audience from --login-url: pass --login-url https://NAME.my.salesforce.com (sandbox: https://NAME--SANDBOX.sandbox.my.salesforce.com), or --audience with the URL itself"
            }
            ClaimsError::AudienceRequired { .. } => {
                "pass --audience URL (the server the assertion is meant for); for Salesforce use your My Domain (https://NAME.my.salesforce.com) as --login-url, which needs no --audience"
            }
            ClaimsError::LifetimeTooLong { .. } => {
                "use --lifetime 300 or less (default 180; Salesforce documents 3 minutes)"
            }
            ClaimsError::AudienceHasPath { .. }
            | ClaimsError::AudienceNotHttps { .. }
            | ClaimsError::AudienceMalformed { .. } => {
                "leave --audience out to use the login server matching --login-url, or give a bare URL (https://NAME.my.salesforce.com, or `--audience my-domain`)"
            }
            _ => "fix the value; `sfjwt check` lints client id, username and audience offline",
        };
        Self::local(format!("invalid claims: {error}")).hint(hint)
    }

    pub(crate) fn endpoint(error: &EndpointError) -> Self {
        let hint = match error {
            EndpointError::InsecureHttp { .. } | EndpointError::UnsupportedScheme { .. } => {
                "use an https:// login URL (plain http is only for loopback emulators: `sfjwt emulate`)"
            }
            EndpointError::NotALoginHost { .. } => {
                "pass the My Domain as --login-url (https://NAME.my.salesforce.com; Setup > My Domain shows it), with --audience my-domain for an External Client App since Spring '26"
            }
            _ => {
                "use https://login.salesforce.com, https://test.salesforce.com (--sandbox) or your My Domain URL"
            }
        };
        Self::local(format!("refused login URL: {error}")).hint(hint)
    }

    /// A failed token exchange: exit 3 for an OAuth error, 4 for transport/response, 2 for
    /// local causes.
    pub(crate) fn exchange(error: &ExchangeError) -> Self {
        match error {
            ExchangeError::OAuth(oauth) => {
                // The server chose these strings: sanitised (no escapes, one line, bounded).
                let description = oauth
                    .description()
                    .map_or_else(|| "(no description)".to_owned(), sanitize);
                Self::new(
                    Exit::Rejected,
                    format!(
                        "Salesforce rejected the token request (HTTP {}): {}: {description}",
                        oauth.status().as_u16(),
                        sanitize(oauth.error())
                    ),
                )
                .hint(oauth.hint())
            }
            ExchangeError::Transport { .. } => Self::new(Exit::Transport, chain(error)).hint(
                "check the login URL, the network (proxy, firewall) and that the server is up; --timeout SECS and --retries N adjust patience",
            ),
            ExchangeError::Response(_) => Self::new(Exit::Transport, chain(error)).hint(
                "the login URL did not answer like a Salesforce token endpoint: check --login-url (a My Domain, login or test host, without a Lightning or Visualforce path)",
            ),
            ExchangeError::Claims(claims) => Self::claims(claims),
            _ => Self::local(chain(error))
                .hint("check the private key and the signer; `sfjwt check` diagnoses it offline"),
        }
    }

    pub(crate) fn manager(error: &ManagerError) -> Self {
        match error {
            ManagerError::Exchange(e) => Self::exchange(e),
            other => Self::new(Exit::Transport, chain(other)).hint("try again"),
        }
    }

    /// A key pair that could not be generated (`keygen`, the demo org).
    pub(crate) fn generate(error: &GenerateError) -> Self {
        match error {
            GenerateError::Certificate(subject @ CertificateError::Subject { .. }) => Self::local(
                subject.to_string(),
            )
            .hint("use letters, digits, spaces and dashes, e.g. --subject 'acme integration'"),
            _ => Self::local(chain(error)).hint(
                "this should not happen; check that the system random source (getrandom) works",
            ),
        }
    }

    /// An `--alias` that cannot be a Salesforce certificate name.
    pub(crate) fn alias(error: &AliasError) -> Self {
        Self::local(format!("--alias {error}")).hint(format!(
            "use --alias {}: lower-case letters, digits and single underscores, starting with a letter, not ending with an underscore, at most {MAX_ALIAS_LEN} characters",
            error.suggestion()
        ))
    }

    /// A keystore that Salesforce's import would refuse (or that could not be encoded).
    pub(crate) fn keystore(error: &KeystoreError) -> Self {
        let hint = match error {
            KeystoreError::KeySize { .. } => {
                "make a new pair with `sfjwt keygen --bits 2048` (or 3072, 4096)"
            }
            KeystoreError::Certificate { .. } => {
                "pass the certificate made with the key (server.crt from `sfjwt keygen`)"
            }
            KeystoreError::NotThePair { .. } => {
                "pass the certificate made from this key (its own certificate first in a chain); `sfjwt check --key-file KEY --cert CERT` compares them"
            }
            KeystoreError::Expired { .. } => {
                "make a new pair with `sfjwt keygen --keystore …` and upload the new certificate to the connected app"
            }
            KeystoreError::KeyEncoding { .. } => "check the key with `sfjwt check`",
            KeystoreError::Random { .. } => {
                "this should not happen; check that getrandom works on this system"
            }
            _ => return Self::local(error.to_string()),
        };
        Self::local(error.to_string()).hint(hint)
    }

    /// Writing the output failed (a closed pipe, a full disk).
    pub(crate) fn output(error: &std::io::Error) -> Self {
        Self::local(format!("cannot write the output: {error}"))
            .hint("check where standard output goes (a closed pipe or a full disk)")
    }
}

impl fmt::Display for CliError {
    // The last line of defence: whatever a message quotes, no control or invisible format
    // character reaches the terminal (outside strings were bounded where they were quoted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", terminal_text(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", terminal_text(hint))?;
        }
        Ok(())
    }
}

/// An error and its causes on one line ("a: b: c"). Under the error convention no link
/// repeats another, so this says every fact once. Every link is sanitised
/// ([`sanitize`]: one line, escapes inert, bounded): an HTTP client's, KMS's,
/// a PKCS#11 module's or Redis's message may quote what someone else sent.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = sanitize(&error.to_string());
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&sanitize(&cause.to_string()));
        source = cause.source();
    }
    text
}

/// An error and its direct cause, "error: cause", as a signer reports them (a signing failure
/// says what failed; its source says why).
pub(crate) fn with_cause(error: &dyn std::error::Error) -> String {
    match error.source() {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// Shorthand for command results.
pub(crate) type CliResult<T = ()> = Result<T, CliError>;
