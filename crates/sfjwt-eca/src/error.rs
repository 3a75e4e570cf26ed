//! Why an External Client App could not be described, written or read.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::SystemTime;

use sfjwt_core::key::{KeyError, utc_date};

use crate::version::ApiVersion;

/// What went wrong, and (in the message) what to do about it.
#[derive(Debug)]
#[non_exhaustive]
pub enum EcaError {
    /// A name breaks Salesforce's API-name rules: letters, digits and single underscores,
    /// starting with a letter, not ending with `_`, within the length limit.
    InvalidName {
        /// What the name is for (`app name`, `permission set name`).
        what: &'static str,
        /// The name as given.
        name: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// The certificate is not an RSA X.509 certificate sfjwt accepts: usually the private key,
    /// a public key or an EC certificate was given instead.
    Certificate {
        /// What is wrong with it.
        source: KeyError,
    },
    /// The certificate expired: Salesforce refuses assertions checked against it.
    CertificateExpired {
        /// When it expired.
        not_after: SystemTime,
    },
    /// The certificate is not valid yet (a clock problem, or a future-dated certificate).
    CertificateNotYetValid {
        /// When it becomes valid.
        not_before: SystemTime,
    },
    /// An API version that is malformed, or too old for a field the app needs.
    ApiVersion {
        /// The version as given.
        given: String,
        /// What is wrong.
        reason: String,
    },
    /// A scope that is not one of the Metadata API's OAuth scope values sfjwt knows.
    UnknownScope {
        /// The scope as given.
        scope: String,
    },
    /// No scope at all: the app could not call anything.
    NoScopes,
    /// The contact e-mail is not an address.
    InvalidEmail {
        /// The value as given.
        email: String,
    },
    /// The output directory exists and is not empty: nothing is overwritten.
    OutDirNotEmpty {
        /// The directory.
        dir: PathBuf,
    },
    /// A file could not be read, written or listed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A folder is not an External Client App source folder sfjwt can read.
    Folder {
        /// The folder or the file in it.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// A metadata file does not parse, or holds an element that is not in the field table
    /// (a typo, or a field sfjwt does not know).
    Xml {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the element.
        reason: String,
    },
}

impl fmt::Display for EcaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName { what, name, reason } => {
                write!(f, "{what} {name:?} is not a Salesforce API name: {reason}")
            }
            Self::Certificate { .. } => f.write_str("the certificate cannot be used"),
            Self::CertificateExpired { not_after } => write!(
                f,
                "the certificate expired on {}: make a new pair (`sfjwt keygen`)",
                utc_date(*not_after)
            ),
            Self::CertificateNotYetValid { not_before } => write!(
                f,
                "the certificate is not valid before {}: check the clock, or make a new pair",
                utc_date(*not_before)
            ),
            Self::ApiVersion { given, reason } => {
                write!(f, "API version {given:?}: {reason}")
            }
            Self::UnknownScope { scope } => write!(
                f,
                "unknown OAuth scope {scope:?}: use the Metadata API's names ({})",
                crate::Scope::ALL
                    .iter()
                    .map(|s| s.metadata_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::NoScopes => f.write_str("no OAuth scope given: the app needs at least Api"),
            Self::InvalidEmail { email } => {
                write!(f, "{email:?} is not an e-mail address")
            }
            Self::OutDirNotEmpty { dir } => write!(
                f,
                "{} exists and is not empty: nothing was written (give a new directory)",
                dir.display()
            ),
            Self::Io { path, .. } => write!(f, "cannot use {}", path.display()),
            Self::Folder { path, reason } => write!(f, "{}: {reason}", path.display()),
            Self::Xml { path, reason } => write!(f, "{}: {reason}", path.display()),
        }
    }
}

impl std::error::Error for EcaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Certificate { source } => Some(source),
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl EcaError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// Whether the version field is the one at fault (for reports).
    pub(crate) fn version(given: ApiVersion, reason: impl Into<String>) -> Self {
        Self::ApiVersion {
            given: given.to_string(),
            reason: reason.into(),
        }
    }
}
