//! The Redis commands behind each store operation, built once for the blocking and the async
//! store (each only runs them on its own kind of connection).

use std::time::Duration;

use redis::{Cmd, Pipeline};
use sfjwt_core::store::{QuickRefusals, StoredToken};

use crate::identity::Keys;
use crate::record;

/// What `load` reads: the record's `token` and `at` fields.
pub(crate) type Loaded = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Milliseconds for `PX`/`PEXPIRE` (at least 1: Redis refuses 0).
pub(crate) fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Reads the record and slides its TTL in one round trip: a token in use stays in Redis as long
/// as Salesforce keeps its session alive (sessions slide with use too). Result: `(Loaded,)`.
pub(crate) fn load(keys: &Keys, record_ttl: Duration) -> Pipeline {
    let mut pipe = redis::pipe();
    pipe.cmd("HMGET")
        .arg(keys.token())
        .arg(record::TOKEN)
        .arg(record::AT)
        .cmd("PEXPIRE")
        .arg(keys.token())
        .arg(millis(record_ttl))
        .ignore();
    pipe
}

/// Writes the record with its TTL, atomically (no record without a TTL, even for a moment).
pub(crate) fn save(keys: &Keys, stored: &StoredToken, record_ttl: Duration) -> Pipeline {
    let mut pipe = redis::pipe();
    pipe.atomic();
    let hset = pipe.cmd("HSET").arg(keys.token());
    for (name, value) in &record::encode(stored) {
        hset.arg(*name).arg(value.as_slice());
    }
    hset.ignore()
        .cmd("PEXPIRE")
        .arg(keys.token())
        .arg(millis(record_ttl))
        .ignore();
    pipe
}

/// Takes the grant lock for `ttl` if nobody holds it. Result: `Option<String>` (`None`: held).
pub(crate) fn lock(keys: &Keys, owner: &str, ttl: Duration) -> Cmd {
    let mut cmd = redis::cmd("SET");
    cmd.arg(keys.lock())
        .arg(owner)
        .arg("NX")
        .arg("PX")
        .arg(millis(ttl));
    cmd
}

/// Reads the streak. Result: `(Option<String>, Option<String>)` for `n` and `at`.
pub(crate) fn load_refusals(keys: &Keys) -> Cmd {
    let mut cmd = redis::cmd("HMGET");
    cmd.arg(keys.refusals())
        .arg(record::REFUSALS)
        .arg(record::REFUSED_AT);
    cmd
}

/// Writes the streak, expiring when it stops mattering, or deletes it (`None`).
pub(crate) fn save_refusals(
    keys: &Keys,
    refusals: Option<QuickRefusals>,
    keep_for: Duration,
) -> Pipeline {
    let mut pipe = redis::pipe();
    pipe.atomic();
    match refusals {
        None => {
            pipe.cmd("DEL").arg(keys.refusals()).ignore();
        }
        Some(streak) => {
            let (count, at) = record::encode_refusals(streak);
            pipe.cmd("HSET")
                .arg(keys.refusals())
                .arg(record::REFUSALS)
                .arg(count)
                .arg(record::REFUSED_AT)
                .arg(at)
                .ignore()
                .cmd("PEXPIRE")
                .arg(keys.refusals())
                .arg(millis(keep_for))
                .ignore();
        }
    }
    pipe
}
