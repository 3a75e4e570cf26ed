//! [`FileStore`]: the store over one entry file and its lock file (see the crate docs for the
//! layout and the guarantees), and the [`Event`]s and [`FileStoreError`]s it reports.

use core::fmt;
use std::fs::{File, TryLockError};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use sfjwt_core::response::AccessToken;
use sfjwt_core::store::{
    GrantLease, GrantLock, StoreError, StoreOp, StoreReply, StoredToken, TokenStore,
};
use zeroize::Zeroizing;

use crate::entry::{self, EntryKey};
use crate::trust::{self, Failure, Untrusted};

/// A cache file larger than this is not ours (a token response is about 1 KiB).
const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// How often an `invalidate` waiting for the lock tries it again.
const LOCK_POLL: Duration = Duration::from_millis(20);

/// What the store reports while it works, for the application to show (a CLI prints them;
/// a service logs them). `Display` says each in one line, without the token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The cache could not be used as `what` says (`cannot write`, `cannot read`…) at `path`:
    /// the store goes on as without a cache.
    Warning {
        /// What failed.
        what: &'static str,
        /// The file or directory.
        path: &'a Path,
        /// Why.
        error: &'a io::Error,
    },
    /// `invalidate` is waiting for the grant lock at `lock`, held by another process, and has
    /// waited `waited` of at most `bound`. Reported at every poll.
    Waiting {
        /// The lock file.
        lock: &'a Path,
        /// How long this wait has lasted.
        waited: Duration,
        /// When it gives up.
        bound: Duration,
    },
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Warning { what, path, error } => write!(f, "{what} {}: {error}", path.display()),
            Self::Waiting {
                lock,
                waited,
                bound,
            } => write!(
                f,
                "waited {} s (at most {} s) for the grant lock {}",
                waited.as_secs(),
                bound.as_secs(),
                lock.display()
            ),
        }
    }
}

/// Why the store refused to go on. The token manager sees only a [`StoreError`]; an
/// application that must stop (rather than log in without the cache) takes this with
/// [`FileStore::take_refusal`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FileStoreError {
    /// A path fails the ownership and type checks: see [`Untrusted::fix`].
    Untrusted(Untrusted),
    /// Another process held the grant lock at `lock` for the whole `waited` bound while
    /// `invalidate` waited for it: a stuck process is logging in as this identity.
    LockTimeout {
        /// The lock file.
        lock: PathBuf,
        /// How long it was waited for.
        waited: Duration,
    },
}

impl fmt::Display for FileStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Untrusted(untrusted) => write!(f, "refusing the token cache: {untrusted}"),
            Self::LockTimeout { lock, waited } => write!(
                f,
                "gave up after {} s waiting for the token cache's grant lock {}: another process holds it",
                waited.as_secs(),
                lock.display()
            ),
        }
    }
}

impl std::error::Error for FileStoreError {}

/// What the application does with an [`Event`].
type OnEvent = Box<dyn Fn(&Event<'_>) + Send + Sync>;

/// One identity's entry in a cache directory: a [`TokenStore`] (and so, through the core's
/// blanket adapter, an async one too). See the [crate docs](crate).
pub struct FileStore {
    dir: PathBuf,
    key: EntryKey,
    name: String,
    /// The longest wait for another process's lock (elapsed time).
    lock_wait: Duration,
    /// The open lock file while this process holds the grant lock.
    held: Mutex<Option<File>>,
    on_event: OnEvent,
    /// The first refusal or lock wait given up; the application ends with it.
    refusal: Mutex<Option<FileStoreError>>,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("dir", &self.dir)
            .field("key", &self.key)
            .field("lock_wait", &self.lock_wait)
            .finish_non_exhaustive()
    }
}

impl FileStore {
    /// The entry of `key` in `dir`, after checking (and, if missing, creating with mode 0700)
    /// the directory and checking the entry's files, so a planted entry or link is refused
    /// before anything is read or sent. `invalidate` waits for another process's grant lock at
    /// most `lock_wait`. `on_event` receives what the store reports ([`Event`]).
    ///
    /// # Errors
    /// [`Untrusted`] when the directory, its parents or the entry's files fail the checks.
    pub fn open(
        dir: PathBuf,
        key: EntryKey,
        lock_wait: Duration,
        on_event: impl Fn(&Event<'_>) + Send + Sync + 'static,
    ) -> Result<Self, Untrusted> {
        let name = key.name();
        let store = Self {
            dir,
            key,
            name,
            lock_wait,
            held: Mutex::new(None),
            on_event: Box::new(on_event),
            refusal: Mutex::new(None),
        };
        store.checked(trust::prepare_dir(&store.dir), &store.dir)?;
        store.checked(trust::check_file(&store.path()), &store.path())?;
        store.checked(trust::check_file(&store.lock_path()), &store.lock_path())?;
        Ok(store)
    }

    /// A refusal as the error; an I/O error as a warning.
    fn checked(&self, result: Result<(), Failure>, path: &Path) -> Result<(), Untrusted> {
        match result {
            Ok(()) => Ok(()),
            Err(Failure::Untrusted(untrusted)) => Err(untrusted),
            Err(Failure::Io(error)) => {
                self.warn("cannot use", path, &error);
                Ok(())
            }
        }
    }

    /// The entry's file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.name))
    }

