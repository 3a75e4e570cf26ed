//! What `SalesforceAuth` costs per request: the same GET of the emulator's limits resource on
//! loopback, through a plain `reqwest::Client` with the bearer header set by hand and through
//! the middleware client (token lookup, origin check, clone for a possible retry, header),
//! side by side. Prints microseconds per request and the ratio, for benches/README.md
//! ("Middleware"); the goal is <= 1.05.
//!
//! Usage: `cargo run --release -p sfjwt-benches --bin middleware_timing [SECONDS]` (default 10).
//! The sides take turns in short runs of 100 requests each (a round: one run per side, the
//! order rotating every round), so a change of load hits them all alike while each side's
//! connection stays warm within its run; printed are the median round of each side and the
//! median of the per-round ratios. Two
//! more sides: an empty reqwest-middleware stack (what the stack costs apart from ours) and
//! the middleware with a full URL instead of `org_url`.
#![forbid(unsafe_code)]
#![allow(
    clippy::print_stdout,
    reason = "a measuring tool whose output is its result"
)]

use std::time::{Duration, Instant};

use sfjwt_benches::{CLIENT_ID, RSA2048_PKCS8_PEM, USERNAME};
use sfjwt_emulator::{App, Emulator, User};
use sfjwt_reqwest::reqwest_middleware::ClientWithMiddleware;
use sfjwt_reqwest::{
    JwtBearer, PrivateKey, SalesforceAuth, SharedTokenManager, TokenEndpoint, org_url, reqwest,
};

const CERT_PEM: &str = include_str!("../../../testdata/keys/rsa2048.crt.pem");
const LIMITS: &str = "/services/data/v62.0/limits";
/// Requests per side in a round, unless the second argument says otherwise.
const DEFAULT_ROUND: u32 = 100;
/// The sides, in the order of [`Side::ALL`].
const SIDES: usize = 4;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10.0);
    let run_for = Duration::from_secs_f64(seconds);
    let round: u32 = std::env::args()
        .nth(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(DEFAULT_ROUND)
        .max(1);

    let sf = Emulator::builder()
        .app(App::from_pem(CLIENT_ID, CERT_PEM)?.admin_approved([USERNAME]))
        .user(User::new(USERNAME))
        .record_limit(0)
        .start()?;
    let client = JwtBearer::builder()
        .endpoint(TokenEndpoint::parse(sf.base_url())?)
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .signer(PrivateKey::from_pem(RSA2048_PKCS8_PEM)?)
        .build();
    let manager = SharedTokenManager::new(client);
    let token = manager.token().await?;

    // One connection pool for all sides (reqwest clients clone as handles to one pool): the
    // same warm connection, served by the same emulator task, and the same request bytes.
    let plain = reqwest::Client::new();
    let url = format!("{}{LIMITS}", token.instance_url());
    let bearer = token.access_token().expose_secret().to_owned();
    let api = SalesforceAuth::new(manager).client(plain.clone());
    // What the reqwest-middleware stack costs by itself, to tell it from ours.
    let empty_stack = sfjwt_reqwest::reqwest_middleware::ClientBuilder::new(plain.clone()).build();

    let sides = Sides {
        plain: &plain,
        api: &api,
        empty_stack: &empty_stack,
        url: &url,
        bearer: &bearer,
    };
    // Warm-up: connections, caches.
    for _ in 0..20 {
        for side in Side::ALL {
            sides.get(side).await?;
        }
    }
    // Per round: microseconds per request of each side.
    let mut rounds: Vec<[f64; SIDES]> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < run_for {
        let mut spent = [Duration::ZERO; SIDES];
        for k in 0..SIDES {
            // Each round starts one side later than the last: none always goes first.
            let index = (rounds.len() + k) % SIDES;
            let side = Side::ALL.get(index).copied().unwrap_or(Side::Plain);
            let began = Instant::now();
            for _ in 0..round {
                sides.get(side).await?;
            }
            if let Some(total) = spent.get_mut(index) {
                *total = began.elapsed();
            }
        }
        rounds.push(spent.map(|d| d.as_secs_f64() * 1e6 / f64::from(round)));
    }
    let column = |side: Side| -> Vec<f64> {
        rounds
            .iter()
            .filter_map(|round| round.get(side as usize).copied())
            .collect()
    };
    let ratio = |side: Side| -> f64 {
        median(
            rounds
                .iter()
                .filter_map(|round| Some(round.get(side as usize)? / round.first()?))
                .collect(),
        )
    };
    let (theirs, ours, stack) = (
        column(Side::Plain),
        column(Side::OrgUrl),
        column(Side::EmptyStack),
    );
    let (ratios, stack_ratios, full) = (
        ratio(Side::OrgUrl),
        ratio(Side::EmptyStack),
        ratio(Side::FullUrl),
    );
    println!("rounds of {round} requests per side  {:8}", rounds.len());
    println!(
        "plain reqwest (bearer by hand)        {:8.1} us/request",
        median(theirs)
    );
    println!(
        "reqwest + SalesforceAuth              {:8.1} us/request",
        median(ours)
    );
    println!(
        "empty reqwest-middleware stack        {:8.1} us/request",
        median(stack)
    );
    println!("ratio SalesforceAuth / plain          {ratios:8.3}");
    println!("ratio empty stack / plain             {stack_ratios:8.3}");
    println!("ratio SalesforceAuth, full URL / plain {full:7.3}");
    println!("grants                           {:8}", sf.grant_count());
    Ok(())
}

async fn plain_get(client: &reqwest::Client, url: &str, bearer: &str) -> Result<(), Error> {
    let response = client.get(url).bearer_auth(bearer).send().await?;
    check(response).await
}

async fn stack_get(client: &ClientWithMiddleware, url: &str, bearer: &str) -> Result<(), Error> {
    let response = client.get(url).bearer_auth(bearer).send().await?;
    check(response).await
}

async fn full_get(api: &ClientWithMiddleware, url: &str) -> Result<(), Error> {
    let response = api.get(url).send().await?;
    check(response).await
}

async fn middleware_get(api: &ClientWithMiddleware) -> Result<(), Error> {
    let response = api.get(org_url(LIMITS)?).send().await?;
    check(response).await
}

async fn check(response: reqwest::Response) -> Result<(), Error> {
    if response.status() != 200 {
        return Err(format!("the emulator answered {}", response.status()).into());
    }
    response.bytes().await?;
    Ok(())
}

/// The four ways of sending the same request.
#[derive(Debug, Clone, Copy)]
enum Side {
    Plain,
    OrgUrl,
    EmptyStack,
    FullUrl,
}

impl Side {
    const ALL: [Self; SIDES] = [Self::Plain, Self::OrgUrl, Self::EmptyStack, Self::FullUrl];
}

/// What the sides send through.
struct Sides<'a> {
    plain: &'a reqwest::Client,
    api: &'a ClientWithMiddleware,
    empty_stack: &'a ClientWithMiddleware,
    url: &'a str,
    bearer: &'a str,
}

impl Sides<'_> {
    async fn get(&self, side: Side) -> Result<(), Error> {
        match side {
            Side::Plain => plain_get(self.plain, self.url, self.bearer).await,
            Side::OrgUrl => middleware_get(self.api).await,
            Side::EmptyStack => stack_get(self.empty_stack, self.url, self.bearer).await,
            Side::FullUrl => full_get(self.api, self.url).await,
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
