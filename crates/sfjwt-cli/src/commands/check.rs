//! `sfjwt check`: the offline diagnosis of everything the tutorial's comment section tripped
//! over — a key Salesforce cannot use, a certificate that is not the key's pair or has
//! expired, `Iss` instead of `iss` style claim mistakes, a Lightning or instance URL given as
//! login URL or audience, a sandbox/production mix-up, plain http. One line per finding: ok,
//! warn or error; the audience line says which audience will be used and why
//! (`sfjwt_core::manual::audience`).

use std::io::Read as _;
use std::path::PathBuf;
use std::time::SystemTime;

use sfjwt_core::claims::{Audience, Claims};
use sfjwt_core::endpoint::{EndpointKind, TokenEndpoint};
use sfjwt_core::jws::{Signer as _, verify_rs256_signature};
use sfjwt_core::key::{Certificate, PublicKey};
// Certificates expiring sooner than this get a warning: renewing needs an admin.
use sfjwt_keys::keystore::EXPIRY_WARNING;
use sfjwt_keys::utc_date;

use crate::error::{CliError, CliResult, with_cause};
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Warn,
    Error,
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
            Level::Error => {
                self.errors += 1;
                self.out.bad("error")
            }
        };
        self.out
            .line(format!("{label} {topic:<11} {}", text.as_ref()))
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
        use super::eca::Severity;
        for (severity, topic, text) in super::eca::check_findings(dir, key.as_ref(), now) {
            let level = match severity {
                Severity::Ok => Level::Ok,
                Severity::Warn => Level::Warn,
                Severity::Error => Level::Error,
            };
            report.add(level, topic, text)?;
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
            let what = match endpoint.kind() {
                EndpointKind::Loopback => "plain http on loopback (a local emulator)",
                EndpointKind::ProductionLogin => "https, production login server",
                EndpointKind::SandboxLogin => "https, sandbox login server",
                EndpointKind::MyDomain => "https, My Domain",
                EndpointKind::SandboxMyDomain => "https, sandbox My Domain",
                EndpointKind::ExperienceSite => "https, Experience Cloud site",
                _ => "https",
            };
            report.add(
                Level::Ok,
                "endpoint",
                format!("{} ({what})", endpoint.token_url()),
            )?;
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
    let probe = b"sfjwt check: test signature";
    let signed = key.into_signer().sign_rs256(probe);
    match signed.map(|sig| verify_rs256_signature(&public_key, probe, &sig)) {
        Ok(Ok(())) => report.add(
            Level::Ok,
            "key",
            format!(
                "RSA {} bits, in {description}; a test signature verifies",
                public_key.bits()
            ),
        )?,
        Ok(Err(_)) => report.add(
            Level::Error,
            "key",
            format!("{description}: its signature does not verify with its own public key"),
        )?,
        Err(e) => {
            report.add(
                Level::Error,
                "key",
                format!("{description} cannot sign: {}", with_cause(&e)),
            )?;
        }
    }
    Ok(Some(public_key))
}

/// The container format, from the PEM label (for the report only; the core detects it itself).
fn describe_format(source: &KeySource) -> &'static str {
    let head = match source {
        // The first 4 KiB hold the PEM label; never more (the file may be `/dev/zero`).
        KeySource::File(path) => {
            let mut head = zeroize::Zeroizing::new(Vec::with_capacity(4096));
            let _ = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
            String::from_utf8_lossy(&head).into_owned()
        }
        KeySource::Env => std::env::var(KEY_ENV).unwrap_or_default(),
    };
    if head.contains("BEGIN ENCRYPTED PRIVATE KEY") {
        "PKCS#8 PEM, encrypted"
    } else if head.contains("BEGIN PRIVATE KEY") {
        "PKCS#8 PEM"
    } else if head.contains("BEGIN RSA PRIVATE KEY") && head.contains("ENCRYPTED") {
        "PKCS#1 PEM, legacy OpenSSL encryption"
    } else if head.contains("BEGIN RSA PRIVATE KEY") {
        "PKCS#1 PEM"
    } else {
        "DER or re-encoded text"
    }
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
    match key {
        Some(key) if cert.public_key() == key => report.add(
            Level::Ok,
            "pair",
            format!("{} ({}) is the certificate of the key", path.display(), cert.subject()),
        )?,
        Some(_) => report.add(
            Level::Error,
            "pair",
            format!(
                "{} ({}) is NOT the certificate of this key: Salesforce answers `invalid_grant: invalid assertion`; upload the certificate made from this key (or use the key it was made from)",
                path.display(),
                cert.subject()
            ),
        )?,
        None => report.add(Level::Warn, "pair", "not checked: the key did not load")?,
    }
    let until = utc_date(cert.not_after());
    if now < cert.not_before() {
        report.add(
            Level::Error,
            "validity",
            format!(
                "not valid before {}: check the clock, or make a new certificate",
                utc_date(cert.not_before())
            ),
        )
    } else if now > cert.not_after() {
        report.add(
            Level::Error,
            "validity",
            format!(
                "expired on {until}: make a new pair (`sfjwt keygen`) and upload the certificate"
            ),
        )
    } else {
        let left = cert.not_after().duration_since(now).unwrap_or_default();
        let days = left.as_secs() / 86_400;
        if left < EXPIRY_WARNING {
            report.add(
                Level::Warn,
                "validity",
                format!(
                    "expires in {days} day(s), on {until}: plan a new certificate (`sfjwt keygen`)"
                ),
            )
        } else {
            report.add(
                Level::Ok,
                "validity",
                format!("valid until {until} ({days} days)"),
            )
        }
    }
}

