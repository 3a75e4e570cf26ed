//! sfjwt as the login of the force client: `ForceAuthenticator` is the `Authenticator` force
//! asks for a token, and for a new one after a 401.
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

use force::config::ClientConfig;
use sfjwt_reqwest::SharedTokenManager;
use sfjwt_reqwest::force::ForceAuthenticator;
use sfjwt_test_support::org;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // An emulated org on loopback, and a JWT bearer client of its app (see async_token).
    let sf = org::start();
    let auth = ForceAuthenticator::new(SharedTokenManager::new(org::client(&sf, org::APPROVED)));

    let config = ClientConfig {
        api_version: "v62.0".to_owned(),
        ..ClientConfig::default()
    };
    let force = force::client::builder()
        .config(config)
        .authenticate(auth)
        .build()
        .await?;
    let limits = force.rest().limits().await?;
    println!("daily API requests: {:?}", limits.daily_api_requests);
    sf.revoke_all();
    force.rest().limits().await?;
    println!(
        "called again after a revocation; grants: {}",
        sf.grant_count()
    );
    Ok(())
}
