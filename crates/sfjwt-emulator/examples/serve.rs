//! Runs an emulated org until Ctrl-C, for trying a client by hand.
//!
//! ```text
//! cargo run -p sfjwt-emulator --example serve                 # built-in test org
//! cargo run -p sfjwt-emulator --example serve -- org.toml     # or a config file
//! ```
//!
//! The built-in org accepts assertions signed with `testdata/keys/rsa2048.pkcs8.pem` for
//! consumer key `3MVG9_example` and user `etl@acme.com`. Each request prints one line on
//! stderr (method, path, status, the rule behind a refusal).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example that tells its user where it listens and logs each request"
)]

use sfjwt_emulator::{App, Emulator, EmulatorConfig, User};

const CERT_PEM: &str = include_str!("../../../testdata/keys/rsa2048.crt.pem");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = match std::env::args_os().nth(1) {
        Some(path) => EmulatorConfig::from_file(path)?
            .into_builder()
            .request_log(|line| eprintln!("{line}"))
            .start()?,
        None => Emulator::builder()
            .app(App::from_pem("3MVG9_example", CERT_PEM)?.admin_approved(["etl@acme.com"]))
            .user(User::new("etl@acme.com"))
            .request_log(|line| eprintln!("{line}"))
            .start()?,
    };
    println!("Salesforce emulator listening on {}", emulator.base_url());
    println!("token endpoint: {}", emulator.token_url());
    println!("org id: {}; press Ctrl-C to stop", emulator.org_id());
    emulator.run_until_signal()?;
    Ok(())
}
