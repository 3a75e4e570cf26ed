//! The identity flags shared by `token`, `assertion`, `check`, `api`, `logout` and `probe`:
//! who signs (key), as whom (client id, username), for which login server (endpoint,
//! audience); the claims they make ([`Identity::claims`]) and the checked [`Login`] every
//! command that logs in starts from.
//!
//! Each flag has an environment variable, so CI can configure the tool once; the private key
//! may also come as PEM text in `SFJWT_KEY` (never as an argument: arguments leak through
//! `ps`). The endpoint and the audience are separate on purpose (`sfjwt_core::manual::audience`):
//! the token may be requested at a My Domain while `aud` stays the login server, and an External
//! Client App since Spring '26 wants the My Domain for both (`--audience my-domain`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sfjwt_core::claims::{Audience, Claims, ClaimsBuilder, ClaimsError};
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::jws::Signer;
use sfjwt_core::key::{KeyError, Passphrase, PrivateKey, PublicKey};

use crate::error::{CliError, CliResult};
use crate::passphrase;
use crate::vault::{self, KeyUri, VaultKey};

/// The environment variable that may hold the private key's PEM text.
pub(crate) const KEY_ENV: &str = "SFJWT_KEY";

/// `--audience my-domain`: the My Domain of `--login-url` as the audience.
pub(crate) const MY_DOMAIN_AUDIENCE: &str = "my-domain";

/// Who signs, as whom, for which server.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Identity {
    /// The connected app's Consumer Key (the assertion's `iss`).
    #[arg(long, env = "SFJWT_CLIENT_ID", value_name = "ID")]
    pub(crate) client_id: Option<String>,

    /// The Salesforce username to act as (the assertion's `sub`).
    #[arg(long, env = "SFJWT_USERNAME", value_name = "USER")]
    pub(crate) username: Option<String>,

    /// The private key file (PEM or DER, PKCS#8 or PKCS#1, encrypted or not). Without it, the
    /// PEM text is read from the SFJWT_KEY environment variable.
    #[arg(long, env = "SFJWT_KEY_FILE", value_name = "PATH")]
    pub(crate) key_file: Option<PathBuf>,

    /// A key that never leaves a vault, instead of --key-file: a PKCS#11 URI
    /// (pkcs11:token=…;object=…?module-path=…&pin-source=file:…) or an AWS KMS key
    /// (awskms:alias/NAME, awskms:arn:aws:kms:…, awskms:KEY_ID).
    #[arg(long = "key", env = "SFJWT_KEY_URI", hide_env_values = true, value_name = "URI", value_parser = vault::key_uri)]
    pub(crate) key_uri: Option<KeyUri>,

    /// Read the key's passphrase from this environment variable (its name, not the
    /// passphrase). Without it, an encrypted key is prompted for on a terminal.
    #[arg(long, value_name = "VAR")]
    pub(crate) passphrase_env: Option<String>,

    /// The login URL the token is requested from: https://login.salesforce.com (default), a
    /// My Domain (https://NAME.my.salesforce.com), an Experience Cloud site URL, or
    /// http://127.0.0.1:PORT for a local emulator. Lightning and instance hosts are refused.
    #[arg(long, env = "SFJWT_LOGIN_URL", value_name = "URL")]
    pub(crate) login_url: Option<String>,

    /// Shorthand for --login-url https://test.salesforce.com.
    #[arg(long)]
    pub(crate) sandbox: bool,

    /// The `aud` claim: a URL, or `my-domain` for the My Domain of --login-url (External
    /// Client Apps since Spring '26, which answer app_not_found to login/test; a loopback
    /// emulator's URL plays the My Domain). Default:
    /// https://test.salesforce.com for sandbox login URLs, the site URL for Experience Cloud
    /// sites, https://login.salesforce.com otherwise; required for other hosts.
    #[arg(long, env = "SFJWT_AUDIENCE", value_name = "URL|my-domain")]
    pub(crate) audience: Option<String>,
}

/// Where the key came from, for messages (never the key itself).
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    File(PathBuf),
    Env,
}

impl KeySource {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Env => format!("the {KEY_ENV} environment variable"),
        }
    }
}

/// The permission bits of the key file when group or others may read or write it (unix).
#[cfg(unix)]
pub(crate) fn exposed_mode(source: &KeySource) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    let KeySource::File(path) = source else {
        return None;
    };
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub(crate) fn exposed_mode(_: &KeySource) -> Option<u32> {
    None
}

