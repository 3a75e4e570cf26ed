//! `sfjwt probe`: which login URL and audience does this org want? One bounded, explicit
//! diagnosis instead of guessing flags.
//!
//! It tries, in order, the login/audience pairs the Salesforce CLI tries
//! ([`sfjwt_core::endpoint::login_pairs`]): at most five requests go out — never more than
//! six — and only to the login URL given or to login/test.salesforce.com. It stops at the
//! first grant, prints one line per pair with the answer, then the `sfjwt token` flags that
//! worked.
//!
//! Exit codes: 0 a pair was granted, 3 none was, 2 a local problem (flags, key).

use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::endpoint::{EndpointKind, LoginPair, login_pairs};
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::jws::Signer;
use sfjwt_core::response::sanitize;

use crate::error::{CliError, CliResult, Exit, chain};
use crate::identity::Identity;
use crate::output::Out;

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt probe --login-url https://acme.my.salesforce.com \\
      --client-id 3MVG9... --username etl@acme.com --key-file server.key

One line per pair tried (login URL, audience, Salesforce's answer), then
  works: sfjwt token --login-url ... --audience ... (the flags that worked)

It tries, in order, the pairs the Salesforce CLI tries (My Domain/My Domain, then the
login and test servers), stops at the first grant, and sends at most 6 requests, only to
the login URL given and to login/test.salesforce.com.

Exit codes: 0 a pair was granted, 2 local problem, 3 no pair was granted.";

/// `sfjwt probe`.
#[derive(Debug, clap::Args)]
pub(crate) struct ProbeArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// Give up on each request after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) timeout: u64,

    /// Print the table as one JSON object: {"pairs":[…],"works":"sfjwt token …"|null}.
    #[arg(long)]
    pub(crate) json: bool,
}

/// What one pair got.
enum Answer {
    Granted,
    Refused { error: String, description: String },
    Failed(String),
}

pub(crate) fn run(args: &ProbeArgs, out: &mut Out) -> CliResult {
    let identity = &args.identity;
    if identity.audience.is_some() {
        return Err(CliError::local(
            "probe chooses the audience itself: --audience (or SFJWT_AUDIENCE) cannot be given",
        )
        .hint("drop --audience; probe prints the one that works"));
    }
    let login = identity.endpoint()?;
    let (Some(client_id), Some(username)) = (&identity.client_id, &identity.username) else {
        return Err(CliError::local("probe needs --client-id and --username")
            .hint("give the connected app's consumer key and the user to log in as (or SFJWT_CLIENT_ID, SFJWT_USERNAME)"));
    };
    let signer: Arc<dyn Signer + Send + Sync> = identity.load_signing_key()?.into_signer();
    let transport = crate::transport::with_timeout(Duration::from_secs(args.timeout));

    let mut results = Vec::new();
    let mut granted = None;
    for pair in login_pairs(&login) {
        let client = JwtBearer::builder()
            .endpoint(pair.login.clone())
            .client_id(client_id.as_str())
            .username(username.as_str())
            .signer(Arc::clone(&signer))
            .build()
            .with_audience(pair.audience.clone());
        let answer = match client.request_token(&transport) {
            Ok(_) => Answer::Granted,
            Err(ExchangeError::OAuth(oauth)) => Answer::Refused {
                error: sanitize(oauth.error()),
                description: oauth.description().map_or_else(String::new, sanitize),
            },
            Err(ExchangeError::Claims(e)) => return Err(CliError::claims(&e)),
            Err(other) => Answer::Failed(sanitize(&chain(&other))),
        };
        let done = matches!(answer, Answer::Granted);
        if done {
            granted = Some(pair.clone());
        }
        results.push((pair, answer));
        if done {
            break;
        }
    }
    let flags = granted.as_ref().map(|pair| token_flags(pair, args));
    if args.json {
        out.line(json(&results, flags.as_deref()))?;
    } else {
        for (pair, answer) in &results {
            let said = match answer {
                Answer::Granted => "granted".to_owned(),
                Answer::Refused { error, description } => {
                    format!("refused: {error}: {description}")
                }
                Answer::Failed(why) => format!("no answer: {why}"),
            };
            out.line(format!(
                "login {}  aud {}  {said}",
                pair.login.base_url(),
                pair.audience
            ))?;
        }
        if let Some(flags) = &flags {
            out.line(format!("works: sfjwt token {flags}"))?;
        }
    }
    if granted.is_some() {
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Rejected,
            format!(
                "none of the {} login URL and audience pairs was granted",
                results.len()
            ),
        )
        .hint("read each refusal above: `sfjwt token` prints the fix for each error (audience is invalid, app_not_found, user hasn't approved this consumer…)"))
    }
}

/// The `sfjwt token` flags of the pair that worked (identity flags included, key by path).
fn token_flags(pair: &LoginPair, args: &ProbeArgs) -> String {
    let identity = &args.identity;
    // `my-domain` is how the CLI says "the login URL's own My Domain" (and the only way to
    // name a loopback emulator's URL as audience).
    let own = pair.audience.as_str() == pair.login.base_url()
        && (pair.audience.is_my_domain() || pair.login.kind() == EndpointKind::Loopback);
    let audience = if own {
        "my-domain".to_owned()
    } else {
        pair.audience.to_string()
    };
    let mut flags = format!(
        "--login-url {} --audience {audience}",
        pair.login.base_url()
    );
    if let Some(id) = &identity.client_id {
        flags.push_str(&format!(" --client-id {id}"));
    }
    if let Some(user) = &identity.username {
        flags.push_str(&format!(" --username {user}"));
    }
    if let Some(path) = &identity.key_file {
        flags.push_str(&format!(" --key-file {}", path.display()));
    }
    flags
}

/// `{"pairs":[{"login_url","audience","answer","error","error_description","detail"}…],"works":…}`.
fn json(results: &[(LoginPair, Answer)], flags: Option<&str>) -> String {
    let pairs: Vec<serde_json::Value> = results
        .iter()
        .map(|(pair, answer)| {
            let mut row = serde_json::Map::new();
            let mut put = |key: &str, value: &str| {
                row.insert(key.to_owned(), serde_json::Value::String(value.to_owned()));
            };
            put("login_url", pair.login.base_url());
            put("audience", pair.audience.as_str());
            match answer {
                Answer::Granted => put("answer", "granted"),
                Answer::Refused { error, description } => {
                    put("answer", "refused");
                    put("error", error);
                    put("error_description", description);
                }
                Answer::Failed(why) => {
                    put("answer", "no answer");
                    put("detail", why);
                }
            }
            serde_json::Value::Object(row)
        })
        .collect();
    let works = flags.map_or(serde_json::Value::Null, |flags| {
        serde_json::Value::String(format!("sfjwt token {flags}"))
    });
    serde_json::json!({ "pairs": pairs, "works": works }).to_string()
}
