//! The async store: the operations of [`ops`](crate::ops) on a multiplexed connection.

use core::fmt;
use std::sync::{Mutex, PoisonError};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisResult, Value};
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::store::{AsyncTokenStore, StoreError, StoreFuture, StoreOp, StoreReply};

use crate::builder::RedisStoreBuilder;
use crate::error::RedisStoreError;
use crate::ops::{self, Call, Core, Plan};

/// The async twin of [`RedisStore`](crate::RedisStore), on tokio: an [`AsyncTokenStore`] for
/// [`AsyncTokenManager::with_store`](sfjwt_core::manager::AsyncTokenManager::with_store).
/// Redis I/O never blocks the executor, and every call is bounded by the connect and response
/// timeouts. One multiplexed connection per store, shared by the process's tasks.
///
/// Use it from inside a tokio runtime (the connection's driver task runs there).
///
/// ```no_run
/// # async fn demo(key: sfjwt_core::key::PrivateKey) -> Result<(), Box<dyn std::error::Error>> {
/// # let transport = |_r: http::Request<Vec<u8>>| async { Ok::<http::Response<Vec<u8>>, std::io::Error>(unimplemented!()) };
/// use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer, manager::AsyncTokenManager};
/// use sfjwt_redis::AsyncRedisStore;
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_key")
///     .username("etl@acme.com")
///     .signer(key)
///     .build();
/// let store = AsyncRedisStore::open("redis://127.0.0.1:6379/0", &client)?;
/// let manager = AsyncTokenManager::new(client, transport, tokio::time::sleep)
///     .with_store(store);
/// let token = manager.token().await?;
/// // … the API answered 401 INVALID_SESSION_ID:
/// manager.invalidate(token.access_token()).await?;
/// # Ok(()) }
/// ```
pub struct AsyncRedisStore {
    core: Core,
    conn: Mutex<Option<MultiplexedConnection>>,
}

impl AsyncRedisStore {
    /// A store at `url` (`redis://…` or `rediss://…`) for `client`'s identity, with the
    /// default settings. Does not connect yet.
    ///
    /// # Errors
    /// [`RedisStoreError`] when the URL is invalid.
    pub fn open(url: &str, client: &JwtBearer) -> Result<Self, RedisStoreError> {
        RedisStoreBuilder::new(url, client).build_async()
    }

    ops::common_methods!();

    /// The operation's round trip on the shared connection, unless Redis is being skipped.
    async fn run_op(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        let (call, then) = match ops::plan(&self.core, op) {
            Plan::Redis(call, then) => (call, then),
            Plan::Answer(answer) => return answer,
        };
        if let Some(skipped) = self.core.skipping(&then) {
            return Err(skipped);
        }
        match self.send(call).await {
            Ok(reply) => then.finish(reply),
            Err(error) => Err(self.core.failed(&then, error)),
        }
    }

    async fn send(&self, call: Call) -> RedisResult<Value> {
        let result = match self.connection().await {
            Ok(mut conn) => call.run_async(&mut conn).await,
            Err(e) => Err(e),
        };
        if result.is_err() {
            *self.conn.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        result
    }

    async fn connection(&self) -> RedisResult<MultiplexedConnection> {
        let current = self
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(conn) = current {
            return Ok(conn);
        }
        let settings = &self.core.settings;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(settings.connect_timeout))
            .set_response_timeout(Some(settings.response_timeout));
        let conn = self
            .core
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *self.conn.lock().unwrap_or_else(PoisonError::into_inner) = Some(conn.clone());
        Ok(conn)
    }
}

impl Call {
    async fn run_async(&self, conn: &mut MultiplexedConnection) -> RedisResult<Value> {
        match self {
            Self::Cmd(cmd) => cmd.query_async(conn).await,
            Self::Pipe(pipe) => pipe.query_async(conn).await,
            Self::Script(script) => script.invoke_async(conn).await,
        }
    }
}

impl AsyncTokenStore for AsyncRedisStore {
    fn run(&self, op: StoreOp) -> StoreFuture<'_> {
        Box::pin(self.run_op(op))
    }
}

impl fmt::Debug for AsyncRedisStore {
    // No URL (it may hold a password), no token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncRedisStore")
            .field("keys", &self.core.keys)
            .field("settings", &self.core.settings)
            .finish_non_exhaustive()
    }
}
