use core::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redis::{Connection, RedisResult};
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::manager::{
    GrantLease, GrantLock, QuickRefusals, StoreError, StoredToken, TokenStore,
};
use sfjwt_core::response::AccessToken;

use crate::builder::{RedisStoreBuilder, Settings};
use crate::commands::{self, Loaded};
use crate::error::RedisStoreError;
use crate::health::Health;
use crate::identity::Keys;
use crate::local::Local;
use crate::{record, scripts};

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
    client: redis::Client,
    conn: Mutex<Option<Connection>>,
    keys: Keys,
    settings: Settings,
    local: Local,
    health: Health,
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

    /// A builder for a store at `url` for `client`'s identity.
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

    /// How many store operations were served from the local copy because Redis was down,
    /// slow or failing (each also logged as a `tracing` warning).
    pub fn fallbacks(&self) -> u64 {
        self.health.fallbacks()
    }

    /// How many times this process was let grant without the fleet's lock because Redis
    /// could not be asked: the bound on extra logins an outage costs.
    pub fn local_lock_grants(&self) -> u64 {
        self.health.local_locks()
    }

    /// Runs `f` on the connection; `None` (counted, logged) when Redis is unavailable.
    fn redis<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&mut Connection) -> RedisResult<T>,
    ) -> Option<T> {
        if self.health.skipping(op) {
            return None;
        }
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let result = match slot.as_mut() {
            Some(conn) => f(conn),
            None => self.connect().and_then(|conn| f(slot.insert(conn))),
        };
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                // A timed-out connection may still owe an answer: never reuse it.
                *slot = None;
                self.health.failed(op, &error);
                None
            }
        }
    }

    fn connect(&self) -> RedisResult<Connection> {
        let conn = self
            .client
            .get_connection_with_timeout(self.settings.connect_timeout)?;
        conn.set_read_timeout(Some(self.settings.response_timeout))?;
        conn.set_write_timeout(Some(self.settings.response_timeout))?;
        Ok(conn)
    }
}

impl TokenStore for RedisStore {
    fn load(&self) -> Result<Option<StoredToken>, StoreError> {
        let pipe = commands::load(&self.keys, self.settings.record_ttl);
        let fetched = self.redis("load", |c| pipe.query::<(Loaded,)>(c));
        Ok(match fetched {
            Some(((token, at),)) => self.local.adopt(token, at),
            None => self.local.get(),
        })
    }

    fn save(&self, token: StoredToken) -> Result<(), StoreError> {
        let pipe = commands::save(&self.keys, &token, self.settings.record_ttl);
        self.local.set(Some(token));
        self.redis("save", |c| pipe.query::<()>(c));
        Ok(())
    }

    fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        let local = self.local.invalidate(stale);
        let fp = record::fingerprint(stale);
        let shared = self.redis("invalidate", |c| {
            scripts::INVALIDATE
                .key(self.keys.token())
                .arg(&fp)
                .invoke::<i64>(c)
        });
        Ok(shared.map_or(local, |deleted| deleted == 1))
    }

    fn acquire_grant_lock(&self, ttl: Duration) -> Result<GrantLock, StoreError> {
        let owner = record::owner_token();
        let cmd = commands::lock(&self.keys, &owner, ttl);
        Ok(
            match self.redis("lock", |c| cmd.query::<Option<String>>(c)) {
                Some(Some(_)) => GrantLock::Acquired(GrantLease::new(owner)),
                Some(None) => GrantLock::HeldElsewhere,
                None => {
                    self.health.local_lock();
                    GrantLock::Acquired(GrantLease::local())
                }
            },
        )
    }

    fn release_grant_lock(&self, lease: GrantLease) -> Result<(), StoreError> {
        if !lease.is_local() {
            // If this fails the lock expires after its TTL.
            self.redis("unlock", |c| {
                scripts::RELEASE
                    .key(self.keys.lock())
                    .arg(lease.owner())
                    .invoke::<i64>(c)
            });
        }
        Ok(())
    }

    fn extend_grant_lock(&self, lease: &GrantLease, ttl: Duration) -> Result<bool, StoreError> {
        if lease.is_local() {
            return Ok(true);
        }
        let extended = self.redis("extend", |c| {
            scripts::EXTEND
                .key(self.keys.lock())
                .arg(lease.owner())
                .arg(commands::millis(ttl))
                .invoke::<i64>(c)
        });
        // Redis unreachable: nobody else can take the lock from it either.
        Ok(extended.is_none_or(|renewed| renewed == 1))
    }

    fn load_refusals(&self) -> Result<Option<QuickRefusals>, StoreError> {
        let cmd = commands::load_refusals(&self.keys);
        Ok(match self.redis("load_refusals", |c| cmd.query(c)) {
            Some((n, at)) => self.local.set_refusals(record::decode_refusals(n, at)),
            None => self.local.refusals(),
        })
    }

    fn save_refusals(
        &self,
        refusals: Option<QuickRefusals>,
        keep_for: Duration,
    ) -> Result<bool, StoreError> {
        self.local.set_refusals(refusals);
        let pipe = commands::save_refusals(&self.keys, refusals, keep_for);
        self.redis("save_refusals", |c| pipe.query::<()>(c));
        Ok(true)
    }
}

impl fmt::Debug for RedisStore {
    // No URL (it may hold a password), no token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("keys", &self.keys)
            .field("settings", &self.settings)
            .field("fallbacks", &self.fallbacks())
            .finish_non_exhaustive()
    }
}
