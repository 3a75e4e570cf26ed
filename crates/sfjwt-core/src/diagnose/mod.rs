//! The offline health check of a JWT bearer set-up: is the key's certificate its pair and
//! still valid, do the consumer key and username look right, which audience goes with the
//! login URL and why. Each check returns [`Finding`]s (a [`Level`], a topic and a message
//! that says what Salesforce would answer and what to do), so a service can run the same
//! diagnosis as `sfjwt check` at start-up and log or refuse on [`Level::Error`].
//!
//! Pure: no I/O, the time is passed in, and no finding holds a secret (keys and
//! certificates are described by their size, subject and dates only). Messages name the
//! `sfjwt` command-line flags where a fix is a flag; the builder options carry the same
//! names.
//!
//! ```
//! use std::time::SystemTime;
//! use sfjwt_core::diagnose::{self, Level};
//! use sfjwt_core::endpoint::TokenEndpoint;
//!
//! let finding = diagnose::client_id("3MVG9abc", SystemTime::now());
//! assert_eq!(finding.level, Level::Ok);
//! let login = TokenEndpoint::parse("https://acme.my.salesforce.com")?;
//! assert_eq!(diagnose::endpoint(&login).level, Level::Ok);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod certificate;
mod key;
mod login;

use core::time::Duration;

pub use certificate::certificate;
pub use key::{key_container, signer};
pub use login::{audience, client_id, endpoint, username};

/// A certificate expiring within this long gets a [`Level::Warn`]: renewing it needs an admin
/// to upload the new one, so there should be time to plan it.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 86_400);

/// How serious a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Level {
    /// Checked and right.
    Ok,
    /// Works, or was not checked, but deserves a look (an expiry soon, a value not given, an
    /// audience that only some apps accept).
    Warn,
    /// Salesforce would refuse the login: the message says with which error and the fix.
    Error,
}

/// One result of a check: what was looked at and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// How serious it is.
    pub level: Level,
    /// What was checked, one or two words (`"pair"`, `"validity"`, `"audience"`).
    pub topic: &'static str,
    /// What was found; for a warning or an error, also what to do. Never holds a secret.
    pub message: String,
}

impl Finding {
    /// A finding of `level` about `topic`.
    pub fn new(level: Level, topic: &'static str, message: impl Into<String>) -> Self {
        Self {
            level,
            topic,
            message: message.into(),
        }
    }
}
