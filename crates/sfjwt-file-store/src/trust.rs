//! The store trusts nothing it did not write, the way OpenSSH's `StrictModes` treats
//! `~/.ssh`: an entry decides where an API client sends the org's data (its
//! `instance_url`), so a file someone else could have written must never be read as one.
//!
//! - **The directory** must be a real directory (not a symbolic link), owned by the effective
//!   user, and writable by nobody else. Missing, it is created with mode 0700 (as are missing
//!   parents: whatever is created is ours); existing, a directory that fails the check is
//!   refused with the command that fixes it, never repaired. One that passes but can be read
//!   by others (0755) is tightened to 0700 through its own descriptor (opened `O_NOFOLLOW`,
//!   checked again with `fstat`), so no `chmod` ever goes through a link.
//! - **Its parents** must be owned by the effective user or root, and writable by others only
//!   with the sticky bit (as `/tmp`): otherwise someone else could rename the cache directory
//!   away and put their own in its place.
//! - **Entries and lock files** must be regular files (a FIFO would block a read forever, a
//!   device never end), owned by the effective user and writable by nobody else. They are
//!   opened with `O_NOFOLLOW` (a symbolic link is refused, never followed: a planted link
//!   must not make `sfjwt` create or lock a file elsewhere) and `O_NONBLOCK` (so even a FIFO
//!   swapped in after the check cannot hang the open), and the open file is checked again.
//!
//! A refusal ([`Untrusted`]) is an error naming the path, what is wrong and the fix; the store
//! never falls back to the entry. Plain I/O errors (a full disk, a read-only file system) are
//! only reported ([`Event::Warning`](crate::Event::Warning)): the cache is a convenience.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// A cache path that fails the checks: refused, never used. `Display` says the path and what
/// is wrong; [`fix`](Self::fix) says the command that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    path: PathBuf,
    problem: String,
    fix: String,
}

impl Untrusted {
    fn new(path: &Path, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// The path that failed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// The command or setting that fixes it.
    pub fn fix(&self) -> &str {
        &self.fix
    }
}

impl fmt::Display for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for Untrusted {}

/// Why a cache path could not be used.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The path fails the checks: an error, never a fallback.
    Untrusted(Untrusted),
    /// An ordinary I/O error: a warning, the command goes on without the cache.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

impl From<Untrusted> for Failure {
    fn from(untrusted: Untrusted) -> Self {
        Self::Untrusted(untrusted)
    }
}

/// Creates `dir` (mode 0700) if it is missing, then checks it and its parents.
pub(crate) fn prepare_dir(dir: &Path) -> Result<(), Failure> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir)?;
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    check_dir(dir)?;
    imp::tighten(dir)?;
    Ok(())
}

/// Checks `dir` and its parents without creating anything.
pub(crate) fn check_dir(dir: &Path) -> Result<(), Failure> {
    imp::check_dir(dir)
}

/// Checks the entry or lock file at `path` if something is there (nothing there is fine).
pub(crate) fn check_file(path: &Path) -> Result<(), Failure> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
        Ok(meta) => imp::check_file_meta(path, &meta).map_err(Failure::from),
    }
}

/// Opens the entry at `path` for reading; `None` if there is none.
pub(crate) fn open_entry(path: &Path) -> Result<Option<File>, Failure> {
    let before = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
        Ok(meta) => meta,
    };
    imp::check_file_meta(path, &before)?;
    let mut options = OpenOptions::new();
    options.read(true);
    let file = imp::open_no_follow(&mut options, path)?;
    imp::check_open_file(path, &file, Some(&before))?;
    Ok(Some(file))
}

/// Opens (creating it, mode 0600, if missing) the lock file at `path`.
pub(crate) fn open_lock(path: &Path) -> Result<File, Failure> {
    check_file(path)?;
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = imp::open_no_follow(&mut options, path)?;
    imp::check_open_file(path, &file, None)?;
    Ok(file)
}

