//! `sfjwt eca new`: the Salesforce side of the JWT bearer flow as code. It writes the External
//! Client App, its OAuth policies and a permission set as a Salesforce DX source folder that
//! `sf project deploy start` deploys, instead of a dozen Setup screens per org and per sandbox
//! refresh (the crate `sfjwt-eca` does the work; the fields and their sources:
//! `sfjwt_core::manual::eca_metadata`). Also the `--eca` parts of `sfjwt emulate` (an org
//! where the folder is deployed) and `sfjwt check` (the folder against the key).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sfjwt_eca::{ApiVersion, EcaError, EcaFolder, EcaSpec, IpRelaxation, Scope};
use sfjwt_emulator::{Emulator, EmulatorBuilder};

use crate::error::{CliError, CliResult};
use crate::key_files;
use crate::output::Out;

/// `sfjwt eca --help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt keygen --out-dir jwt
  sfjwt eca new acme_etl --cert jwt/server.crt --out acme-eca \\
      --contact-email admin@acme.com --scopes Api,RefreshToken
  sfjwt emulate --eca acme-eca --client-id 3MVG9_local --user etl@acme.com   # try it locally
  sf project deploy start --source-dir acme-eca/force-app -o ORG
  sf org assign permset -n acme_etl -o ORG --on-behalf-of etl@acme.com

Nothing secret is written: Salesforce generates the consumer key and secret on deploy.
Exit codes: 0 written, 2 refused (expired or non-RSA certificate, a NAME that is not an
API name, an --out directory that is not empty); nothing is written then.";

/// `sfjwt eca`.
#[derive(Debug, clap::Args)]
pub(crate) struct EcaArgs {
    #[command(subcommand)]
    pub(crate) command: EcaCommand,
}

/// What `sfjwt eca` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum EcaCommand {
    /// Write an External Client App for the JWT bearer flow as a Salesforce DX source folder:
    /// sfdx-project.json, the app's five metadata files, a permission set, package.xml.
    #[command(after_help = EXAMPLE)]
    New(EcaNewArgs),
}

/// `sfjwt eca new`.
#[derive(Debug, clap::Args)]
pub(crate) struct EcaNewArgs {
    /// The app's API name: letters, digits and single underscores, starting with a letter,
    /// not ending with `_`, at most 30 characters (its components add up to 10 more, within
    /// Salesforce's 40).
    #[arg(value_name = "NAME")]
    pub(crate) name: String,

    /// The certificate of the signing key (server.crt from `sfjwt keygen`), PEM or DER: its
    /// presence turns the JWT bearer flow on. RSA, not expired.
    #[arg(long, value_name = "PATH")]
    pub(crate) cert: PathBuf,

    /// The folder to write (created; refused if it exists and is not empty).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,

    /// The address Salesforce writes to about the app.
    #[arg(long, value_name = "EMAIL")]
    pub(crate) contact_email: Option<String>,

    /// The permission set whose users are pre-authorized (default: a new one named after the
    /// app); assign it to the integration user after deploying.
    #[arg(long, value_name = "NAME")]
    pub(crate) permission_set: Option<String>,

    /// OAuth scopes, comma-separated, as the Metadata API names them (Api, RefreshToken,
    /// Full, Web, Basic, OpenID, Profile, Email, Address, Phone, OfflineAccess, Chatter,
    /// CustomPermissions).
    #[arg(long, value_name = "LIST", default_value = "Api,RefreshToken")]
    pub(crate) scopes: String,

    /// Whether the org's IP restrictions apply to logins through the app.
    #[arg(long, value_name = "POLICY", default_value = "Enforce", value_parser = ["Enforce", "Bypass"])]
    pub(crate) ip_relaxation: String,

    /// The project's Metadata API version (60.0 or later: the certificate field needs it).
    #[arg(long, value_name = "VERSION", default_value = "66.0")]
    pub(crate) api_version: String,
}

pub(crate) fn run(args: &EcaArgs, out: &mut Out) -> CliResult {
    match &args.command {
        EcaCommand::New(new) => run_new(new, out),
    }
}

