//! Signing benchmarks: RS256 with the default (pure-Rust, blinded) signer and the aws-lc
//! signer at 2048/3072/4096 bits, the raw blinded `rsa` sign as the in-process baseline,
//! assertion build+sign (what a token request costs before the network), and verification.
//!
//! Run: `cargo bench -p sfjwt-benches --bench sign`. Results: `benches/README.md`.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::RandomizedSigner as _;
use sfjwt_aws_lc::AwsLcSigner;
use sfjwt_benches::{CLIENT_ID, KEYS_PKCS8_PEM, RSA2048_PKCS8_PEM, SIGNING_INPUT, USERNAME};
use sfjwt_core::claims::{Audience, Claims};
use sfjwt_core::jws::{self, Signer as _, Verifier};
use sfjwt_core::key::PrivateKey;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn sign(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    for (bits, pem) in KEYS_PKCS8_PEM {
        let Ok(key) = PrivateKey::from_pem(pem) else {
            return;
        };
        group.bench_function(BenchmarkId::new("default", bits), |b| {
            b.iter(|| key.sign_rs256(black_box(SIGNING_INPUT)));
        });
        let Ok(aws) = AwsLcSigner::from_pem(pem) else {
            return;
        };
        group.bench_function(BenchmarkId::new("aws-lc", bits), |b| {
            b.iter(|| aws.sign_rs256(black_box(SIGNING_INPUT)));
        });
    }
    // The baseline: the `rsa` crate's blinded PKCS#1 v1.5 signature, nothing of sfjwt around it.
    let Ok(raw) = rsa::PrivateKey::from_pkcs8_pem(RSA2048_PKCS8_PEM) else {
        return;
    };
    let raw = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(raw);
    group.bench_function(BenchmarkId::new("raw-rsa-blinded", 2048), |b| {
        b.iter(|| raw.try_sign_with_rng(&mut getrandom::SysRng, black_box(SIGNING_INPUT)));
    });
    group.finish();
}

fn build_claims() -> Option<Claims> {
    Claims::builder()
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .audience(Audience::production())
        .build(black_box(now()))
        .ok()
}

fn assertion(c: &mut Criterion) {
    let mut group = c.benchmark_group("assertion");
    let Ok(key) = PrivateKey::from_pem(RSA2048_PKCS8_PEM) else {
        return;
    };
    let Ok(aws) = AwsLcSigner::from_pem(RSA2048_PKCS8_PEM) else {
        return;
    };
    group.bench_function("build+sign/default/2048", |b| {
        b.iter(|| build_claims().map(|claims| jws::sign(&claims, &key)));
    });
    group.bench_function("build+sign/aws-lc/2048", |b| {
        b.iter(|| build_claims().map(|claims| jws::sign(&claims, &aws)));
    });
    // The part of build+sign that is not RSA: claims, JSON, base64.
    group.bench_function("build+signing-input", |b| {
        b.iter(|| build_claims().map(|claims| jws::signing_input(&claims)));
    });
    group.finish();

    let Some(claims) = build_claims() else {
        return;
    };
    let Ok(token) = jws::sign(&claims, &key) else {
        return;
    };
    let verifier = Verifier::new(key.public_key())
        .expect_issuer(CLIENT_ID)
        .expect_audience(Audience::PRODUCTION_URL);
    c.bench_function("verify/2048", |b| {
        b.iter(|| verifier.verify(black_box(token.expose_secret()), now()));
    });
}

fn config() -> Criterion {
    // RSA operations are slow and steady: fewer, shorter samples keep a full run short.
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = sign, assertion }
criterion_main!(benches);
