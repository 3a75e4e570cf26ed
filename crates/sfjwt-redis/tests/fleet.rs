//! A fleet of 8 workers against a real `redis-server` and the emulator. Each worker is a thread
//! with its own Redis connection, its own store and its own `TokenManager` — everything a
//! separate process would have, except the address space. The emulator counts real grants.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::redis as common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::*;
use sfjwt_core::manager::{LockPolicy, TokenManager};
use sfjwt_emulator::Emulator;
use sfjwt_redis::RedisStore;

const WORKERS: usize = 8;
const REQUESTS: usize = 50;

type Manager = TokenManager<
    Box<
        dyn Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error>
            + Send
            + Sync,
    >,
>;

struct Worker {
    store: Arc<RedisStore>,
    manager: Manager,
}

fn worker(sf: &Emulator, url: &str, policy: LockPolicy) -> Worker {
    let client = client(sf);
    let store = Arc::new(
        RedisStore::builder(url, &client)
            .connect_timeout(Duration::from_millis(300))
            .response_timeout(Duration::from_millis(300))
            .retry_after(Duration::from_secs(60))
            .build()
            .unwrap(),
    );
    let manager = TokenManager::new(client, Box::new(transport()) as _)
        .with_store(Arc::clone(&store))
        .with_lock_policy(policy);
    Worker { store, manager }
}

fn fleet(sf: &Emulator, url: &str, policy: LockPolicy) -> Vec<Arc<Worker>> {
    (0..WORKERS)
        .map(|_| Arc::new(worker(sf, url, policy)))
        .collect()
}

fn fast_policy() -> LockPolicy {
    LockPolicy::new(Duration::from_secs(10)).with_poll_interval(Duration::from_millis(20))
}

