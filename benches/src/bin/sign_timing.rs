//! Prints our signing times as `name ms_per_op` lines, for `benches/compare.sh`, which sets
//! them beside `openssl speed` and PyJWT. Criterion's numbers (`cargo bench`) are the careful
//! ones; this is a plain timed loop so the comparison runs the same way for every tool.
//!
//! Usage: `sign_timing [SECONDS_PER_CASE]` (default 3, like `openssl speed -seconds 3`),
//! spent in 5 interleaved rounds; each case's median round is printed.
#![forbid(unsafe_code)]
#![allow(
    clippy::print_stdout,
    reason = "a measuring tool whose output is its result"
)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::RandomizedSigner as _;
use sfjwt_aws_lc::AwsLcSigner;
use sfjwt_benches::{CLIENT_ID, RSA2048_PKCS8_PEM, SIGNING_INPUT, USERNAME};
use sfjwt_core::claims::Claims;
use sfjwt_core::jws::{self, Signer};
use sfjwt_core::key::PrivateKey;

/// Rounds per case; each round times every case for `SECONDS / ROUNDS`.
const ROUNDS: u32 = 5;

/// A named operation to time.
type Case<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Runs `op` for about `budget` and returns milliseconds per call.
fn time_it(budget: Duration, mut op: impl FnMut()) -> f64 {
    for _ in 0..20 {
        op(); // warm-up: caches, lazily built tables, CPU frequency
    }
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < budget {
        op();
        calls += 1;
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(calls.max(1))
}

fn build_and_sign(signer: &dyn Signer) -> bool {
    Claims::builder()
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .build(SystemTime::now())
        .ok()
        .and_then(|claims| jws::sign(&claims, signer).ok())
        .is_some()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 3,
    };
    let budget = Duration::from_secs(seconds);
    let key = PrivateKey::from_pem(RSA2048_PKCS8_PEM)?;
    let aws = AwsLcSigner::from_pem(RSA2048_PKCS8_PEM)?;
    let raw = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa::PrivateKey::from_pkcs8_pem(
        RSA2048_PKCS8_PEM,
    )?);

    let cases: [Case<'_>; 5] = [
        (
            "raw-rsa-blinded-sign-2048",
            Box::new(|| {
                let _ = black_box(raw.try_sign_with_rng(&mut getrandom::SysRng, SIGNING_INPUT));
            }),
        ),
        (
            "default-sign-2048",
            Box::new(|| {
                let _ = black_box(key.sign_rs256(SIGNING_INPUT));
            }),
        ),
        (
            "default-build+sign-2048",
            Box::new(|| {
                black_box(build_and_sign(&key));
            }),
        ),
        (
            "aws-lc-sign-2048",
            Box::new(|| {
                let _ = black_box(aws.sign_rs256(SIGNING_INPUT));
            }),
        ),
        (
            "aws-lc-build+sign-2048",
            Box::new(|| {
                black_box(build_and_sign(&aws));
            }),
        ),
    ];
    let load: Case<'_> = (
        "default-key-load-pkcs8-pem-2048",
        Box::new(|| {
            let _ = black_box(PrivateKey::from_pem(black_box(RSA2048_PKCS8_PEM)));
        }),
    );
    // Interleaved rounds, median per case: on a shared machine the load changes over a run,
    // and timing case A only early and case B only late would bias their ratio.
    let mut cases: Vec<Case<'_>> = cases.into_iter().chain([load]).collect();
    let round = budget / ROUNDS;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..ROUNDS {
        for ((_, op), times) in cases.iter_mut().zip(samples.iter_mut()) {
            times.push(time_it(round, op));
        }
    }
    for ((name, _), mut times) in cases.iter().zip(samples) {
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        println!("{name} {median:.4}");
    }
    Ok(())
}
