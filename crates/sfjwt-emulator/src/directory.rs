//! What the emulated org knows: connected apps and users.
//!
//! These are the objects an admin sets up in Salesforce before the JWT bearer flow can work:
//! a connected app with the certificate of the signing key and a "Permitted Users" policy,
//! and users who are active and (for admin-approved apps) pre-authorized.

use std::collections::BTreeSet;
use std::fmt;

use sfjwt_core::key::Certificate;

use crate::error::EmulatorError;

/// Who may log in through an app: the connected app's "Permitted Users" setting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PermittedUsers {
    /// Every active user of the org may use the app. (In Salesforce this is "All users may
    /// self-authorize" plus a prior approval; the emulator treats every user as approved.)
    #[default]
    AllUsers,
    /// "Admin approved users are pre-authorized": only these usernames (compared
    /// case-insensitively, as Salesforce does). Everyone else gets
    /// `user hasn't approved this consumer`.
    AdminApproved(BTreeSet<String>),
}

impl PermittedUsers {
    /// Whether `username` may use the app.
    pub(crate) fn permits(&self, username: &str) -> bool {
        match self {
            Self::AllUsers => true,
            Self::AdminApproved(users) => users.iter().any(|u| u.eq_ignore_ascii_case(username)),
        }
    }
}

/// A connected app (or External Client App): consumer key, certificate and policy.
///
/// ```
/// # let cert_pem = include_str!("../../../testdata/keys/rsa2048.crt.pem");
/// use sfjwt_emulator::App;
/// let app = App::from_pem("3MVG9_test_key", cert_pem)?
///     .admin_approved(["etl@acme.com"]);
/// assert_eq!(app.consumer_key(), "3MVG9_test_key");
/// # Ok::<(), sfjwt_emulator::EmulatorError>(())
/// ```
#[derive(Clone)]
pub struct App {
    consumer_key: String,
    certificate: Certificate,
    permitted: PermittedUsers,
    consumer_secret: Option<String>,
}

impl App {
    /// An app with this consumer key (the assertion's `iss`) and the certificate uploaded
    /// to it. Permitted users default to [`PermittedUsers::AllUsers`].
    pub fn new(consumer_key: impl Into<String>, certificate: Certificate) -> Self {
        Self {
            consumer_key: consumer_key.into(),
            certificate,
            permitted: PermittedUsers::AllUsers,
            consumer_secret: None,
        }
    }

    /// Like [`App::new`], with the certificate as PEM text.
    ///
    /// # Errors
    /// [`EmulatorError::Certificate`] if the PEM is not an RSA certificate sfjwt accepts.
    pub fn from_pem(
        consumer_key: impl Into<String>,
        certificate_pem: &str,
    ) -> Result<Self, EmulatorError> {
        let consumer_key = consumer_key.into();
        let certificate = Certificate::from_pem(certificate_pem).map_err(|source| {
            EmulatorError::Certificate {
                consumer_key: consumer_key.clone(),
                source,
            }
        })?;
        Ok(Self::new(consumer_key, certificate))
    }

    /// Sets the Permitted Users policy.
    pub fn permitted_users(mut self, permitted: PermittedUsers) -> Self {
        self.permitted = permitted;
        self
    }

    /// Shorthand for [`PermittedUsers::AdminApproved`] with these usernames.
    pub fn admin_approved<I, S>(self, usernames: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.permitted_users(PermittedUsers::AdminApproved(
            usernames.into_iter().map(Into::into).collect(),
        ))
    }

    /// The consumer secret, used as the HMAC key of the token response's `signature`
    /// (as Salesforce does). Default: a random secret per emulator.
    pub fn consumer_secret(mut self, secret: impl Into<String>) -> Self {
        self.consumer_secret = Some(secret.into());
        self
    }

    /// The consumer key.
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The Permitted Users policy.
    pub fn permitted(&self) -> &PermittedUsers {
        &self.permitted
    }

    pub(crate) fn secret(&self) -> Option<&str> {
        self.consumer_secret.as_deref()
    }
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("consumer_key", &self.consumer_key)
            .field("permitted", &self.permitted)
            .field(
                "consumer_secret",
                &self.consumer_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// A user of the emulated org.
///
/// ```
/// use sfjwt_emulator::User;
/// let user = User::new("etl@acme.com").user_id("005xx000001Sv6A");
/// assert!(user.is_active());
/// assert!(!User::new("gone@acme.com").inactive().is_active());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    username: String,
    active: bool,
    user_id: Option<String>,
}

impl User {
    /// An active user with this username (the assertion's `sub`) and a generated id.
    pub fn new(username: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            active: true,
            user_id: None,
        }
    }

    /// Sets whether the user is active. Inactive users get `inactive user`.
    pub fn active(mut self, active: bool) -> Self {
        self.active = active;
        self
    }

    /// Shorthand for `.active(false)`.
    pub fn inactive(self) -> Self {
        self.active(false)
    }

    /// Fixes the user's id (`005…`, 15 or 18 characters; checked by
    /// [`EmulatorBuilder::start`](crate::EmulatorBuilder::start)). Default: a random id.
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.user_id = Some(id.into());
        self
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether the user is active.
    pub fn is_active(&self) -> bool {
        self.active
    }

    pub(crate) fn configured_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }
}