/// Runs `job` on every worker at once (one thread each); returns the access tokens each got.
fn run<F>(workers: &[Arc<Worker>], job: F) -> Vec<Vec<String>>
where
    F: Fn(&Worker) -> Vec<String> + Send + Sync + 'static,
{
    let job = Arc::new(job);
    let barrier = Arc::new(Barrier::new(workers.len()));
    let handles: Vec<_> = workers
        .iter()
        .map(|w| {
            let (w, b, job) = (Arc::clone(w), Arc::clone(&barrier), Arc::clone(&job));
            std::thread::spawn(move || {
                b.wait();
                job(&w)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn fifty_tokens(w: &Worker) -> Vec<String> {
    (0..REQUESTS)
        .map(|_| {
            w.manager
                .token()
                .unwrap()
                .access_token()
                .expose_secret()
                .to_owned()
        })
        .collect()
}

fn distinct(tokens: &[Vec<String>]) -> usize {
    let mut all: Vec<&String> = tokens.iter().flatten().collect();
    all.sort();
    all.dedup();
    all.len()
}

#[test]
fn eight_workers_share_one_grant_and_one_regrant_after_revoke() {
    let redis = RedisServer::start();
    let sf = emulator();
    let workers = fleet(&sf, &redis.url(), fast_policy());

    let tokens = run(&workers, fifty_tokens);
    println!(
        "fleet: {WORKERS} workers x {REQUESTS} token() calls -> {} grant(s) at the emulator, {} distinct token(s)",
        sf.grant_count(),
        distinct(&tokens)
    );
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(distinct(&tokens), 1);

    // Salesforce ends the session; every worker's next API call gets 401 and reports it,
    // then asks again — some before, some after the first re-grant lands.
    let revoked = sf.revoke_all();
    assert_eq!(revoked, 1);
    let old = tokens[0][0].clone();
    let after = run(&workers, move |w| {
        let stale = sfjwt_core::response::AccessToken::new(old.clone());
        w.manager.invalidate(&stale).unwrap();
        fifty_tokens(w)
    });
    println!(
        "fleet: after revoke_all -> {} grant(s) in total (1 re-grant expected), {} distinct token(s)",
        sf.grant_count(),
        distinct(&after)
    );
    assert_eq!(sf.grant_count(), 2);
    assert_eq!(distinct(&after), 1);
    assert_ne!(after[0][0], tokens[0][0]);
    assert!(workers.iter().all(|w| w.manager.store_failures() == 0));
}

#[test]
fn a_lock_holder_that_died_is_outlived_within_the_lock_ttl() {
    let redis = RedisServer::start();
    let sf = emulator();
    let workers = fleet(&sf, &redis.url(), fast_policy());

    // A process took the grant lock and died before granting or releasing: its lock stays
    // until its TTL (1.5 s) runs out.
    let lock_key = workers[0].store.keys().lock().to_owned();
    let taken: Option<String> = redis::cmd("SET")
        .arg(&lock_key)
        .arg("owner-of-a-dead-process")
        .arg("NX")
        .arg("PX")
        .arg(1500)
        .query(&mut redis.raw())
        .unwrap();
    assert!(taken.is_some());

    let started = Instant::now();
    let tokens = run(&workers, |w| {
        vec![
            w.manager
                .token()
                .unwrap()
                .access_token()
                .expose_secret()
                .to_owned(),
        ]
    });
    println!(
        "dead holder: lock TTL 1.5 s; all {WORKERS} workers had a token after {:?}; grants at the emulator: {}; local (unlocked) grants: {}",
        started.elapsed(),
        sf.grant_count(),
        workers
            .iter()
            .map(|w| w.store.local_lock_grants())
            .sum::<u64>()
    );
    // Exactly one waiter took the expired lock over and granted; the rest took its token.
    assert_eq!(sf.grant_count(), 1);
    assert_eq!(distinct(&tokens), 1);
    assert!(workers.iter().all(|w| w.store.local_lock_grants() == 0));
    // And it released its own lock.
    let left: Option<String> = redis::cmd("GET")
        .arg(&lock_key)
        .query(&mut redis.raw())
        .unwrap();
    assert_eq!(left, None);
}

#[test]
fn redis_stopped_mid_run_callers_still_get_tokens_and_grants_stay_bounded() {
    let mut redis = RedisServer::start();
    let sf = emulator();
    let workers = fleet(&sf, &redis.url(), fast_policy());

    let first = run(&workers, fifty_tokens);
    assert_eq!(sf.grant_count(), 1);

    redis.stop();

    // The outage costs no grant while the token works: each worker serves its local copy.
    let during = run(&workers, fifty_tokens);
    assert_eq!(distinct(&during), 1);
    assert_eq!(during[0][0], first[0][0]);
    let grants_outage_start = sf.grant_count();

    // The token is revoked during the outage: each worker can only grant for itself.
    sf.revoke_all();
    let old = first[0][0].clone();
    let regranted = run(&workers, move |w| {
        let stale = sfjwt_core::response::AccessToken::new(old.clone());
        w.manager.invalidate(&stale).unwrap();
        fifty_tokens(w)
    });
    let fallbacks: u64 = workers.iter().map(|w| w.manager.store_failures()).sum();
    let local: u64 = workers.iter().map(|w| w.store.local_lock_grants()).sum();
    println!(
        "redis stopped: grants before the outage 1, while the token lived {grants_outage_start}, \
         after a revoke during the outage {} (bound: 1 + {WORKERS}); fallbacks reported: {fallbacks}; local grants reported: {local}",
        sf.grant_count()
    );
    assert_eq!(grants_outage_start, 1);
    assert!(regranted.iter().flatten().all(|t| *t != first[0][0]));
    let grants = sf.grant_count();
    assert!((2..=1 + WORKERS as u64).contains(&grants), "{grants}");
    assert_eq!(
        local,
        grants - 1,
        "every grant during the outage is reported"
    );
    assert!(workers.iter().all(|w| w.manager.store_failures() > 0));
}

#[test]
fn a_redis_that_does_not_answer_costs_a_timeout_not_a_login() {
    let redis = RedisServer::start();
    let sf = emulator();
    // Redis accepts connections but answers nobody for 5 s.
    let _: String = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(5000)
        .arg("ALL")
        .query(&mut redis.raw())
        .unwrap();
    let w = worker(&sf, &redis.url(), fast_policy());
    let started = Instant::now();
    let token = w.manager.token().unwrap();
    println!(
        "paused redis: token after {:?} (response timeout 300 ms); fallbacks {}; local grants {}; emulator grants {}",
        started.elapsed(),
        w.manager.store_failures(),
        w.store.local_lock_grants(),
        sf.grant_count()
    );
    assert!(!token.access_token().expose_secret().is_empty());
    assert!(w.manager.store_failures() >= 1);
    assert_eq!(w.store.local_lock_grants(), 1);
    assert_eq!(sf.grant_count(), 1);
}
