//! `sfjwt keygen`: the key and certificate for the app, then the Salesforce setup steps the
//! tutorial's readers kept missing (pre-authorizing users above all): the External Client App
//! first, since orgs created from Spring '26 on have no "New Connected App", the connected app
//! second. Each step and its public source: `sfjwt_core::manual::setup`.

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
    let cert = cert_path.display().to_string();
    out.line("")?;
    out.line(out.heading(
        "Next steps in Salesforce: External Client App (orgs and sandboxes since Spring '26)",
    ))?;
    for step in eca_steps(&cert) {
        out.line(step)?;
    }
    out.line("")?;
    out.line(out.heading("Or, in an org that still has connected apps"))?;
    for step in next_steps(&cert) {
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
