//! `sfjwt keystore`: the tutorial's four-tool recipe for Apex org-to-org (copy the key,
//! `openssl pkcs12 -export`, `keytool -importkeystore`, `keytool -changealias`) in one step,
//! then the import steps and the Apex that uses the certificate.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sfjwt_core::key::PrivateKey;
use sfjwt_core::key::utc_date;
use sfjwt_keys::keystore::{
    self, Alias, Keystore, KeystoreError, KeystorePassword, MIN_PASSWORD_CHARS,
};
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult};
use crate::identity::{KeySource, load_with_passphrase};
use crate::key_files;
use crate::output::Out;

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  export SFJWT_KS_PASS='a long keystore password'
  sfjwt keystore --key-file server.key --cert server.crt --out server.jks \\
      --alias org_to_org --password-env SFJWT_KS_PASS
  sfjwt keygen --keystore server.jks --alias org_to_org --password-env SFJWT_KS_PASS

Then Setup > Certificate and Key Management > Import from Keystore; the command prints the
steps and the Apex. The alias becomes the certificate's Unique Name: lower-case letters,
digits and single underscores, starting with a letter. The password (6+ characters) protects
both the store and the key, as Salesforce requires.";

/// `sfjwt keystore`.
#[derive(Debug, clap::Args)]
pub(crate) struct KeystoreArgs {
    /// The private key file (PEM or DER, PKCS#8 or PKCS#1, encrypted or not).
    #[arg(
        long,
        env = "SFJWT_KEY_FILE",
        value_name = "PATH",
        required_unless_present = "key_uri"
    )]
    pub(crate) key_file: Option<PathBuf>,

    /// A vault key (pkcs11:… or awskms:…) cannot go into a keystore: refused with the way out.
    #[arg(
        long = "key",
        value_name = "URI",
        hide = true,
        conflicts_with = "key_file"
    )]
    pub(crate) key_uri: Option<String>,

    /// Read the key file's passphrase from this environment variable (its name, not the
    /// passphrase). Without it, an encrypted key is prompted for on a terminal.
    #[arg(long, value_name = "VAR")]
    pub(crate) passphrase_env: Option<String>,

    /// The key's certificate (PEM or DER); a PEM chain, the key's own certificate first, is
    /// kept as the entry's chain.
    #[arg(long, value_name = "PATH")]
    pub(crate) cert: PathBuf,

    /// The keystore to write (never overwritten; mode 0600).
    #[arg(long, value_name = "PATH")]
    pub(crate) out: PathBuf,

    /// The entry's alias, which becomes the certificate's Unique Name in Salesforce and the
    /// name Apex passes to Auth.JWS (lower-case letters, digits, single underscores; starts
    /// with a letter; at most 80 characters).
    #[arg(long, value_name = "NAME")]
    pub(crate) alias: String,

    /// The environment variable holding the keystore password (its name, not the password),
    /// at least 6 characters; it protects the store and the key, as Salesforce requires.
    #[arg(long, value_name = "VAR")]
    pub(crate) password_env: String,
}

pub(crate) fn run(args: &KeystoreArgs, out: &mut Out) -> CliResult {
    // Alias, password and destination first: a mistake there costs no passphrase prompt.
    let target = Target::new(&args.out, &args.alias, &args.password_env, false)?;
    let Some(key_file) = &args.key_file else {
        // `--key URI` (clap requires one of the two); the URI may carry a PIN: not echoed.
        return Err(vault_key_error("the --key URI"));
    };
    let what = key_file.display().to_string();
    if looks_like_vault_uri(&what) && !key_file.exists() {
        return Err(vault_key_error(&what));
    }
    let source = KeySource::File(key_file.clone());
    let key = load_with_passphrase(&source, args.passphrase_env.as_deref())?;
    let chain = read_chain(&args.cert)?;
    let built = target.build(&key, &chain)?;
    target.write(&built)?;
    report(out, &target, &built)
}

