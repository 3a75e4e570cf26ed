//! An org where an External Client App source folder (`sfjwt eca new`, read by
//! [`sfjwt_eca::EcaFolder`]) is deployed: what `sf project deploy start` would set up, played
//! locally so a user can try exactly the files they are about to deploy.

use sfjwt_eca::{EcaFolder, Scope};

use crate::builder::EmulatorBuilder;
use crate::directory::{App, User};
use crate::error::EmulatorError;

impl EmulatorBuilder {
    /// Installs the External Client App `folder` describes, as `consumer_key` (Salesforce
    /// generates the key on deploy, so the caller picks one), with `permission_set_holders`
    /// as the org's users who hold its permission set (or profile).
    ///
    /// What the folder sets is what the org does:
    /// - its `certificate` verifies assertions (none: [`EmulatorError::EcaFolder`], as the
    ///   JWT bearer flow is off without one);
    /// - `AdminApprovedPreAuthorized` with a permission set or profile pre-authorizes the
    ///   holders; everyone else, and everyone under `AllSelfAuthorized` (nobody approved the
    ///   app interactively), gets `user hasn't approved this consumer`;
    /// - `ipRelaxationPolicyType` `Bypass` relaxes the org's
    ///   [login IP ranges](Self::login_ip_ranges);
    /// - the scopes are the token response's `scope`; without `Api` or `Full`, the REST API
    ///   answers sessions 401 ("not valid for use with the REST API").
    ///
    /// The org's My Domain is the emulator's own URL ([`my_domain_at_own_url`](Self::my_domain_at_own_url)):
    /// log in with `--login-url http://127.0.0.1:PORT --audience my-domain`.
    ///
    /// ```
    /// # let cert = include_bytes!("../../../testdata/keys/rsa2048.crt.pem");
    /// # let dir = tempfile::tempdir()?;
    /// use sfjwt_eca::{EcaFolder, EcaSpec};
    /// use sfjwt_emulator::Emulator;
    ///
    /// let folder = dir.path().join("acme_etl");
    /// EcaSpec::new("acme_etl", cert, std::time::SystemTime::now())?.write_new(&folder)?;
    /// let sf = Emulator::builder()
    ///     .eca_folder(&EcaFolder::load(&folder)?, "3MVG9_local_key", ["etl@acme.com"])?
    ///     .start()?;
    /// assert_eq!(sf.my_domain(), Some(sf.base_url()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`EmulatorError::EcaFolder`] if the folder has no certificate.
    pub fn eca_folder<I, S>(
        self,
        folder: &EcaFolder,
        consumer_key: impl Into<String>,
        permission_set_holders: I,
    ) -> Result<Self, EmulatorError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let Some(certificate) = folder.certificate() else {
            return Err(EmulatorError::EcaFolder {
                app: folder.name().to_owned(),
                reason: "its ExtlClntAppGlobalOauthSettings has no certificate, so the JWT bearer flow is off",
            });
        };
        let holders: Vec<String> = permission_set_holders.into_iter().map(Into::into).collect();
        let approved = if folder.pre_authorizes_holders() {
            holders.clone()
        } else {
            Vec::new()
        };
        let scopes: Vec<&str> = folder.scopes().iter().map(|s| s.oauth_name()).collect();
        let rest_api = folder.scopes().iter().copied().any(Scope::allows_rest_api);
        let mut app = App::new(consumer_key, certificate.clone())
            .external_client_app()
            .admin_approved(approved)
            .relax_ip_restrictions(folder.ip_relaxation().relaxes_jwt_logins());
        // No scopes in the folder: the app's default (`api`).
        if !scopes.is_empty() {
            app = app.scopes(scopes);
        }
        let mut builder = self
            .app(app)
            .my_domain_at_own_url()
            .sessions_not_valid_for_rest_api(!rest_api && !folder.scopes().is_empty());
        for holder in holders {
            builder = builder.user(User::new(holder));
        }
        Ok(builder)
    }
}
