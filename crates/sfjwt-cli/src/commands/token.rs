//! `sfjwt token`: what Postman did in the tutorial — POST the assertion, get a token — with
//! the right parameter names (`grant_type`, not `grand_type`), form encoding, retries for
//! transient failures only, and Salesforce's error explained.

use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::response::{AccessToken, TokenResponse, sanitize};
use zeroize::Zeroizing;

use crate::cache::args::{CacheArgs, TokenCacheArgs};
use crate::cache::source::{ClientFactory, Grant, TokenSource};
use crate::error::{CliError, CliResult};
use crate::identity::{Identity, Login};
use crate::output::{Out, redact_token};

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  export SFJWT_CLIENT_ID=3MVG9...  SFJWT_USERNAME=etl@acme.com  SFJWT_KEY_FILE=server.key
  sfjwt token                                   # readable summary, token redacted
  sfjwt token --login-url https://acme.my.salesforce.com --json | jq -r .access_token
  # External Client App since Spring '26 (app_not_found with login/test):
  sfjwt token --login-url https://acme.my.salesforce.com --audience my-domain

The token is cached: one login, then every later call reuses it (also `sfjwt api`):
  for id in $IDS; do
    curl -H \"Authorization: Bearer $(sfjwt token --json | jq -r .access_token)\" ...
  done
  sfjwt token --invalidate \"$TOKEN\"   # after a 401: drop it unless replaced; print the current
  sfjwt token --refresh | --no-cache | --cache rediss://host:6380 | --max-age 3600

Exit codes: 0 ok, 2 local problem, 3 Salesforce rejected it (code, description and hint
are printed), 4 no usable response (connect, timeout, TLS, HTML or garbled body).";

/// `sfjwt token`.
#[derive(Debug, clap::Args)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// Give up on a request after this many seconds (connect, send and read).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,

    /// Retry retryable failures (timeouts, 5xx, rate limits) this many times, with backoff.
    /// Rejections such as invalid_grant are never retried.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub(crate) retries: u32,

    /// Seconds from now until the assertion expires: default 180 (what Salesforce documents),
    /// at most 300.
    #[arg(long, value_name = "SECS", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) lifetime: u64,

    /// Print the full token response as one JSON object (contains the access token), with
    /// `"from_cache": true|false`.
    #[arg(long)]
    pub(crate) json: bool,

    #[command(flatten)]
    pub(crate) cache: TokenCacheArgs,
}

pub(crate) fn run(args: &TokenArgs, out: &mut Out) -> CliResult {
    let identity = &args.identity;
    let login = identity.login(Some(args.lifetime))?;
    // One stderr line when the key file is readable by others, cache hit or not.
    if let Ok(source) = identity.key_source() {
        crate::identity::warn_if_exposed(&source);
    }
    let grant = Grant {
        timeout: Duration::from_secs(args.timeout),
        retries: args.retries,
    };
    let mut source = token_source(identity, login, &args.cache.cache, grant)?;
    if let Some(stale) = &args.cache.invalidate {
        source.invalidate(&AccessToken::new(stale_token(stale)?))?;
    }
    if args.cache.cache.refresh {
        source.refresh()?;
    }
    let obtained = source.token()?;
    if args.json {
        // Full values, JSON-escaped (control characters included, see `sfjwt_core::response::json_escaped`).
        let json = with_from_cache(&obtained.token, obtained.from_cache);
        out.line(sfjwt_core::response::json_escaped(&json).as_str())
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

/// The token source of a checked login: the cache `cache` names, else a grant (shared with
/// `sfjwt api`).
pub(crate) fn token_source<'a>(
    identity: &'a Identity,
    login: Login,
    cache: &CacheArgs,
    grant: Grant,
) -> CliResult<TokenSource<'a>> {
    let entry = login.entry_identity();
    let factory: ClientFactory<'_> = Box::new(move |signer| login.client(signer));
    TokenSource::open(identity, entry, cache, grant, factory)
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
