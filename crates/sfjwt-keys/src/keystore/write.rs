//! Writing the keystore so that no error leaves a file behind and no one else can read it.
//!
//! The bytes go to a temporary file created in the destination's directory (same file system,
//! so the final rename is atomic) with mode 0600 from the start; the temporary file is removed
//! on any error. Only the complete file is renamed into place.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Why the keystore file was not written; the I/O error is in `source()`. Nothing is left
/// behind.
#[derive(Debug)]
#[non_exhaustive]
pub struct WriteError {
    /// What failed: `create a temporary file next to` or `write`.
    pub what: &'static str,
    /// The destination.
    pub path: PathBuf,
    /// The cause: a missing or read-only directory, a full disk, or (without `replace`) a
    /// file that appeared meanwhile.
    pub source: std::io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} {}", self.what, self.path.display())
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Writes `bytes` to `path` through a temporary file (mode 0600) in the same directory,
/// renamed into place once complete; with `replace` false an existing file is never replaced,
/// even one that appeared since the caller checked.
///
/// # Errors
/// [`WriteError`] when the directory is missing or not writable, the disk is full, or the file
/// exists (without `replace`).
pub fn write_atomically(path: &Path, bytes: &[u8], replace: bool) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let fail = |what: &'static str| {
        move |source: std::io::Error| WriteError {
            what,
            path: path.to_owned(),
            source,
        }
    };
    // tempfile creates the file with O_EXCL and mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(".sfjwt-keystore-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail("create a temporary file next to"))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(fail("write"))?;
    let persisted = if replace {
        temp.persist(path)
    } else {
        // Fails, rather than replaces, if the file appeared since it was checked.
        temp.persist_noclobber(path)
    };
    persisted.map_err(|e| fail("write")(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_0600_and_leaves_nothing_on_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.jks");
        write_atomically(&path, b"one", false).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_atomically(&path, b"two", false).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_atomically(&path, b"three", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("server.jks");
        let message = write_atomically(&path, b"x", false)
            .unwrap_err()
            .to_string();
        assert!(message.ends_with("server.jks"), "{message}");
        assert!(
            message.contains("cannot create a temporary file"),
            "{message}"
        );
    }
}
