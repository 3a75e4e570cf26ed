//! `sfjwt assertion`: what jwt.io was used for in the tutorial, without pasting a private key
//! into a web page. Prints the canonical compact JWS (`sfjwt_core::jws`) and a newline, nothing
//! else, so `$(sfjwt assertion)` works in scripts.

use std::time::{Duration, SystemTime};

use sfjwt_core::claims::{Claims, ClaimsBuilder};
use sfjwt_core::jws;

use crate::cli::AssertionArgs;
use crate::error::{CliError, CliResult};
use crate::identity::Identity;
use crate::output::Out;

pub(crate) fn run(args: &AssertionArgs, out: &mut Out) -> CliResult {
    let claims = claims(&args.identity, args.exp, args.lifetime, SystemTime::now())?;
    let key = args.identity.load_signing_key()?;
    key.warn_if_exposed();
    let source = key.describe();
    let signer = key.into_signer();
    let assertion = jws::sign(&claims, &*signer).map_err(|e| {
        let cause = std::error::Error::source(&e)
            .map(|c| format!(": {c}"))
            .unwrap_or_default();
        CliError::local(format!(
            "cannot sign with the key from {source}: {e}{cause}"
        ))
        .hint("check the key with `sfjwt check`")
    })?;
    out.line(assertion.expose_secret())
}

/// Builds and validates the claims from the identity flags.
pub(crate) fn claims(
    identity: &Identity,
    exp: Option<u64>,
    lifetime: Option<u64>,
    now: SystemTime,
) -> CliResult<Claims> {
    let endpoint = identity.endpoint()?;
    let audience = identity.audience(&endpoint)?;
    let mut builder: ClaimsBuilder = Claims::builder().audience(audience);
    if let Some(id) = &identity.client_id {
        builder = builder.client_id(id.as_str());
    }
    if let Some(user) = &identity.username {
        builder = builder.username(user.as_str());
    }
    if let Some(exp) = exp {
        builder = builder.expires_at(exp);
    }
    if let Some(secs) = lifetime {
        builder = builder.lifetime(Duration::from_secs(secs));
    }
    builder.build(now).map_err(|e| CliError::claims(&e))
}