fn check_claims(
    identity: &Identity,
    endpoint: Option<&TokenEndpoint>,
    now: SystemTime,
    report: &mut Report<'_>,
) -> CliResult {
    match &identity.client_id {
        None => report.add(Level::Warn, "client id", "none given (--client-id / SFJWT_CLIENT_ID): not checked")?,
        Some(id) => match Claims::builder().client_id(id.as_str()).username("probe@example.com").build(now) {
            Err(e) => report.add(Level::Error, "client id", e.to_string())?,
            Ok(_) if !id.starts_with("3MVG") => report.add(
                Level::Warn,
                "client id",
                format!("{id:?} does not look like a Consumer Key (they start with 3MVG): copy it from the app's \"Manage Consumer Details\""),
            )?,
            Ok(_) => report.add(Level::Ok, "client id", format!("{id} ({} characters)", id.chars().count()))?,
        },
    }
    match &identity.username {
        None => report.add(Level::Warn, "username", "none given (--username / SFJWT_USERNAME): not checked")?,
        Some(user) => match Claims::builder().client_id("3MVG9probe").username(user.as_str()).build(now) {
            Err(e) => report.add(Level::Error, "username", e.to_string())?,
            Ok(_) if !user.contains('@') => report.add(
                Level::Warn,
                "username",
                format!("{user:?} has no @: Salesforce usernames look like e-mail addresses (the username, not the e-mail or the user id)"),
            )?,
            Ok(_) => report.add(Level::Ok, "username", user.as_str())?,
        },
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
    let (level, reason) = audience_decision(identity, endpoint, &audience);
    report.add(level, "audience", format!("{audience} ({reason})"))
}

/// Which audience will be used and why: ok for the usual cases, warn for a My Domain (right
/// for External Client Apps since Spring '26, refused by connected apps), error for a
/// production/sandbox mix-up.
fn audience_decision(
    identity: &Identity,
    endpoint: &TokenEndpoint,
    audience: &Audience,
) -> (Level, String) {
    let sandbox_endpoint = matches!(
        endpoint.kind(),
        EndpointKind::SandboxLogin | EndpointKind::SandboxMyDomain
    );
    let production_endpoint = matches!(
        endpoint.kind(),
        EndpointKind::ProductionLogin | EndpointKind::MyDomain
    );
    let given = identity.audience.is_some();
    if audience.is_my_domain() {
        let mut reason = "My Domain audience: right for External Client App orgs after Spring '26 (they answer app_not_found to login/test); otherwise use login/test".to_owned();
        if endpoint.kind() != EndpointKind::Loopback && endpoint.base_url() != audience.as_str() {
            reason.push_str(&format!(
                "; an ECA wants the same My Domain as login URL, and the login URL is {}",
                endpoint.base_url()
            ));
        }
        return (Level::Warn, reason);
    }
    if sandbox_endpoint && audience.as_str() == Audience::PRODUCTION_URL {
        return (
            Level::Error,
            "production login server with a sandbox endpoint: sandboxes need https://test.salesforce.com (leave --audience out)".to_owned(),
        );
    }
    if production_endpoint && audience.is_sandbox() {
        return (
            Level::Error,
            "sandbox login server with a production endpoint: production needs https://login.salesforce.com (leave --audience out, or use --sandbox)".to_owned(),
        );
    }
    let why = match (given, endpoint.kind()) {
        (true, _) if audience.is_login_server() => "given with --audience",
        (true, _) => "given with --audience: a site or custom authorization server",
        (false, EndpointKind::SandboxLogin | EndpointKind::SandboxMyDomain) => {
            "default for a sandbox login URL; use --audience my-domain if an External Client App answers app_not_found"
        }
        (false, EndpointKind::ExperienceSite) => {
            "default for an Experience Cloud site: the site URL"
        }
        (false, EndpointKind::Loopback) => "default for a loopback emulator",
        (false, _) => {
            "default for a production login URL; use --audience my-domain with your My Domain if an External Client App answers app_not_found"
        }
    };
    (Level::Ok, why.to_owned())
}
