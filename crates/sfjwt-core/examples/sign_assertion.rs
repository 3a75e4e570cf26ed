//! Signs a JWT bearer assertion with a TEST ONLY key from `testdata/` and verifies it.
//!
//! `cargo run -p sfjwt-core --example sign_assertion`
#![allow(clippy::print_stdout)] // an example's job is to print

use std::time::SystemTime;

use sfjwt_core::claims::{Audience, Claims};
use sfjwt_core::jws::{self, Verifier};
use sfjwt_core::key::PrivateKey;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/keys/rsa2048.pkcs8.pem"
    ))?;
    let key = PrivateKey::from_pem(&pem)?;
    let now = SystemTime::now();
    let claims = Claims::builder()
        .client_id("3MVG9_example_consumer_key")
        .username("integration@acme.com")
        .audience(Audience::production())
        .build(now)?;
    println!("claims:    {}", String::from_utf8_lossy(&claims.to_json()));
    let assertion = jws::sign(&claims, &key)?;
    println!("assertion: {}", assertion.expose_secret());
    let verified = Verifier::new(key.public_key())
        .expect_issuer(claims.issuer())
        .expect_audience(Audience::PRODUCTION_URL)
        .verify(assertion.expose_secret(), now)?;
    println!(
        "verified:  sub={} exp={}",
        verified.subject(),
        verified.expires_at()
    );
    Ok(())
}
