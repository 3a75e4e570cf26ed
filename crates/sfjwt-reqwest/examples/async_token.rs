//! Gets a token through `ReqwestTransport` from a local emulator, then calls the API from
//! several tasks through the middleware: one grant for all of them.
//!
//! ```text
//! cargo run -p sfjwt-reqwest --example async_token
//! ```
//!
//! Offline: the emulator runs on 127.0.0.1 and the key is the TEST ONLY key from `testdata/`.
//! Against Salesforce, use `TokenEndpoint::production()` (or your My Domain), your consumer key,
//! username and private key.
#![allow(
    clippy::print_stdout,
    reason = "an example that shows its user what it got"
)]

use sfjwt_reqwest::{
    JwtBearer, PrivateKey, SalesforceAuth, SharedTokenManager, TokenEndpoint, org_url, reqwest,
};
use sfjwt_test_support::org;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // An emulated org on loopback: an app with the test certificate, a pre-authorized user.
    let sf = org::start();
    let client = JwtBearer::builder()
        .endpoint(TokenEndpoint::parse(sf.base_url())?)
        .client_id(org::CLIENT_ID)
        .username(org::APPROVED)
        .signer(PrivateKey::from_pem(org::KEY_PEM)?)
        .build();

    // The one-call way:
    let token = sfjwt_reqwest::request_token(&client).await?;
    println!("instance_url: {}", token.instance_url());
    println!("access token: {:?}", token.access_token()); // redacted

    // The service way: one shared manager behind the middleware; eight tasks, one grant.
    let api = SalesforceAuth::new(SharedTokenManager::new(client)).client(reqwest::Client::new());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move {
                let limits = org_url("/services/data/v62.0/limits")?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(api.get(limits).send().await?)
            })
        })
        .collect();
    for task in tasks {
        let response = task.await??;
        println!("GET limits -> HTTP {}", response.status());
    }
    println!(
        "grants: {} (one for the one-call way, one shared by the tasks)",
        sf.grant_count()
    );
    Ok(())
}