    /// The entry's lock file.
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(format!("{}.lock", self.name))
    }

    /// The first refusal or lock wait given up since the last call, if any (taken once). The
    /// token manager saw a [`StoreError`] and may have logged in without the cache; an
    /// application that must not go on past a refused cache ends with this.
    pub fn take_refusal(&self) -> Option<FileStoreError> {
        self.refusal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Records `error` (the first one wins) and returns the store error the manager sees.
    fn fail(&self, error: FileStoreError) -> StoreError {
        let store_error = StoreError::new(error.to_string());
        let mut slot = self.refusal.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(error);
        }
        store_error
    }

    fn refuse(&self, untrusted: Untrusted) -> StoreError {
        self.fail(FileStoreError::Untrusted(untrusted))
    }

    /// The cached token, if there is a well-formed one. An unreadable file is reported as an
    /// [`Event::Warning`] and reads as no entry; a corrupt or foreign one reads as no entry.
    ///
    /// # Errors
    /// [`Untrusted`] for an entry that is not a regular file of this user's, writable only by
    /// them.
    pub fn read(&self) -> Result<Option<StoredToken>, Untrusted> {
        match read_entry(&self.path()) {
            Ok(Some(bytes)) => Ok(entry::decode(&bytes, &self.name)),
            Ok(None) => Ok(None),
            Err(Failure::Untrusted(untrusted)) => Err(untrusted),
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
    /// [`FileStoreError::LockTimeout`] — or without it if the lock file cannot be opened.
    fn compare_and_delete(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        let lock = match self.open_lock_file() {
            Ok(file) => Some(file),
            Err(Failure::Untrusted(untrusted)) => return Err(self.refuse(untrusted)),
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
            .map_err(|e| self.refuse(e))?
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
        let lock = self.lock_path();
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(()),
                Err(TryLockError::WouldBlock) => {
                    let waited = started.elapsed();
                    (self.on_event)(&Event::Waiting {
                        lock: &lock,
                        waited,
                        bound: self.lock_wait,
                    });
                    if waited >= self.lock_wait {
                        return Err(self.fail(FileStoreError::LockTimeout {
                            lock,
                            waited: self.lock_wait,
                        }));
                    }
                    std::thread::sleep(LOCK_POLL);
                }
                // Locking unsupported here (some network file systems): go on without it.
                Err(TryLockError::Error(error)) => {
                    self.warn("cannot lock", &lock, &error);
                    return Ok(());
                }
            }
        }
    }

    fn warn(&self, what: &'static str, path: &Path, error: &io::Error) {
        (self.on_event)(&Event::Warning { what, path, error });
    }
}

impl TokenStore for FileStore {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        Ok(match op {
            StoreOp::Load => StoreReply::Token(self.read().map_err(|e| self.refuse(e))?),
            StoreOp::Save(token) => {
                match self.write(&token) {
                    Ok(()) => {}
                    Err(Failure::Untrusted(untrusted)) => return Err(self.refuse(untrusted)),
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
            Err(Failure::Untrusted(untrusted)) => return Err(self.refuse(untrusted)),
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
/// file must pass the trust checks (a regular file of this user's, opened without following
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

/// An entry file's bytes for a logout, which looks at entries by name without the key: an
/// entry that fails the checks is an I/O error here (it is not this identity's; remove it by
/// name without reading it). `None` if it does not exist or is too large to be an entry.
///
/// # Errors
/// The I/O error, or [`io::ErrorKind::PermissionDenied`] for an entry that fails the checks.
pub fn read_bounded(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    read_entry(path).map_err(|failure| match failure {
        Failure::Io(error) => error,
        Failure::Untrusted(untrusted) => {
            io::Error::new(io::ErrorKind::PermissionDenied, untrusted.to_string())
        }
    })
}

/// Removes `path`; a file that is already gone is fine.
///
/// # Errors
/// The I/O error of the removal.
pub fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
