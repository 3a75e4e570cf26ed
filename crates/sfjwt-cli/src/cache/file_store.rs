//! The file cache: a [`TokenStore`] over one file per identity, with a cross-process grant
//! lock, so the token manager's single flight covers every `sfjwt` process of the user.
//!
//! - **Files**: `<dir>/<entry>.json` holds the token (mode 0600), `<dir>/<entry>.lock` is the
//!   lock file (empty, mode 0600), `<dir>` itself is mode 0700: the token is a bearer
//!   credential, readable by its owner only.
//! - **Atomic replace**: a save writes a temporary file in the same directory and renames it
//!   over the entry, so a reader sees the old file or the new one, never half of one. No
//!   `fsync`: after a crash a torn file reads as corrupt, which means "no entry" — one more
//!   grant, never an error.
//! - **Grant lock**: an exclusive advisory lock (`flock` on Unix, `LockFileEx` on Windows) on
//!   the lock file, tried without blocking; the manager polls while another process holds it
//!   and takes that process's token when it is saved. The OS drops the lock when its holder
//!   exits, even by a crash, so no lock outlives its process and no TTL is needed.
//! - **Compare-and-invalidate** takes the same lock, re-reads the entry and deletes it only if
//!   it still holds the refused token. It waits for the lock at most the grant lock's bound
//!   (elapsed time; [`wait`](super::wait) says so on stderr after 2 s), then exits 4 naming
//!   the lock file.
//! - **Trust**: every path is checked before use ([`trust`]): a directory, entry or lock file
//!   that someone else could have written, a symbolic link, a FIFO or a device is refused
//!   with exit 2 — never read, never followed, never fallen back from.
//! - **Otherwise never fatal**: a cache that cannot be read or written (a full disk, a
//!   read-only file system) prints one warning and the command carries on as without a
//!   cache; a corrupt or foreign-format file reads as no entry and is replaced by the next
//!   save.

use std::fs::{File, TryLockError};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sfjwt_core::manager::{
    GrantLease, GrantLock, StoreError, StoreOp, StoreReply, StoredToken, TokenStore,
};
use sfjwt_core::response::AccessToken;
use zeroize::Zeroizing;

use super::entry::{self, EntryKey};
use super::trust::{self, Failure};
use super::wait::WaitNotice;
use crate::error::{CliError, CliResult, Exit};

/// A cache file larger than this is not ours (a token response is about 1 KiB).
const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// How often a `--refresh`/`--invalidate` waiter tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(20);

/// One identity's entry in the cache directory.
#[derive(Debug)]
pub(crate) struct FileStore {
    dir: PathBuf,
    key: EntryKey,
    name: String,
    /// The longest wait for another process's lock (elapsed time).
    lock_wait: Duration,
    /// The open lock file while this process holds the grant lock.
    held: Mutex<Option<File>>,
    warned: AtomicBool,
    /// The first refusal (exit 2) or lock wait given up (exit 4). The token manager sees
    /// only a store error; the command ends with this instead, whatever the manager made of
    /// it — a refused cache is never fallen back from.
    fatal: Mutex<Option<CliError>>,
}

impl FileStore {
    /// The entry of `key` in `dir`, after checking (and, if missing, creating) the directory
    /// and checking the entry's files, so a planted entry or link is refused before anything
    /// is read or sent.
    ///
    /// # Errors
    /// Exit 2 when the directory, its parents or the entry's files fail the checks of
    /// [`trust`].
    pub(crate) fn open(dir: PathBuf, key: EntryKey, lock_wait: Duration) -> CliResult<Self> {
        let name = key.name();
        let store = Self {
            dir,
            key,
            name,
            lock_wait,
            held: Mutex::new(None),
            warned: AtomicBool::new(false),
            fatal: Mutex::new(None),
        };
        store.checked(trust::prepare_dir(&store.dir), &store.dir)?;
        store.checked(trust::check_file(&store.path()), &store.path())?;
        store.checked(trust::check_file(&store.lock_path()), &store.lock_path())?;
        Ok(store)
    }

