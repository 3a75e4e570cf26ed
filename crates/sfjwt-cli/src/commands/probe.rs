//! `sfjwt probe`: which login URL and audience does this org want? One bounded, explicit
//! diagnosis instead of guessing flags.
//!
//! It tries, in order, the login/audience pairs the Salesforce CLI tries (forcedotcom/sfdx-core,
//! `getLoginAudienceCombos`, with the production login server as its default audience): the
//! login URL as its own audience (the My Domain/My Domain pair External Client Apps want),
//! then the test and login servers each as their own audience, then the login URL with the
//! login and the test audience. Pairs that mix production and sandbox are left out, and
//! duplicates are sent once, so at most five requests go out — never more than six — and
//! only to the login URL given or to login/test.salesforce.com. It stops at the first grant,
//! prints one line per pair with the answer, then the `sfjwt token` flags that worked.
//!
//! Exit codes: 0 a pair was granted, 3 none was, 2 a local problem (flags, key).

use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::claims::Audience;
use sfjwt_core::endpoint::{EndpointKind, TokenEndpoint};
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

/// The most requests one probe sends.
pub(crate) const MAX_REQUESTS: usize = 6;

/// One login URL / audience pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair {
    /// Where the assertion is POSTed.
    pub(crate) login: TokenEndpoint,
    /// Its `aud`.
    pub(crate) audience: Audience,
}

/// The pairs to try for `login`, in the Salesforce CLI's order, without duplicates and
/// without the production/sandbox mixes.
pub(crate) fn pairs(login: &TokenEndpoint) -> Vec<Pair> {
    let production = TokenEndpoint::production();
    let sandbox = TokenEndpoint::sandbox();
    // The login URL as its own audience: a My Domain (or a loopback emulator playing one),
    // a login server, or a site; none for hosts that cannot be an audience.
    let own = Audience::my_domain_of(login)
        .ok()
        .or_else(|| Audience::parse(login.base_url()).ok());
    let mut candidates: Vec<(TokenEndpoint, Option<Audience>)> = vec![
        (login.clone(), own),
        (sandbox.clone(), Some(Audience::sandbox())),
        (production.clone(), Some(Audience::production())),
        (login.clone(), Some(Audience::production())),
        (login.clone(), Some(Audience::sandbox())),
    ];
    // sfdx-core filters out the login server of one kind with the audience of the other.
    candidates.retain(|(endpoint, audience)| {
        let mixed = match audience {
            Some(aud) if aud.is_sandbox() => endpoint.kind() == EndpointKind::ProductionLogin,
            Some(aud) if aud.is_login_server() => endpoint.kind() == EndpointKind::SandboxLogin,
            _ => false,
        };
        !mixed
    });
    let mut pairs: Vec<Pair> = Vec::new();
    for (endpoint, audience) in candidates {
        let Some(audience) = audience else { continue };
        let pair = Pair {
            login: endpoint,
            audience,
        };
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    pairs.truncate(MAX_REQUESTS);
    pairs
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
    for pair in pairs(&login) {
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
fn token_flags(pair: &Pair, args: &ProbeArgs) -> String {
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
fn json(results: &[(Pair, Answer)], flags: Option<&str>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(login: &str) -> Vec<(String, String)> {
        pairs(&TokenEndpoint::parse(login).unwrap())
            .into_iter()
            .map(|p| (p.login.base_url().to_owned(), p.audience.to_string()))
            .collect()
    }

    const LOGIN: &str = "https://login.salesforce.com";
    const TEST: &str = "https://test.salesforce.com";

    #[test]
    fn a_my_domain_gets_the_cli_s_five_pairs() {
        let md = "https://acme.my.salesforce.com";
        let want: Vec<(String, String)> = [
            (md, md),
            (TEST, TEST),
            (LOGIN, LOGIN),
            (md, LOGIN),
            (md, TEST),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        assert_eq!(names(md), want);
    }

    #[test]
    fn the_login_servers_get_two_pairs() {
        let both = vec![
            (LOGIN.to_owned(), LOGIN.to_owned()),
            (TEST.to_owned(), TEST.to_owned()),
        ];
        assert_eq!(names(LOGIN), both);
        assert_eq!(
            names(TEST),
            vec![
                (TEST.to_owned(), TEST.to_owned()),
                (LOGIN.to_owned(), LOGIN.to_owned()),
            ]
        );
    }

    #[test]
    fn a_loopback_emulator_plays_the_my_domain() {
        let emu = "http://127.0.0.1:8080";
        let got = names(emu);
        assert_eq!(got.first().unwrap(), &(emu.to_owned(), emu.to_owned()));
        assert_eq!(got.len(), 5);
        assert!(got.len() <= MAX_REQUESTS);
    }
}
