//! Bounded re-grants across a fleet, the record TTL and the lock renewal, against a real
//! `redis-server` and the emulator. The emulator plays an org whose sessions are locked to the
//! IP they were granted from, seen from a fleet leaving through other egress IPs: every API
//! call answers 401 `INVALID_SESSION_ID` right after the grant.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::redis as common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use common::*;
use sfjwt_core::manager::{AsyncTokenManager, LockPolicy, ManagerError, RetryPolicy, TokenManager};
use sfjwt_core::response::TokenResponse;
use sfjwt_core::store::{AsyncTokenStore, StoreOp, StoredToken, TokenStore};
use sfjwt_emulator::Emulator;
use sfjwt_redis::{AsyncRedisStore, RedisStore, RedisStoreError};

type Transport = Box<
    dyn Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error> + Send + Sync,
>;

fn ip_locked_org() -> Emulator {
    let sf = emulator();
    sf.set_ip_locked_sessions(true);
    sf
}

/// One API call with `token`: the HTTP status.
fn api_call(sf: &Emulator, token: &TokenResponse) -> u16 {
    let request = http::Request::get(format!("{}/services/data/v62.0/limits", sf.base_url()))
        .header(
            "Authorization",
            format!("Bearer {}", token.access_token().expose_secret()),
        )
        .body(Vec::new())
        .unwrap();
    transport()(request).unwrap().status().as_u16()
}

/// A process of the fleet: its own Redis connection, store and manager.
fn process(sf: &Emulator, url: &str) -> TokenManager<Transport> {
    let client = client(sf);
    let store = RedisStore::open(url, &client).unwrap();
    TokenManager::new(client, Box::new(transport()) as Transport).with_store(store)
}

fn blocked(result: Result<Arc<TokenResponse>, ManagerError>) -> bool {
    match result {
        Err(ManagerError::RegrantBlocked { refusals, .. }) => refusals >= 2,
        other => panic!("expected RegrantBlocked, got {other:?}"),
    }
}

