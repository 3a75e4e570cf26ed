//! The async fleet: 8 tasks, each with its own `AsyncRedisStore` (own multiplexed connection)
//! and its own `AsyncTokenManager`, against a real `redis-server` and the emulator.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::redis as common;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use sfjwt_core::manager::{AsyncTokenManager, LockPolicy, RegrantPolicy};
use sfjwt_core::response::AccessToken;
use sfjwt_emulator::Emulator;
use sfjwt_redis::AsyncRedisStore;

const WORKERS: usize = 8;
const REQUESTS: usize = 50;

type Reply = Result<http::Response<Vec<u8>>, std::io::Error>;
type Pending = Pin<Box<dyn Future<Output = Reply> + Send>>;
type Transport = Box<dyn Fn(http::Request<Vec<u8>>) -> Pending + Send + Sync>;
type Timer = fn(Duration) -> tokio::time::Sleep;

struct Worker {
    store: Arc<AsyncRedisStore>,
    manager: AsyncTokenManager<Transport, Timer>,
}

fn worker(sf: &Emulator, url: &str) -> Arc<Worker> {
    let client = client(sf);
    let store = Arc::new(
        AsyncRedisStore::builder(url, &client)
            .connect_timeout(Duration::from_millis(300))
            .response_timeout(Duration::from_millis(300))
            .retry_after(Duration::from_secs(60))
            .build_async()
            .unwrap(),
    );
    let send = Arc::new(transport());
    // The blocking ureq call runs on tokio's blocking pool, never on the executor.
    let transport: Transport = Box::new(move |req: http::Request<Vec<u8>>| -> Pending {
        let send = Arc::clone(&send);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || send(req))
                .await
                .map_err(std::io::Error::other)?
        })
    });
    let manager = AsyncTokenManager::new(client, transport, tokio::time::sleep as Timer)
        .with_shared_store(Arc::clone(&store) as _)
        .with_lock_policy(
            LockPolicy::new(Duration::from_secs(10)).with_poll_interval(Duration::from_millis(20)),
        )
        // This test revokes two sessions seconds apart, which is what bounded re-grants stop
        // (tests/regrant.rs); here it is about the outage, so every refusal re-grants.
        .with_regrant_policy(RegrantPolicy::unbounded());
    Arc::new(Worker { store, manager })
}

async fn run(workers: &[Arc<Worker>], stale: Option<String>) -> Vec<String> {
    let barrier = Arc::new(tokio::sync::Barrier::new(workers.len()));
    let tasks: Vec<_> = workers
        .iter()
        .map(|w| {
            let (w, b, stale) = (Arc::clone(w), Arc::clone(&barrier), stale.clone());
            tokio::spawn(async move {
                b.wait().await;
                if let Some(stale) = stale {
                    w.manager
                        .invalidate(&AccessToken::new(stale))
                        .await
                        .unwrap();
                }
                let mut got = Vec::new();
                for _ in 0..REQUESTS {
                    let t = w.manager.token().await.unwrap();
                    got.push(t.access_token().expose_secret().to_owned());
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    all.dedup();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_tasks_share_one_grant_then_survive_a_redis_outage() {
    let mut redis = RedisServer::start();
    let sf = emulator();
    let workers: Vec<_> = (0..WORKERS).map(|_| worker(&sf, &redis.url())).collect();

    let first = run(&workers, None).await;
    println!(
        "async fleet: {WORKERS} tasks x {REQUESTS} token() calls -> {} grant(s) at the emulator",
        sf.grant_count()
    );
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(first.len(), 1);

    sf.revoke_all();
    let second = run(&workers, Some(first[0].clone())).await;
    println!(
        "async fleet: after revoke_all -> {} grant(s) in total (1 re-grant expected)",
        sf.grant_count()
    );
    assert_eq!(sf.grant_count(), 2);
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);

    redis.stop();
    let during = run(&workers, None).await;
    assert_eq!(during, second, "the local copy serves while Redis is down");
    sf.revoke_all();
    let after = run(&workers, Some(second[0].clone())).await;
    let fallbacks: u64 = workers.iter().map(|w| w.manager.store_failures()).sum();
    let local: u64 = workers.iter().map(|w| w.store.local_lock_grants()).sum();
    println!(
        "async fleet: redis stopped, token revoked -> {} grant(s) in total (bound: 2 + {WORKERS}); fallbacks {fallbacks}; local grants {local}",
        sf.grant_count()
    );
    assert!(!after.contains(&second[0]));
    let grants = sf.grant_count();
    assert!((3..=2 + WORKERS as u64).contains(&grants), "{grants}");
    assert_eq!(local, grants - 2);
    assert!(fallbacks > 0);
}
