//! `sfjwt keygen`: the key and certificate for the app, then the Salesforce setup steps the
//! tutorial's readers kept missing (pre-authorizing users above all): the External Client App
//! first, since orgs created from Spring '26 on have no "New Connected App", the connected app
//! second. Each step and its public source: `sfjwt_core::manual::setup`.

use std::time::{Duration, SystemTime};

use sfjwt_core::key::{CertificateSpec, self_signed_certificate};

use crate::cli::KeygenArgs;
use crate::commands::keystore as keystore_command;
use crate::error::{CliError, CliResult};
use crate::keygen::{self, Spec};
use crate::output::Out;
use crate::passphrase;
use crate::vault;

pub(crate) fn run(args: &KeygenArgs, out: &mut Out) -> CliResult {
    if let Some(uri) = &args.key_uri {
        return vault_certificate(&uri.0, args, out);
    }
    let passphrase = match &args.passphrase_env {
        Some(var) => Some(passphrase::from_env(var)?),
        None => None,
    };
    let keystore = keystore_command::target_for_keygen(args)?;
    let generated = keygen::generate(&Spec {
        bits: args.bits,
        days: args.days,
        common_name: &args.subject,
        passphrase: passphrase.as_ref().map(|p| p.as_str()),
    })?;
    let built = match &keystore {
        Some(target) => Some(keystore_command::build_for_keygen(
            target,
            &generated,
            passphrase.as_ref().map(|p| p.as_str()),
        )?),
        None => None,
    };
    // Removed again if the command fails before filling it.
    let _out_dir = keygen::create_out_dir(&args.out_dir)?;
    let (key_path, cert_path) = keygen::write(&args.out_dir, &generated, args.force)?;
    if let (Some(target), Some(built)) = (&keystore, &built) {
        keystore_command::write_or_undo(target, built, &[&key_path, &cert_path])?;
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
            let cause = std::error::Error::source(&e)
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            CliError::local(format!("cannot make the certificate: {e}{cause}"))
                .hint("check the key with `sfjwt check --key URI`")
        })?;
    let _out_dir = keygen::create_out_dir(&args.out_dir)?;
    let cert_path = keygen::write_certificate(&args.out_dir, &pem, args.force)?;
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
