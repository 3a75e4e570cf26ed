//! Where a command's token comes from: the cache when it holds one, else a grant through the
//! core's token manager with the cache as its store — so concurrent `sfjwt` processes share
//! one grant (the store's grant lock) and later ones find its token.
//!
//! A file-cache hit is answered before the key is loaded: no passphrase prompt, no RSA
//! parsing, no network — that is what makes a cached `sfjwt token` cost about a millisecond.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::jws::Signer;
use sfjwt_core::manager::{LockPolicy, RetryPolicy, TokenManager};
use sfjwt_core::response::{AccessToken, TokenResponse};
use sfjwt_core::store::{GrantLock, MemoryStore, StoreError, StoreOp, StoreReply, TokenStore};

use sfjwt_file_store::{EntryKey, Event, FileStore, entry};

use super::args::{Backend, CacheArgs};
use super::wait::WaitNotice;
use crate::error::{CliError, CliResult};
use crate::identity::{Identity, KEY_ENV, KeySource};
use crate::transport::Http;

/// A key file larger than this is not a private key; the fingerprint reads at most this much.
const MAX_KEY_BYTES: u64 = 1024 * 1024;

/// Makes the token client once the key is loaded.
pub(crate) type ClientFactory<'a> =
    Box<dyn FnOnce(Arc<dyn Signer + Send + Sync>) -> JwtBearer + 'a>;

/// A token and whether it came from the cache (no grant in this process).
pub(crate) struct Obtained {
    pub(crate) token: Arc<TokenResponse>,
    pub(crate) from_cache: bool,
}

/// The network settings of the grant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grant {
    pub(crate) timeout: Duration,
    pub(crate) retries: u32,
}

impl Grant {
    /// `--retries N`: N retries after the first attempt, backoff from 500 ms capped at 10 s.
    fn retry_policy(self) -> RetryPolicy {
        RetryPolicy::new(
            self.retries.saturating_add(1),
            Duration::from_millis(500),
            Duration::from_secs(10),
        )
    }
}

/// The token of one identity, from the cache or a grant.
pub(crate) struct TokenSource<'a> {
    identity: &'a Identity,
    backend: Backend,
    file: Option<Arc<FileStore>>,
    max_age: Option<Duration>,
    grant: Grant,
    factory: Option<ClientFactory<'a>>,
    manager: Option<Managed>,
    /// The key's fingerprint, for a Redis store's identity (the file entry's, too).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    key_fingerprint: [u8; 32],
}

struct Managed {
    manager: TokenManager<Http>,
    store: Arc<Announced>,
}

impl<'a> TokenSource<'a> {
    /// Chooses the cache from `cache`; `entry` is the identity the token is for.
    ///
    /// # Errors
    /// Exit 2 for an unknown `--cache` value or an unreadable key.
    pub(crate) fn open(
        identity: &'a Identity,
        entry: sfjwt_file_store::Identity,
        cache: &CacheArgs,
        grant: Grant,
        factory: ClientFactory<'a>,
    ) -> CliResult<Self> {
        let backend = cache.backend()?;
        let key = match backend {
            Backend::Off => None,
            Backend::File | Backend::Redis(_) => Some(EntryKey::new(entry, &key_bytes(identity)?)),
        };
        let key_fingerprint = key.as_ref().map_or([0; 32], EntryKey::key_fingerprint);
        let file = match (&backend, key) {
            (Backend::File, Some(key)) => match sfjwt_file_store::default_dir() {
                Some(dir) => Some(Arc::new(
                    FileStore::open(dir, key, lock_policy(grant).max_wait(), say_event())
                        .map_err(|untrusted| super::untrusted_error(&untrusted))?,
                )),
                None => {
                    super::warn_no_cache_dir();
                    None
                }
            },
            _ => None,
        };
        Ok(Self {
            identity,
            backend,
            file,
            max_age: cache.max_age(),
            grant,
            factory: Some(factory),
            manager: None,
            key_fingerprint,
        })
    }

