//! `sfjwt keygen`: the key and certificate for the app, then the Salesforce setup steps the
//! tutorial's readers kept missing (pre-authorizing users above all): the External Client App
//! first, since orgs created from Spring '26 on have no "New Connected App", the connected app
//! second. Each step and its public source: `sfjwt_core::manual::setup`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sfjwt_core::key::{CertificateSpec, self_signed_certificate};
use sfjwt_keys::keystore::{Keystore, parse_chain};
use sfjwt_keys::{KeyPair, KeyPairSpec};

use crate::commands::keystore::{self as keystore_command, Target};
use crate::error::{CliError, CliResult, with_cause};
use crate::key_files;
use crate::output::Out;
use crate::passphrase;
use crate::vault;

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt keygen --out-dir ./jwt --days 730 --subject 'acme integration'
  SFJWT_PASS='long passphrase' sfjwt keygen --passphrase-env SFJWT_PASS   # encrypted key
  sfjwt keygen --key 'pkcs11:token=sfjwt;object=jwt-key?module-path=…&pin-source=file:…'
  sfjwt keygen --key awskms:alias/sfjwt-prod   # server.crt only, signed in the vault

Upload server.crt to the connected app (\"Use digital signatures\"); keep server.key secret.";

/// `sfjwt keygen`.
#[derive(Debug, clap::Args)]
pub(crate) struct KeygenArgs {
    /// Where to write server.key and server.crt (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) out_dir: PathBuf,

    /// RSA key size.
    #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
    pub(crate) bits: usize,

    /// Days the certificate is valid (Salesforce rejects assertions once it expires).
    #[arg(long, value_name = "N", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub(crate) days: u32,

    /// The certificate's common name (CN).
    #[arg(long, value_name = "CN", default_value = "sfjwt")]
    pub(crate) subject: String,

    /// Encrypt server.key with the passphrase in this environment variable (its name).
    #[arg(long, value_name = "VAR")]
    pub(crate) passphrase_env: Option<String>,

    /// Overwrite existing server.key and server.crt (and the --keystore file).
    #[arg(long)]
    pub(crate) force: bool,

    /// Write only server.crt, for an existing key in a vault (pkcs11:… or awskms:…, as for
    /// `token --key`): the vault signs the certificate, the key never leaves it.
    #[arg(long = "key", env = "SFJWT_KEY_URI", hide_env_values = true, value_name = "URI", value_parser = vault::key_uri, conflicts_with_all = ["bits", "passphrase_env", "keystore"])]
    pub(crate) key_uri: Option<vault::KeyUri>,

    /// Also write a Java KeyStore (JKS) of the new key and certificate, for Salesforce's
    /// Import from Keystore (Apex org-to-org). Needs --alias and --password-env.
    #[arg(long, value_name = "PATH", requires_all = ["alias", "password_env"])]
    pub(crate) keystore: Option<PathBuf>,

    /// With --keystore: the entry's alias, which becomes the certificate's Unique Name in
    /// Salesforce (lower-case letters, digits, single underscores; starts with a letter).
    #[arg(long, value_name = "NAME", requires = "keystore")]
    pub(crate) alias: Option<String>,

    /// With --keystore: the environment variable holding the keystore password (its name),
    /// at least 6 characters; it protects the store and the key.
    #[arg(long, value_name = "VAR", requires = "keystore")]
    pub(crate) password_env: Option<String>,
}

pub(crate) fn run(args: &KeygenArgs, out: &mut Out) -> CliResult {
    if let Some(uri) = &args.key_uri {
        return vault_certificate(&uri.0, args, out);
    }
    let passphrase = match &args.passphrase_env {
        Some(var) => Some(passphrase::from_env(var)?),
        None => None,
    };
    // The keystore's alias, password and path are checked before the pair is generated.
    let keystore = match (&args.keystore, &args.alias, &args.password_env) {
        (Some(path), Some(alias), Some(var)) => Some(Target::new(path, alias, var, args.force)?),
        // clap requires all three together.
        _ => None,
    };
    let mut spec = KeyPairSpec::new(&args.subject)
        .bits(args.bits)
        .valid_for_days(args.days);
    if let Some(passphrase) = &passphrase {
        spec = spec.passphrase(passphrase.as_bytes());
    }
    let generated =
        sfjwt_keys::generate(&spec, SystemTime::now()).map_err(|e| CliError::generate(&e))?;
    let built = match &keystore {
        Some(target) => Some(keystore_of(target, &generated)?),
        None => None,
    };
    // Removed again if the command fails before filling it.
    let _out_dir = key_files::create_out_dir(&args.out_dir)?;
    let (key_path, cert_path) = key_files::write(&args.out_dir, &generated, args.force)?;
    if let (Some(target), Some(built)) = (&keystore, &built) {
        write_or_undo(target, built, &[&key_path, &cert_path])?;
    }
    let encrypted = if passphrase.is_some() {
        "PKCS#8, encrypted with AES-256-CBC/PBKDF2"
    } else {
        "PKCS#8, not encrypted"
    };
    out.line(format!(
        "{} {} ({}-bit RSA, {encrypted}, mode 0600: keep it secret)",
        out.ok("wrote"),
        key_path.display(),
        args.bits
    ))?;
    out.line(format!(
        "{} {} (self-signed X.509, sha256WithRSA, CN={}, valid {} days: upload this one)",
        out.ok("wrote"),
        cert_path.display(),
        args.subject,
        args.days
    ))?;
    setup_steps(&cert_path.display().to_string(), out)?;
    let pass_flag = match &args.passphrase_env {
        Some(var) => format!(" --passphrase-env {var}"),
        None => String::new(),
    };
    out.line("")?;
    out.line(out.heading("Then"))?;
    out.line(format!(
        "  sfjwt check --key-file {}{pass_flag} --cert {} --client-id <Consumer Key> --username <user>",
        key_path.display(),
        cert_path.display()
    ))?;
    out.line(format!(
        "  sfjwt token --key-file {}{pass_flag} --client-id <Consumer Key> --username <user> \\",
        key_path.display()
    ))?;
    out.line("      --login-url https://NAME.my.salesforce.com --audience my-domain   (External Client App)")?;
    out.line("      (connected app: leave out --audience; --sandbox for a sandbox)")?;
    if let (Some(target), Some(built)) = (&keystore, &built) {
        out.line("")?;
        keystore_command::report(out, target, built)?;
    }
    Ok(())
}

/// `keygen --key URI`: the certificate for a key that stays in its vault, signed there.
fn vault_certificate(uri: &str, args: &KeygenArgs, out: &mut Out) -> CliResult {
    let key = vault::open(uri)?;
    let spec = CertificateSpec::new(args.subject.as_str())
        .valid_for(Duration::from_secs(u64::from(args.days) * 86_400));
    let pem = self_signed_certificate(&*key.signer, &key.public_key, &spec, SystemTime::now())
        .map_err(|e| {
            CliError::local(format!("cannot make the certificate: {}", with_cause(&e)))
                .hint("check the key with `sfjwt check --key URI`")
        })?;
    let _out_dir = key_files::create_out_dir(&args.out_dir)?;
    let cert_path = key_files::write_certificate(&args.out_dir, &pem, args.force)?;
    out.line(format!(
        "{} {} (self-signed X.509, sha256WithRSA, signed in {}, RSA {} bits, CN={}, valid {} days: upload this one)",
        out.ok("wrote"),
        cert_path.display(),
        key.description,
        key.public_key.bits(),
        args.subject,
        args.days
    ))?;
    setup_steps(&cert_path.display().to_string(), out)?;
    // Never echo a PIN given in the URI.
    let shown = if uri.contains("pin-value=") {
        "'<the same URI>'".to_owned()
    } else {
        format!("'{uri}'")
    };
    out.line("")?;
    out.line(out.heading("Then"))?;
    out.line(format!(
        "  sfjwt check --key {shown} --cert {} --client-id <Consumer Key> --username <user>",
        cert_path.display()
    ))?;
    out.line(format!(
        "  sfjwt token --key {shown} --client-id <Consumer Key> --username <user>   (add --sandbox for a sandbox)"
    ))
}

/// The keystore of the freshly generated pair.
fn keystore_of(target: &Target, generated: &KeyPair) -> CliResult<Keystore> {
    let chain = parse_chain(generated.certificate_pem().as_bytes()).map_err(|e| {
        CliError::local(format!("cannot read the certificate back: {e}"))
            .hint("this should not happen; please report it")
    })?;
    target.build(generated.private_key(), &chain)
}

/// Writes the keystore; if that fails, removes the pair just written so the command leaves
/// either all three files or none.
fn write_or_undo(target: &Target, built: &Keystore, written: &[&Path]) -> CliResult {
    target.write(built).inspect_err(|_| {
        for path in written {
            // Best effort: the keystore error is the one to report.
            let _ = std::fs::remove_file(path);
        }
    })
}

/// The Salesforce setup for `cert`: the External Client App as code first (`sfjwt eca new`),
/// by hand in Setup second, the connected app last.
fn setup_steps(cert: &str, out: &mut Out) -> CliResult {
    out.line("")?;
    out.line(out.heading(
        "Next steps in Salesforce, the first way: the External Client App as code (deployable, repeatable)",
    ))?;
    for step in as_code_steps(cert) {
        out.line(step)?;
    }
    out.line("")?;
    out.line(out.heading(
        "The second way, by hand in Setup: External Client App (orgs and sandboxes since Spring '26)",
    ))?;
    for step in eca_steps(cert) {
        out.line(step)?;
    }
    out.line("")?;
    out.line(out.heading("Or, in an org that still has connected apps"))?;
    for step in next_steps(cert) {
        out.line(step)?;
    }
    Ok(())
}

/// `sfjwt eca new`: the app, its policies and a permission set as a folder `sf` deploys.
fn as_code_steps(cert: &str) -> Vec<String> {
    vec![
        format!("  sfjwt eca new my_integration --cert {cert} --out my_integration-eca"),
        "  then deploy it and assign its permission set as it prints (sf project deploy start …);"
            .to_owned(),
        "  try it locally first with `sfjwt emulate --eca my_integration-eca`.".to_owned(),
    ]
}

/// The External Client App steps, worded after Salesforce's Setup menus.
pub(crate) fn eca_steps(cert: &str) -> Vec<String> {
    vec![
        "  1. Setup > External Client App Manager > New External Client App; Distribution State: Local.".to_owned(),
        "  2. OAuth Settings: Enable OAuth; the callback URL is unused by this flow (http://localhost/ will do);".to_owned(),
        "     scopes: api and refresh_token, offline_access.".to_owned(),
        format!("  3. Flow Enablement: Enable JWT Bearer Flow, then Upload Files: {cert}. Save."),
        "  4. Edit Policies > OAuth Policies > Permitted Users: \"Admin approved users are pre-authorized\";".to_owned(),
        "     add the profile or permission set of the user you will log in as (--username).".to_owned(),
        "     (Skipping this is the `user hasn't approved this consumer` error.)".to_owned(),
        "  5. Settings tab > OAuth Settings > Consumer Key and Secret: the Consumer Key is --client-id.".to_owned(),
        "  6. Log in at your My Domain, as login URL and audience (Setup > My Domain shows it):".to_owned(),
        "     --login-url https://NAME.my.salesforce.com --audience my-domain".to_owned(),
        "     (sandbox: https://NAME--SANDBOX.sandbox.my.salesforce.com). login.salesforce.com or".to_owned(),
        "     test.salesforce.com as audience get `app_not_found`.".to_owned(),
    ]
}

/// The connected-app steps, worded after Salesforce's Setup menus.
pub(crate) fn next_steps(cert: &str) -> Vec<String> {
    vec![
        "  1. Setup > App Manager > New Connected App.".to_owned(),
        "     Enable OAuth Settings; the callback URL is unused by this flow (http://localhost/ will do);".to_owned(),
        "     scopes: api and refresh_token, offline_access.".to_owned(),
        format!("  2. Tick \"Use digital signatures\" and upload {cert}."),
        "  3. Save, then Manage Consumer Details: the Consumer Key is --client-id.".to_owned(),
        "  4. Manage > Edit Policies > Permitted Users: \"Admin approved users are pre-authorized\".".to_owned(),
        "     (Skipping this is the `user hasn't approved this consumer` error.)".to_owned(),
        "  5. Manage Profiles / Manage Permission Sets: add the profile or permission set of the".to_owned(),
        "     user you will log in as (--username).".to_owned(),
    ]
}

/// `--bits`: the sizes Salesforce accepts and that sign in reasonable time.
fn parse_bits(value: &str) -> Result<usize, String> {
    // Compared as text, so that `+2048` or `02048` are refused as before.
    sfjwt_keys::KEY_BITS
        .into_iter()
        .find(|bits| bits.to_string() == value)
        .ok_or_else(|| "use 2048, 3072 or 4096".to_owned())
}