fn run_new(args: &EcaNewArgs, out: &mut Out) -> CliResult {
    let spec = spec(args)?;
    let written = spec.write_new(&args.out).map_err(|e| refused(&e))?;
    if let Some(repo) = git_work_tree(&args.out) {
        // The guide says the global OAuth settings must not be added to source control.
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} is inside the git work tree {}: Salesforce says ExtlClntAppGlobalOauthSettings must not be added to source control (it holds no secret as written, but a retrieve adds the consumer key); keep it out of commits",
            args.out.display(),
            repo.display()
        );
    }
    for path in &written {
        out.line(format!("{} {}", out.ok("wrote"), path.display()))?;
    }
    let dir = args.out.display();
    let name = spec.name();
    let permission_set = spec.permission_set();
    out.line("")?;
    out.line(out.heading("Next steps"))?;
    for line in [
        format!("  1. Deploy:   sf project deploy start --source-dir {dir}/force-app -o ORG"),
        format!("  2. Assign:   sf org assign permset -n {permission_set} -o ORG --on-behalf-of <integration user>"),
        format!("  3. Consumer Key: Setup > External Client App Manager > {name} > Settings > OAuth Settings >"),
        "               Consumer Key and Secret (the key is --client-id; the secret is not needed)".to_owned(),
        "  4. Log in at your My Domain (Setup > My Domain shows it); a new app can take minutes to propagate:".to_owned(),
        "     sfjwt token --login-url https://NAME.my.salesforce.com --audience my-domain \\".to_owned(),
        "         --client-id <Consumer Key> --username <integration user> --key-file server.key".to_owned(),
        format!("  Try it locally first: sfjwt emulate --eca {dir} --client-id 3MVG9_local --user <integration user>"),
        format!("  Check the folder against the key: sfjwt check --eca {dir} --key-file server.key"),
    ] {
        out.line(line)?;
    }
    Ok(())
}

/// The validated app, before anything is written.
fn spec(args: &EcaNewArgs) -> CliResult<EcaSpec> {
    let hint = "pass the certificate `sfjwt keygen` wrote (server.crt)";
    let cert = key_files::read_certificate(&args.cert, "cannot read", hint, hint)?;
    let mut spec = EcaSpec::new(&args.name, &cert, SystemTime::now()).map_err(|e| refused(&e))?;
    if let Some(email) = &args.contact_email {
        spec = spec.contact_email(email).map_err(|e| refused(&e))?;
    }
    if let Some(name) = &args.permission_set {
        spec = spec.permission_set_name(name).map_err(|e| refused(&e))?;
    }
    let scopes = Scope::parse_list(&args.scopes).map_err(|e| refused(&e))?;
    spec = spec.scopes(scopes).map_err(|e| refused(&e))?;
    let relaxation = IpRelaxation::from_metadata_name(&args.ip_relaxation).unwrap_or_default();
    spec = spec.ip_relaxation(relaxation);
    let version = ApiVersion::parse(&args.api_version).map_err(|e| refused(&e))?;
    spec.api_version(version).map_err(|e| refused(&e))
}

/// A refusal of `eca new` (exit 2): the message and what to do.
fn refused(error: &EcaError) -> CliError {
    let hint = match error {
        EcaError::InvalidName { .. } => {
            "use letters, digits and single underscores, starting with a letter (acme_etl)"
        }
        EcaError::Certificate { .. }
        | EcaError::CertificateExpired { .. }
        | EcaError::CertificateNotYetValid { .. } => {
            "make a new RSA pair with `sfjwt keygen` and pass its server.crt"
        }
        EcaError::OutDirNotEmpty { .. } => "pass --out with a new or empty directory",
        EcaError::UnknownScope { .. } | EcaError::NoScopes => {
            "for the JWT bearer flow, --scopes Api,RefreshToken"
        }
        EcaError::ApiVersion { .. } => "use --api-version 66.0 (60.0 at least)",
        _ => "check the flags; `sfjwt eca new --help` shows an example",
    };
    CliError::local(crate::error::chain(error)).hint(hint)
}

/// The git work tree `dir` would be in: the nearest ancestor holding `.git`.
fn git_work_tree(dir: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(dir).ok()?;
    absolute
        .ancestors()
        .find(|p| p.join(".git").exists())
        .map(Path::to_owned)
}

/// `sfjwt emulate --eca DIR --client-id KEY --user NAME…`: an org where the folder is
/// deployed, at the emulator's own URL as My Domain.
pub(crate) fn emulator_builder(
    dir: &Path,
    client_id: &str,
    users: &[String],
) -> CliResult<EmulatorBuilder> {
    let folder = EcaFolder::load(dir).map_err(|e| {
        CliError::local(format!(
            "cannot use the External Client App folder: {}",
            crate::error::chain(&e)
        ))
        .hint("give the folder `sfjwt eca new` wrote (it holds sfdx-project.json)")
    })?;
    if users.is_empty() {
        return Err(CliError::local(
            "no --user given: nobody holds the permission set, so every login would be refused",
        )
        .hint(
            "add --user etl@acme.com (repeatable): the users who hold the app's permission set",
        ));
    }
    Emulator::builder()
        .eca_folder(&folder, client_id, users.iter().cloned())
        .map_err(|e| {
            CliError::local(format!("cannot play {}: {e}", dir.display())).hint(
                "write the folder again with `sfjwt eca new NAME --cert server.crt --out DIR`",
            )
        })
}