#[cfg(unix)]
mod imp {
    use std::fs::{File, Metadata, OpenOptions};
    use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
    use std::path::Path;

    use rustix::fs::OFlags;

    use super::{Failure, Untrusted};

    /// Writable by group or others.
    const SHARED_WRITE: u32 = 0o022;
    const STICKY: u32 = 0o1000;

    fn euid() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    fn writers(mode: u32) -> &'static str {
        match (mode & 0o020 != 0, mode & 0o002 != 0) {
            (true, true) => "its group and all other users",
            (true, false) => "its group",
            _ => "all other users",
        }
    }

    fn kind(meta: &Metadata) -> &'static str {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_symlink() {
            "a symbolic link"
        } else if t.is_dir() {
            "a directory"
        } else if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_char_device() || t.is_block_device() {
            "a device"
        } else if t.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        }
    }

    pub(super) fn check_dir(dir: &Path) -> Result<(), Failure> {
        let meta = std::fs::symlink_metadata(dir)?;
        if !meta.file_type().is_dir() {
            return Err(Untrusted::new(
                dir,
                format!(
                    "is {}, not a directory (the cache never follows links)",
                    kind(&meta)
                ),
                format!(
                    "remove it (`rm {}`; it was not made by sfjwt)",
                    dir.display()
                ),
            )
            .into());
        }
        let me = euid();
        if meta.uid() != me {
            return Err(Untrusted::new(
                dir,
                format!(
                    "is owned by uid {}, not by the user running sfjwt (uid {me}): its owner could plant tokens that send your requests elsewhere",
                    meta.uid()
                ),
                format!(
                    "remove it (`rm -r {}`, as its owner or root; do not chmod it)",
                    dir.display()
                ),
            )
            .into());
        }
        let mode = meta.mode() & 0o7777;
        if mode & SHARED_WRITE != 0 {
            return Err(Untrusted::new(
                dir,
                format!(
                    "is writable by {} (mode {mode:04o}): they could plant tokens that send your requests elsewhere",
                    writers(mode)
                ),
                format!(
                    "`chmod 700 {}` (and remove entries you did not make)",
                    dir.display()
                ),
            )
            .into());
        }
        for parent in dir.ancestors().skip(1) {
            if parent.as_os_str().is_empty() {
                continue;
            }
            // Parents are followed (`/var` may be a link to `/private/var`): what matters is
            // who can rename entries in the directory they resolve to.
            let meta = std::fs::metadata(parent)?;
            if meta.uid() != me && meta.uid() != 0 {
                return Err(Untrusted::new(
                    parent,
                    format!(
                        "(a parent of the token cache {}) is owned by uid {}: its owner could replace the cache directory",
                        dir.display(),
                        meta.uid()
                    ),
                    "keep the cache under a directory owned by you or root",
                )
                .into());
            }
            let mode = meta.mode() & 0o7777;
            if mode & SHARED_WRITE != 0 && mode & STICKY == 0 {
                return Err(Untrusted::new(
                    parent,
                    format!(
                        "(a parent of the token cache {}) is writable by {} without the sticky bit (mode {mode:04o}): they could replace the cache directory",
                        dir.display(),
                        writers(mode)
                    ),
                    format!("`chmod go-w {}` (or `chmod +t` for a shared directory)", parent.display()),
                )
                .into());
            }
        }
        Ok(())
    }

    pub(super) fn check_file_meta(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
        if !meta.file_type().is_file() {
            return Err(Untrusted::new(
                path,
                format!(
                    "is {}, not a regular file (the cache never follows links or reads pipes and devices)",
                    kind(meta)
                ),
                format!(
                    "remove it (`rm {}`; it was not made by sfjwt)",
                    path.display()
                ),
            ));
        }
        let me = euid();
        if meta.uid() != me {
            return Err(Untrusted::new(
                path,
                format!(
                    "is owned by uid {}, not by the user running sfjwt (uid {me})",
                    meta.uid()
                ),
                format!(
                    "remove it (`rm {}`; it was not made by you)",
                    path.display()
                ),
            ));
        }
        let mode = meta.mode() & 0o7777;
        if mode & SHARED_WRITE != 0 {
            return Err(Untrusted::new(
                path,
                format!("is writable by {} (mode {mode:04o})", writers(mode)),
                format!(
                    "remove it (`rm {}`): sfjwt writes entries with mode 0600",
                    path.display()
                ),
            ));
        }
        Ok(())
    }

    /// Makes `dir` (checked already) 0700 if others may read or enter it, through a
    /// descriptor opened without following links, after checking that descriptor's owner.
    pub(super) fn tighten(dir: &Path) -> Result<(), Failure> {
        use rustix::fs::Mode;
        let fd = rustix::fs::open(
            dir,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(std::io::Error::from)?;
        let stat = rustix::fs::fstat(&fd).map_err(std::io::Error::from)?;
        #[allow(clippy::useless_conversion, reason = "st_mode is a u16 on macOS")]
        let mode = u32::from(stat.st_mode) & 0o7777;
        if stat.st_uid != euid() {
            // Swapped after the check: refuse as check_dir would.
            return Err(Untrusted::new(
                dir,
                "changed owner while it was being checked",
                "run the command again; if this repeats, someone else can write to its parent",
            )
            .into());
        }
        if mode & 0o077 != 0 {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o700)).map_err(std::io::Error::from)?;
        }
        Ok(())
    }

    /// Opens without following a final symbolic link and without waiting (a FIFO).
    pub(super) fn open_no_follow(options: &mut OpenOptions, path: &Path) -> Result<File, Failure> {
        let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK;
        options.custom_flags(i32::try_from(flags.bits()).unwrap_or(0));
        options.open(path).map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                Failure::Untrusted(Untrusted::new(
                    path,
                    "is a symbolic link (the cache never follows links)",
                    format!(
                        "remove it (`rm {}`; it was not made by sfjwt)",
                        path.display()
                    ),
                ))
            } else {
                Failure::Io(e)
            }
        })
    }

    /// The open file is what was checked (a regular file of ours), not something swapped in.
    pub(super) fn check_open_file(
        path: &Path,
        file: &File,
        before: Option<&Metadata>,
    ) -> Result<(), Failure> {
        let meta = file.metadata()?;
        check_file_meta(path, &meta)?;
        if let Some(before) = before
            && (before.dev() != meta.dev() || before.ino() != meta.ino())
        {
            return Err(Untrusted::new(
                path,
                "was replaced while it was being opened",
                "run the command again; if this repeats, someone else can write to the cache directory",
            )
            .into());
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod imp {
    //! Windows: the cache lives under the user's own `%LOCALAPPDATA%`, whose ACL admits only
    //! that user (and administrators); ownership checks through ACLs are not done here.
    use std::fs::{File, Metadata, OpenOptions};
    use std::path::Path;

    use super::{Failure, Untrusted};

    pub(super) fn check_dir(dir: &Path) -> Result<(), Failure> {
        let meta = std::fs::symlink_metadata(dir)?;
        if !meta.file_type().is_dir() {
            return Err(Untrusted::new(dir, "is not a directory", "remove it").into());
        }
        Ok(())
    }

    pub(super) fn check_file_meta(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
        if !meta.file_type().is_file() {
            return Err(Untrusted::new(path, "is not a regular file", "remove it"));
        }
        Ok(())
    }

    pub(super) fn open_no_follow(options: &mut OpenOptions, path: &Path) -> Result<File, Failure> {
        Ok(options.open(path)?)
    }

    pub(super) fn tighten(_dir: &Path) -> Result<(), Failure> {
        Ok(())
    }

    pub(super) fn check_open_file(
        path: &Path,
        file: &File,
        _before: Option<&Metadata>,
    ) -> Result<(), Failure> {
        check_file_meta(path, &file.metadata()?)?;
        Ok(())
    }
}
