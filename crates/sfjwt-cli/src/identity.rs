//! The identity flags shared by `token`, `assertion` and `check`: who signs (key), as whom
//! (client id, username), for which login server (endpoint, audience).
//!
//! Each flag has an environment variable, so CI can configure the tool once; the private key
//! may also come as PEM text in `SFJWT_KEY` (never as an argument: arguments leak through
//! `ps`). The endpoint and the audience are separate on purpose (DESIGN.md §1): the token may
//! be requested at a My Domain while `aud` stays the login server.

use std::path::PathBuf;
use std::sync::Arc;

use sfjwt_core::claims::Audience;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::jws::Signer;
use sfjwt_core::key::{KeyError, Passphrase, PrivateKey, PublicKey};

use crate::error::{CliError, CliResult};
use crate::passphrase;
use crate::vault::{self, KeyUri, VaultKey};

/// The environment variable that may hold the private key's PEM text.
pub(crate) const KEY_ENV: &str = "SFJWT_KEY";

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
    /// My Domain, or http://127.0.0.1:PORT for a local emulator.
    #[arg(long, env = "SFJWT_LOGIN_URL", value_name = "URL")]
    pub(crate) login_url: Option<String>,

    /// Shorthand for --login-url https://test.salesforce.com.
    #[arg(long)]
    pub(crate) sandbox: bool,

    /// The `aud` claim. Default: https://test.salesforce.com for sandbox login URLs,
    /// https://login.salesforce.com otherwise. Set it only for Experience Cloud sites.
    #[arg(long, env = "SFJWT_AUDIENCE", value_name = "URL")]
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

    /// The audience: `--audience`, or the endpoint's default.
    pub(crate) fn audience(&self, endpoint: &TokenEndpoint) -> CliResult<Audience> {
        match &self.audience {
            Some(aud) => Audience::parse(aud).map_err(|e| CliError::claims(&e)),
            None => Ok(endpoint.default_audience()),
        }
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
        let given = match &self.passphrase_env {
            Some(var) => Some(Passphrase::from(passphrase::from_env(var)?.as_str())),
            None => None,
        };
        match load(&source, given.as_ref()) {
            Err(KeyError::PassphraseRequired) if given.is_none() => {
                let what = source.describe();
                if !passphrase::can_prompt() {
                    return Err(passphrase::required_error(&what));
                }
                let typed = Passphrase::from(passphrase::prompt(&what)?.as_str());
                load(&source, Some(&typed))
                    .map(|key| (key, source.clone()))
                    .map_err(|e| CliError::key(&e, &what))
            }
            Ok(key) => Ok((key, source)),
            Err(e) => Err(CliError::key(&e, &source.describe())),
        }
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
