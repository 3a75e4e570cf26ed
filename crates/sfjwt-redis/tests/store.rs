//! The store's contract against a real `redis-server`: the record and key scheme, the
//! compare-and-delete invalidation, lock ownership, fail-open reads, and no secret in Debug.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::redis as common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::manager::TokenManager;
use sfjwt_core::response::{AccessToken, TokenResponse};
use sfjwt_core::store::{
    AsyncTokenStore, CacheIdentity, GrantLease, GrantLock, StoreError, StoreOp, StoredToken,
    TokenStore,
};
use sfjwt_redis::{AsyncRedisStore, Keys, RedisStore, RedisStoreError};

const T1: &str = "00D5g000004AbcdEFG!AQ4AQFirstTokenValue.aaa";
const T2: &str = "00D5g000004AbcdEFG!AQ4AQSecondTokenValue.bbb";

fn prod_client(username: &str) -> JwtBearer {
    JwtBearer::builder()
        .endpoint(TokenEndpoint::production())
        .client_id(CLIENT_ID)
        .username(username)
        .signer(key())
        .build()
}

fn stored(token: &str) -> StoredToken {
    let json = format!(
        r#"{{"access_token":"{token}","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D5g000004AbcdEFG/0055g00000AbCdEFGH","token_type":"Bearer","issued_at":"1700000000123","future_field":{{"x":1}}}}"#
    );
    StoredToken {
        token: Arc::new(TokenResponse::from_json(json.as_bytes()).unwrap()),
        obtained_at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
    }
}

fn open(redis: &RedisServer, username: &str) -> RedisStore {
    RedisStore::open(&redis.url(), &prod_client(username)).unwrap()
}

#[test]
fn the_record_round_trips_and_keys_name_nobody() {
    let redis = RedisServer::start();
    let a = open(&redis, USERNAME);
    a.save(stored(T1)).unwrap();

    let b = open(&redis, USERNAME);
    let loaded = b.load().unwrap().unwrap();
    assert_eq!(loaded.token.access_token().expose_secret(), T1);
    assert_eq!(loaded.obtained_at, stored(T1).obtained_at);
    assert_eq!(
        loaded.token.extra()["future_field"]["x"],
        1,
        "unknown fields survive"
    );

    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut redis.raw()).unwrap();
    assert_eq!(keys, vec![a.keys().token().to_owned()]);
    for k in &keys {
        assert!(k.starts_with("sfjwt:token:"));
        assert!(!k.contains(CLIENT_ID) && !k.contains("etl") && !k.contains("acme"));
    }
    let fields: Vec<String> = redis::cmd("HKEYS")
        .arg(&keys[0])
        .query(&mut redis.raw())
        .unwrap();
    assert_eq!(fields.len(), 3);

    // Another identity (user, audience or host) has its own keys.
    let other = open(&redis, "analyst@acme.com");
    assert_ne!(other.keys(), a.keys());
    assert!(other.load().unwrap().is_none());
    let sandbox = Keys::new(
        &CacheIdentity::new(
            "https://test.salesforce.com",
            "https://test.salesforce.com",
            CLIENT_ID,
            USERNAME,
        ),
        "sfjwt:",
    );
    assert_ne!(&sandbox, a.keys());
    // The same login server on another port is another org (two emulators on one host).
    let port = |url: &str| {
        Keys::new(
            &CacheIdentity::new(url, "https://login.salesforce.com", CLIENT_ID, USERNAME),
            "sfjwt:",
        )
    };
    assert_ne!(
        port("http://127.0.0.1:18090"),
        port("http://127.0.0.1:18099")
    );
    // So is the same login with another key.
    let rotated = RedisStore::builder(&redis.url(), &prod_client(USERNAME))
        .key_fingerprint(CacheIdentity::fingerprint(b"another key"))
        .build()
        .unwrap();
    assert_ne!(rotated.keys(), a.keys());
    let prefixed = RedisStore::builder(&redis.url(), &prod_client(USERNAME))
        .prefix("etl-eu:")
        .build()
        .unwrap();
    assert!(prefixed.keys().token().starts_with("etl-eu:token:"));
    assert!(prefixed.keys().lock().starts_with("etl-eu:lock:"));
}

