//! Every store operation, written once for the blocking and the async store.
//!
//! An operation has two halves around one Redis round trip: [`plan`] turns a [`StoreOp`] into
//! the commands to send (or an answer that needs no Redis), [`Then::finish`] turns Redis's
//! reply into the store's answer. [`Core::failed`] turns a failed round trip, and
//! [`Core::skipping`] one not tried while Redis is down, into the store's error. The two stores differ only in how they carry a [`Call`] to Redis: on a
//! blocking connection or on a multiplexed async one.
//!
//! The store keeps no copy of the token: when Redis fails, the answer is a
//! [`StoreError::unavailable`], and the token manager's fallback serves its own copy.

use redis::{Cmd, Pipeline, ScriptInvocation, Value};
use sfjwt_core::store::{GrantLease, GrantLock, StoreError, StoreOp, StoreReply};
use zeroize::Zeroizing;

use crate::builder::{RedisStoreBuilder, Settings};
use crate::commands::{self, Loaded};
use crate::error::RedisStoreError;
use crate::health::Health;
use crate::identity::Keys;
use crate::record::{self, Corrupt};
use crate::scripts;

/// What both stores hold besides their connection.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) client: redis::Client,
    pub(crate) keys: Keys,
    pub(crate) settings: Settings,
    pub(crate) health: Health,
}

impl Core {
    pub(crate) fn new(builder: RedisStoreBuilder) -> Result<Self, RedisStoreError> {
        Ok(Self {
            client: builder.client()?,
            keys: builder.keys(),
            health: Health::new(builder.settings.retry_after),
            settings: builder.settings,
        })
    }

    /// The error for `then` when Redis is being skipped (after a recent failure).
    pub(crate) fn skipping(&self, then: &Then) -> Option<StoreError> {
        self.health.skipping(then.name()).then(|| {
            self.lock_failed(then);
            StoreError::unavailable(
                format!("Redis is skipped after a recent failure ({})", then.name()),
                Skipped,
            )
        })
    }

    /// The error for `then` when its round trip failed.
    pub(crate) fn failed(&self, then: &Then, error: redis::RedisError) -> StoreError {
        self.health.failed(then.name(), &error);
        self.lock_failed(then);
        // Redis error texts name the command and the failure, never a value.
        StoreError::unavailable(format!("Redis did not answer ({})", then.name()), error)
    }

    fn lock_failed(&self, then: &Then) {
        if matches!(then, Then::Lock(_)) {
            self.health.local_lock();
        }
    }
}

/// The cause of a skipped round trip.
#[derive(Debug)]
pub(crate) struct Skipped;

impl core::fmt::Display for Skipped {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Redis failed within `retry_after`; it is tried again after that")
    }
}

impl std::error::Error for Skipped {}

/// The methods both stores have, written once: the builder, the key names and the
/// counters of what Redis's absence cost.
macro_rules! common_methods {
    () => {
        /// A builder for a store at `url` for `client`'s identity (finish with
        /// [`build`](crate::RedisStoreBuilder::build) or
        /// [`build_async`](crate::RedisStoreBuilder::build_async)).
        pub fn builder(
            url: &str,
            client: &sfjwt_core::exchange::JwtBearer,
        ) -> crate::RedisStoreBuilder {
            crate::RedisStoreBuilder::new(url, client)
        }

        pub(crate) fn from_builder(
            builder: crate::RedisStoreBuilder,
        ) -> Result<Self, crate::RedisStoreError> {
            Ok(Self {
                core: crate::ops::Core::new(builder)?,
                conn: std::sync::Mutex::new(None),
            })
        }

        /// The Redis key names this store uses (the same for the blocking and the async
        /// store of one identity, so both kinds of process share one record).
        pub fn keys(&self) -> &crate::Keys {
            &self.core.keys
        }

        /// How many Redis calls found one of this identity's keys holding a value of another
        /// type (`WRONGTYPE`): such a key makes every call grant on its own until it is
        /// deleted. The first is logged as a `tracing` warning; a caller may report it too.
        pub fn wrong_type_keys(&self) -> u64 {
            self.core.health.wrong_types()
        }

        /// How many times this process was let grant without the fleet's lock because Redis
        /// could not be asked: the bound on extra logins an outage costs.
        pub fn local_lock_grants(&self) -> u64 {
            self.core.health.local_locks()
        }
    };
}
pub(crate) use common_methods;

