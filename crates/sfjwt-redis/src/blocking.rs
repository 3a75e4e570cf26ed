//! The blocking store: the operations of [`ops`](crate::ops) on a blocking connection.

use core::fmt;
use std::sync::{Mutex, PoisonError};

use redis::{Connection, RedisResult, Value};
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::store::{StoreError, StoreOp, StoreReply, TokenStore};

use crate::error::RedisStoreError;
use crate::ops::{self, Call, Core, Plan};

/// A blocking [`TokenStore`] on Redis, shared by every process that logs in as the same
/// identity; hand it to [`TokenManager::with_store`](sfjwt_core::manager::TokenManager::with_store).
///
/// One connection per store, opened lazily and reopened after a failure; calls from the
/// process's threads take turns on it (they are rare: the manager reads the token once per
/// `token()` call and writes only after a grant). With the token manager, never fails a
/// caller because of Redis: see the [crate docs](crate#when-redis-is-down-or-slow).
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

    /// Sends `call` on the connection (opened lazily, dropped after a failure).
    fn send(&self, call: &Call) -> RedisResult<Value> {
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let result = match slot.as_mut() {
            Some(conn) => call.run(conn),
            None => self.connect().and_then(|conn| call.run(slot.insert(conn))),
        };
        if result.is_err() {
            // A timed-out connection may still owe an answer: never reuse it.
            *slot = None;
        }
        result
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
    fn run(&self, conn: &mut Connection) -> RedisResult<Value> {
        match self {
            Self::Cmd(cmd) => cmd.query(conn),
            Self::Pipe(pipe) => pipe.query(conn),
            Self::Script(script) => script.invoke(conn),
        }
    }
}

impl TokenStore for RedisStore {
    /// The operation's round trip, unless Redis is being skipped after a failure.
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        let (call, then) = match ops::plan(&self.core, op) {
            Plan::Redis(call, then) => (call, then),
            Plan::Answer(answer) => return answer,
        };
        if let Some(skipped) = self.core.skipping(&then) {
            return Err(skipped);
        }
        match self.send(&call) {
            Ok(reply) => then.finish(reply),
            Err(error) => Err(self.core.failed(&then, error)),
        }
    }
}

impl fmt::Debug for RedisStore {
    // No URL (it may hold a password), no token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("keys", &self.core.keys)
            .field("settings", &self.core.settings)
            .finish_non_exhaustive()
    }
}