    /// A refusal as the command's error; an I/O error as the one warning.
    fn checked(&self, result: Result<(), Failure>, path: &Path) -> CliResult {
        match result {
            Ok(()) => Ok(()),
            Err(Failure::Untrusted(untrusted)) => Err(untrusted.to_error()),
            Err(Failure::Io(error)) => {
                self.warn("cannot use", path, &error);
                Ok(())
            }
        }
    }

    /// The entry's file.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.name))
    }

    /// The entry's lock file.
    pub(crate) fn lock_path(&self) -> PathBuf {
        self.dir.join(format!("{}.lock", self.name))
    }

    /// The refusal or give-up that ends the command, if one happened (taken once).
    pub(crate) fn take_fatal(&self) -> Option<CliError> {
        self.fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Records `error` (the first one wins) and returns the store error the manager sees.
    fn fail(&self, error: CliError) -> StoreError {
        let message = error.message().to_owned();
        let mut slot = self.fatal.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(error);
        }
        StoreError::new(message)
    }

    /// The cached token, if there is a well-formed one. An unreadable file is warned about
    /// and reads as no entry; a file that fails the checks is an error (exit 2).
    ///
    /// # Errors
    /// Exit 2 for an entry that is not a regular file of this user's, writable only by them.
    pub(crate) fn read(&self) -> CliResult<Option<StoredToken>> {
        match read_entry(&self.path()) {
            Ok(Some(bytes)) => Ok(entry::decode(&bytes, &self.name)),
            Ok(None) => Ok(None),
            Err(Failure::Untrusted(untrusted)) => Err(untrusted.to_error()),
            Err(Failure::Io(error)) => {
                self.warn("cannot read", &self.path(), &error);
                Ok(None)
            }
        }
    }

    fn write(&self, stored: &StoredToken) -> Result<(), Failure> {
        // Checked again: the directory is what the token is written into.
        trust::prepare_dir(&self.dir)?;
        let bytes = entry::encode(&self.key, stored);
        // tempfile creates the file with mode 0600 and O_EXCL (never through a link), in the
        // same directory, so the rename below is atomic (same file system); a rename replaces
        // a link at the entry's name, it does not follow it.
        let mut temp = tempfile::Builder::new()
            .prefix(".entry-")
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        temp.write_all(&bytes)?;
        temp.persist(self.path()).map_err(|e| e.error)?;
        Ok(())
    }

    fn open_lock_file(&self) -> Result<File, Failure> {
        trust::prepare_dir(&self.dir)?;
        trust::open_lock(&self.lock_path())
    }

    /// Deletes the entry if it still holds `stale`. Runs under the lock — waited for at most
    /// `lock_wait` (another process may be granting: one HTTP exchange), then given up with
    /// exit 4 naming the lock — or without it if the lock file cannot be opened.
    fn compare_and_delete(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        let lock = match self.open_lock_file() {
            Ok(file) => Some(file),
            Err(Failure::Untrusted(untrusted)) => return Err(self.fail(untrusted.to_error())),
            Err(Failure::Io(error)) => {
                self.warn("cannot open", &self.lock_path(), &error);
                None
            }
        };
        if let Some(file) = &lock {
            self.wait_for_lock(file)?;
        }
        let current = self
            .read()
            .map_err(|e| self.fail(e))?
            .is_some_and(|stored| stored.token.access_token().same_as(stale));
        if current && let Err(error) = remove_if_present(&self.path()) {
            self.warn("cannot update", &self.path(), &error);
            return Ok(false);
        }
        drop(lock);
        Ok(current)
    }

    /// Takes the lock on `file`, polling while another process holds it, for at most
    /// `lock_wait` of elapsed time.
    fn wait_for_lock(&self, file: &File) -> Result<(), StoreError> {
        let lock_path = self.lock_path();
        let mut notice = WaitNotice::new(
            format!("the token cache's grant lock {}", lock_path.display()),
            self.lock_wait,
        );
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(()),
                Err(TryLockError::WouldBlock) => {
                    if notice.still_held() >= notice.bound() {
                        return Err(self.fail(lock_timeout(&lock_path, notice.bound())));
                    }
                    std::thread::sleep(LOCK_POLL);
                }
                // Locking unsupported here (some network file systems): go on without it.
                Err(TryLockError::Error(error)) => {
                    self.warn("cannot lock", &lock_path, &error);
                    return Ok(());
                }
            }
        }
    }

    /// One warning per process: the cache is a convenience, the command goes on without it.
    fn warn(&self, what: &str, path: &Path, error: &io::Error) {
        if self.warned.swap(true, Ordering::Relaxed) {
            return;
        }
        let _ = writeln!(
            io::stderr(),
            "warning: token cache: {what} {}: {error}\n  hint: check that directory's owner and permissions, set XDG_CACHE_HOME to a writable directory, or pass --no-cache",
            path.display()
        );
    }
}

