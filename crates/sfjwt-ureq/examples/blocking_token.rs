//! Gets a token through `UreqTransport` from a local emulator, then calls the API through the
//! middleware, which attaches the token and re-grants once when the session is revoked.
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

use sfjwt_test_support::org;
use sfjwt_ureq::{JwtBearer, PrivateKey, SalesforceAuth, TokenEndpoint, org_url};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // An emulated org on loopback: an app with the test certificate, a pre-authorized user.
    let sf = org::start();
    let key = PrivateKey::from_pem(org::KEY_PEM)?;
    let client = JwtBearer::builder()
        .endpoint(TokenEndpoint::parse(sf.base_url())?)
        .client_id(org::CLIENT_ID)
        .username(org::APPROVED)
        .signer(key)
        .build();

    // The one-call way:
    let token = sfjwt_ureq::request_token(&client)?;
    println!(
        "granted a {} token for user {:?}",
        token.token_type(),
        token.user_id()
    );

    // The service way: one manager behind the middleware, the token reused until the API
    // refuses it.
    let api = SalesforceAuth::new(sfjwt_ureq::token_manager(client)).agent();
    let limits = org_url("/services/data/v62.0/limits")?;
    println!("GET limits -> HTTP {}", api.get(&limits).call()?.status());
    sf.revoke_all();
    println!(
        "after a revocation -> HTTP {}",
        api.get(&limits).call()?.status()
    );
    println!("grants: {}", sf.grant_count());
    Ok(())
}
