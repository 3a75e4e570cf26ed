//! [`EcaSpec`]: the External Client App `sfjwt eca new` writes, validated before any file is.

use std::time::SystemTime;

use sfjwt_core::key::Certificate;

use crate::error::EcaError;
use crate::name::{ApiName, MAX_APP_NAME, MAX_PERMISSION_SET_NAME};
use crate::values::{IpRelaxation, Scope};
use crate::version::ApiVersion;

/// The component names derived from the app's name: `NAME_oauth`, `NAME_glbloauth`,
/// `NAME_oauthPlcy`, `NAME_plcy`. The longest suffix bounds the app name, since every
/// component name obeys the same 40-character limit.
pub(crate) const SUFFIXES: [&str; 4] = [
    OAUTH_SUFFIX,
    GLOBAL_OAUTH_SUFFIX,
    OAUTH_POLICIES_SUFFIX,
    POLICIES_SUFFIX,
];
/// The suffix of the ExtlClntAppOauthSettings component.
pub(crate) const OAUTH_SUFFIX: &str = "_oauth";
/// The suffix of the ExtlClntAppGlobalOauthSettings component.
pub(crate) const GLOBAL_OAUTH_SUFFIX: &str = "_glbloauth";
/// The suffix of the ExtlClntAppOauthConfigurablePolicies component.
pub(crate) const OAUTH_POLICIES_SUFFIX: &str = "_oauthPlcy";
/// The suffix of the ExtlClntAppConfigurablePolicies component.
pub(crate) const POLICIES_SUFFIX: &str = "_plcy";

/// An External Client App for the JWT bearer flow, ready to be written as source.
///
/// ```
/// # let cert = include_bytes!("../../../testdata/keys/rsa2048.crt.pem");
/// use std::time::SystemTime;
/// use sfjwt_eca::{EcaSpec, Scope};
///
/// let spec = EcaSpec::new("acme_etl", cert, SystemTime::now())?
///     .contact_email("admin@acme.com")?
///     .scopes(vec![Scope::Api, Scope::RefreshToken])?;
/// assert_eq!(spec.permission_set().as_str(), "acme_etl");
/// let files = spec.files();
/// assert!(files.iter().any(|f| f.path == "force-app/main/default/externalClientApps/acme_etl.eca-meta.xml"));
/// # Ok::<(), sfjwt_eca::EcaError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EcaSpec {
    pub(crate) name: ApiName,
    pub(crate) contact_email: Option<String>,
    pub(crate) permission_set: ApiName,
    pub(crate) scopes: Vec<Scope>,
    pub(crate) ip_relaxation: IpRelaxation,
    pub(crate) api_version: ApiVersion,
    pub(crate) certificate_pem: String,
    pub(crate) certificate: Certificate,
}

impl EcaSpec {
    /// An app named `name` whose JWT bearer flow trusts `certificate` (PEM or DER), checked
    /// as of `now`. Defaults: a permission set named after the app, scopes `Api,
    /// RefreshToken`, IP restrictions enforced, API version 66.0.
    ///
    /// # Errors
    /// [`EcaError::InvalidName`] for a name that breaks the API-name rules (including the
    /// 40-character limit of every component name derived from it),
    /// [`EcaError::Certificate`] for a certificate that is not RSA or not a certificate,
    /// [`EcaError::CertificateExpired`] and [`EcaError::CertificateNotYetValid`].
    pub fn new(name: &str, certificate: &[u8], now: SystemTime) -> Result<Self, EcaError> {
        let longest = SUFFIXES.iter().map(|s| s.len()).max().unwrap_or(0);
        let name = ApiName::parse("app name", name, MAX_APP_NAME)?;
        if name.as_str().len() + longest > MAX_APP_NAME {
            return Err(EcaError::InvalidName {
                what: "app name",
                name: name.to_string(),
                reason: format!(
                    "at most {} characters, so that its component names (NAME_glbloauth, …) keep within {MAX_APP_NAME}",
                    MAX_APP_NAME - longest
                ),
            });
        }
        let (certificate_pem, cert) = certificate_pem(certificate)?;
        if now > cert.not_after() {
            return Err(EcaError::CertificateExpired {
                not_after: cert.not_after(),
            });
        }
        if now < cert.not_before() {
            return Err(EcaError::CertificateNotYetValid {
                not_before: cert.not_before(),
            });
        }
        Ok(Self {
            permission_set: name.clone(),
            name,
            contact_email: None,
            scopes: vec![Scope::Api, Scope::RefreshToken],
            ip_relaxation: IpRelaxation::Enforce,
            api_version: ApiVersion::DEFAULT,
            certificate_pem,
            certificate: cert,
        })
    }