    /// The refusal (exit 2) or give-up (exit 4) the file cache recorded, if any: it ends the
    /// command whatever the token manager made of the store's error.
    fn check_fatal(&self) -> CliResult {
        match self.file.as_ref().and_then(|f| f.take_refusal()) {
            Some(error) => Err(super::refusal_error(error)),
            None => Ok(()),
        }
    }

    /// The cache file this source uses, if any (for messages).
    pub(crate) fn file(&self) -> Option<std::path::PathBuf> {
        self.file.as_ref().map(|f| f.path())
    }

    /// The current token: the cached one if there is one young enough, else a new grant.
    ///
    /// # Errors
    /// A failed grant (exit 3 or 4) or an unusable key (exit 2).
    pub(crate) fn token(&mut self) -> CliResult<Obtained> {
        if self.manager.is_none()
            && let Some(file) = &self.file
            && let Some(stored) = file.read().map_err(|u| super::untrusted_error(&u))?
            && self.max_age.is_none_or(|max| entry::age(&stored) < max)
        {
            return Ok(Obtained {
                token: stored.token,
                from_cache: true,
            });
        }
        let managed = self.managed()?;
        let grants = managed.manager.grants();
        let result = managed.manager.token();
        let from_cache = managed.manager.grants() == grants;
        managed.store.report();
        self.check_fatal()?;
        let token = result.map_err(|e| CliError::manager(&e))?;
        Ok(Obtained { token, from_cache })
    }

    /// Drops the cached token if it is still `stale`; returns whether it did.
    ///
    /// # Errors
    /// Exit 2 when the key cannot be loaded (a Redis store needs the client).
    pub(crate) fn invalidate(&mut self, stale: &AccessToken) -> CliResult<bool> {
        if self.manager.is_none()
            && let Some(file) = &self.file
        {
            let result = file.invalidate(stale);
            self.check_fatal()?;
            return Ok(result.unwrap_or(false));
        }
        let result = self.managed()?.manager.invalidate(stale);
        self.check_fatal()?;
        result.map_err(|e| CliError::manager(&e))
    }

    /// Drops whatever token is cached (`--refresh`): the next [`token`](Self::token) grants.
    ///
    /// # Errors
    /// As [`invalidate`](Self::invalidate).
    pub(crate) fn refresh(&mut self) -> CliResult<()> {
        let current = match (&self.file, &self.manager) {
            (Some(file), None) => file.read().map_err(|u| super::untrusted_error(&u))?,
            _ => self.managed()?.store.load().ok().flatten(),
        };
        self.check_fatal()?;
        if let Some(current) = current {
            self.invalidate(current.token.access_token())?;
        }
        Ok(())
    }

