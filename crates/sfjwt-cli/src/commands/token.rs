//! `sfjwt token`: what Postman did in the tutorial — POST the assertion, get a token — with
//! the right parameter names (`grant_type`, not `grand_type`), form encoding, retries for
//! transient failures only, and Salesforce's error explained.

use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::manager::{RetryPolicy, TokenManager};
use sfjwt_core::response::TokenResponse;

use crate::cli::TokenArgs;
use crate::error::{CliError, CliResult};
use crate::output::{Out, redact_token};

pub(crate) fn run(args: &TokenArgs, out: &mut Out) -> CliResult {
    let identity = &args.identity;
    let endpoint = identity.endpoint()?;
    let audience = identity.audience(&endpoint)?;
    // Validate the claims before touching the key (a missing username needs no passphrase).
    crate::commands::assertion::claims(identity, None, None, std::time::SystemTime::now())?;
    let signer = identity.load_signing_key()?.into_signer();
    let client_id = identity.client_id.clone().unwrap_or_default();
    let username = identity.username.clone().unwrap_or_default();
    let client = JwtBearer::with_shared_signer(endpoint, client_id, username, signer)
        .with_audience(audience);
    let manager = TokenManager::new(
        client,
        crate::transport::with_timeout(Duration::from_secs(args.timeout)),
    )
    .with_retry(retry_policy(args.retries));
    let token = manager.token().map_err(|e| CliError::manager(&e))?;
    if args.json {
        out.line(token.to_json().as_str())
    } else {
        summary(&token, out)
    }
}

/// `--retries N`: N retries after the first attempt, backoff from 500 ms capped at 10 s.
pub(crate) fn retry_policy(retries: u32) -> RetryPolicy {
    RetryPolicy::new(
        retries.saturating_add(1),
        Duration::from_millis(500),
        Duration::from_secs(10),
    )
}

/// The readable summary: everything but the secret.
pub(crate) fn summary(token: &Arc<TokenResponse>, out: &mut Out) -> CliResult {
    let rows = [
        ("instance_url", token.instance_url().to_owned()),
        ("org_id", token.org_id().unwrap_or("(unknown)").to_owned()),
        ("user_id", token.user_id().unwrap_or("(unknown)").to_owned()),
        ("scope", token.scopes().join(" ")),
        ("token_type", token.token_type().to_owned()),
        (
            "access_token",
            redact_token(token.access_token().expose_secret()),
        ),
    ];
    for (name, value) in rows {
        out.line(format!("{name:<13} {value}"))?;
    }
    out.line(out.dim("(--json prints the full response, token included)"))
}
