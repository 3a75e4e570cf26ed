//! The fleet's grant lock as the managers use it, with a scripted store (no Redis here; the
//! real one is tested in sfjwt-redis): wait while another process holds the lock, take the
//! token it saved, grant after `max_wait` or when the lock service fails, release the lease.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sfjwt_core::manager::{AsyncTokenManager, LockPolicy, TokenManager};
use sfjwt_core::response::TokenResponse;
use sfjwt_core::store::{
    AsyncTokenStore, GrantLease, GrantLock, MemoryStore, StoreError, StoreFuture, StoreOp,
    StoreReply, StoredToken, TokenStore,
};
use sfjwt_test_support::fake::*;

/// What the scripted lock answers.
#[derive(Clone, Copy)]
enum Lock {
    /// Held by another process for this many asks; then acquired.
    HeldFor(usize),
    /// Held by another process which saves `TOKEN2` after this many asks.
    OtherSavesAfter(usize),
    /// The lock service is down.
    Broken,
}

struct Scripted {
    inner: MemoryStore,
    lock: Lock,
    asks: AtomicUsize,
    released: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(lock: Lock) -> Arc<Self> {
        Arc::new(Self {
            inner: MemoryStore::new(),
            lock,
            asks: AtomicUsize::new(0),
            released: Mutex::default(),
        })
    }

    fn answer(&self) -> Result<GrantLock, StoreError> {
        let n = self.asks.fetch_add(1, Ordering::SeqCst);
        match self.lock {
            Lock::HeldFor(k) if n < k => Ok(GrantLock::HeldElsewhere),
            Lock::HeldFor(_) => Ok(GrantLock::Acquired(GrantLease::new(format!("owner-{n}")))),
            Lock::OtherSavesAfter(k) => {
                if n + 1 == k {
                    let token = TokenResponse::from_json(token_json(TOKEN2).as_bytes()).unwrap();
                    let stored = StoredToken {
                        token: Arc::new(token),
                        obtained_at: std::time::SystemTime::now(),
                    };
                    TokenStore::save(&self.inner, stored).unwrap();
                }
                Ok(GrantLock::HeldElsewhere)
            }
            Lock::Broken => Err(StoreError::new("lock service unreachable")),
        }
    }
}

/// The scripted lock over a memory store; the tests keep an `Arc` handle to it.
impl TokenStore for Scripted {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        match op {
            StoreOp::AcquireLock(ttl) => {
                assert_eq!(
                    ttl,
                    Duration::from_secs(2),
                    "the policy's TTL reaches the store"
                );
                self.answer().map(StoreReply::Lock)
            }
            StoreOp::ReleaseLock(lease) => {
                self.released.lock().unwrap().push(lease.owner().to_owned());
                Ok(StoreReply::Released)
            }
            op => TokenStore::run(&self.inner, op),
        }
    }
}

/// The same store with a native async `run` (every sync store is also an async one through
/// the core's blanket adapter; this one answers from a real future).
struct AsyncShared(Arc<Scripted>);

impl AsyncTokenStore for AsyncShared {
    fn run(&self, op: StoreOp) -> StoreFuture<'_> {
        Box::pin(async move { TokenStore::run(&*self.0, op) })
    }
}

fn policy() -> LockPolicy {
    LockPolicy::new(Duration::from_secs(2))
        .with_poll_interval(Duration::from_millis(100))
        .with_max_wait(Duration::from_secs(3))
}

type Sleeps = Arc<Mutex<Vec<Duration>>>;

fn sync_manager(
    store: &Arc<Scripted>,
) -> (
    TokenManager<impl sfjwt_core::transport::SyncTransport<Error = std::io::Error>>,
    Arc<AtomicUsize>,
    Sleeps,
) {
    let grants = Arc::new(AtomicUsize::new(0));
    let g = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
        g.fetch_add(1, Ordering::SeqCst);
        Ok(ok(TOKEN))
    };
    let sleeps: Sleeps = Arc::default();
    let s = Arc::clone(&sleeps);
    let manager = TokenManager::new(client(), transport)
        .with_store(Arc::clone(store))
        .with_lock_policy(policy())
        .with_sleep(move |d| s.lock().unwrap().push(d));
    (manager, grants, sleeps)
}

#[test]
fn the_default_store_grants_at_once_and_never_polls() {
    let store = MemoryStore::new();
    assert!(matches!(
        TokenStore::acquire_grant_lock(&store, Duration::from_secs(1)).unwrap(),
        GrantLock::Acquired(ref l) if l.is_local()
    ));
    TokenStore::release_grant_lock(&store, GrantLease::local()).unwrap();
    assert_eq!(format!("{:?}", GrantLease::local()), "GrantLease(local)");
    assert_eq!(
        format!("{:?}", GrantLease::new("s3cr3t-owner")),
        "GrantLease([redacted])"
    );
}

