//! `sfjwt check`: the offline diagnosis of everything the tutorial's comment section tripped
//! over — a key Salesforce cannot use, a certificate that is not the key's pair or has
//! expired, `Iss` instead of `iss` style claim mistakes, a Lightning or instance URL given as
//! login URL or audience, a sandbox/production mix-up, plain http. One line per finding: ok,
//! warn or error; the audience line says which audience will be used and why
//! (`sfjwt_core::manual::audience`).

use std::io::Read as _;
use std::path::PathBuf;
use std::time::SystemTime;

use sfjwt_core::diagnose::{self, Finding, Level};
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::key::{Certificate, PublicKey};
use sfjwt_eca::EcaFolder;

use crate::error::{CliError, CliResult};
use crate::identity::{Identity, KEY_ENV, KeySource, exposed_mode};
use crate::output::Out;

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt check --key-file server.key --cert server.crt \\
      --client-id 3MVG9... --username etl@acme.com --login-url https://acme.my.salesforce.com
  sfjwt check --eca acme-eca --key-file server.key   # the `sfjwt eca new` folder vs the key

Exit codes: 0 no error (warnings allowed), 2 at least one error.";

/// `sfjwt check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// The certificate uploaded to the connected app, to check it pairs with the key.
    #[arg(long, value_name = "PATH")]
    pub(crate) cert: Option<PathBuf>,

    /// An External Client App folder (`sfjwt eca new`): does its certificate pair with the
    /// key, is there one at all, does the policy pre-authorize a permission set or profile,
    /// is the API version new enough for each field.
    #[arg(long, value_name = "DIR")]
    pub(crate) eca: Option<PathBuf>,
}

struct Report<'a> {
    out: &'a mut Out,
    errors: usize,
    warnings: usize,
}

impl Report<'_> {
    fn add(&mut self, level: Level, topic: &str, text: impl AsRef<str>) -> CliResult {
        let label = match level {
            Level::Ok => self.out.ok("ok   "),
            Level::Warn => {
                self.warnings += 1;
                self.out.warn("warn ")
            }
            _ => {
                self.errors += 1;
                self.out.bad("error")
            }
        };
        self.out
            .line(format!("{label} {topic:<11} {}", text.as_ref()))
    }

    fn all(&mut self, findings: impl IntoIterator<Item = Finding>) -> CliResult {
        findings
            .into_iter()
            .try_for_each(|f| self.add(f.level, f.topic, f.message))
    }
}

pub(crate) fn run(args: &CheckArgs, out: &mut Out) -> CliResult {
    let mut report = Report {
        out,
        errors: 0,
        warnings: 0,
    };
    let now = SystemTime::now();
    let endpoint = check_endpoint(&args.identity, &mut report)?;
    let key = check_key(&args.identity, &mut report)?;
    if args.cert.is_some() || args.eca.is_none() {
        check_certificate(args, key.as_ref(), now, &mut report)?;
    }
    if let Some(dir) = &args.eca {
        match EcaFolder::load(dir) {
            Ok(folder) => report.all(folder.check(key.as_ref(), now))?,
            Err(e) => report.add(Level::Error, "eca", crate::error::chain(&e))?,
        }
    }
    check_claims(&args.identity, endpoint.as_ref(), now, &mut report)?;
    let (errors, warnings) = (report.errors, report.warnings);
    if errors > 0 {
        return Err(CliError::local(format!(
            "check found {errors} error(s) and {warnings} warning(s)"
        ))
        .hint("fix the lines marked `error` above; each says what Salesforce would answer"));
    }
    report.out.line(format!(
        "no errors, {warnings} warning(s): `sfjwt token` with the same flags should work once the app is set up"
    ))
}

fn check_endpoint(
    identity: &Identity,
    report: &mut Report<'_>,
) -> CliResult<Option<TokenEndpoint>> {
    match identity.endpoint() {
        Ok(endpoint) => {
            report.all([diagnose::endpoint(&endpoint)])?;
            Ok(Some(endpoint))
        }
        Err(e) => {
            report.add(Level::Error, "endpoint", e.message())?;
            Ok(None)
        }
    }
}

