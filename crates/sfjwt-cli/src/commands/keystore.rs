//! `sfjwt keystore`: the tutorial's four-tool recipe for Apex org-to-org (copy the key,
//! `openssl pkcs12 -export`, `keytool -importkeystore`, `keytool -changealias`) in one step,
//! then the import steps and the Apex that uses the certificate.

use std::path::Path;
use std::time::SystemTime;

use sfjwt_core::key::{KeyError, Passphrase, PrivateKey};

use crate::cli::{KeygenArgs, KeystoreArgs};
use crate::commands::check::format_date;
use crate::error::{CliError, CliResult};
use crate::keygen::Generated;
use crate::keystore::{self, Built, Target};
use crate::output::Out;
use crate::passphrase;

pub(crate) fn run(args: &KeystoreArgs, out: &mut Out) -> CliResult {
    // Alias, password and destination first: a mistake there costs no passphrase prompt.
    let target = Target::new(&args.out, &args.alias, &args.password_env, false)?;
    let Some(key_file) = &args.key_file else {
        // `--key URI` (clap requires one of the two); the URI may carry a PIN: not echoed.
        return Err(vault_key_error("the --key URI"));
    };
    let key = load_key(key_file, args.passphrase_env.as_deref())?;
    let chain = keystore::read_chain(&args.cert)?;
    let built = target.build(&key, &chain, SystemTime::now())?;
    target.write(&built)?;
    report(out, &target, &built)
}

/// Loads the key file, with the passphrase from `passphrase_env` or a prompt when encrypted.
fn load_key(path: &Path, passphrase_env: Option<&str>) -> CliResult<PrivateKey> {
    let what = path.display().to_string();
    if looks_like_vault_uri(&what) && !path.exists() {
        return Err(vault_key_error(&what));
    }
    let given = match passphrase_env {
        Some(var) => Some(Passphrase::from(passphrase::from_env(var)?.as_str())),
        None => None,
    };
    match PrivateKey::from_file(path, given.as_ref()) {
        Ok(key) => Ok(key),
        Err(KeyError::PassphraseRequired) if given.is_none() => {
            if !passphrase::can_prompt() {
                return Err(passphrase::required_error(&what));
            }
            let typed = Passphrase::from(passphrase::prompt(&what)?.as_str());
            PrivateKey::from_file(path, Some(&typed)).map_err(|e| CliError::key(&e, &what))
        }
        Err(e) => Err(CliError::key(&e, &what)),
    }
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
pub(crate) fn report(out: &mut Out, target: &Target, built: &Built) -> CliResult {
    let alias = target.alias();
    let chain = match built.chain_len {
        1 => "its certificate".to_owned(),
        n => format!("a chain of {n} certificates"),
    };
    out.line(format!(
        "{} {} (Java KeyStore: one private-key entry \"{alias}\", {}-bit RSA with {chain}, mode 0600: keep it secret)",
        out.ok("wrote"),
        target.path().display(),
        built.bits,
    ))?;
    out.line(format!(
        "      certificate {}, valid until {}, SHA-256 {}",
        built.subject,
        format_date(built.not_after),
        built.fingerprint
    ))?;
    for warning in &built.warnings {
        out.line(format!("{} {warning}", out.warn("warning:")))?;
    }
    out.line("")?;
    out.line(out.heading("Import it into the org whose Apex signs"))?;
    for step in import_steps(
        &target.path().display().to_string(),
        alias,
        target.password_env(),
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

/// `keygen --keystore`: the target, checked before the key pair is generated.
pub(crate) fn target_for_keygen(args: &KeygenArgs) -> CliResult<Option<Target>> {
    match (&args.keystore, &args.alias, &args.password_env) {
        (Some(path), Some(alias), Some(var)) => Target::new(path, alias, var, args.force).map(Some),
        // clap requires all three together.
        _ => Ok(None),
    }
}

/// `keygen --keystore`: the keystore of the freshly generated pair.
pub(crate) fn build_for_keygen(
    target: &Target,
    generated: &Generated,
    passphrase: Option<&str>,
) -> CliResult<Built> {
    let fail = |e: &KeyError| {
        CliError::local(format!("cannot read back the generated key: {e}"))
            .hint("this should not happen; please report it")
    };
    let key = match passphrase {
        Some(p) => PrivateKey::from_pem_with_passphrase(&generated.key_pem, &Passphrase::from(p)),
        None => PrivateKey::from_pem(&generated.key_pem),
    }
    .map_err(|e| fail(&e))?;
    let chain = keystore::chain_from_pem(&generated.cert_pem)?;
    target.build(&key, &chain, SystemTime::now())
}

/// Writes the keystore; if that fails, removes the pair just written so the command leaves
/// either all three files or none.
pub(crate) fn write_or_undo(target: &Target, built: &Built, written: &[&Path]) -> CliResult {
    target.write(built).inspect_err(|_| {
        for path in written {
            // Best effort: the keystore error is the one to report.
            let _ = std::fs::remove_file(path);
        }
    })
}