#[test]
fn invalidate_deletes_only_the_token_that_failed() {
    let redis = RedisServer::start();
    let fresh = open(&redis, USERNAME);
    let stale = open(&redis, USERNAME);
    stale.save(stored(T1)).unwrap();
    fresh.save(stored(T2)).unwrap(); // another worker already replaced T1

    // The stale worker reports T1 late: T2 must survive.
    assert!(!stale.invalidate(&AccessToken::new(T1)).unwrap());
    let now = fresh.load().unwrap().unwrap();
    assert_eq!(now.token.access_token().expose_secret(), T2);

    assert!(stale.invalidate(&AccessToken::new(T2)).unwrap());
    assert!(fresh.load().unwrap().is_none());
    assert!(
        !fresh.invalidate(&AccessToken::new(T2)).unwrap(),
        "nothing left to delete"
    );
}

#[test]
fn the_lock_has_one_owner_a_ttl_and_only_its_owner_releases_it() {
    let redis = RedisServer::start();
    let a = open(&redis, USERNAME);
    let b = open(&redis, USERNAME);
    let GrantLock::Acquired(lease) = a.acquire_grant_lock(Duration::from_secs(30)).unwrap() else {
        panic!("first ask must win")
    };
    assert!(!lease.is_local());
    assert!(matches!(
        b.acquire_grant_lock(Duration::from_secs(30)).unwrap(),
        GrantLock::HeldElsewhere
    ));
    let pttl: i64 = redis::cmd("PTTL")
        .arg(a.keys().lock())
        .query(&mut redis.raw())
        .unwrap();
    assert!(pttl > 0 && pttl <= 30_000, "{pttl}");

    // A process whose lock expired and was taken over must not release the new holder's.
    b.release_grant_lock(GrantLease::new("some-other-owner"))
        .unwrap();
    b.release_grant_lock(GrantLease::local()).unwrap();
    assert!(matches!(
        b.acquire_grant_lock(Duration::from_secs(30)).unwrap(),
        GrantLock::HeldElsewhere
    ));
    a.release_grant_lock(lease).unwrap();
    assert!(matches!(
        b.acquire_grant_lock(Duration::from_secs(30)).unwrap(),
        GrantLock::Acquired(_)
    ));
    assert_eq!(a.local_lock_grants() + b.local_lock_grants(), 0);
}

#[test]
fn a_record_that_does_not_parse_reads_as_absent_and_is_overwritten() {
    let redis = RedisServer::start();
    let s = open(&redis, USERNAME);
    let _: () = redis::cmd("HSET")
        .arg(s.keys().token())
        .arg("token")
        .arg("{not json")
        .arg("at")
        .arg("1")
        .query(&mut redis.raw())
        .unwrap();
    assert!(s.load().unwrap().is_none());
    s.save(stored(T1)).unwrap();
    assert_eq!(
        s.load()
            .unwrap()
            .unwrap()
            .token
            .access_token()
            .expose_secret(),
        T1
    );
}

#[test]
fn no_password_or_token_in_debug_or_errors_and_rediss_is_supported() {
    let client = prod_client(USERNAME);
    let store = RedisStore::open("redis://fleet:hunter2-password@127.0.0.1:1/0", &client).unwrap();
    // Redis unreachable: an "unavailable" error (the manager works around it) that names
    // neither the password nor the token.
    let unreachable = store.save(stored(T1)).unwrap_err();
    assert!(unreachable.is_unavailable());
    let chain = format!("{:#}", anyhow::Error::new(unreachable));
    assert!(!chain.contains("hunter2") && !chain.contains(T1), "{chain}");
    let debug = format!("{store:?}");
    assert!(!debug.contains("hunter2") && !debug.contains(T1), "{debug}");
    let builder = RedisStore::builder("redis://fleet:hunter2-password@127.0.0.1:1/0", &client);
    assert!(!format!("{builder:?}").contains("hunter2"));

    // rediss:// (TLS through rustls) builds; it connects lazily.
    let tls = RedisStore::open("rediss://fleet:hunter2-password@127.0.0.1:1/0", &client);
    assert!(tls.is_ok(), "{:?}", tls.err());

    let err = RedisStore::open("http://fleet:hunter2-password@127.0.0.1/", &client).unwrap_err();
    assert!(matches!(err, RedisStoreError::InvalidUrl(_)));
    let message = err.to_string();
    assert!(!message.contains("hunter2"), "{message}");
    assert!(
        message.contains("redis://"),
        "says what is expected: {message}"
    );
    // Printed as a chain, Redis's own reason follows once, and the URL is still not there.
    let reason = std::error::Error::source(&err).unwrap().to_string();
    let chain = format!("{:#}", anyhow::Error::new(err));
    assert!(!chain.contains("hunter2"), "{chain}");
    assert_eq!(chain, format!("{message}: {reason}"));
    assert!(!message.contains(&reason), "said once: {chain}");
}