    /// The manager, made on first use: loads the key and opens the store.
    fn managed(&mut self) -> CliResult<&Managed> {
        if self.manager.is_none() {
            let Some(factory) = self.factory.take() else {
                return Err(
                    CliError::local("internal error: the token client was already used")
                        .hint("this is a bug; please report it"),
                );
            };
            let client = factory(self.identity.load_signing_key()?.into_signer());
            let policy = lock_policy(self.grant);
            #[cfg_attr(not(feature = "redis"), allow(unused_mut))]
            let mut report: Option<Box<dyn Fn() + Send + Sync>> = None;
            let (inner, poll, lock): (Arc<dyn TokenStore>, Duration, String) = match (
                &self.backend,
                &self.file,
            ) {
                (_, Some(file)) => (
                    file.clone(),
                    Duration::from_millis(10),
                    format!(
                        "the token cache's grant lock {}",
                        file.lock_path().display()
                    ),
                ),
                #[cfg(feature = "redis")]
                (Backend::Redis(url), _) => {
                    // The same identity as the file entry: login URL (scheme, host, port),
                    // audience, client id, username and key fingerprint.
                    let redis = Arc::new(sfjwt_redis::RedisStore::builder(url, &client)
                            .key_fingerprint(self.key_fingerprint)
                            .build()
                            .map_err(|e| {
                        CliError::local(format!("cannot use the Redis token cache: {}", crate::error::chain(&e))).hint(
                            "fix --cache (or SFJWT_CACHE): redis://[user:password@]host[:port][/db], rediss://… for TLS",
                        )
                    })?);
                    let lock = format!("the grant lock in Redis (key {})", redis.keys().lock());
                    report = Some(wrong_type_warning(Arc::clone(&redis)));
                    (redis, Duration::from_millis(50), lock)
                }
                // Also `Backend::Redis` without the `redis` feature, which `backend()` refuses.
                _ => (
                    Arc::new(MemoryStore::new()),
                    Duration::from_millis(10),
                    "the grant lock".to_owned(),
                ),
            };
            let store = Arc::new(Announced {
                inner,
                notice: Mutex::new(WaitNotice::new(lock, policy.max_wait())),
                report,
            });
            let mut manager =
                TokenManager::new(client, crate::transport::with_timeout(self.grant.timeout))
                    .with_retry(self.grant.retry_policy())
                    .with_store(Arc::clone(&store))
                    .with_lock_policy(policy.with_poll_interval(poll));
            if let Some(max_age) = self.max_age {
                manager = manager.with_max_age(max_age);
            }
            self.manager = Some(Managed { manager, store });
        }
        self.manager.as_ref().ok_or_else(|| {
            CliError::local("internal error: no token manager")
                .hint("this is a bug; please report it")
        })
    }
}

/// What the file store reports, on stderr: one warning per process (the cache is a
/// convenience, the command goes on without it), and which lock an `--invalidate` or
/// `--refresh` waits for once the wait passes 2 s.
fn say_event() -> impl Fn(&Event<'_>) + Send + Sync + 'static {
    let warned = AtomicBool::new(false);
    let notice: Mutex<Option<WaitNotice>> = Mutex::new(None);
    move |event| match event {
        Event::Warning { .. } if !warned.swap(true, Ordering::Relaxed) => {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "warning: token cache: {event}\n  hint: check that directory's owner and permissions, set XDG_CACHE_HOME to a writable directory, or pass --no-cache"
            );
        }
        Event::Waiting { lock, bound, .. } => {
            let mut notice = notice.lock().unwrap_or_else(PoisonError::into_inner);
            notice
                .get_or_insert_with(|| {
                    WaitNotice::new(
                        format!("the token cache's grant lock {}", lock.display()),
                        *bound,
                    )
                })
                .still_held();
        }
        _ => {}
    }
}

/// What a vault key URI contributes to the fingerprint: the URI without its PIN attributes.
/// Without the `pkcs11` feature a `pkcs11:` key cannot be opened, so no entry is ever written
/// under the name.
fn vault_key_text(uri: &str) -> String {
    #[cfg(feature = "pkcs11")]
    if uri.starts_with("pkcs11:") {
        return sfjwt_pkcs11::Pkcs11Uri::without_pin(uri);
    }
    uri.to_owned()
}

/// The grant lock outlives the longest grant (every attempt timing out, plus backoff), so a
/// slow grant is not doubled; waiters give up after 1.5× that (elapsed time) and grant on
/// their own — or, for `--refresh`/`--invalidate`, exit 4 naming the lock.
fn lock_policy(grant: Grant) -> LockPolicy {
    let attempts = grant.retries.saturating_add(1);
    let ttl = grant
        .timeout
        .saturating_mul(attempts)
        .saturating_add(Duration::from_secs(10));
    LockPolicy::new(ttl).with_max_wait(ttl.saturating_mul(3) / 2)
}

