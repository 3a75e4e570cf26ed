//! What the emulated org knows: connected apps and users.
//!
//! These are the objects an admin sets up in Salesforce before the JWT bearer flow can work:
//! a connected app with the certificate of the signing key and a "Permitted Users" policy,
//! and users who are active and (for admin-approved apps) pre-authorized.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

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
    pub fn permits(&self, username: &str) -> bool {
        match self {
            Self::AllUsers => true,
            Self::AdminApproved(users) => users.iter().any(|u| u.eq_ignore_ascii_case(username)),
        }
    }
}

/// What an app is in Setup: a classic connected app or an External Client App.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AppKind {
    /// A connected app: accepts the org's login server (`login`/`test`) and site URLs as
    /// `aud`; a My Domain `aud` gets `audience is invalid`. The default.
    #[default]
    ConnectedApp,
    /// An External Client App (ECA), as orgs run them since Spring '26: a login-server `aud`
    /// (`login`/`test`) gets `app_not_found` / "External client app is not installed in this
    /// org"; the org's My Domain URL
    /// ([`EmulatorBuilder::my_domain`](crate::EmulatorBuilder::my_domain)) and site URLs are
    /// accepted.
    ExternalClientApp,
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
    kind: AppKind,
    installed: bool,
    relax_ip: bool,
    propagation_delay: Duration,
    scope: String,
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
            kind: AppKind::ConnectedApp,
            installed: true,
            relax_ip: false,
            propagation_delay: Duration::ZERO,
            scope: "api".to_owned(),
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

    /// Sets the kind of app (default [`AppKind::ConnectedApp`]).
    pub fn kind(mut self, kind: AppKind) -> Self {
        self.kind = kind;
        self
    }

    /// Shorthand for `.kind(AppKind::ExternalClientApp)`. The org then needs a My Domain
    /// ([`EmulatorBuilder::my_domain`](crate::EmulatorBuilder::my_domain)).
    pub fn external_client_app(self) -> Self {
        self.kind(AppKind::ExternalClientApp)
    }

    /// Whether the app is installed in this org (default `true`). An External Client App
    /// that is not installed answers `app_not_found` to every audience; a connected app that
    /// is not installed is unknown here: `invalid_client_id`.
    pub fn installed(mut self, installed: bool) -> Self {
        self.installed = installed;
        self
    }

    /// The app's IP relaxation policy: `true` is "Relax IP restrictions", so the org's
    /// [login IP ranges](crate::EmulatorBuilder::login_ip_ranges) do not apply to logins
    /// through this app. Default `false` ("Enforce IP restrictions").
    pub fn relax_ip_restrictions(mut self, relax: bool) -> Self {
        self.relax_ip = relax;
        self
    }

    /// How long after the emulator starts (on its clock) the app is still propagating: until
    /// then its consumer key answers `invalid_client_id` / `client identifier invalid`, as a
    /// new or edited app does in Salesforce for a few minutes. Default zero.
    pub fn propagation_delay(mut self, delay: Duration) -> Self {
        self.propagation_delay = delay;
        self
    }

    /// The OAuth scopes the app grants, as a token response's `scope` lists them (`api`,
    /// `refresh_token`), space-separated in the order given. Default: `api`.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.scope = scopes
            .into_iter()
            .map(|s| s.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join(" ");
        self
    }

    /// The token response's `scope`.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The kind of app.
    pub fn app_kind(&self) -> AppKind {
        self.kind
    }

    /// Whether the app is installed in this org.
    pub fn is_installed(&self) -> bool {
        self.installed
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

    pub(crate) fn relaxes_ip(&self) -> bool {
        self.relax_ip
    }

    pub(crate) fn delay(&self) -> Duration {
        self.propagation_delay
    }
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("consumer_key", &self.consumer_key)
            .field("kind", &self.kind)
            .field("installed", &self.installed)
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
