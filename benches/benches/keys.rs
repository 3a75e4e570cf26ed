//! Key-loading benchmarks: each format a user may have (2048-bit TEST-ONLY key).
//!
//! Unencrypted loading is parsing plus the RSA key checks; encrypted loading is dominated by
//! the key-derivation function (scrypt or PBKDF2), which is slow on purpose.
//! Run: `cargo bench -p sfjwt-benches --bench keys`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sfjwt_aws_lc::AwsLcSigner;
use sfjwt_core::key::{Passphrase, PrivateKey};

fn read(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/keys")
        .join(name);
    std::fs::read(path).unwrap_or_default()
}

fn key_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("key_load");
    for (label, file) in [
        ("pkcs1-pem", "rsa2048.pkcs1.pem"),
        ("pkcs8-pem", "rsa2048.pkcs8.pem"),
        ("pkcs1-der", "rsa2048.pkcs1.der"),
        ("pkcs8-der", "rsa2048.pkcs8.der"),
    ] {
        let bytes = read(file);
        group.bench_function(label, |b| {
            b.iter(|| PrivateKey::from_bytes(black_box(&bytes), None));
        });
    }
    let der = read("rsa2048.pkcs8.der");
    group.bench_function("aws-lc/pkcs8-der", |b| {
        b.iter(|| AwsLcSigner::from_der(black_box(&der)));
    });
    group.finish();

    let mut group = c.benchmark_group("key_load_encrypted");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let passphrase = Passphrase::from("correct horse battery staple");
    for (label, file) in [
        ("pkcs8-pbkdf2-aes256", "rsa2048.pkcs8.pbkdf2-aes256.pem"),
        ("pkcs8-scrypt-aes256", "rsa2048.pkcs8.scrypt-aes256.pem"),
        ("legacy-pem-aes256", "rsa2048.legacy-aes256.pem"),
    ] {
        let bytes = read(file);
        group.bench_function(label, |b| {
            b.iter(|| PrivateKey::from_bytes(black_box(&bytes), Some(&passphrase)));
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = key_load }
criterion_main!(benches);
