//! # sfjwt-file-store
//!
//! A token store for sfjwt's token manager in one file per identity, shared by every process
//! of one user on one machine: scripts and cron jobs that call the `sfjwt` CLI (or a program
//! of yours) in a loop reuse one token instead of logging in each time — Salesforce caps JWT
//! bearer logins at 3,600 per user per hour and states no token lifetime.
//!
//! ## What this crate does not do
//!
//! - **It does not encrypt the token.** The entry holds the access token exactly as
//!   Salesforce issued it; anyone who can read the file can call the org's API as the user
//!   until the session ends. It relies on file permissions: the entry is mode 0600 in a 0700
//!   directory owned by the user.
//! - **It does not share a token across machines.** For a fleet, use `sfjwt-redis`.
//! - **It does not check Windows ACLs.** On Windows it checks file types only and relies on
//!   `%LOCALAPPDATA%` being private to the user; the ownership and mode checks are Unix-only.
//! - **It does not keep the refusal streak** of bounded re-grants: each process's token
//!   manager keeps its own (see the core's [manual](sfjwt_core::manual::lifetimes)).
//! - **It does not `fsync`.** After a crash a torn file reads as corrupt, which means "no
//!   entry": one more grant, never an error.
//!
//! ## Why a crate of its own
//!
//! The store has its own dependencies (`tempfile` for the atomic replace, `rustix` for the
//! effective uid and `O_NOFOLLOW`) and its own audit surface: the file-permission and
//! ownership checks that decide whether a file on disk may steer where an API client sends
//! the org's data. Blocking and async programs both want it (every sync store is an async
//! one through the core's blanket adapter; local file I/O never waits long), and neither
//! should need the CLI for it. The CLI's `--cache file` is this crate.
//!
//! ## How
//!
//! - **Files**: `<dir>/<entry>.json` holds the token (mode 0600), `<dir>/<entry>.lock` is the
//!   lock file (empty, mode 0600), `<dir>` itself is mode 0700. The entry's name is a digest
//!   of the identity and a fingerprint of the key ([`EntryKey`]); the format is in [`entry`].
//! - **Atomic replace**: a save writes a temporary file in the same directory and renames it
//!   over the entry, so a reader sees the old file or the new one, never half of one.
//! - **Grant lock**: an exclusive advisory lock (`flock` on Unix, `LockFileEx` on Windows) on
//!   the lock file, tried without blocking; the manager polls while another process holds it
//!   and takes that process's token when it is saved. The OS drops the lock when its holder
//!   exits, even by a crash, so no lock outlives its process and no TTL is needed.
//! - **Compare-and-invalidate** takes the same lock, re-reads the entry and deletes it only if
//!   it still holds the refused token. It waits for the lock at most `lock_wait` (elapsed
//!   time, reported as [`Event::Waiting`]), then gives up with
//!   [`FileStoreError::LockTimeout`].
//! - **Trust**: every path is checked before use: a directory, entry or lock file that
//!   someone else could have written, a symbolic link, a FIFO or a device is refused
//!   ([`Untrusted`], which says the fix) — never read, never followed, never fallen back
//!   from. The store's error then fails the token manager's call, and
//!   [`FileStore::take_refusal`] hands the refusal to the application.
//! - **Otherwise never fatal**: a cache that cannot be read or written (a full disk, a
//!   read-only file system) is reported as an [`Event::Warning`] and the store acts as an
//!   empty one; a corrupt or foreign-format file reads as no entry and is replaced by the
//!   next save.
//!
//! ## Example
//!
//! ```
//! # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
//! # let key_file_bytes = include_bytes!("../../../testdata/keys/rsa2048.pkcs8.pem");
//! # let transport = |_r: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, std::io::Error> {
//! #     Ok(http::Response::builder().status(200).body(br#"{"access_token":"00D000000000001!AQ","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}"#.to_vec()).map_err(std::io::Error::other)?)
//! # };
//! # let dir = tempfile::tempdir()?;
//! # let cache_dir = dir.path().join("sfjwt");
//! use std::time::Duration;
//! use sfjwt_core::{endpoint::TokenEndpoint, exchange::JwtBearer, manager::TokenManager};
//! use sfjwt_file_store::{EntryKey, FileStore, Identity};
//!
//! let endpoint = TokenEndpoint::production();
//! let identity = Identity {
//!     login_url: endpoint.base_url().to_owned(),
//!     client_id: "3MVG9_key".to_owned(),
//!     username: "etl@acme.com".to_owned(),
//!     audience: "https://login.salesforce.com".to_owned(),
//! };
//! // `cache_dir` would usually be `sfjwt_file_store::default_dir()`.
//! let store = FileStore::open(
//!     cache_dir,
//!     EntryKey::new(identity, key_file_bytes),
//!     Duration::from_secs(60),
//!     |event| eprintln!("token cache: {event}"),
//! )?;
//! let client = JwtBearer::builder()
//!     .endpoint(endpoint)
//!     .client_id("3MVG9_key")
//!     .username("etl@acme.com")
//!     .signer(key)
//!     .build();
//! let manager = TokenManager::new(client, transport).with_store(store);
//! let token = manager.token()?; // the next process finds it in the file
//! # assert_eq!(manager.grants(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod dir;
pub mod entry;
mod store;
mod trust;

pub use dir::default_dir;
pub use entry::{EntryKey, Identity};
pub use store::{Event, FileStore, FileStoreError, read_bounded, remove_if_present};
pub use trust::Untrusted;
