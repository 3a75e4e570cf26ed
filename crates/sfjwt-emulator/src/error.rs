//! Errors of setting up and starting the emulator.
//!
//! The emulator's *answers* to clients are not errors here: they are HTTP responses. These
//! errors are about the emulator itself: a bad certificate, a malformed id, a port in use.

use std::fmt;
use std::io;
use std::path::PathBuf;

use sfjwt_core::key::KeyError;

/// Why the emulator could not be configured or started.
#[derive(Debug)]
#[non_exhaustive]
pub enum EmulatorError {
    /// An app's certificate is not an RSA X.509 certificate sfjwt accepts (PEM `CERTIFICATE`,
    /// RSA ≥ 2048 bits). Usually the private key or a public key was given instead.
    Certificate {
        /// The app's consumer key.
        consumer_key: String,
        /// What is wrong with it.
        source: KeyError,
    },
    /// Two apps share a consumer key.
    DuplicateApp {
        /// The consumer key.
        consumer_key: String,
    },
    /// Two users share a username (usernames are case-insensitive).
    DuplicateUser {
        /// The username.
        username: String,
    },
    /// A configured org or user id is not a Salesforce id of the right kind.
    InvalidId {
        /// The id as given.
        id: String,
        /// What was expected (`00D…` org id, `005…` user id).
        expected: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A configured audience ([`EmulatorBuilder::audience`](crate::EmulatorBuilder::audience))
    /// or My Domain ([`EmulatorBuilder::my_domain`](crate::EmulatorBuilder::my_domain)) is not
    /// one Salesforce could accept: not `https://`, or a Lightning or instance URL, which
    /// are never audiences.
    InvalidAudience {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An External Client App is registered but the org has no My Domain: such apps only
    /// accept the My Domain URL (or a site URL) as `aud`.
    EcaWithoutMyDomain {
        /// The app's consumer key.
        consumer_key: String,
    },
    /// An External Client App source folder cannot be played: its `certificate` (the JWT
    /// bearer switch) is missing, so Salesforce would not run the flow for it either.
    EcaFolder {
        /// The app's name in the folder.
        app: String,
        /// What is missing.
        reason: &'static str,
    },
    /// A login IP range does not parse.
    InvalidIpRange {
        /// The range as given.
        range: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The sandbox name is not one Salesforce allows (1 to 10 letters and digits, starting
    /// with a letter).
    InvalidSandboxName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The loopback port could not be bound: another process uses it. Use port 0 (the
    /// default) for an ephemeral port.
    Bind {
        /// The port asked for.
        port: u16,
        /// The operating system's error.
        source: io::Error,
    },
    /// The emulator's runtime or thread could not be started (out of threads or file
    /// descriptors).
    Runtime(io::Error),
    /// The operating system's random generator failed.
    Random,
}

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Certificate {
                consumer_key,
                source,
            } => write!(
                f,
                "the certificate of app {consumer_key:?} is not usable: {source} (give the X.509 certificate uploaded to the connected app, PEM `BEGIN CERTIFICATE`)"
            ),
            Self::DuplicateApp { consumer_key } => {
                write!(f, "two apps have the consumer key {consumer_key:?}")
            }
            Self::DuplicateUser { username } => write!(
                f,
                "two users have the username {username:?} (usernames are case-insensitive)"
            ),
            Self::InvalidId {
                id,
                expected,
                reason,
            } => {
                write!(f, "{id:?} is not a valid {expected}: {reason}")
            }
            Self::InvalidAudience { url, reason } => write!(
                f,
                "{url:?} cannot be an audience of the emulated org: {reason}"
            ),
            Self::EcaWithoutMyDomain { consumer_key } => write!(
                f,
                "app {consumer_key:?} is an External Client App but the org has no My Domain: add .my_domain(\"https://NAME.my.salesforce.com\") (config file: my_domain in [org])"
            ),
            Self::EcaFolder { app, reason } => write!(
                f,
                "the External Client App {app:?} cannot be played: {reason}"
            ),
            Self::InvalidIpRange { range, reason } => write!(
                f,
                "login IP range {range:?} is not usable: {reason} (write 10.0.0.0/8, 203.0.113.7 or 198.51.100.1-198.51.100.9)"
            ),
            Self::InvalidSandboxName { name, reason } => {
                write!(f, "{name:?} is not a valid sandbox name: {reason}")
            }
            Self::Bind { port, source } => write!(
                f,
                "cannot listen on 127.0.0.1:{port}: {source} (use port 0 for a free ephemeral port)"
            ),
            Self::Runtime(source) => write!(f, "cannot start the emulator's runtime: {source}"),
            Self::Random => f.write_str("the operating system's random generator failed"),
        }
    }
}

/// The messages already include their causes (a command line prints `{error}` alone), so
/// `source()` returns `None`: a chain printer would otherwise say everything twice.
impl std::error::Error for EmulatorError {}

/// Why a configuration file could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file (or a certificate it names) could not be read: check the path; certificate
    /// paths are relative to the configuration file's directory.
    Read {
        /// The path.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file (or a certificate it names) is larger than the limit
    /// ([`MAX_CONFIG_BYTES`](crate::MAX_CONFIG_BYTES)): the path probably names the wrong
    /// file.
    TooLarge {
        /// The path.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file's extension is neither `.toml` nor `.json`.
    UnknownFormat {
        /// The path.
        path: PathBuf,
    },
    /// The file is not valid TOML/JSON for the emulator's schema (unknown key, wrong type,
    /// missing `consumer_key`…).
    Parse {
        /// The path, if parsed from a file.
        path: Option<PathBuf>,
        /// What the parser said, with the location.
        detail: String,
    },
    /// A certificate named in the file is not usable.
    Certificate {
        /// The certificate's path.
        path: PathBuf,
        /// What is wrong with it.
        source: KeyError,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::TooLarge { path, limit } => write!(
                f,
                "{}: larger than {} MiB ({limit} bytes), the limit for emulator configuration and certificate files: check the path",
                path.display(),
                limit / (1024 * 1024)
            ),
            Self::UnknownFormat { path } => write!(
                f,
                "{}: unknown configuration format, name the file *.toml or *.json",
                path.display()
            ),
            Self::Parse {
                path: Some(path),
                detail,
            } => {
                write!(
                    f,
                    "{}: invalid emulator configuration: {detail}",
                    path.display()
                )
            }
            Self::Parse { path: None, detail } => {
                write!(f, "invalid emulator configuration: {detail}")
            }
            Self::Certificate { path, source } => write!(
                f,
                "{}: not a usable certificate: {source} (give the X.509 certificate uploaded to the connected app, PEM `BEGIN CERTIFICATE`)",
                path.display()
            ),
        }
    }
}

/// As for [`EmulatorError`], the messages include their causes and `source()` is `None`.
impl std::error::Error for ConfigError {}
