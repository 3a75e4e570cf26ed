//! Writing the keystore so that no error leaves a file behind and no one else can read it.
//!
//! The bytes go to a temporary file created in the destination's directory (same file system,
//! so the final rename is atomic) with mode 0600 from the start; the temporary file is removed
//! on any error. Only the complete file is renamed into place.

use std::io::Write as _;
use std::path::Path;

use crate::error::{CliError, CliResult};

/// Refuses an existing file: a keystore holds a private key, and replacing one by accident
/// loses it.
pub(super) fn refuse_existing(path: &Path) -> CliResult {
    if path.exists() {
        return Err(CliError::local(format!(
            "{} already exists; not overwriting it",
            path.display()
        ))
        .hint("choose another --out path, or move the old keystore away first"));
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory.
pub(super) fn atomically(path: &Path, bytes: &[u8], replace: bool) -> CliResult {
    let shown = path.display();
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let fail = |what: &str, e: std::io::Error| {
        CliError::local(format!("cannot {what} {shown}: {e}"))
            .hint("check that the directory exists and is writable, or choose another path")
    };
    // tempfile creates the file with O_EXCL and mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(".sfjwt-keystore-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail("create a temporary file next to", e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| fail("write", e))?;
    let persisted = if replace {
        temp.persist(path)
    } else {
        // Fails, rather than replaces, if the file appeared since it was checked.
        temp.persist_noclobber(path)
    };
    persisted.map_err(|e| fail("write", e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_0600_and_leaves_nothing_on_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.jks");
        atomically(&path, b"one", false).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(refuse_existing(&path).is_err());
        assert!(atomically(&path, b"two", false).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        atomically(&path, b"three", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("server.jks");
        let message = atomically(&path, b"x", false).unwrap_err().to_string();
        assert!(
            message.contains("cannot create a temporary file"),
            "{message}"
        );
    }
}