fn check_key(identity: &Identity, report: &mut Report<'_>) -> CliResult<Option<PublicKey>> {
    if identity.key_uri.is_some() {
        return check_vault_key(identity, report);
    }
    let source = match identity.key_source() {
        Ok(source) => source,
        Err(e) => {
            report.add(
                Level::Error,
                "key",
                format!("{} (pass --key-file or set {KEY_ENV})", e.message()),
            )?;
            return Ok(None);
        }
    };
    let format = describe_format(&source);
    match identity.load_key() {
        Ok((key, _)) => {
            report.add(
                Level::Ok,
                "key",
                format!(
                    "RSA {} bits, {format}, from {}",
                    key.bits(),
                    source.describe()
                ),
            )?;
            check_permissions(&source, report)?;
            Ok(Some(key.public_key()))
        }
        Err(e) => {
            report.add(Level::Error, "key", e.message())?;
            Ok(None)
        }
    }
}

/// `--key URI`: opening the key proves the token/KMS, the login and the key; a test signature
/// verified with its public half proves it signs RS256.
fn check_vault_key(identity: &Identity, report: &mut Report<'_>) -> CliResult<Option<PublicKey>> {
    let key = match identity.load_signing_key() {
        Ok(key) => key,
        Err(e) => {
            report.add(Level::Error, "key", e.message())?;
            return Ok(None);
        }
    };
    let public_key = key.public_key();
    let description = key.describe();
    report.all([diagnose::signer(
        &description,
        &*key.into_signer(),
        &public_key,
    )])?;
    Ok(Some(public_key))
}

/// The container format, from the PEM label (for the report only; the loaders detect it).
fn describe_format(source: &KeySource) -> &'static str {
    // Key text: wiped when dropped.
    let head = zeroize::Zeroizing::new(match source {
        // The first 4 KiB hold the PEM label; never more (the file may be `/dev/zero`).
        KeySource::File(path) => {
            let mut head = zeroize::Zeroizing::new(Vec::with_capacity(4096));
            let _ = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
            String::from_utf8_lossy(&head).into_owned()
        }
        KeySource::Env => std::env::var(KEY_ENV).unwrap_or_default(),
    });
    diagnose::key_container(&head)
}

fn check_permissions(source: &KeySource, report: &mut Report<'_>) -> CliResult {
    if let (Some(mode), KeySource::File(path)) = (exposed_mode(source), source) {
        report.add(
            Level::Warn,
            "key",
            format!(
                "{} has mode {mode:o}: others can read it; chmod 600 {}",
                path.display(),
                path.display()
            ),
        )?;
    }
    Ok(())
}

fn check_certificate(
    args: &CheckArgs,
    key: Option<&PublicKey>,
    now: SystemTime,
    report: &mut Report<'_>,
) -> CliResult {
    let Some(path) = &args.cert else {
        return report.add(
            Level::Warn,
            "certificate",
            "no --cert given: the key/certificate pair and the expiry were not checked",
        );
    };
    let cert = match Certificate::from_file(path) {
        Ok(cert) => cert,
        Err(e) => {
            return report.add(
                Level::Error,
                "certificate",
                format!("{}: {e}", path.display()),
            );
        }
    };
    let name = path.display().to_string();
    report.all(diagnose::certificate(&name, &cert, key, now))
}

fn check_claims(
    identity: &Identity,
    endpoint: Option<&TokenEndpoint>,
    now: SystemTime,
    report: &mut Report<'_>,
) -> CliResult {
    match &identity.client_id {
        None => report.add(
            Level::Warn,
            "client id",
            "none given (--client-id / SFJWT_CLIENT_ID): not checked",
        )?,
        Some(id) => report.all([diagnose::client_id(id, now)])?,
    }
    match &identity.username {
        None => report.add(
            Level::Warn,
            "username",
            "none given (--username / SFJWT_USERNAME): not checked",
        )?,
        Some(user) => report.all([diagnose::username(user, now)])?,
    }
    let Some(endpoint) = endpoint else {
        return report.add(
            Level::Warn,
            "audience",
            "not checked: the endpoint is unusable",
        );
    };
    let audience = match identity.audience(endpoint) {
        Ok(aud) => aud,
        Err(e) => return report.add(Level::Error, "audience", e.message()),
    };
    let given = identity.audience.is_some();
    report.all([diagnose::audience(endpoint, &audience, given)])
}