#[test]
fn ip_locked_sessions_cost_the_fleet_two_grants_then_a_typed_error() {
    let redis = RedisServer::start();
    let sf = ip_locked_org();
    // Two processes behind different egress IPs take turns calling the API.
    let fleet = [process(&sf, &redis.url()), process(&sf, &redis.url())];
    let (mut refused, mut errors) = (0, 0);
    for call in 0..20 {
        let p = &fleet[call % 2];
        match p.token() {
            Ok(token) => {
                assert_eq!(api_call(&sf, &token), 401);
                refused += 1;
                p.invalidate(token.access_token()).unwrap();
            }
            Err(e) => {
                assert!(blocked(Err(e)));
                errors += 1;
            }
        }
    }
    println!(
        "ip-locked org, 2 processes on Redis: 20 API calls -> {} grant(s), {refused} refused call(s), {errors} RegrantBlocked",
        sf.grant_count()
    );
    assert_eq!(sf.grant_count(), 2);
    assert_eq!((refused, errors), (2, 18));

    // A process started now (nothing in its memory) is blocked too: the streak is in Redis.
    let late = process(&sf, &redis.url());
    assert!(blocked(late.token()));
    assert_eq!(sf.grant_count(), 2);
    let keys = RedisStore::open(&redis.url(), &client(&sf)).unwrap();
    let mut raw = redis.raw();
    let n: String = redis::cmd("HGET")
        .arg(keys.keys().refusals())
        .arg("n")
        .query(&mut raw)
        .unwrap();
    let pttl: i64 = redis::cmd("PTTL")
        .arg(keys.keys().refusals())
        .query(&mut raw)
        .unwrap();
    assert_eq!(n, "2");
    assert!(
        (1..=120_000).contains(&pttl),
        "kept two windows at most: {pttl}"
    );

    // The org is fixed; one reset anywhere lets the whole fleet log in again.
    sf.set_ip_locked_sessions(false);
    late.reset_refusals().unwrap();
    let token = fleet[0].token().unwrap();
    assert_eq!(api_call(&sf, &token), 200);
    assert_eq!(
        fleet[1].token().unwrap().access_token().expose_secret(),
        token.access_token().expose_secret()
    );
    assert_eq!(sf.grant_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_locked_sessions_cost_two_grants_then_a_typed_error_async() {
    let redis = RedisServer::start();
    let sf = Arc::new(ip_locked_org());
    let url = redis.url();
    let make = |sf: &Emulator| {
        let client = client(sf);
        let store = AsyncRedisStore::open(&url, &client).unwrap();
        let send = Arc::new(transport());
        let transport = move |req: http::Request<Vec<u8>>| {
            let send = Arc::clone(&send);
            async move {
                tokio::task::spawn_blocking(move || send(req))
                    .await
                    .map_err(std::io::Error::other)?
            }
        };
        AsyncTokenManager::new(client, transport, tokio::time::sleep).with_store(store)
    };
    let manager = make(&sf);
    let mut errors = 0;
    for _ in 0..20 {
        match manager.token().await {
            Ok(token) => {
                let (sf2, t) = (Arc::clone(&sf), Arc::clone(&token));
                let status = tokio::task::spawn_blocking(move || api_call(&sf2, &t))
                    .await
                    .unwrap();
                assert_eq!(status, 401);
                manager.invalidate(token.access_token()).await.unwrap();
            }
            Err(e) => {
                assert!(blocked(Err(e)));
                errors += 1;
            }
        }
    }
    assert_eq!(sf.grant_count(), 2);
    assert_eq!(errors, 18);
    // Another process sees the streak through Redis.
    assert!(blocked(make(&sf).token().await));
    manager.reset_refusals().await.unwrap();
    make(&sf).token().await.unwrap();
    assert_eq!(sf.grant_count(), 3);
}

fn stored(token: &str) -> StoredToken {
    let json = format!(
        r#"{{"access_token":"{token}","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D5g000004AbcdEFG/0055g00000AbCdEFGH"}}"#
    );
    StoredToken {
        token: Arc::new(TokenResponse::from_json(json.as_bytes()).unwrap()),
        obtained_at: SystemTime::now(),
    }
}

fn pttl(redis: &RedisServer, key: &str) -> i64 {
    redis::cmd("PTTL").arg(key).query(&mut redis.raw()).unwrap()
}

#[tokio::test]
async fn the_record_expires_and_every_read_renews_it() {
    let redis = RedisServer::start();
    let sf = emulator();
    let client = client(&sf);

    // Default: Salesforce's default session timeout, 2 h.
    let store = RedisStore::open(&redis.url(), &client).unwrap();
    TokenStore::save(&store, stored("00D!AQ4AQdefault")).unwrap();
    let key = store.keys().token().to_owned();
    let ttl = pttl(&redis, &key);
    assert!((7_100_000..=7_200_000).contains(&ttl), "{ttl}");

    // Configured; a read slides it back up (the token is in use).
    let store = RedisStore::builder(&redis.url(), &client)
        .record_ttl(Duration::from_secs(600))
        .build()
        .unwrap();
    TokenStore::save(&store, stored("00D!AQ4AQshort")).unwrap();
    assert!((590_000..=600_000).contains(&pttl(&redis, &key)));
    let _: i64 = redis::cmd("PEXPIRE")
        .arg(&key)
        .arg(5_000)
        .query(&mut redis.raw())
        .unwrap();
    assert!(pttl(&redis, &key) <= 5_000);
    assert!(TokenStore::load(&store).unwrap().is_some());
    assert!((590_000..=600_000).contains(&pttl(&redis, &key)));

    // The async store does the same.
    let store = AsyncRedisStore::builder(&redis.url(), &client)
        .record_ttl(Duration::from_secs(900))
        .build_async()
        .unwrap();
    AsyncTokenStore::run(&store, StoreOp::Save(stored("00D!AQ4AQasync")))
        .await
        .unwrap();
    assert!((890_000..=900_000).contains(&pttl(&redis, &key)));
    let _: i64 = redis::cmd("PEXPIRE")
        .arg(&key)
        .arg(5_000)
        .query(&mut redis.raw())
        .unwrap();
    let loaded = AsyncTokenStore::run(&store, StoreOp::Load).await.unwrap();
    assert!(loaded.into_token().unwrap().is_some());
    assert!((890_000..=900_000).contains(&pttl(&redis, &key)));

    // Outside Salesforce's session timeouts (and 1 s): refused when building.
    for ttl in [Duration::ZERO, Duration::from_secs(25 * 3600)] {
        let err = RedisStore::builder(&redis.url(), &client)
            .record_ttl(ttl)
            .build()
            .unwrap_err();
        assert!(matches!(err, RedisStoreError::RecordTtlOutOfRange { .. }));
        assert!(err.to_string().contains("24 h"), "{err}");
    }
}

#[test]
fn the_grant_lock_outlives_a_grant_longer_than_its_ttl() {
    let redis = RedisServer::start();
    let sf = emulator();
    let client = client(&sf);
    let lock_key = RedisStore::open(&redis.url(), &client)
        .unwrap()
        .keys()
        .lock()
        .to_owned();

    // The holder's grant: 4 attempts of 400 ms each (503, 503, 503, then granted), 1.6 s in
    // all, with a lock TTL of 1 s. At every attempt the lock must still be held.
    let attempts = Arc::new(AtomicUsize::new(0));
    let lock_held_at_each_attempt = Arc::new(AtomicUsize::new(0));
    let (a, held, url, key) = (
        Arc::clone(&attempts),
        Arc::clone(&lock_held_at_each_attempt),
        redis.url(),
        lock_key.clone(),
    );
    let grant = transport();
    let slow = move |req: http::Request<Vec<u8>>| {
        let mut raw = redis::Client::open(url.as_str())
            .unwrap()
            .get_connection()
            .unwrap();
        let exists: bool = redis::cmd("EXISTS").arg(&key).query(&mut raw).unwrap();
        held.fetch_add(usize::from(exists), Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(400));
        if a.fetch_add(1, Ordering::SeqCst) < 3 {
            return Ok(http::Response::builder()
                .status(503)
                .body(b"<html>maintenance</html>".to_vec())
                .unwrap());
        }
        grant(req)
    };
    let policy =
        LockPolicy::new(Duration::from_secs(1)).with_poll_interval(Duration::from_millis(20));
    let holder = TokenManager::new(client.clone(), slow)
        .with_store(RedisStore::open(&redis.url(), &client).unwrap())
        .with_lock_policy(policy)
        .with_retry(RetryPolicy::new(
            4,
            Duration::from_millis(1),
            Duration::from_millis(10),
        ));
    let waiter_grants = Arc::new(AtomicUsize::new(0));
    let w = Arc::clone(&waiter_grants);
    let grant = transport();
    let waiter = TokenManager::new(client.clone(), move |req: http::Request<Vec<u8>>| {
        w.fetch_add(1, Ordering::SeqCst);
        grant(req)
    })
    .with_store(RedisStore::open(&redis.url(), &client).unwrap())
    .with_lock_policy(policy);

    std::thread::scope(|s| {
        let holding = s.spawn(|| holder.token().unwrap());
        // Let the holder take the lock, then ask while it grants.
        while attempts.load(Ordering::SeqCst) == 0
            && lock_held_at_each_attempt.load(Ordering::SeqCst) == 0
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        let waited = s.spawn(|| waiter.token().unwrap());
        let (a, b) = (holding.join().unwrap(), waited.join().unwrap());
        assert!(a.access_token().same_as(b.access_token()));
    });
    println!(
        "slow grant: {} attempts x 400 ms under a 1 s lock TTL; lock held at {} of them; waiter's own grants: {}; emulator grants: {}",
        attempts.load(Ordering::SeqCst),
        lock_held_at_each_attempt.load(Ordering::SeqCst),
        waiter_grants.load(Ordering::SeqCst),
        sf.grant_count()
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 4);
    assert_eq!(lock_held_at_each_attempt.load(Ordering::SeqCst), 4);
    assert_eq!(waiter_grants.load(Ordering::SeqCst), 0);
    assert_eq!(sf.grant_count(), 1);
    // Released after the grant.
    assert_eq!(pttl(&redis, &lock_key), -2);
}
