//! `sfjwt keygen`: the key and certificate for the connected app, then the Salesforce setup
//! steps the tutorial's readers kept missing (pre-authorizing users above all).

use crate::cli::KeygenArgs;
use crate::commands::keystore as keystore_command;
use crate::error::CliResult;
use crate::keygen::{self, Spec};
use crate::output::Out;
use crate::passphrase;

pub(crate) fn run(args: &KeygenArgs, out: &mut Out) -> CliResult {
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
    out.line("")?;
    out.line(out.heading("Next steps in Salesforce"))?;
    for step in next_steps(&cert_path.display().to_string()) {
        out.line(step)?;
    }
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
        "  sfjwt token --key-file {}{pass_flag} --client-id <Consumer Key> --username <user>   (add --sandbox for a sandbox)",
        key_path.display()
    ))?;
    if let (Some(target), Some(built)) = (&keystore, &built) {
        out.line("")?;
        keystore_command::report(out, target, built)?;
    }
    Ok(())
}

/// The setup steps, worded after Salesforce's Setup menus.
pub(crate) fn next_steps(cert: &str) -> Vec<String> {
    vec![
        "  1. Setup > App Manager > New Connected App (or New External Client App).".to_owned(),
        "     Enable OAuth Settings; the callback URL is unused by this flow (http://localhost/ will do);".to_owned(),
        "     scopes: api and refresh_token, offline_access.".to_owned(),
        format!("  2. Tick \"Use digital signatures\" and upload {cert}."),
        "  3. Save, then copy the Consumer Key: it is --client-id.".to_owned(),
        "  4. Manage > Edit Policies > Permitted Users: \"Admin approved users are pre-authorized\".".to_owned(),
        "     (Skipping this is the `user hasn't approved this consumer` error.)".to_owned(),
        "  5. Manage Profiles / Manage Permission Sets: add the profile or permission set of the".to_owned(),
        "     user you will log in as (--username).".to_owned(),
    ]
}
