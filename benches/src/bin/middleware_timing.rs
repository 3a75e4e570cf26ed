//! What `SalesforceAuth` costs per request: the same GET of the emulator's limits resource on
//! loopback, through a plain `reqwest::Client` with the bearer header set by hand and through
//! the middleware client (token lookup, origin check, clone for a possible retry, header),
//! side by side in interleaved rounds. Prints microseconds per request and the ratio, for
//! benches/README.md ("Middleware"); the goal is <= 1.05.
//!
//! Usage: `cargo run --release -p sfjwt-benches --bin middleware_timing [SECONDS]` (default 10,
//! spent in 30 interleaved rounds, every other one in reverse order; printed: the median round
//! of each side, and the median of the per-round ratios, which load from other processes moves
//! least). Two more sides: an empty reqwest-middleware stack (what the stack costs apart from
//! ours) and the middleware with a full URL instead of `org_url`.
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
const ROUNDS: u32 = 30;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10.0);
    // Four sides share each round.
    let budget = Duration::from_secs_f64(seconds / f64::from(ROUNDS) / 4.0);

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

    // One connection pool each, both warm; the same request bytes on the wire.
    let plain = reqwest::Client::new();
    let url = format!("{}{LIMITS}", token.instance_url());
    let bearer = token.access_token().expose_secret().to_owned();
    let api = SalesforceAuth::new(manager).client(reqwest::Client::new());
    // What the reqwest-middleware stack costs by itself, to tell it from ours.
    let empty_stack =
        sfjwt_reqwest::reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).build();

    let (mut ours, mut theirs, mut stack) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ratios, mut stack_ratios, mut full) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Every other round runs the sides in reverse, so none always goes first.
        let (plain_us, ours_us, stack_us, full_us);
        if round % 2 == 0 {
            plain_us = time_it(budget, || plain_get(&plain, &url, &bearer)).await?;
            ours_us = time_it(budget, || middleware_get(&api)).await?;
            stack_us = time_it(budget, || stack_get(&empty_stack, &url, &bearer)).await?;
            full_us = time_it(budget, || full_get(&api, &url)).await?;
        } else {
            full_us = time_it(budget, || full_get(&api, &url)).await?;
            stack_us = time_it(budget, || stack_get(&empty_stack, &url, &bearer)).await?;
            ours_us = time_it(budget, || middleware_get(&api)).await?;
            plain_us = time_it(budget, || plain_get(&plain, &url, &bearer)).await?;
        }
        ratios.push(ours_us / plain_us);
        stack_ratios.push(stack_us / plain_us);
        full.push(full_us / plain_us);
        theirs.push(plain_us);
        ours.push(ours_us);
        stack.push(stack_us);
    }
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
    println!(
        "ratio SalesforceAuth / plain          {:8.3}",
        median(ratios)
    );
    println!(
        "ratio empty stack / plain             {:8.3}",
        median(stack_ratios)
    );
    println!(
        "ratio SalesforceAuth, full URL / plain {:7.3}",
        median(full)
    );
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

/// Runs `op` for about `budget`; microseconds per call.
async fn time_it<F, Fut>(budget: Duration, mut op: F) -> Result<f64, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    for _ in 0..20 {
        op().await?; // warm-up: connections, caches
    }
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < budget {
        op().await?;
        calls += 1;
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / f64::from(calls.max(1)))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
