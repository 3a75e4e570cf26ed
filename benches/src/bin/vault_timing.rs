//! Prints what one RS256 signature costs with the key in a vault, beside the file key, as
//! `name ms_per_op` lines, for `benches/vault.sh` (which makes the SoftHSM2 token and starts
//! the local KMS, then runs this).
//!
//! Usage: `vault_timing [SECONDS_PER_CASE]` with `SFJWT_BENCH_PKCS11_URI` (a key in a token,
//! `SOFTHSM2_CONF` set) and `SFJWT_BENCH_KMS_KEY` (a KMS key id or alias, the AWS chain
//! configured, e.g. `AWS_ENDPOINT_URL_KMS`). Each case runs in 5 interleaved rounds; its
//! median round is printed.
#![forbid(unsafe_code)]
#![allow(
    clippy::print_stdout,
    reason = "a measuring tool whose output is its result"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use sfjwt_aws_kms::{BlockingKmsSigner, KmsSigner};
use sfjwt_benches::{RSA2048_PKCS8_PEM, SIGNING_INPUT};
use sfjwt_core::jws::Signer as _;
use sfjwt_core::key::PrivateKey;
use sfjwt_pkcs11::{Pkcs11Signer, RsaMechanism};

const ROUNDS: u32 = 5;

type Case<'a> = (&'static str, Box<dyn FnMut() + 'a>);

fn time_it(budget: Duration, mut op: impl FnMut()) -> f64 {
    for _ in 0..5 {
        op();
    }
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < budget {
        op();
        calls += 1;
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(calls.max(1))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 3,
    };
    let budget = Duration::from_secs(seconds) / ROUNDS;
    let file = PrivateKey::from_pem(RSA2048_PKCS8_PEM)?;
    let uri = std::env::var("SFJWT_BENCH_PKCS11_URI")?.parse()?;
    let pkcs11 = Pkcs11Signer::open_with_mechanism(&uri, RsaMechanism::Sha256RsaPkcs)?;
    let pkcs11_raw = Pkcs11Signer::open_with_mechanism(&uri, RsaMechanism::RsaPkcs)?;
    let kms_key = std::env::var("SFJWT_BENCH_KMS_KEY")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let kms = runtime.block_on(KmsSigner::from_env(kms_key.as_str()))?;
    let blocking = BlockingKmsSigner::from_env(kms_key.as_str())?;

    let mut cases: [Case<'_>; 5] = [
        (
            "file-key-sign-2048",
            Box::new(|| {
                let _ = black_box(file.sign_rs256(SIGNING_INPUT));
            }),
        ),
        (
            "pkcs11-softhsm2-sha256-rsa-pkcs-2048",
            Box::new(|| {
                let _ = black_box(pkcs11.sign_rs256(SIGNING_INPUT));
            }),
        ),
        (
            "pkcs11-softhsm2-rsa-pkcs-digestinfo-2048",
            Box::new(|| {
                let _ = black_box(pkcs11_raw.sign_rs256(SIGNING_INPUT));
            }),
        ),
        (
            "aws-kms-moto-async-2048",
            Box::new(|| {
                let _ = black_box(runtime.block_on(kms.sign(SIGNING_INPUT)));
            }),
        ),
        (
            "aws-kms-moto-blocking-2048",
            Box::new(|| {
                let _ = black_box(blocking.sign(SIGNING_INPUT));
            }),
        ),
    ];
    // Each must work before it is timed: a failing case would time its error path.
    assert!(file.sign_rs256(SIGNING_INPUT)? == pkcs11.sign_rs256(SIGNING_INPUT)?);
    runtime.block_on(kms.sign(SIGNING_INPUT))?;
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..ROUNDS {
        for (i, (_, op)) in cases.iter_mut().enumerate() {
            if let Some(list) = samples.get_mut(i) {
                list.push(time_it(budget, op));
            }
        }
    }
    for ((name, _), mut times) in cases.iter().zip(samples) {
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        println!("{name} {median:.4}");
    }
    Ok(())
}
