//! sfjwt as the login of a cirrus-style client: `CirrusSession` hands tokens to anything that
//! takes a cirrus-auth `AuthSession` (`cirrus::Cirrus::builder().auth(Arc::new(session))`).
//!
//! ```text
//! cargo run -p sfjwt-reqwest --features cirrus --example cirrus_session
//! ```
//!
//! Offline: the emulator runs on 127.0.0.1 and the key is the TEST ONLY key from `testdata/`.
#![allow(
    clippy::print_stdout,
    reason = "an example that shows its user what it got"
)]

use std::sync::Arc;

use cirrus_auth::AuthSession;
use sfjwt_emulator::{App, Emulator, User};
use sfjwt_reqwest::cirrus::CirrusSession;
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

    let session: Arc<dyn AuthSession> =
        Arc::new(CirrusSession::connect(SharedTokenManager::new(client)).await?);
    let token = session.access_token().await?;
    println!(
        "cirrus would call {} with a {}-character token",
        session.instance_url(),
        token.len()
    );
    Ok(())
}