/// One stderr warning when a Redis key of this identity holds a value of another type: every
/// call would log in again around it.
#[cfg(feature = "redis")]
fn wrong_type_warning(redis: Arc<sfjwt_redis::RedisStore>) -> Box<dyn Fn() + Send + Sync> {
    let warned = AtomicBool::new(false);
    Box::new(move || {
        if redis.wrong_type_keys() > 0 && !warned.swap(true, Ordering::Relaxed) {
            use std::io::Write as _;
            let keys = redis.keys();
            let _ = writeln!(
                std::io::stderr(),
                "warning: token cache: a Redis key of this identity ({} or {}) holds a value of another type: every call logs in again until it is deleted\n  hint: check what else writes under the sfjwt: prefix, then DEL the key",
                keys.token(),
                keys.lock()
            );
        }
    })
}

/// The fingerprint of the key `identity` names, as the cache keys it (file entries and Redis
/// keys alike): `sfjwt logout` must find what `sfjwt token` stored.
///
/// # Errors
/// Exit 2 when the key cannot be read.
#[cfg(feature = "redis")]
pub(crate) fn key_fingerprint(identity: &Identity) -> CliResult<[u8; 32]> {
    Ok(sfjwt_core::store::CacheIdentity::fingerprint(&key_bytes(
        identity,
    )?))
}

/// The key as given, for the entry's fingerprint (never stored).
fn key_bytes(identity: &Identity) -> CliResult<zeroize::Zeroizing<Vec<u8>>> {
    use std::io::Read as _;
    // A vault key is named by its URI (without the PIN): the key never leaves the vault.
    if let Some(uri) = &identity.key_uri {
        return Ok(zeroize::Zeroizing::new(vault_key_text(&uri.0).into_bytes()));
    }
    let read = match identity.key_source()? {
        KeySource::File(path) => std::fs::File::open(&path).and_then(|file| {
            let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(4096));
            file.take(MAX_KEY_BYTES).read_to_end(&mut bytes)?;
            Ok(bytes)
        }),
        KeySource::Env => Ok(zeroize::Zeroizing::new(
            std::env::var_os(KEY_ENV)
                .map(|v| v.into_encoded_bytes())
                .unwrap_or_default(),
        )),
    };
    // An unreadable key: let the key loader say what is wrong with it, as without a cache.
    read.or_else(|_| match identity.load_key() {
        Err(e) => Err(e),
        Ok(_) => Ok(zeroize::Zeroizing::new(Vec::new())),
    })
}

/// The cache store, saying out loud what a person at the terminal must know: after 2 s of
/// waiting for another process's grant lock, which lock (once); and what the inner store
/// counted (a Redis key of the wrong type). Every operation goes to the inner store unchanged.
struct Announced {
    inner: Arc<dyn TokenStore>,
    /// Says once, after 2 s, which lock this process waits for.
    notice: Mutex<WaitNotice>,
    /// Reports what the inner store counted (a Redis key of the wrong type).
    report: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Announced {
    fn report(&self) {
        if let Some(report) = &self.report {
            report();
        }
    }
}

impl TokenStore for Announced {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        let answer = self.inner.run(op);
        if matches!(answer, Ok(StoreReply::Lock(GrantLock::HeldElsewhere))) {
            self.notice
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .still_held();
        }
        answer
    }
}

#[cfg(all(test, feature = "pkcs11"))]
mod tests {
    use super::*;

    fn identity() -> sfjwt_file_store::Identity {
        sfjwt_file_store::Identity {
            login_url: "https://login.salesforce.com".into(),
            client_id: "3MVG9_key".into(),
            username: "etl@acme.com".into(),
            audience: "https://login.salesforce.com".into(),
        }
    }

    #[test]
    fn names_do_not_change_with_the_pin_so_they_cannot_reveal_it() {
        let name = |uri: &str| EntryKey::new(identity(), vault_key_text(uri).as_bytes()).name();
        let base = "pkcs11:token=t;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so";
        let with_pin = name(&format!("{base}&pin-value=1234"));
        assert_eq!(with_pin, name(&format!("{base}&pin-value=9999")));
        assert_eq!(with_pin, name(&format!("{base}&pin-source=file:/run/pin")));
        assert_eq!(with_pin, name(base));
        // Another key is another entry.
        assert_ne!(with_pin, name(&base.replace("object=k", "object=other")));
    }
}