    /// The address Salesforce writes to about the app.
    ///
    /// # Errors
    /// [`EcaError::InvalidEmail`] unless it looks like `someone@example.com`.
    pub fn contact_email(mut self, email: &str) -> Result<Self, EcaError> {
        let valid = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        }) && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ','))
            && email.len() <= 254;
        if !valid {
            return Err(EcaError::InvalidEmail {
                email: email.to_owned(),
            });
        }
        self.contact_email = Some(email.to_owned());
        Ok(self)
    }

    /// The permission set whose users are pre-authorized (default: the app's name). It is
    /// written as a new, empty permission set of that name.
    ///
    /// # Errors
    /// [`EcaError::InvalidName`] (80 characters at most).
    pub fn permission_set_name(mut self, name: &str) -> Result<Self, EcaError> {
        self.permission_set = ApiName::parse("permission set name", name, MAX_PERMISSION_SET_NAME)?;
        Ok(self)
    }

    /// The OAuth scopes (default `Api, RefreshToken`).
    ///
    /// # Errors
    /// [`EcaError::NoScopes`] for an empty list.
    pub fn scopes(mut self, scopes: Vec<Scope>) -> Result<Self, EcaError> {
        if scopes.is_empty() {
            return Err(EcaError::NoScopes);
        }
        self.scopes = scopes;
        Ok(self)
    }

    /// The IP relaxation policy (default [`IpRelaxation::Enforce`]).
    pub fn ip_relaxation(mut self, relaxation: IpRelaxation) -> Self {
        self.ip_relaxation = relaxation;
        self
    }

    /// The project's API version (default 66.0).
    ///
    /// # Errors
    /// [`EcaError::ApiVersion`] below 60.0, the first version with the `certificate` field
    /// (the JWT bearer switch) and the ExtlClntAppConfigurablePolicies type.
    pub fn api_version(mut self, version: ApiVersion) -> Result<Self, EcaError> {
        if version < ApiVersion::CERTIFICATE {
            return Err(EcaError::version(
                version,
                format!(
                    "too old: the certificate field that turns the JWT bearer flow on needs {}",
                    ApiVersion::CERTIFICATE
                ),
            ));
        }
        self.api_version = version;
        Ok(self)
    }

    /// The app's API name.
    pub fn name(&self) -> &ApiName {
        &self.name
    }

    /// The permission set's API name.
    pub fn permission_set(&self) -> &ApiName {
        &self.permission_set
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The API version.
    pub fn version(&self) -> ApiVersion {
        self.api_version
    }
}

/// The certificate as one normalized PEM block (DER is wrapped), and parsed; refuses anything
/// that holds no certificate.
fn certificate_pem(bytes: &[u8]) -> Result<(String, Certificate), EcaError> {
    // Parse first: the core says precisely what a wrong file is (a private key, EC, a CSR).
    let cert = Certificate::from_bytes(bytes).map_err(|source| EcaError::Certificate { source })?;
    let der = match pem::parse_many(bytes) {
        Ok(blocks) if !blocks.is_empty() => blocks
            .into_iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .map(pem::Pem::into_contents),
        _ => Some(bytes.to_vec()),
    };
    let der = der.ok_or(EcaError::Certificate {
        source: sfjwt_core::key::KeyError::NotACertificate {
            found: "no CERTIFICATE block",
        },
    })?;
    let pem = pem::encode_config(
        &pem::Pem::new("CERTIFICATE", der),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    );
    Ok((pem.trim_end().to_owned(), cert))
}
