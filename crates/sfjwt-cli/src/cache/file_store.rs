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
//!   it still holds the refused token.
//! - **Never fatal**: a cache that cannot be read or written prints one warning and the
//!   command carries on as without a cache; a corrupt or foreign file reads as no entry and is
//!   replaced by the next save.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sfjwt_core::manager::{GrantLease, GrantLock, StoreError, StoredToken, TokenStore};
use sfjwt_core::response::AccessToken;
use zeroize::Zeroizing;

use super::entry::{self, EntryKey};

/// A cache file larger than this is not ours (a token response is about 1 KiB).
const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// One identity's entry in the cache directory.
#[derive(Debug)]
pub(crate) struct FileStore {
    dir: PathBuf,
    key: EntryKey,
    name: String,
    /// The open lock file while this process holds the grant lock.
    held: Mutex<Option<File>>,
    warned: AtomicBool,
}

impl FileStore {
    pub(crate) fn new(dir: PathBuf, key: EntryKey) -> Self {
        let name = key.name();
        Self {
            dir,
            key,
            name,
            held: Mutex::new(None),
            warned: AtomicBool::new(false),
        }
    }

    /// The entry's file.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.name))
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join(format!("{}.lock", self.name))
    }

    /// The cached token, if there is a well-formed one. Never fails: an unreadable file is
    /// warned about and reads as no entry.
    pub(crate) fn read(&self) -> Option<StoredToken> {
        match read_bounded(&self.path()) {
            Ok(Some(bytes)) => entry::decode(&bytes, &self.name),
            Ok(None) => None,
            Err(error) => {
                self.warn("cannot read", &self.path(), &error);
                None
            }
        }
    }

    fn write(&self, stored: &StoredToken) -> io::Result<()> {
        ensure_private_dir(&self.dir)?;
        let bytes = entry::encode(&self.key, stored);
        // tempfile creates the file with mode 0600 on Unix, in the same directory, so the
        // rename below is atomic (same file system).
        let mut temp = tempfile::Builder::new()
            .prefix(".entry-")
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        temp.write_all(&bytes)?;
        temp.persist(self.path()).map_err(|e| e.error)?;
        Ok(())
    }

    fn open_lock_file(&self) -> io::Result<File> {
        ensure_private_dir(&self.dir)?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(self.lock_path())
    }

    /// Deletes the entry if it still holds `stale`. Runs under the lock (blocking: a grant in
    /// another process takes one HTTP exchange), or without it if the lock file cannot be
    /// opened.
    fn compare_and_delete(&self, stale: &AccessToken) -> io::Result<bool> {
        let lock = self.open_lock_file().ok();
        if let Some(file) = &lock {
            file.lock()?;
        }
        let current = self
            .read()
            .is_some_and(|stored| stored.token.access_token().same_as(stale));
        if current {
            remove_if_present(&self.path())?;
        }
        drop(lock);
        Ok(current)
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

impl TokenStore for FileStore {
    fn load(&self) -> Result<Option<StoredToken>, StoreError> {
        Ok(self.read())
    }

    fn save(&self, token: StoredToken) -> Result<(), StoreError> {
        if let Err(error) = self.write(&token) {
            self.warn("cannot write", &self.path(), &error);
        }
        Ok(())
    }

    fn invalidate(&self, stale: &AccessToken) -> Result<bool, StoreError> {
        self.compare_and_delete(stale).or_else(|error| {
            self.warn("cannot update", &self.path(), &error);
            Ok(false)
        })
    }

    fn acquire_grant_lock(&self, _ttl: Duration) -> Result<GrantLock, StoreError> {
        let file = self
            .open_lock_file()
            .map_err(|e| StoreError::with_source("cannot open the cache's lock file", e))?;
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

    fn release_grant_lock(&self, _lease: GrantLease) -> Result<(), StoreError> {
        // Closing the file releases the lock.
        drop(
            self.held
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        Ok(())
    }
}

/// Creates `dir` (and its parents) if missing and makes `dir` itself private (0700 on Unix).
pub(crate) fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// The file's bytes; `None` if it does not exist or is too large to be an entry.
pub(crate) fn read_bounded(path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
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

/// Removes `path`; a file that is already gone is fine.
pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
