//! # sfjwt-redis
//!
//! One Salesforce access token for a whole fleet. Salesforce caps JWT bearer logins at 3,600
//! per user per hour and gives tokens no stated lifetime; one process reuses its token through
//! sfjwt-core's token manager, but fifty pods of an ETL job each logging in burn the cap and
//! flood the org's login history. This crate is a token store on Redis that those processes
//! share: one grant for the fleet, one re-grant after the token is refused.
//!
//! ## What this crate does not do
//!
//! - **It does not protect the token from whoever can read Redis.** The stored value is the
//!   token response with the access token exactly as Salesforce issued it: **anyone who can
//!   read the key can call the org's API as the user** until the session times out. Give the
//!   fleet a Redis ACL user limited to the key prefix (`~sfjwt:*`, see
//!   [`RedisStoreBuilder::prefix`]), keep other tenants off that Redis, and use TLS
//!   (`rediss://`, rustls with the OS trust store) on any network you do not own.
//! - **Used through the token manager, it never fails a caller because of Redis.** Redis
//!   down, unreachable or slow: each call waits at most the connect/response timeout, then the
//!   store answers [`StoreError::unavailable`](sfjwt_core::store::StoreError::unavailable)
//!   and the manager serves its own copy of the token or lets the process grant on its own
//!   ([when Redis is down or slow](#when-redis-is-down-or-slow)). Called directly, the store
//!   returns that error: it keeps no copy of its own.
//! - It does not share a failed grant's error across processes: after a refused grant
//!   (`invalid_grant`…), each waiting process tries once itself.
//!
//! ## How
//!
//! - **Keys**: one identity = login URL (scheme, host, port) + audience + client id + username
//!   (+ the key's fingerprint, [`RedisStoreBuilder::key_fingerprint`]), hashed ([`Keys`], over
//!   the core's `CacheIdentity`, the same identity the CLI's file cache uses): `sfjwt:token:<sha256 hex>` holds the record (a hash: the token response JSON,
//!   the grant time, a SHA-256 fingerprint of the access token), `sfjwt:lock:<sha256 hex>` the
//!   grant lock, `sfjwt:refusals:<sha256 hex>` the streak of tokens refused right after their
//!   grant. No secret and no name is readable in a key.
//! - **The record expires** after [`record_ttl`](RedisStoreBuilder::record_ttl) (default 2 h,
//!   Salesforce's default session timeout; at most 24 h, its longest), and every read renews
//!   it, as Salesforce renews a session in use: a token nobody uses leaves Redis with its
//!   session instead of lingering forever.
//! - **Single flight across processes**: the manager's in-process leader asks for the lock,
//!   `SET lock <random owner> NX PX <ttl>`; the winner grants and saves, then releases with a
//!   Lua compare-and-delete on its owner token (a lock that expired and was taken by another
//!   process survives). The others poll the record every
//!   [`LockPolicy::poll_interval`](sfjwt_core::manager::LockPolicy) and take the winner's
//!   token. The holder renews the lock before each retry (a Lua compare-and-`PEXPIRE` on its
//!   owner token), so a grant slower than the TTL keeps it. A holder that dies leaves a lock
//!   that expires after its TTL; the next waiter to ask then wins it and grants.
//! - **Bounded re-grants across the fleet**: the manager's
//!   [`RegrantPolicy`](sfjwt_core::manager::RegrantPolicy) streak is kept in Redis, so when
//!   the org refuses sessions right after their grant (sessions locked to one IP, the fleet
//!   behind several), two grants stop the whole fleet, not two per process. The key expires
//!   two windows after the last refusal.
//! - **Invalidation** after a 401 `INVALID_SESSION_ID` is a Lua compare-and-delete on the
//!   fingerprint: it deletes the record only if it still holds the refused token, so one stale
//!   worker cannot throw away the fresh token another just stored.
//!
//! ## When Redis is down or slow
//!
//! Every Redis call has a connect and a response timeout (500 ms each by default). When one
//! fails the store logs a `tracing` warning, answers an "unavailable" error, and skips Redis
//! for [`retry_after`](RedisStoreBuilder::retry_after). The token manager's one fallback
//! (the same for every store) serves the last token it read or wrote, and counts the failure
//! (`store_failures()` on the manager). If the lock cannot be asked, the process grants on its
//! own ([`RedisStore::local_lock_grants`]): at most one grant per process per refused token
//! during an outage — bounded, and visible.
//!
//! ## Quick start
//!
//! ```no_run
//! # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! # let transport = |_r: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, std::io::Error> { unimplemented!() };
//! use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer, manager::TokenManager};
//! let client = JwtBearer::builder()
//!     .endpoint(TokenEndpoint::production())
//!     .client_id("3MVG9_key")
//!     .username("etl@acme.com")
//!     .signer(key)
//!     .build();
//! let store = sfjwt_redis::RedisStore::open("rediss://etl:secret@redis.internal:6380", &client)?;
//! let manager = TokenManager::new(client, transport).with_store(store);
//! let token = manager.token()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For async code, [`AsyncRedisStore`] with
//! [`AsyncTokenManager::with_store`](sfjwt_core::manager::AsyncTokenManager::with_store).
#![forbid(unsafe_code)]

mod blocking;
mod builder;
mod commands;
mod error;
mod health;
mod identity;
mod nonblocking;
mod ops;
mod record;
mod scripts;

pub use blocking::RedisStore;
pub use builder::{DEFAULT_RECORD_TTL, MAX_RECORD_TTL, RedisStoreBuilder};
pub use error::RedisStoreError;
pub use identity::{DEFAULT_PREFIX, Keys};
pub use nonblocking::AsyncRedisStore;