/// Prints one warning line on stderr when the key file is readable by group or others; the
/// command goes on (and its exit code is unchanged): refusing would break working setups, but
/// a private key others can read is a credential others can use.
pub(crate) fn warn_if_exposed(source: &KeySource) {
    use std::io::Write as _;
    if let (Some(mode), KeySource::File(path)) = (exposed_mode(source), source) {
        let _ = writeln!(
            std::io::stderr(),
            "warning: private key {} has mode {mode:o}: others on this machine can read it; chmod 600 {}",
            path.display(),
            path.display()
        );
    }
}

impl Identity {
    /// The token endpoint: `--sandbox`, `--login-url`, or production.
    pub(crate) fn endpoint(&self) -> CliResult<TokenEndpoint> {
        match (&self.login_url, self.sandbox) {
            (Some(url), true) => Err(CliError::local(format!(
                "both --sandbox and a login URL ({url}) were given"
            ))
            .hint("give one: --sandbox means --login-url https://test.salesforce.com (check SFJWT_LOGIN_URL too)")),
            (Some(url), false) => TokenEndpoint::parse(url).map_err(|e| CliError::endpoint(&e)),
            (None, true) => Ok(TokenEndpoint::sandbox()),
            (None, false) => Ok(TokenEndpoint::production()),
        }
    }

    /// The audience: `--audience my-domain`, `--audience URL`, or the endpoint's default.
    pub(crate) fn audience(&self, endpoint: &TokenEndpoint) -> CliResult<Audience> {
        let result = match self.audience.as_deref() {
            Some(word) if word.eq_ignore_ascii_case(MY_DOMAIN_AUDIENCE) => {
                Audience::my_domain_of(endpoint)
            }
            Some(aud) => Audience::parse(aud),
            None => endpoint
                .default_audience()
                .ok_or_else(|| ClaimsError::AudienceRequired {
                    endpoint: endpoint.base_url().to_owned(),
                }),
        };
        result.map_err(|e| CliError::claims(&e))
    }

    /// Where the key will be read from.
    pub(crate) fn key_source(&self) -> CliResult<KeySource> {
        if let Some(path) = &self.key_file {
            return Ok(KeySource::File(path.clone()));
        }
        if std::env::var_os(KEY_ENV).is_some() {
            return Ok(KeySource::Env);
        }
        Err(CliError::local("no private key given")
            .hint(format!("pass --key-file PATH (or set SFJWT_KEY_FILE), put the PEM text in {KEY_ENV}, or name a vault key with --key URI; `sfjwt keygen` makes a key and certificate")))
    }

    /// Loads the private key, asking for a passphrase if it is encrypted.
    pub(crate) fn load_key(&self) -> CliResult<(PrivateKey, KeySource)> {
        let source = self.key_source()?;
        let key = load_with_passphrase(&source, self.passphrase_env.as_deref())?;
        Ok((key, source))
    }

    /// Builds and validates the claims from the identity flags (`exp` and `lifetime` as
    /// `sfjwt assertion` takes them).
    pub(crate) fn claims(
        &self,
        exp: Option<u64>,
        lifetime: Option<u64>,
        now: SystemTime,
    ) -> CliResult<Claims> {
        let endpoint = self.endpoint()?;
        let audience = self.audience(&endpoint)?;
        self.claims_for(audience, exp, lifetime, now)
    }

    /// The claims for `audience` (the endpoint's, already worked out).
    fn claims_for(
        &self,
        audience: Audience,
        exp: Option<u64>,
        lifetime: Option<u64>,
        now: SystemTime,
    ) -> CliResult<Claims> {
        let mut builder: ClaimsBuilder = Claims::builder().audience(audience);
        if let Some(id) = &self.client_id {
            builder = builder.client_id(id.as_str());
        }
        if let Some(user) = &self.username {
            builder = builder.username(user.as_str());
        }
        if let Some(exp) = exp {
            builder = builder.expires_at(exp);
        }
        if let Some(secs) = lifetime {
            builder = builder.lifetime(Duration::from_secs(secs));
        }
        builder.build(now).map_err(|e| CliError::claims(&e))
    }

    /// The login these flags describe, every flag checked (claims included) before any key is
    /// loaded: a missing username needs no passphrase.
    pub(crate) fn login(&self, lifetime: Option<u64>) -> CliResult<Login> {
        let endpoint = self.endpoint()?;
        let audience = self.audience(&endpoint)?;
        self.claims_for(audience.clone(), None, lifetime, SystemTime::now())?;
        Ok(Login {
            endpoint,
            audience,
            client_id: self.client_id.clone().unwrap_or_default(),
            username: self.username.clone().unwrap_or_default(),
            lifetime: lifetime.map(Duration::from_secs),
        })
    }
}

