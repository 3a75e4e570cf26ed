//! Token-exchange benchmarks without the network: parsing Salesforce's token and error
//! responses, and reading a cached token from the [`TokenManager`], alone and with 8 threads
//! reading at once (every API call of an application does this read).
//!
//! Run: `cargo bench -p sfjwt-benches --bench exchange`.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use sfjwt_benches::{CLIENT_ID, RSA2048_PKCS8_PEM, USERNAME};
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::key::PrivateKey;
use sfjwt_core::manager::TokenManager;
use sfjwt_core::response::{DEFAULT_MAX_BODY, parse_token_response};

const SUCCESS: &[u8] = br#"{"access_token":"00Dxx0000001gPL!AQ0AQH0dMHZfz972Szmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM","signature":"uKd0PfE0fMzGkMm8yZx7T/NfDc+qnTPz3tI0rdHwgwk=","scope":"web api","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS","token_type":"Bearer","issued_at":"1700000000123"}"#;
const REFUSED: &[u8] =
    br#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#;

fn response(status: u16, body: &[u8]) -> Option<http::Response<Vec<u8>>> {
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json;charset=UTF-8")
        .body(body.to_vec())
        .ok()
}

fn response_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("response_parse");
    let (Some(ok), Some(refused)) = (response(200, SUCCESS), response(400, REFUSED)) else {
        return;
    };
    group.bench_function("success-200", |b| {
        b.iter(|| parse_token_response(black_box(&ok), DEFAULT_MAX_BODY));
    });
    group.bench_function("oauth-error-400", |b| {
        b.iter(|| parse_token_response(black_box(&refused), DEFAULT_MAX_BODY));
    });
    group.finish();
}

fn cached_read(c: &mut Criterion) {
    let Ok(key) = PrivateKey::from_pem(RSA2048_PKCS8_PEM) else {
        return;
    };
    let client = JwtBearer::builder()
        .endpoint(TokenEndpoint::production())
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .signer(key)
        .build();
    let transport = |_request: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        response(200, SUCCESS).ok_or_else(|| std::io::Error::other("response"))
    };
    let manager = TokenManager::new(client, transport);
    // The first call grants (signs and "posts"); every later one reads the cache.
    if manager.token().is_err() {
        return;
    }
    let mut group = c.benchmark_group("token_manager_cached_read");
    group.bench_function("uncontended", |b| b.iter(|| manager.token()));
    // 8 threads read at once, each `iters` times; the reported time is wall time divided by
    // all 8 x iters reads, i.e. the amortised cost of one read while 8 threads contend.
    const THREADS: u32 = 8;
    group.bench_function("8-threads", |b| {
        b.iter_custom(|iters| {
            let barrier = Barrier::new(THREADS as usize + 1);
            std::thread::scope(|scope| {
                for _ in 0..THREADS {
                    scope.spawn(|| {
                        barrier.wait();
                        for _ in 0..iters {
                            let _ = black_box(manager.token());
                        }
                    });
                }
                barrier.wait();
                let start = Instant::now();
                // Scope end joins every reader: the elapsed time covers all their reads.
                start
            })
            .elapsed()
                / THREADS
        });
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = response_parse, cached_read }
criterion_main!(benches);
