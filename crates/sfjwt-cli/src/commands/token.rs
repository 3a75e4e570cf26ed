//! `sfjwt token`: what Postman did in the tutorial — POST the assertion, get a token — with
//! the right parameter names (`grant_type`, not `grand_type`), form encoding, retries for
//! transient failures only, and Salesforce's error explained.

use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::manager::RetryPolicy;
use sfjwt_core::response::{AccessToken, TokenResponse, sanitize};
use zeroize::Zeroizing;

use crate::cache;
use crate::cache::source::{ClientFactory, Grant, TokenSource};

use crate::cli::TokenArgs;
use crate::error::{CliError, CliResult};
use crate::output::{Out, redact_token};

pub(crate) fn run(args: &TokenArgs, out: &mut Out) -> CliResult {
    let identity = &args.identity;
    let endpoint = identity.endpoint()?;
    let audience = identity.audience(&endpoint)?;
    // Validate the claims before touching the key (a missing username needs no passphrase).
    crate::commands::assertion::claims(
        identity,
        None,
        Some(args.lifetime),
        std::time::SystemTime::now(),
    )?;
    // One stderr line when the key file is readable by others, cache hit or not.
    if let Ok(source) = identity.key_source() {
        crate::identity::warn_if_exposed(&source);
    }
    let entry = cache::entry_identity(identity, &endpoint, &audience);
    let (client_id, username) = (entry.client_id.clone(), entry.username.clone());
    let lifetime = Duration::from_secs(args.lifetime);
    let factory: ClientFactory<'_> = Box::new(move |signer| {
        JwtBearer::builder()
            .endpoint(endpoint)
            .client_id(client_id)
            .username(username)
            .signer(signer)
            .build()
            .with_audience(audience)
            .with_lifetime(lifetime)
    });
    let grant = Grant {
        timeout: Duration::from_secs(args.timeout),
        retries: args.retries,
    };
    let mut source = TokenSource::open(identity, entry, &args.cache.cache, grant, factory)?;
    if let Some(stale) = &args.cache.invalidate {
        source.invalidate(&AccessToken::new(stale_token(stale)?))?;
    }
    if args.cache.cache.refresh {
        source.refresh()?;
    }
    let obtained = source.token()?;
    if args.json {
        // Full values, JSON-escaped (control characters included, see `json_line`).
        let json = with_from_cache(&obtained.token, obtained.from_cache);
        out.line(crate::output::json_line(&json).as_str())
    } else {
        summary(&obtained.token, out)?;
        let origin = match (obtained.from_cache, source.file()) {
            (true, Some(path)) => format!("(from the token cache: {})", path.display()),
            (true, None) => "(from the token cache)".to_owned(),
            (false, _) => "(new login)".to_owned(),
        };
        out.line(out.dim(&origin))
    }
}

/// `--invalidate TOKEN`, or `-` for standard input (keeps the token out of `ps`).
fn stale_token(arg: &str) -> CliResult<String> {
    if arg != "-" {
        return Ok(arg.trim().to_owned());
    }
    let mut line = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut line)
        .map_err(|e| {
            CliError::local(format!("cannot read the token to invalidate from standard input: {e}"))
                .hint("pipe the access token in, e.g. `printf %s \"$TOKEN\" | sfjwt token --invalidate -`")
        })?;
    Ok(line.trim().to_owned())
}

/// The token response as one JSON object plus `"from_cache": true|false`, spliced in without
/// a copy through `serde_json::Value` (which would not be zeroized).
fn with_from_cache(token: &TokenResponse, from_cache: bool) -> Zeroizing<String> {
    let json = token.to_json();
    let members = json.strip_prefix('{').unwrap_or(&json);
    Zeroizing::new(format!("{{\"from_cache\":{from_cache},{members}"))
}

/// `--retries N`: N retries after the first attempt, backoff from 500 ms capped at 10 s.
pub(crate) fn retry_policy(retries: u32) -> RetryPolicy {
    RetryPolicy::new(
        retries.saturating_add(1),
        Duration::from_millis(500),
        Duration::from_secs(10),
    )
}

/// The readable summary: everything but the secret. The values come from the server; the core
/// validated their shape, and each is sanitised (bounded, no escapes) before it is printed.
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
        out.line(format!("{name:<13} {}", sanitize(&value)))?;
    }
    out.line(out.dim("(--json prints the full response, token included)"))
}