/// Where and how to write one keystore: validated before any key is read or made, so a bad
/// alias or password costs nothing and leaves nothing behind.
pub(crate) struct Target {
    path: PathBuf,
    alias: Alias,
    password: KeystorePassword,
    password_env: String,
    replace: bool,
}

impl Target {
    /// Checks the alias and the password (from the environment variable `password_env`), and
    /// that `path` can be created (`replace`: whether an existing file may be replaced).
    pub(crate) fn new(
        path: &Path,
        alias: &str,
        password_env: &str,
        replace: bool,
    ) -> CliResult<Self> {
        let alias = Alias::parse(alias).map_err(|e| CliError::alias(&e))?;
        let password = password_from_env(password_env)?;
        if !replace && path.exists() {
            return Err(CliError::local(format!(
                "{} already exists; not overwriting it",
                path.display()
            ))
            .hint("choose another --out path, or move the old keystore away first"));
        }
        Ok(Self {
            path: path.to_owned(),
            alias,
            password,
            password_env: password_env.to_owned(),
            replace,
        })
    }

    /// Encodes the keystore, checking key and chain as Salesforce's import will.
    pub(crate) fn build(&self, key: &PrivateKey, chain: &[Vec<u8>]) -> CliResult<Keystore> {
        keystore::build(&self.alias, &self.password, key, chain, SystemTime::now())
            .map_err(|e| CliError::keystore(&e))
    }

    /// Writes it through a 0600 temporary file renamed into place: no error leaves a file.
    pub(crate) fn write(&self, built: &Keystore) -> CliResult {
        keystore::write_atomically(&self.path, built.bytes(), self.replace).map_err(|e| {
            CliError::local(crate::error::chain(&e))
                .hint("check that the directory exists and is writable, or choose another path")
        })
    }
}

/// Reads the keystore password from the environment variable `var`.
fn password_from_env(var: &str) -> CliResult<KeystorePassword> {
    let password = match std::env::var(var) {
        Ok(value) => Zeroizing::new(value),
        Err(std::env::VarError::NotPresent) => {
            return Err(CliError::local(format!(
                "the environment variable {var} (from --password-env) is not set"
            ))
            .hint(format!(
                "export {var}='…' with the keystore password ({MIN_PASSWORD_CHARS} characters or more); --password-env takes the variable's name, not the password"
            )));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(CliError::local(format!(
                "the environment variable {var} (from --password-env) is not valid UTF-8"
            ))
            .hint("set it to the keystore password as text"));
        }
    };
    KeystorePassword::new(password).map_err(|e| {
        let chars = match e {
            KeystoreError::PasswordTooShort { chars } => chars,
            _ => 0,
        };
        CliError::local(format!(
            "the keystore password in {var} has {chars} character(s); keytool and Salesforce's import need at least {MIN_PASSWORD_CHARS}"
        ))
        .hint(format!(
            "export {var}='…' with a longer password (you type it again in Salesforce's Import from Keystore)"
        ))
    })
}

/// The DER certificates in the file at `path`, in file order.
fn read_chain(path: &Path) -> CliResult<Vec<Vec<u8>>> {
    let shown = path.display();
    let bytes = key_files::read_certificate(
        path,
        "cannot read the certificate",
        "pass --cert PATH, the certificate made with the key (server.crt from `sfjwt keygen`)",
        "pass --cert PATH, the certificate made with the key (server.crt)",
    )?;
    keystore::parse_chain(&bytes).map_err(|e| {
        CliError::local(format!("cannot use {shown} as the certificate: {e}")).hint(
            "pass the certificate made with the key (server.crt from `sfjwt keygen`), PEM or DER",
        )
    })
}

/// `pkcs11:…`, `vault://…`, `awskms://…`: a key reference rather than a file.
fn looks_like_vault_uri(text: &str) -> bool {
    text.starts_with("pkcs11:") || text.contains("://")
}

