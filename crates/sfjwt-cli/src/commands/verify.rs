//! `sfjwt verify`: strict RS256 verification of an assertion with the certificate (or public
//! key) the connected app holds — what the tutorial's readers asked jwt.io for ("how can I get
//! the public key?"). Exit 1 means the token is invalid; the reason goes to stderr.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sfjwt_core::jws::Verifier;
use sfjwt_core::key::{Certificate, PublicKey};
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult, Exit};
use crate::output::Out;

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt assertion > jwt.txt
  sfjwt verify --cert server.crt --client-id 3MVG9... - < jwt.txt
  sfjwt verify --public-key server.pub --now 1700000000 eyJhbGciOiJSUzI1NiJ9.eyJ...

Exit codes: 0 valid (claims printed as JSON), 1 invalid (why on stderr), 2 unusable input.";

/// `sfjwt verify`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["cert", "public_key"])))]
pub(crate) struct VerifyArgs {
    /// The X.509 certificate uploaded to the connected app.
    #[arg(long, value_name = "PATH")]
    pub(crate) cert: Option<PathBuf>,

    /// A public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`, PEM or DER).
    #[arg(long, value_name = "PATH")]
    pub(crate) public_key: Option<PathBuf>,

    /// Require `iss` to be this Consumer Key.
    #[arg(long, env = "SFJWT_CLIENT_ID", value_name = "ID")]
    pub(crate) client_id: Option<String>,

    /// Require `aud` to be this URL.
    #[arg(long, env = "SFJWT_AUDIENCE", value_name = "URL")]
    pub(crate) audience: Option<String>,

    /// Verify as of this time (seconds since the Unix epoch) instead of now.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub(crate) now: Option<u64>,

    /// Clock skew to tolerate, in seconds: past `exp`, before `nbf`, `iat` in the future.
    /// Default 0.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub(crate) leeway: u64,

    /// The token, or `-` (or nothing) to read it from standard input.
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// No assertion comes near this (the verifier refuses tokens over 16 KiB); reading more from
/// stdin would only waste memory.
const MAX_STDIN: usize = 64 * 1024;

pub(crate) fn run(args: &VerifyArgs, out: &mut Out) -> CliResult {
    let key = public_key(args)?;
    let token = token(args.token.as_deref())?;
    // Salesforce's profile: `nbf`/`iat` honoured, lifetime at most `MAX_LIFETIME`.
    let mut verifier = Verifier::salesforce(key).leeway(Duration::from_secs(args.leeway));
    if let Some(iss) = &args.client_id {
        verifier = verifier.expect_issuer(iss.as_str());
    }
    if let Some(aud) = &args.audience {
        verifier = verifier.expect_audience(aud.as_str());
    }
    let now = match args.now {
        Some(secs) => UNIX_EPOCH + Duration::from_secs(secs),
        None => SystemTime::now(),
    };
    let claims = verifier.verify(token.trim(), now).map_err(|e| {
        CliError::new(Exit::Invalid, format!("the token is invalid: {e}")).hint(
            "sign it with the private key of this certificate (`sfjwt check` tests the pair); the claims must match --client-id/--audience exp must be ahead of --now (and within the maximum lifetime of it), nbf and iat not after it",
        )
    })?;
    let json = serde_json::to_string_pretty(claims.all())
        .map_err(|e| CliError::local(format!("cannot print the claims: {e}")))?;
    out.line(json)
}

fn public_key(args: &VerifyArgs) -> CliResult<PublicKey> {
    if let Some(path) = &args.cert {
        return Certificate::from_file(path)
            .map(|cert| cert.public_key().clone())
            .map_err(|e| CliError::certificate(&e, &path.display().to_string()));
    }
    if let Some(path) = &args.public_key {
        return PublicKey::from_file(path)
            .map_err(|e| CliError::certificate(&e, &path.display().to_string()));
    }
    Err(CliError::local("no certificate or public key given")
        .hint("pass --cert PATH or --public-key PATH"))
}

/// The token argument, or standard input for `-` or no argument.
fn token(arg: Option<&str>) -> CliResult<Zeroizing<String>> {
    match arg {
        Some(token) if token != "-" => Ok(Zeroizing::new(token.to_owned())),
        _ => read_stdin(std::io::stdin().lock()),
    }
}

/// Reads at most [`MAX_STDIN`] bytes; more is an error, never a silently cut token. The
/// buffer is allocated once at its final size, so no copy of the token is left in freed memory.
fn read_stdin(input: impl Read) -> CliResult<Zeroizing<String>> {
    let how = "pass the token as an argument, or pipe it in: sfjwt assertion | sfjwt verify --cert server.crt -";
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_STDIN + 1));
    input
        .take(MAX_STDIN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            CliError::local(format!("cannot read the token from standard input: {e}")).hint(how)
        })?;
    if bytes.len() > MAX_STDIN {
        return Err(CliError::local(format!(
            "standard input holds more than {} KiB, the most sfjwt reads for a token (an assertion is about 1 KiB)",
            MAX_STDIN / 1024
        ))
        .hint(how));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::local("the token on standard input is not UTF-8 text").hint(how))?;
    Ok(Zeroizing::new(text.to_owned()))
}
