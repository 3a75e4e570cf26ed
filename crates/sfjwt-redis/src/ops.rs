//! Every store operation, written once for the blocking and the async store.
//!
//! An operation ([`Op`]) has two halves around one Redis round trip: [`Op::call`] prepares the
//! commands (and updates the process's local copy first), [`Op::finish`] turns Redis's reply —
//! or its absence, when Redis is down, slow or skipped — into the store's answer. The two
//! stores differ only in how they carry a [`Call`] to Redis: on a blocking connection or on a
//! multiplexed async one.

use std::time::Duration;

use redis::{Cmd, FromRedisValue, Pipeline, ScriptInvocation};
use sfjwt_core::manager::{GrantLease, GrantLock, QuickRefusals, StoreError, StoredToken};
use sfjwt_core::response::AccessToken;

use crate::builder::{RedisStoreBuilder, Settings};
use crate::commands::{self, Loaded};
use crate::error::RedisStoreError;
use crate::health::Health;
use crate::identity::Keys;
use crate::local::Local;
use crate::{record, scripts};

/// What both stores hold besides their connection.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) client: redis::Client,
    pub(crate) keys: Keys,
    pub(crate) settings: Settings,
    pub(crate) local: Local,
    pub(crate) health: Health,
}

impl Core {
    pub(crate) fn new(builder: RedisStoreBuilder) -> Result<Self, RedisStoreError> {
        Ok(Self {
            client: builder.client()?,
            keys: builder.keys(),
            health: Health::new(builder.settings.retry_after),
            settings: builder.settings,
            local: Local::default(),
        })
    }
}

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

        /// How many store operations were served from the local copy because Redis was
        /// down, slow or failing (each also logged as a `tracing` warning).
        pub fn fallbacks(&self) -> u64 {
            self.core.health.fallbacks()
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

/// A store operation; see the module docs.
pub(crate) trait Op {
    /// The name in logs and in the health counters.
    const NAME: &'static str;
    /// What Redis answers.
    type Reply: FromRedisValue;
    /// What the store answers.
    type Output;

    /// The round trip to make, or `None` when Redis has nothing to do.
    fn call(&mut self, core: &Core) -> Option<Call>;

    /// The store's answer from Redis's reply (`None`: Redis was skipped or failed).
    fn finish(self, core: &Core, reply: Option<Self::Reply>) -> Self::Output;
}

/// Reads the record (sliding its TTL); while Redis is down, the local copy.
pub(crate) struct Load;

impl Op for Load {
    const NAME: &'static str = "load";
    type Reply = (Loaded,);
    type Output = Result<Option<StoredToken>, StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        Some(Call::Pipe(commands::load(
            &core.keys,
            core.settings.record_ttl,
        )))
    }

    fn finish(self, core: &Core, reply: Option<(Loaded,)>) -> Self::Output {
        Ok(match reply {
            Some(((token, at),)) => core.local.adopt(token, at),
            None => core.local.get(),
        })
    }
}

/// Writes the record; the local copy keeps the token whatever Redis does.
pub(crate) struct Save(pub(crate) StoredToken);

impl Op for Save {
    const NAME: &'static str = "save";
    type Reply = ();
    type Output = Result<(), StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        let pipe = commands::save(&core.keys, &self.0, core.settings.record_ttl);
        core.local.set(Some(self.0.clone()));
        Some(Call::Pipe(pipe))
    }

    fn finish(self, _core: &Core, _reply: Option<()>) -> Self::Output {
        Ok(())
    }
}

/// Compare-and-delete, in Redis and in the local copy.
pub(crate) struct Invalidate<'a> {
    pub(crate) stale: &'a AccessToken,
    local_hit: bool,
}

impl<'a> Invalidate<'a> {
    pub(crate) fn new(stale: &'a AccessToken) -> Self {
        Self {
            stale,
            local_hit: false,
        }
    }
}

