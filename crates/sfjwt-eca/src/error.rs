//! Why an External Client App could not be described, written or read.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::SystemTime;

use sfjwt_core::key::KeyError;

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
                date(*not_after)
            ),
            Self::CertificateNotYetValid { not_before } => write!(
                f,
                "the certificate is not valid before {}: check the clock, or make a new pair",
                date(*not_before)
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

/// `YYYY-MM-DD` (UTC) of a certificate date.
pub(crate) fn date(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Civil-from-days (Howard Hinnant's algorithm), to avoid a date dependency for one line.
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(date(SystemTime::UNIX_EPOCH), "1970-01-01");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(date(t), "2023-11-14");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(date(leap), "2000-02-29");
    }
}
