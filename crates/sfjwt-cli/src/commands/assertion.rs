//! `sfjwt assertion`: what jwt.io was used for in the tutorial, without pasting a private key
//! into a web page. Prints the canonical compact JWS (`sfjwt_core::jws`) and a newline, nothing
//! else, so `$(sfjwt assertion)` works in scripts.

use std::time::SystemTime;

use sfjwt_core::jws;

use crate::error::{CliError, CliResult, with_cause};
use crate::identity::Identity;
use crate::output::Out;

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt assertion --key-file server.key --client-id 3MVG9... --username etl@acme.com
  # then, by hand:
  curl -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \\
       -d assertion=\"$(sfjwt assertion)\" https://login.salesforce.com/services/oauth2/token";

/// `sfjwt assertion`.
#[derive(Debug, clap::Args)]
pub(crate) struct AssertionArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// The `exp` claim, in seconds since the Unix epoch (UTC), at most 300 s ahead.
    #[arg(long, value_name = "UNIX_SECONDS", conflicts_with = "lifetime")]
    pub(crate) exp: Option<u64>,

    /// Seconds from now until the assertion expires: default 180 (what Salesforce documents),
    /// at most 300.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) lifetime: Option<u64>,
}

pub(crate) fn run(args: &AssertionArgs, out: &mut Out) -> CliResult {
    let claims = args
        .identity
        .claims(args.exp, args.lifetime, SystemTime::now())?;
    let key = args.identity.load_signing_key()?;
    key.warn_if_exposed();
    let source = key.describe();
    let signer = key.into_signer();
    let assertion = jws::sign(&claims, &*signer).map_err(|e| {
        CliError::local(format!(
            "cannot sign with the key from {source}: {}",
            with_cause(&e)
        ))
        .hint("check the key with `sfjwt check`")
    })?;
    out.line(assertion.expose_secret())
}