#[test]
fn an_unreachable_redis_leaves_a_working_manager() {
    // Nothing listens on port 1: every call fails at once as "unavailable", and the manager's
    // fallback keeps the contract: one grant, served again; compare-and-invalidate; a new grant.
    let store = Arc::new(RedisStore::open("redis://127.0.0.1:1/", &prod_client(USERNAME)).unwrap());
    assert!(store.load().unwrap_err().is_unavailable());
    let grants = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        let n = counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(sfjwt_test_support::fake::ok([T1, T2][n.min(1)]))
    };
    let manager =
        TokenManager::new(prod_client(USERNAME), transport).with_store(Arc::clone(&store));
    let first = manager.token().unwrap();
    assert_eq!(first.access_token().expose_secret(), T1);
    assert!(
        Arc::ptr_eq(&first, &manager.token().unwrap()),
        "served, not granted again"
    );
    assert!(!manager.invalidate(&AccessToken::new(T2)).unwrap());
    assert!(manager.invalidate(&AccessToken::new(T1)).unwrap());
    assert_eq!(manager.token().unwrap().access_token().expose_secret(), T2);
    assert_eq!(manager.grants(), 2);
    assert_eq!(
        store.local_lock_grants(),
        2,
        "each grant went ahead without the lock"
    );
    assert!(manager.store_failures() >= 5);
}

/// The async store's answer to `op`.
async fn run(store: &AsyncRedisStore, op: StoreOp) -> sfjwt_core::store::StoreReply {
    AsyncTokenStore::run(store, op).await.unwrap()
}

#[tokio::test]
async fn the_async_store_keeps_the_same_contract() {
    let redis = RedisServer::start();
    let client = prod_client(USERNAME);
    let a = AsyncRedisStore::open(&redis.url(), &client).unwrap();
    let sync = open(&redis, USERNAME);
    assert_eq!(
        a.keys(),
        sync.keys(),
        "sync and async processes share one record"
    );

    run(&a, StoreOp::Save(stored(T1)))
        .await
        .into_done()
        .unwrap();
    assert_eq!(
        TokenStore::load(&sync)
            .unwrap()
            .unwrap()
            .token
            .access_token()
            .expose_secret(),
        T1
    );
    TokenStore::save(&sync, stored(T2)).unwrap();
    let invalidate = |t: &str| StoreOp::Invalidate(AccessToken::new(t));
    assert!(!run(&a, invalidate(T1)).await.into_invalidated().unwrap());
    assert!(run(&a, invalidate(T2)).await.into_invalidated().unwrap());
    assert!(run(&a, StoreOp::Load).await.into_token().unwrap().is_none());

    let lock = run(&a, StoreOp::AcquireLock(Duration::from_secs(5))).await;
    let GrantLock::Acquired(lease) = lock.into_lock().unwrap() else {
        panic!("free lock")
    };
    assert!(matches!(
        TokenStore::acquire_grant_lock(&sync, Duration::from_secs(5)).unwrap(),
        GrantLock::HeldElsewhere
    ));
    run(&a, StoreOp::ReleaseLock(lease))
        .await
        .into_done()
        .unwrap();
    assert!(matches!(
        TokenStore::acquire_grant_lock(&sync, Duration::from_secs(5)).unwrap(),
        GrantLock::Acquired(_)
    ));
    assert_eq!(a.local_lock_grants(), 0);
}

#[test]
fn a_key_of_the_wrong_type_is_counted_not_silently_granted_around() {
    let redis = RedisServer::start();
    let store = open(&redis, USERNAME);
    // Someone (another program, a hand-made key) put a string where the record hash belongs.
    let _: () = redis::cmd("SET")
        .arg(store.keys().token())
        .arg("not a record")
        .query(&mut redis.raw())
        .unwrap();
    assert_eq!(store.wrong_type_keys(), 0);
    // The store answers "unavailable": the manager grants around it (Redis trouble never
    // fails a caller).
    assert!(store.load().unwrap_err().is_unavailable());
    assert!(
        store.wrong_type_keys() >= 1,
        "the WRONGTYPE answer is counted"
    );
    let _: Result<_, StoreError> = store.load();
    assert!(store.wrong_type_keys() >= 2, "and every later one");
    // A healthy key of the right type is not counted.
    let other = open(&redis, "analyst@acme.com");
    assert!(other.load().unwrap().is_none());
    assert_eq!(other.wrong_type_keys(), 0);
}
