//! Gets a token through `ReqwestTransport` from a local emulator, shared by several tasks.
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

use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::key::PrivateKey;
use sfjwt_emulator::{App, Emulator, User};

const KEY_PEM: &str = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
const CERT_PEM: &str = include_str!("../../../testdata/keys/rsa2048.crt.pem");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let sf = Emulator::builder()
        .app(App::from_pem("3MVG9_example", CERT_PEM)?.admin_approved(["etl@acme.com"]))
        .user(User::new("etl@acme.com"))
        .start()?;

    let client = JwtBearer::builder()
        .endpoint(TokenEndpoint::parse(sf.base_url())?)
        .client_id("3MVG9_example")
        .username("etl@acme.com")
        .signer(PrivateKey::from_pem(KEY_PEM)?)
        .build();

    // The one-call way:
    let token = sfjwt_reqwest::request_token(&client).await?;
    println!(
        "granted a {} token for user {:?}",
        token.token_type(),
        token.user_id()
    );
    println!("instance_url: {}", token.instance_url());
    println!("access token: {:?}", token.access_token()); // redacted

    // The service way: one shared manager; eight tasks, one grant.
    let manager = sfjwt_reqwest::SharedTokenManager::new(client);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let manager = manager.clone();
            tokio::spawn(async move { manager.token().await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    println!("8 tasks got a token; grants so far: {}", sf.grant_count());
    Ok(())
}