/// A key in a vault or HSM signs where it lives; Salesforce's import needs the key itself.
pub(crate) fn vault_key_error(what: &str) -> CliError {
    CliError::local(format!(
        "{what} is a key in a vault or HSM: its private key cannot be exported, and a keystore for Salesforce must contain it"
    ))
    .hint("make an exportable pair for Apex with `sfjwt keygen --keystore server.jks --alias NAME --password-env VAR` and upload its server.crt to the connected app")
}

/// What was written, the import steps and the Apex; shared with `keygen --keystore`.
pub(crate) fn report(out: &mut Out, target: &Target, built: &Keystore) -> CliResult {
    let alias = target.alias.as_str();
    let chain = match built.chain_len() {
        1 => "its certificate".to_owned(),
        n => format!("a chain of {n} certificates"),
    };
    out.line(format!(
        "{} {} (Java KeyStore: one private-key entry \"{alias}\", {}-bit RSA with {chain}, mode 0600: keep it secret)",
        out.ok("wrote"),
        target.path.display(),
        built.bits(),
    ))?;
    out.line(format!(
        "      certificate {}, valid until {}, SHA-256 {}",
        built.subject(),
        utc_date(built.not_after()),
        built.fingerprint()
    ))?;
    for warning in built.warnings() {
        out.line(format!("{} {warning}", out.warn("warning:")))?;
    }
    out.line("")?;
    out.line(out.heading("Import it into the org whose Apex signs"))?;
    for step in import_steps(
        &target.path.display().to_string(),
        alias,
        &target.password_env,
    ) {
        out.line(step)?;
    }
    out.line("")?;
    out.line(out.heading("Apex in that org"))?;
    for line in apex(alias) {
        out.line(line)?;
    }
    Ok(())
}

/// The import, worded after Salesforce's Setup pages.
pub(crate) fn import_steps(path: &str, alias: &str, password_env: &str) -> Vec<String> {
    vec![
        "  1. Setup > Quick Find \"Certificate and Key Management\" > Import from Keystore"
            .to_owned(),
        "     (needs the \"Manage Certificates\" permission).".to_owned(),
        format!("  2. Keystore File: {path}; Keystore Password: the value of ${password_env}."),
        format!(
            "  3. Save. The certificate appears with the Unique Name {alias}; if the org already"
        ),
        "     has a certificate of that name, delete or rename it first (or pick another --alias)."
            .to_owned(),
        "  4. Setup > Remote Site Settings: add https://login.salesforce.com (or the other org's"
            .to_owned(),
        "     My Domain / https://test.salesforce.com), the host Apex posts the assertion to."
            .to_owned(),
        "  5. In the org being called: a connected app with \"Use digital signatures\" and this"
            .to_owned(),
        "     certificate, its user pre-authorized (the steps `sfjwt keygen` prints).".to_owned(),
    ]
}

/// The Apex of the tutorial, with the alias as the certificate name.
pub(crate) fn apex(alias: &str) -> Vec<String> {
    vec![
        "  Auth.JWT jwt = new Auth.JWT();".to_owned(),
        "  jwt.setSub('user@other-org.example');          // the user to act as in the other org".to_owned(),
        "  jwt.setIss('3MVG9...');                        // that org's connected app Consumer Key".to_owned(),
        "  jwt.setAud('https://login.salesforce.com');    // https://test.salesforce.com for a sandbox".to_owned(),
        format!("  Auth.JWS jws = new Auth.JWS(jwt, '{alias}');"),
        "  String tokenEndpoint = 'https://login.salesforce.com/services/oauth2/token';".to_owned(),
        "  Auth.JWTBearerTokenExchange bearer = new Auth.JWTBearerTokenExchange(tokenEndpoint, jws);".to_owned(),
        "  String accessToken = bearer.getAccessToken();".to_owned(),
    ]
}
