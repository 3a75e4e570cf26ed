//! The blocking store: the operations of [`ops`](crate::ops) on a blocking connection.

use core::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redis::{Connection, RedisResult};
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::manager::{
    GrantLease, GrantLock, QuickRefusals, StoreError, StoredToken, TokenStore,
};
use sfjwt_core::response::AccessToken;

use crate::error::RedisStoreError;
use crate::ops::{self, Call, Core, Op};

/// A blocking [`TokenStore`] on Redis, shared by every process that logs in as the same
/// identity; hand it to [`TokenManager::with_store`](sfjwt_core::manager::TokenManager::with_store).
///
/// One connection per store, opened lazily and reopened after a failure; calls from the
/// process's threads take turns on it (they are rare: the manager reads the token once per
/// `token()` call and writes only after a grant). Never fails a caller because of Redis: see
/// the [crate docs](crate#when-redis-is-down-or-slow).
///
/// ```no_run
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// # let transport = |_r: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, std::io::Error> { unimplemented!() };
/// use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer, manager::TokenManager};
/// use sfjwt_redis::RedisStore;
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_key")
///     .username("etl@acme.com")
///     .signer(key)
///     .build();
/// let store = RedisStore::open("rediss://sfjwt:secret@redis.internal:6380/0", &client)?;
/// let manager = TokenManager::new(client, transport).with_store(store);
/// let token = manager.token()?; // one grant for the whole fleet
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RedisStore {
    core: Core,
    conn: Mutex<Option<Connection>>,
}

impl RedisStore {
    /// A store at `url` (`redis://…` or `rediss://…` for TLS) for `client`'s identity, with
    /// the default settings. Does not connect yet.
    ///
    /// # Errors
    /// [`RedisStoreError`] when the URL is invalid.
    pub fn open(url: &str, client: &JwtBearer) -> Result<Self, RedisStoreError> {
        Self::builder(url, client).build()
    }

    ops::common_methods!();

    /// Runs `op`: its round trip on the connection (opened lazily, dropped after a failure),
    /// unless Redis is being skipped.
    fn run<O: Op>(&self, mut op: O) -> O::Output {
        let reply = match op.call(&self.core) {
            Some(call) if !self.core.health.skipping(O::NAME) => self.send(O::NAME, &call),
            _ => None,
        };
        op.finish(&self.core, reply)
    }

    fn send<T: redis::FromRedisValue>(&self, name: &'static str, call: &Call) -> Option<T> {
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let result = match slot.as_mut() {
            Some(conn) => call.run(conn),
            None => self.connect().and_then(|conn| call.run(slot.insert(conn))),
        };
        result
            .inspect_err(|error| {
                // A timed-out connection may still owe an answer: never reuse it.
                *slot = None;
                self.core.health.failed(name, error);
            })
            .ok()
    }

    fn connect(&self) -> RedisResult<Connection> {
        let settings = &self.core.settings;
        let conn = self
            .core
            .client
            .get_connection_with_timeout(settings.connect_timeout)?;
        conn.set_read_timeout(Some(settings.response_timeout))?;
        conn.set_write_timeout(Some(settings.response_timeout))?;
        Ok(conn)
    }
}

impl Call {
    fn run<T: redis::FromRedisValue>(&self, conn: &mut Connection) -> RedisResult<T> {
        match self {
            Self::Cmd(cmd) => cmd.query(conn),
            Self::Pipe(pipe) => pipe.query(conn),
            Self::Script(script) => script.invoke(conn),
        }
    }
}

impl TokenStore for RedisStore {
    fn load(&self) -> Result<Option<StoredToken>, StoreError> {
        self.run(ops::Load)
    }

    fn save(&self, token: StoredToken) -> Result<(), StoreError> {
        self.run(ops::Save(token))
    }

    fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        self.run(ops::Invalidate::new(stale))
    }

    fn acquire_grant_lock(&self, ttl: Duration) -> Result<GrantLock, StoreError> {
        self.run(ops::Lock::new(ttl))
    }

    fn release_grant_lock(&self, lease: GrantLease) -> Result<(), StoreError> {
        self.run(ops::Release(lease))
    }

    fn extend_grant_lock(&self, lease: &GrantLease, ttl: Duration) -> Result<bool, StoreError> {
        self.run(ops::Extend { lease, ttl })
    }

    fn load_refusals(&self) -> Result<Option<QuickRefusals>, StoreError> {
        self.run(ops::LoadRefusals)
    }

    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> Result<bool, StoreError> {
        self.run(ops::SaveRefusals { refusals, keep_for })
    }
}

impl fmt::Debug for RedisStore {
    // No URL (it may hold a password), no token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("keys", &self.core.keys)
            .field("settings", &self.core.settings)
            .field("fallbacks", &self.fallbacks())
            .finish_non_exhaustive()
    }
}