/// Another process held the grant lock for the whole bound: exit 4 with the lock's path.
fn lock_timeout(lock_path: &Path, waited: Duration) -> CliError {
    CliError::new(
        Exit::Transport,
        format!(
            "gave up after {} s waiting for the token cache's grant lock {}: another process holds it",
            waited.as_secs(),
            lock_path.display()
        ),
    )
    .hint(format!(
        "a stuck sfjwt process is logging in: find it with `fuser -v {}` (or lsof) and end it, or pass --no-cache",
        lock_path.display()
    ))
}

impl TokenStore for FileStore {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        Ok(match op {
            StoreOp::Load => StoreReply::Token(self.read().map_err(|e| self.fail(e))?),
            StoreOp::Save(token) => {
                match self.write(&token) {
                    Ok(()) => {}
                    Err(Failure::Untrusted(untrusted)) => {
                        return Err(self.fail(untrusted.to_error()));
                    }
                    Err(Failure::Io(error)) => self.warn("cannot write", &self.path(), &error),
                }
                StoreReply::Saved
            }
            StoreOp::Invalidate(stale) => StoreReply::Invalidated(self.compare_and_delete(&stale)?),
            StoreOp::AcquireLock(_ttl) => StoreReply::Lock(self.try_lock()?),
            StoreOp::ReleaseLock(_lease) => {
                // Closing the file releases the lock.
                drop(
                    self.held
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take(),
                );
                StoreReply::Released
            }
            // The OS lock needs no renewal (it lives as long as its holder), and the refusal
            // streak is kept by the token manager of each process.
            other => return other.default_reply(),
        })
    }
}

impl FileStore {
    /// Takes the grant lock without waiting.
    fn try_lock(&self) -> Result<GrantLock, StoreError> {
        let file = match self.open_lock_file() {
            Ok(file) => file,
            Err(Failure::Untrusted(untrusted)) => return Err(self.fail(untrusted.to_error())),
            Err(Failure::Io(error)) => {
                return Err(StoreError::with_source(
                    "cannot open the cache's lock file",
                    error,
                ));
            }
        };
        match file.try_lock() {
            Ok(()) => {
                *self.held.lock().unwrap_or_else(PoisonError::into_inner) = Some(file);
                Ok(GrantLock::Acquired(GrantLease::new(
                    std::process::id().to_string(),
                )))
            }
            Err(TryLockError::WouldBlock) => Ok(GrantLock::HeldElsewhere),
            Err(TryLockError::Error(e)) => Err(StoreError::with_source(
                "cannot lock the cache's lock file",
                e,
            )),
        }
    }
}

/// The entry file's bytes; `None` if it does not exist or is too large to be an entry. The
/// file must pass [`trust`]'s checks (a regular file of this user's, opened without following
/// links or waiting on a FIFO).
pub(crate) fn read_entry(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, Failure> {
    let Some(file) = trust::open_entry(path)? else {
        return Ok(None);
    };
    // Sized up front so the buffer holding the token is not reallocated (and left behind).
    let size = file.metadata().map_or(0, |m| m.len()).min(MAX_ENTRY_BYTES) + 1;
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
    file.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// [`read_entry`] for `sfjwt logout`: an entry that fails the checks is an I/O error there
/// (it is not this identity's; `--all` removes it by name without reading it).
pub(crate) fn read_bounded(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    read_entry(path).map_err(|failure| match failure {
        Failure::Io(error) => error,
        Failure::Untrusted(untrusted) => {
            io::Error::new(io::ErrorKind::PermissionDenied, untrusted.to_string())
        }
    })
}

/// Removes `path`; a file that is already gone is fine.
pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