impl Op for Invalidate<'_> {
    const NAME: &'static str = "invalidate";
    type Reply = i64;
    type Output = Result<bool, StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        self.local_hit = core.local.invalidate(self.stale);
        let mut script = scripts::INVALIDATE.key(core.keys.token());
        script.arg(record::fingerprint(self.stale));
        Some(Call::Script(script))
    }

    fn finish(self, _core: &Core, reply: Option<i64>) -> Self::Output {
        Ok(reply.map_or(self.local_hit, |deleted| deleted == 1))
    }
}

/// Takes the fleet's grant lock; while Redis is down, a local lease (counted).
pub(crate) struct Lock {
    pub(crate) ttl: Duration,
    owner: String,
}

impl Lock {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            owner: record::owner_token(),
        }
    }
}

impl Op for Lock {
    const NAME: &'static str = "lock";
    type Reply = Option<String>;
    type Output = Result<GrantLock, StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        Some(Call::Cmd(commands::lock(&core.keys, &self.owner, self.ttl)))
    }

    fn finish(self, core: &Core, reply: Option<Option<String>>) -> Self::Output {
        Ok(match reply {
            Some(Some(_)) => GrantLock::Acquired(GrantLease::new(self.owner)),
            Some(None) => GrantLock::HeldElsewhere,
            None => {
                core.health.local_lock();
                GrantLock::Acquired(GrantLease::local())
            }
        })
    }
}

/// Releases the lock if this lease still owns it; if that fails the lock expires.
pub(crate) struct Release(pub(crate) GrantLease);

impl Op for Release {
    const NAME: &'static str = "unlock";
    type Reply = i64;
    type Output = Result<(), StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        (!self.0.is_local()).then(|| {
            let mut script = scripts::RELEASE.key(core.keys.lock());
            script.arg(self.0.owner());
            Call::Script(script)
        })
    }

    fn finish(self, _core: &Core, _reply: Option<i64>) -> Self::Output {
        Ok(())
    }
}

/// Renews the lock if this lease still owns it.
pub(crate) struct Extend<'a> {
    pub(crate) lease: &'a GrantLease,
    pub(crate) ttl: Duration,
}

impl Op for Extend<'_> {
    const NAME: &'static str = "extend";
    type Reply = i64;
    type Output = Result<bool, StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        (!self.lease.is_local()).then(|| {
            let mut script = scripts::EXTEND.key(core.keys.lock());
            script
                .arg(self.lease.owner())
                .arg(commands::millis(self.ttl));
            Call::Script(script)
        })
    }

    fn finish(self, _core: &Core, reply: Option<i64>) -> Self::Output {
        // Redis unreachable (or a local lease): nobody else can take the lock from it either.
        Ok(reply.is_none_or(|renewed| renewed == 1))
    }
}

/// Reads the fleet's refusal streak; while Redis is down, the local copy.
pub(crate) struct LoadRefusals;

impl Op for LoadRefusals {
    const NAME: &'static str = "load_refusals";
    type Reply = (Option<String>, Option<String>);
    type Output = Result<Option<QuickRefusals>, StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        Some(Call::Cmd(commands::load_refusals(&core.keys)))
    }

    fn finish(self, core: &Core, reply: Option<Self::Reply>) -> Self::Output {
        Ok(match reply {
            Some((n, at)) => core.local.set_refusals(record::decode_refusals(n, at)),
            None => core.local.refusals(),
        })
    }
}

/// Writes (or clears) the streak; the local copy keeps it whatever Redis does.
pub(crate) struct SaveRefusals {
    pub(crate) refusals: Option<QuickRefusals>,
    pub(crate) keep_for: Duration,
}

impl Op for SaveRefusals {
    const NAME: &'static str = "save_refusals";
    type Reply = ();
    type Output = Result<bool, StoreError>;

    fn call(&mut self, core: &Core) -> Option<Call> {
        core.local.set_refusals(self.refusals);
        Some(Call::Pipe(commands::save_refusals(
            &core.keys,
            self.refusals,
            self.keep_for,
        )))
    }

    fn finish(self, _core: &Core, _reply: Option<()>) -> Self::Output {
        Ok(true)
    }
}
