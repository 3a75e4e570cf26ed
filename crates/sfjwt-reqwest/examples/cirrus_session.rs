//! sfjwt as the login of the cirrus client: `CirrusSession` is the `AuthSession` cirrus asks
//! for a token before each call and tells about a 401 `INVALID_SESSION_ID`.
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

use sfjwt_reqwest::SharedTokenManager;
use sfjwt_reqwest::cirrus::CirrusSession;
use sfjwt_test_support::org;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // An emulated org on loopback, and a JWT bearer client of its app (see async_token).
    let sf = org::start();
    let session = CirrusSession::connect(SharedTokenManager::new(org::client(&sf, org::APPROVED)));

    let cirrus = cirrus::Cirrus::builder()
        .auth(Arc::new(session.await?))
        .api_version("v62.0")
        .build()?;
    let limits = cirrus.limits().await?;
    println!("cirrus read {} limits", limits.len());
    sf.revoke_all();
    let limits = cirrus.limits().await?;
    println!(
        "and {} after a revocation; grants: {}",
        limits.len(),
        sf.grant_count()
    );
    Ok(())
}
