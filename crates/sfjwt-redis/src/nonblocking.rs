use core::fmt;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisResult};
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::manager::{
    AsyncTokenStore, GrantLease, GrantLock, QuickRefusals, StoreFuture, StoredToken,
};
use sfjwt_core::response::AccessToken;

use crate::builder::{RedisStoreBuilder, Settings};
use crate::commands::{self, Loaded};
use crate::error::RedisStoreError;
use crate::health::Health;
use crate::identity::Keys;
use crate::local::Local;
use crate::{record, scripts};

/// The async twin of [`RedisStore`](crate::RedisStore), on tokio: an [`AsyncTokenStore`] for
/// [`AsyncTokenManager::with_async_store`](sfjwt_core::manager::AsyncTokenManager::with_async_store).
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
///     .with_async_store(store);
/// let token = manager.token().await?;
/// // … the API answered 401 INVALID_SESSION_ID:
/// manager.invalidate_async(token.access_token()).await?;
/// # Ok(()) }
/// ```
pub struct AsyncRedisStore {
    client: redis::Client,
    conn: Mutex<Option<MultiplexedConnection>>,
    keys: Keys,
    settings: Settings,
    local: Local,
    health: Health,
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

    /// A builder for a store at `url` for `client`'s identity (finish with
    /// [`build_async`](RedisStoreBuilder::build_async)).
    pub fn builder(url: &str, client: &JwtBearer) -> RedisStoreBuilder {
        RedisStoreBuilder::new(url, client)
    }

    pub(crate) fn from_builder(builder: RedisStoreBuilder) -> Result<Self, RedisStoreError> {
        Ok(Self {
            client: builder.client()?,
            conn: Mutex::new(None),
            keys: builder.keys(),
            health: Health::new(builder.settings.retry_after),
            settings: builder.settings,
            local: Local::default(),
        })
    }

    /// The Redis key names this store uses.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// See [`RedisStore::fallbacks`](crate::RedisStore::fallbacks).
    pub fn fallbacks(&self) -> u64 {
        self.health.fallbacks()
    }

    /// See [`RedisStore::local_lock_grants`](crate::RedisStore::local_lock_grants).
    pub fn local_lock_grants(&self) -> u64 {
        self.health.local_locks()
    }

    /// Runs `f` on the shared connection; `None` (counted, logged) when Redis is unavailable.
    async fn redis<T, F, Fut>(&self, op: &'static str, f: F) -> Option<T>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        if self.health.skipping(op) {
            return None;
        }
        let result = match self.connection().await {
            Ok(conn) => f(conn).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                *self.conn.lock().unwrap_or_else(PoisonError::into_inner) = None;
                self.health.failed(op, &error);
                None
            }
        }
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
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.settings.connect_timeout))
            .set_response_timeout(Some(self.settings.response_timeout));
        let conn = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *self.conn.lock().unwrap_or_else(PoisonError::into_inner) = Some(conn.clone());
        Ok(conn)
    }
}

impl AsyncTokenStore for AsyncRedisStore {
    fn load(&self) -> StoreFuture<'_, Option<StoredToken>> {
        Box::pin(async move {
            let pipe = commands::load(&self.keys, self.settings.record_ttl);
            let fetched = self
                .redis("load", |mut c| async move {
                    pipe.query_async::<(Loaded,)>(&mut c).await
                })
                .await;
            Ok(match fetched {
                Some(((token, at),)) => self.local.adopt(token, at),
                None => self.local.get(),
            })
        })
    }

    fn save(&self, token: StoredToken) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let pipe = commands::save(&self.keys, &token, self.settings.record_ttl);
            self.local.set(Some(token));
            self.redis("save", |mut c| async move {
                pipe.query_async::<()>(&mut c).await
            })
            .await;
            Ok(())
        })
    }

    fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let local = self.local.invalidate(stale);
            let fp = record::fingerprint(stale);
            let shared = self
                .redis("invalidate", |mut c| async move {
                    scripts::INVALIDATE
                        .key(self.keys.token())
                        .arg(&fp)
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await;
            Ok(shared.map_or(local, |deleted| deleted == 1))
        })
    }

    fn acquire_grant_lock(&self, ttl: Duration) -> StoreFuture<'_, GrantLock> {
        Box::pin(async move {
            let owner = record::owner_token();
            let cmd = commands::lock(&self.keys, &owner, ttl);
            let set = self
                .redis("lock", |mut c| async move {
                    cmd.query_async::<Option<String>>(&mut c).await
                })
                .await;
            Ok(match set {
                Some(Some(_)) => GrantLock::Acquired(GrantLease::new(owner)),
                Some(None) => GrantLock::HeldElsewhere,
                None => {
                    self.health.local_lock();
                    GrantLock::Acquired(GrantLease::local())
                }
            })
        })
    }

    fn release_grant_lock(&self, lease: GrantLease) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            if !lease.is_local() {
                self.redis("unlock", |mut c| async move {
                    scripts::RELEASE
                        .key(self.keys.lock())
                        .arg(lease.owner())
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await;
            }
            Ok(())
        })
    }

    fn extend_grant_lock<'a>(
        &'a self,
        lease: &'a GrantLease,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            if lease.is_local() {
                return Ok(true);
            }
            let extended = self
                .redis("extend", |mut c| async move {
                    scripts::EXTEND
                        .key(self.keys.lock())
                        .arg(lease.owner())
                        .arg(commands::millis(ttl))
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await;
            // Redis unreachable: nobody else can take the lock from it either.
            Ok(extended.is_none_or(|renewed| renewed == 1))
        })
    }

    fn load_refusals(&self) -> StoreFuture<'_, Option<QuickRefusals>> {
        Box::pin(async move {
            let cmd = commands::load_refusals(&self.keys);
            let fetched = self
                .redis("load_refusals", |mut c| async move {
                    cmd.query_async(&mut c).await
                })
                .await;
            Ok(match fetched {
                Some((n, at)) => self.local.set_refusals(record::decode_refusals(n, at)),
                None => self.local.refusals(),
            })
        })
    }

    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            self.local.set_refusals(refusals);
            let pipe = commands::save_refusals(&self.keys, refusals, keep_for);
            self.redis("save_refusals", |mut c| async move {
                pipe.query_async::<()>(&mut c).await
            })
            .await;
            Ok(true)
        })
    }
}

impl fmt::Debug for AsyncRedisStore {
    // No URL (it may hold a password), no token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncRedisStore")
            .field("keys", &self.keys)
            .field("settings", &self.settings)
            .field("fallbacks", &self.fallbacks())
            .finish_non_exhaustive()
    }
}
