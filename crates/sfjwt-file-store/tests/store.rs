//! The store's contract on a real directory: the token round trip, compare-and-invalidate,
//! one grant lock between two stores of one identity, a refused planted link, and the
//! lock wait that gives up within its bound.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sfjwt_core::response::{AccessToken, TokenResponse};
use sfjwt_core::store::{GrantLock, StoredToken, TokenStore};
use sfjwt_file_store::{EntryKey, FileStore, FileStoreError, Identity};

const T1: &str = "00D000000000001!AQ.first";
const T2: &str = "00D000000000001!AQ.second";

fn key() -> EntryKey {
    let identity = Identity {
        login_url: "https://login.salesforce.com".into(),
        client_id: "3MVG9_key".into(),
        username: "etl@acme.com".into(),
        audience: "https://login.salesforce.com".into(),
    };
    EntryKey::new(identity, b"the key file's bytes")
}

fn stored(token: &str) -> StoredToken {
    let json = format!(
        r#"{{"access_token":"{token}","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}}"#
    );
    StoredToken {
        token: Arc::new(TokenResponse::from_json(json.as_bytes()).unwrap()),
        obtained_at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
    }
}

fn open(dir: &std::path::Path, lock_wait: Duration) -> (FileStore, Arc<Mutex<Vec<String>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let store = FileStore::open(dir.join("sfjwt"), key(), lock_wait, move |event| {
        seen.lock().unwrap().push(event.to_string());
    })
    .unwrap();
    (store, events)
}

#[test]
fn the_token_round_trips_and_invalidate_drops_only_the_stale_one() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = open(dir.path(), Duration::from_secs(1));
    let (b, _) = open(dir.path(), Duration::from_secs(1));
    assert!(a.load().unwrap().is_none());
    a.save(stored(T1)).unwrap();
    let loaded = b.load().unwrap().unwrap();
    assert_eq!(loaded.token.access_token().expose_secret(), T1);
    assert_eq!(loaded.obtained_at, stored(T1).obtained_at);
    b.save(stored(T2)).unwrap();
    assert!(
        !a.invalidate(&AccessToken::new(T1)).unwrap(),
        "already replaced"
    );
    assert!(a.invalidate(&AccessToken::new(T2)).unwrap());
    assert!(b.load().unwrap().is_none());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        a.save(stored(T1)).unwrap();
        assert_eq!(mode(&a.path()), 0o600);
        assert_eq!(mode(&dir.path().join("sfjwt")), 0o700);
    }
}

#[test]
fn one_grant_lock_per_identity_and_invalidate_gives_up_within_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = open(dir.path(), Duration::from_secs(1));
    let (b, events) = open(dir.path(), Duration::from_millis(200));
    let GrantLock::Acquired(lease) = a.acquire_grant_lock(Duration::from_secs(30)).unwrap() else {
        panic!("the first ask wins")
    };
    assert!(matches!(
        b.acquire_grant_lock(Duration::from_secs(30)).unwrap(),
        GrantLock::HeldElsewhere
    ));
    // While `a` holds the lock, `b`'s compare-and-invalidate waits, then gives up.
    let started = SystemTime::now();
    assert!(b.invalidate(&AccessToken::new(T1)).is_err());
    assert!(
        started.elapsed().unwrap() < Duration::from_secs(10),
        "bounded"
    );
    match b.take_refusal() {
        Some(FileStoreError::LockTimeout { lock, .. }) => assert_eq!(lock, b.lock_path()),
        other => panic!("{other:?}"),
    }
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.contains("grant lock"))
    );
    a.release_grant_lock(lease).unwrap();
    assert!(matches!(
        b.acquire_grant_lock(Duration::from_secs(30)).unwrap(),
        GrantLock::Acquired(_)
    ));
}

#[cfg(unix)]
#[test]
fn a_planted_link_at_the_entry_is_refused_and_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = open(dir.path(), Duration::from_secs(1));
    let target = dir.path().join("elsewhere.json");
    std::fs::write(&target, "{}").unwrap();
    std::os::unix::fs::symlink(&target, store.path()).unwrap();
    let refused =
        FileStore::open(dir.path().join("sfjwt"), key(), Duration::ZERO, |_| {}).unwrap_err();
    assert_eq!(refused.path(), store.path());
    assert!(refused.to_string().contains("symbolic link"), "{refused}");
    assert!(refused.fix().contains("rm "), "{}", refused.fix());
    // Through the store interface: a store error, and the refusal for the application.
    assert!(store.load().is_err());
    assert!(matches!(
        store.take_refusal(),
        Some(FileStoreError::Untrusted(_))
    ));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
}
