//! The compare-and-act scripts. Each runs atomically in Redis (EVALSHA, falling back to
//! EVAL), so "compare, then delete" cannot interleave with another process's write.

use std::sync::LazyLock;

use redis::Script;

/// Deletes the token only if its fingerprint is still the stale one: a worker reporting an old
/// token (401 `INVALID_SESSION_ID`) must not throw away the fresh token another worker stored.
/// KEYS[1] = token key, ARGV[1] = fingerprint of the refused token. Returns 1 if deleted.
pub(crate) static INVALIDATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('HGET', KEYS[1], 'fp') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0",
    )
});

/// Releases the grant lock only if this owner still holds it: after a TTL expiry another
/// process may hold it, and its lock must survive. KEYS[1] = lock key, ARGV[1] = owner token.
pub(crate) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0",
    )
});

/// Pushes the grant lock's expiry out, only if this owner still holds it (the manager renews
/// it before each retry). KEYS[1] = lock key, ARGV[1] = owner token, ARGV[2] = TTL in ms.
/// Returns 1 if renewed.
pub(crate) static EXTEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0",
    )
});