/// A checked login: where, for whom, and the token client once the key is loaded. Shared by
/// every command that logs in through the cache (`token`, `api`, `logout`).
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub(crate) endpoint: TokenEndpoint,
    pub(crate) audience: Audience,
    client_id: String,
    username: String,
    lifetime: Option<Duration>,
}

impl Login {
    /// Its cache identity: login URL, client id, username, audience.
    pub(crate) fn entry_identity(&self) -> sfjwt_file_store::Identity {
        sfjwt_file_store::Identity {
            login_url: self.endpoint.base_url().to_owned(),
            client_id: self.client_id.clone(),
            username: self.username.clone(),
            audience: self.audience.as_str().to_owned(),
        }
    }

    /// The token client signing with `signer`.
    pub(crate) fn client(self, signer: Arc<dyn Signer + Send + Sync>) -> JwtBearer {
        let client = JwtBearer::builder()
            .endpoint(self.endpoint)
            .client_id(self.client_id)
            .username(self.username)
            .signer(signer)
            .build()
            .with_audience(self.audience);
        match self.lifetime {
            Some(lifetime) => client.with_lifetime(lifetime),
            None => client,
        }
    }
}

/// Loads the key from `source`, with the passphrase from the environment variable
/// `passphrase_env`, else a prompt on a terminal when it is encrypted.
pub(crate) fn load_with_passphrase(
    source: &KeySource,
    passphrase_env: Option<&str>,
) -> CliResult<PrivateKey> {
    let given = match passphrase_env {
        Some(var) => Some(Passphrase::from(passphrase::from_env(var)?.as_str())),
        None => None,
    };
    match load(source, given.as_ref()) {
        Err(KeyError::PassphraseRequired) if given.is_none() => {
            let what = source.describe();
            if !passphrase::can_prompt() {
                return Err(passphrase::required_error(&what));
            }
            let typed = Passphrase::from(passphrase::prompt(&what)?.as_str());
            load(source, Some(&typed)).map_err(|e| CliError::key(&e, &what))
        }
        Ok(key) => Ok(key),
        Err(e) => Err(CliError::key(&e, &source.describe())),
    }
}

/// The key that signs: a key file (or `SFJWT_KEY`), or a key in a vault (`--key URI`).
pub(crate) enum SigningKey {
    Loaded(Box<PrivateKey>, KeySource),
    Vault(VaultKey),
}

impl SigningKey {
    /// The signer, shareable with a client.
    pub(crate) fn into_signer(self) -> Arc<dyn Signer + Send + Sync> {
        match self {
            Self::Loaded(key, _) => Arc::new(*key),
            Self::Vault(vault) => vault.signer,
        }
    }

    /// The public half.
    pub(crate) fn public_key(&self) -> PublicKey {
        match self {
            Self::Loaded(key, _) => key.public_key(),
            Self::Vault(vault) => vault.public_key.clone(),
        }
    }

    /// One stderr line when a key file is readable by group or others (a vault key has no
    /// file).
    pub(crate) fn warn_if_exposed(&self) {
        if let Self::Loaded(_, source) = self {
            warn_if_exposed(source);
        }
    }

    /// Where the key is, for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Loaded(_, source) => source.describe(),
            Self::Vault(vault) => vault.description.clone(),
        }
    }
}

impl Identity {
    /// The signing key: the vault key of `--key URI`, else the key file or `SFJWT_KEY`.
    pub(crate) fn load_signing_key(&self) -> CliResult<SigningKey> {
        match &self.key_uri {
            Some(_) if self.key_file.is_some() => Err(CliError::local(
                "both --key (a vault key URI) and --key-file were given",
            )
            .hint("give one (check SFJWT_KEY_URI and SFJWT_KEY_FILE too)")),
            Some(uri) => Ok(SigningKey::Vault(vault::open(&uri.0)?)),
            None => {
                let (key, source) = self.load_key()?;
                Ok(SigningKey::Loaded(Box::new(key), source))
            }
        }
    }
}

fn load(source: &KeySource, passphrase: Option<&Passphrase>) -> Result<PrivateKey, KeyError> {
    match source {
        KeySource::File(path) => PrivateKey::from_file(path, passphrase),
        KeySource::Env => {
            let value = zeroize::Zeroizing::new(std::env::var(KEY_ENV).map_err(|_| {
                KeyError::Unrecognized {
                    found: format!("a value of {KEY_ENV} that is not valid UTF-8"),
                }
            })?);
            PrivateKey::from_env_value(&value, passphrase)
        }
    }
}
