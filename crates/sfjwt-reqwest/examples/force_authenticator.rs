//! sfjwt as the login of the force client: force's own `TokenManager` over
//! `ForceAuthenticator` gets its tokens from an sfjwt `SharedTokenManager`.
//!
//! ```text
//! cargo run -p sfjwt-reqwest --features force --example force_authenticator
//! ```
//!
//! Offline: the emulator runs on 127.0.0.1 and the key is the TEST ONLY key from `testdata/`.
#![allow(
    clippy::print_stdout,
    reason = "an example that shows its user what it got"
)]

use force::auth::TokenManager;
use sfjwt_emulator::{App, Emulator, User};
use sfjwt_reqwest::force::ForceAuthenticator;
use sfjwt_reqwest::{JwtBearer, PrivateKey, SharedTokenManager, TokenEndpoint};

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

    let tokens = TokenManager::new(ForceAuthenticator::new(SharedTokenManager::new(client)));
    let token = tokens.token().await?;
    println!(
        "force would call {} ({} grant so far)",
        token.instance_url(),
        sf.grant_count()
    );
    Ok(())
}