#[test]
fn waits_while_another_process_holds_the_lock_then_grants_and_releases() {
    let store = Scripted::new(Lock::HeldFor(4));
    let (manager, grants, sleeps) = sync_manager(&store);
    let token = manager.token().unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN);
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    assert_eq!(*sleeps.lock().unwrap(), vec![Duration::from_millis(100); 4]);
    assert_eq!(*store.released.lock().unwrap(), vec!["owner-4".to_owned()]);
    // Reused from the store afterwards: no lock, no grant.
    manager.token().unwrap();
    assert_eq!(store.asks.load(Ordering::SeqCst), 5);
    assert_eq!(grants.load(Ordering::SeqCst), 1);
}

#[test]
fn takes_the_token_the_lock_holder_saved_without_granting() {
    let store = Scripted::new(Lock::OtherSavesAfter(3));
    let (manager, grants, sleeps) = sync_manager(&store);
    let token = manager.token().unwrap();
    assert_eq!(token.access_token().expose_secret(), TOKEN2);
    assert_eq!(grants.load(Ordering::SeqCst), 0);
    assert_eq!(sleeps.lock().unwrap().len(), 3);
    assert!(store.released.lock().unwrap().is_empty());
}

#[test]
fn grants_without_the_lock_after_max_wait() {
    let store = Scripted::new(Lock::HeldFor(usize::MAX));
    let (manager, grants, sleeps) = sync_manager(&store);
    manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    let waited: Duration = sleeps.lock().unwrap().iter().sum();
    assert_eq!(waited, Duration::from_secs(3), "bounded by max_wait");
    assert!(
        store.released.lock().unwrap().is_empty(),
        "nothing to release"
    );
}

#[test]
fn grants_without_the_lock_when_the_lock_service_fails() {
    let store = Scripted::new(Lock::Broken);
    let (manager, grants, sleeps) = sync_manager(&store);
    manager.token().unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    assert!(sleeps.lock().unwrap().is_empty());
}

fn async_manager(
    store: &Arc<Scripted>,
    grants: &Arc<AtomicUsize>,
    sleeps: &Sleeps,
) -> AsyncTokenManager<
    impl sfjwt_core::transport::AsyncTransport<Error = std::io::Error> + Sync,
    impl sfjwt_core::manager::AsyncSleep,
> {
    let g = Arc::clone(grants);
    let transport = move |_req: http::Request<Vec<u8>>| {
        g.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, std::io::Error>(ok(TOKEN)) }
    };
    let s = Arc::clone(sleeps);
    let sleep = move |d: Duration| {
        s.lock().unwrap().push(d);
        async {}
    };
    AsyncTokenManager::new(client(), transport, sleep)
        .with_store(AsyncShared(Arc::clone(store)))
        .with_lock_policy(policy())
}

#[tokio::test]
async fn async_store_waits_for_the_lock_and_invalidates_by_comparison() {
    let store = Scripted::new(Lock::HeldFor(2));
    let (grants, sleeps) = (Arc::new(AtomicUsize::new(0)), Sleeps::default());
    let manager = async_manager(&store, &grants, &sleeps);
    let token = manager.token().await.unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 1);
    assert_eq!(sleeps.lock().unwrap().len(), 2);
    assert_eq!(*store.released.lock().unwrap(), vec!["owner-2".to_owned()]);

    // Compare-and-invalidate, the same with an async store as with a sync one.
    assert!(manager.invalidate(token.access_token()).await.unwrap());
    assert!(!manager.invalidate(token.access_token()).await.unwrap());
    manager.token().await.unwrap();
    assert_eq!(grants.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn async_store_grants_without_the_lock_when_it_fails_or_after_max_wait() {
    for lock in [Lock::Broken, Lock::HeldFor(usize::MAX)] {
        let store = Scripted::new(lock);
        let (grants, sleeps) = (Arc::new(AtomicUsize::new(0)), Sleeps::default());
        let manager = async_manager(&store, &grants, &sleeps);
        manager.token().await.unwrap();
        assert_eq!(grants.load(Ordering::SeqCst), 1);
        let waited: Duration = sleeps.lock().unwrap().iter().sum();
        assert!(waited <= Duration::from_secs(3));
    }
}

#[tokio::test]
async fn async_manager_with_a_sync_store_invalidates_the_same_way() {
    let store = Scripted::new(Lock::HeldFor(0));
    let grants = Arc::new(AtomicUsize::new(0));
    let g = Arc::clone(&grants);
    let transport = move |_req: http::Request<Vec<u8>>| {
        g.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, std::io::Error>(ok(TOKEN)) }
    };
    let manager = AsyncTokenManager::new(client(), transport, |_d| async {})
        .with_store(Arc::clone(&store))
        .with_lock_policy(policy());
    let token = manager.token().await.unwrap();
    assert!(manager.invalidate(token.access_token()).await.unwrap());
    assert!(!manager.invalidate(token.access_token()).await.unwrap());
    assert_eq!(store.released.lock().unwrap().len(), 1);
}
