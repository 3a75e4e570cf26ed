//! Gets a token through `UreqTransport` from a local emulator, then calls the API with it.
//!
//! ```text
//! cargo run -p sfjwt-ureq --example blocking_token
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
use sfjwt_core::transport::SyncTransport;
use sfjwt_emulator::{App, Emulator, User};
use sfjwt_ureq::UreqTransport;

const KEY_PEM: &str = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
const CERT_PEM: &str = include_str!("../../../testdata/keys/rsa2048.crt.pem");

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
    let token = sfjwt_ureq::request_token(&client)?;
    println!(
        "granted a {} token for user {:?}",
        token.token_type(),
        token.user_id()
    );
    println!("instance_url: {}", token.instance_url());
    println!("access token: {:?}", token.access_token()); // redacted

    // The service way: one manager, the token reused until the API refuses it.
    let manager = sfjwt_ureq::token_manager(client);
    let token = manager.token()?;
    let limits = http::Request::get(format!(
        "{}/services/data/v62.0/limits",
        token.instance_url()
    ))
    .header(
        http::header::AUTHORIZATION,
        format!("Bearer {}", token.access_token().expose_secret()),
    )
    .body(Vec::new())?;
    let response = UreqTransport::default().send(limits)?;
    println!(
        "GET /services/data/v62.0/limits -> HTTP {}",
        response.status()
    );
    println!("grants so far: {}", sf.grant_count());
    Ok(())
}