/// One round trip: a command, a pipeline, or one of the compare-and-act scripts.
pub(crate) enum Call {
    Cmd(Cmd),
    Pipe(Pipeline),
    Script(ScriptInvocation<'static>),
}

/// What to make of Redis's reply.
pub(crate) enum Then {
    Load,
    Save,
    Invalidate,
    /// The owner token the lock was asked for.
    Lock(String),
    Extend,
    Release,
    LoadRefusals,
    SaveRefusals,
}

/// What an operation needs: a round trip, or nothing from Redis.
pub(crate) enum Plan {
    Redis(Call, Then),
    Answer(Result<StoreReply, StoreError>),
}

/// The round trip `op` needs.
pub(crate) fn plan(core: &Core, op: StoreOp) -> Plan {
    let keys = &core.keys;
    let ttl = core.settings.record_ttl;
    // A local lease (handed out by no Redis lock) has nothing to renew or release: the answer
    // of a store without a lock.
    if let StoreOp::ExtendLock(lease, _) | StoreOp::ReleaseLock(lease) = &op
        && lease.is_local()
    {
        return Plan::Answer(op.default_reply());
    }
    let (call, then) = match op {
        StoreOp::Load => (Call::Pipe(commands::load(keys, ttl)), Then::Load),
        StoreOp::Save(token) => (Call::Pipe(commands::save(keys, &token, ttl)), Then::Save),
        StoreOp::Invalidate(stale) => {
            let mut script = scripts::INVALIDATE.key(keys.token());
            script.arg(record::fingerprint(&stale));
            (Call::Script(script), Then::Invalidate)
        }
        StoreOp::AcquireLock(ttl) => {
            let owner = record::owner_token();
            (
                Call::Cmd(commands::lock(keys, &owner, ttl)),
                Then::Lock(owner),
            )
        }
        StoreOp::ExtendLock(lease, ttl) => {
            let mut script = scripts::EXTEND.key(keys.lock());
            script.arg(lease.owner()).arg(commands::millis(ttl));
            (Call::Script(script), Then::Extend)
        }
        StoreOp::ReleaseLock(lease) => {
            let mut script = scripts::RELEASE.key(keys.lock());
            script.arg(lease.owner());
            (Call::Script(script), Then::Release)
        }
        StoreOp::LoadRefusals => (Call::Cmd(commands::load_refusals(keys)), Then::LoadRefusals),
        StoreOp::SaveRefusals(streak, keep_for) => (
            Call::Pipe(commands::save_refusals(keys, streak, keep_for)),
            Then::SaveRefusals,
        ),
        // An operation added to the core after this store was written.
        other => return Plan::Answer(other.default_reply()),
    };
    Plan::Redis(call, then)
}

impl Then {
    /// The name in logs and in the health counters.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Load => "load",
            Self::Save => "save",
            Self::Invalidate => "invalidate",
            Self::Lock(_) => "lock",
            Self::Extend => "extend",
            Self::Release => "unlock",
            Self::LoadRefusals => "load_refusals",
            Self::SaveRefusals => "save_refusals",
        }
    }

    /// The store's answer from Redis's `reply`.
    pub(crate) fn finish(self, reply: Value) -> Result<StoreReply, StoreError> {
        let parse_error = |_| {
            StoreError::new(format!(
                "Redis answered an unexpected value ({})",
                self.name()
            ))
        };
        Ok(match &self {
            Self::Load => {
                let ((token, at),): (Loaded,) =
                    redis::from_redis_value(reply).map_err(parse_error)?;
                StoreReply::Token(decode(token, at))
            }
            Self::Save => StoreReply::Saved,
            Self::Invalidate => {
                let deleted: i64 = redis::from_redis_value(reply).map_err(parse_error)?;
                StoreReply::Invalidated(deleted == 1)
            }
            Self::Lock(owner) => {
                let set: Option<String> = redis::from_redis_value(reply).map_err(parse_error)?;
                StoreReply::Lock(match set {
                    Some(_) => GrantLock::Acquired(GrantLease::new(owner.clone())),
                    None => GrantLock::HeldElsewhere,
                })
            }
            Self::Extend => {
                let renewed: i64 = redis::from_redis_value(reply).map_err(parse_error)?;
                StoreReply::Extended(renewed == 1)
            }
            Self::Release => StoreReply::Released,
            Self::LoadRefusals => {
                let (n, at): (Option<String>, Option<String>) =
                    redis::from_redis_value(reply).map_err(parse_error)?;
                StoreReply::Refusals(record::decode_refusals(n, at))
            }
            // Redis keeps the streak for the whole fleet.
            Self::SaveRefusals => StoreReply::RefusalsSaved(true),
        })
    }
}

/// The record `HMGET token at` returned. A record that does not parse (written by something
/// else) reads as "no token": the next grant overwrites it.
fn decode(token: Option<Vec<u8>>, at: Option<Vec<u8>>) -> Option<sfjwt_core::store::StoredToken> {
    match record::decode(token.map(Zeroizing::new), at) {
        Ok(stored) => stored,
        Err(corrupt) => {
            let field = match corrupt {
                Corrupt::Token => record::TOKEN,
                Corrupt::Time => record::AT,
            };
            tracing::warn!(
                field,
                "sfjwt-redis: stored token record does not parse; treating it as absent"
            );
            None
        }
    }
}
