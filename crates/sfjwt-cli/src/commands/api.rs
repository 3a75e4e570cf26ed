//! `sfjwt api [METHOD] PATH`: the step after the token, without hand-wiring curl, the
//! instance URL and the 401 dance. The request goes to the token's `instance_url` with the
//! cached token; if the API answers 401 `INVALID_SESSION_ID` (the session ended: timed out,
//! revoked, user deactivated) the token is invalidated in the cache — compare-and-invalidate,
//! so a newer token from another process survives — a new one is obtained, and the request is
//! sent once more. Never more than once: a second refusal is an answer to report, not a loop.

mod request;
mod response;

use std::io::IsTerminal as _;
use std::time::Duration;

use crate::cache::args::CacheArgs;
use crate::cache::source::Grant;
use crate::error::{CliError, CliResult, Exit};
use crate::identity::Identity;
use crate::output::Out;
use crate::transport::{Http, HttpError};

/// The most of a response body `sfjwt api` reads; more is an error (exit 4), not a truncation.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

pub(crate) const EXAMPLE: &str = "\
Example:
  export SFJWT_CLIENT_ID=3MVG9...  SFJWT_USERNAME=etl@acme.com  SFJWT_KEY_FILE=server.key
  sfjwt api /services/data/v62.0/limits
  sfjwt api POST /services/data/v62.0/sobjects/Account --data @acct.json
  sfjwt api '/services/data/v62.0/query?q=SELECT+Id+FROM+Account' | jq '.records[].Id'
  sfjwt api -i DELETE /services/data/v62.0/sobjects/Account/001xx000003DGb2AAG

The token comes from the cache (see `sfjwt token --help`); after a 401 INVALID_SESSION_ID it
is dropped, a new one is obtained and the request is sent once more. Redirects are not followed.
On a terminal the body is pretty-printed with control and bidirectional characters escaped;
with --raw, or when stdout is a pipe or a file, it is written byte for byte.

Exit codes: 0 the API answered 2xx, 2 usage or local problem, 3 the login was rejected,
4 no usable response (connect, timeout, TLS, body too large),
5 the API answered outside 2xx (its body is printed to stdout, the status to stderr).";

/// `sfjwt api`.
#[derive(Debug, clap::Args)]
pub(crate) struct ApiArgs {
    /// `[METHOD] PATH`: an HTTP method (default GET, or POST with --data) and a path on the
    /// org's instance, e.g. /services/data/v62.0/limits.
    #[arg(value_name = "[METHOD] PATH", num_args = 1..=2, required = true)]
    pub(crate) words: Vec<String>,

    /// The request body: `@FILE`, `-` for standard input, or the text itself. Sent as
    /// application/json unless -H sets Content-Type.
    #[arg(short = 'd', long, value_name = "@FILE|-|TEXT")]
    pub(crate) data: Option<String>,

    /// An extra request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub(crate) headers: Vec<String>,

    /// Print the status line and the response headers before the body.
    #[arg(short = 'i', long)]
    pub(crate) include: bool,

    /// Write the body's exact bytes even on a terminal. Without it a terminal gets pretty
    /// JSON with control and bidirectional characters escaped; a pipe or a file always gets
    /// the exact bytes.
    #[arg(long)]
    pub(crate) raw: bool,

    #[command(flatten)]
    pub(crate) identity: Identity,

    #[command(flatten)]
    pub(crate) cache: CacheArgs,

    /// Give up on a request after this many seconds (connect, send and read).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,

    /// Retry a failed login this many times (timeouts, 5xx); API requests are not retried.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub(crate) retries: u32,
}

/// Prints the response itself (bytes, not lines), so `_out` is unused.
pub(crate) fn run(args: &ApiArgs, _out: &mut Out) -> CliResult {
    let prepared = request::Prepared::new(&args.words, &args.headers, args.data.as_deref())?;
    let identity = &args.identity;
    let login = identity.login(None)?;
    let timeout = Duration::from_secs(args.timeout);
    let grant = Grant {
        timeout,
        retries: args.retries,
    };
    let mut source = super::token::token_source(identity, login, &args.cache, grant)?;
    if args.cache.refresh {
        source.refresh()?;
    }
    let http = crate::transport::with_timeout(timeout).with_max_body(MAX_RESPONSE_BYTES);
    let token = source.token()?.token;
    let mut answer = send(&http, &prepared, &token)?;
    if response::is_invalid_session(&answer) {
        source.invalidate(token.access_token())?;
        let fresh = source.token()?.token;
        answer = send(&http, &prepared, &fresh)?;
    }
    let for_a_person = std::io::stdout().is_terminal() && !args.raw;
    response::print(&answer, args.include, for_a_person)?;
    response::outcome(&answer)
}

fn send(
    http: &Http,
    prepared: &request::Prepared,
    token: &sfjwt_core::response::TokenResponse,
) -> CliResult<http::Response<Vec<u8>>> {
    use sfjwt_core::transport::SyncTransport as _;
    let request =
        prepared.to_request(token.instance_url(), token.access_token().expose_secret())?;
    http.send(request).map_err(|e| transport_error(&e))
}

fn transport_error(error: &HttpError) -> CliError {
    CliError::new(
        Exit::Transport,
        format!("the API request failed: {}", crate::error::chain(error)),
    )
    .hint("check the network (proxy, firewall) and the instance; --timeout SECS gives it longer")
}
