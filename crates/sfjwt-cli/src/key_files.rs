//! Writing `server.key` and `server.crt` (`keygen`, and the demo org of `emulate` and `demo`):
//! created exclusively (never overwritten unless asked), the key with mode 0600, in a
//! directory made 0700 that is removed again if the command fails before filling it. And
//! reading a certificate file back (`keystore`, `eca new`), bounded.

use std::fs::OpenOptions;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use sfjwt_core::key::MAX_FILE_BYTES;
use sfjwt_keys::KeyPair;

use crate::error::{CliError, CliResult};

/// The file names the tutorial (and every Salesforce guide) uses.
pub(crate) const KEY_FILE: &str = "server.key";
/// See [`KEY_FILE`].
pub(crate) const CERT_FILE: &str = "server.crt";

/// The bytes of the certificate file at `path`, refusing one over 1 MiB
/// ([`MAX_FILE_BYTES`]: no certificate chain comes near it, a larger file is the wrong one,
/// or `/dev/zero`). A read error is worded `"{unreadable} PATH: cause"` with `read_hint`; a
/// file too large gets `size_hint`.
pub(crate) fn read_certificate(
    path: &Path,
    unreadable: &str,
    read_hint: &str,
    size_hint: &str,
) -> CliResult<Vec<u8>> {
    let shown = path.display();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| CliError::local(format!("{unreadable} {shown}: {e}")).hint(read_hint))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(
            CliError::local(format!("{shown} is larger than 1 MiB: not a certificate"))
                .hint(size_hint),
        );
    }
    Ok(bytes)
}

/// Writes `server.key` (0600) and `server.crt` into `dir` (made by [`create_out_dir`]);
/// refuses to replace either unless `force`. Returns their paths. A failure leaves neither.
pub(crate) fn write(dir: &Path, generated: &KeyPair, force: bool) -> CliResult<(PathBuf, PathBuf)> {
    let key_path = dir.join(KEY_FILE);
    let cert_path = dir.join(CERT_FILE);
    // Check both before writing either, so a refusal leaves no half-written pair.
    if !force {
        for path in [&key_path, &cert_path] {
            if path.exists() {
                return Err(CliError::local(format!("{} already exists; not overwriting it", path.display()))
                    .hint("pass --force to replace the pair (the old key stops working once its certificate is replaced in the app), or choose another --out-dir"));
            }
        }
    }
    write_file(&key_path, generated.key_pem().as_bytes(), 0o600, force)?;
    write_file(
        &cert_path,
        generated.certificate_pem().as_bytes(),
        0o644,
        force,
    )
    .inspect_err(|_| {
        // A key without its certificate is half a pair: not left behind.
        let _ = std::fs::remove_file(&key_path);
    })?;
    Ok((key_path, cert_path))
}

/// Writes `server.crt` alone into `dir` (made by [`create_out_dir`]; for a key kept in a
/// vault); refuses to replace it unless `force`. Returns its path.
pub(crate) fn write_certificate(dir: &Path, cert_pem: &str, force: bool) -> CliResult<PathBuf> {
    let cert_path = dir.join(CERT_FILE);
    if !force && cert_path.exists() {
        return Err(CliError::local(format!("{} already exists; not overwriting it", cert_path.display()))
            .hint("pass --force to replace it (upload the new one to the app), or choose another --out-dir"));
    }
    write_file(&cert_path, cert_pem.as_bytes(), 0o644, force)?;
    Ok(cert_path)
}

/// The directories [`create_out_dir`] made (deepest first). Dropped, it removes those that
/// are still empty: a command that failed (and removed what it wrote) leaves no directory
/// behind, while one that succeeded has filled them, so they stay.
#[derive(Debug)]
pub(crate) struct OutDir {
    created: Vec<PathBuf>,
}

impl Drop for OutDir {
    fn drop(&mut self) {
        for dir in &self.created {
            // Only an empty directory is removed: never anything someone put there.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Creates `dir` and its missing parents with mode 0700 — a key is about to be written there,
/// and under `umask 000` the default would be 0777 — remembering which ones it made.
pub(crate) fn create_out_dir(dir: &Path) -> CliResult<OutDir> {
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err())
        .map(Path::to_path_buf)
        .collect();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    // The umask can only take bits away from 0700: never more open, whatever it is.
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    let guard = OutDir { created };
    builder.create(dir).map_err(|e| {
        CliError::local(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
        .hint("choose another --out-dir")
    })?;
    Ok(guard)
}

fn write_file(path: &Path, contents: &[u8], mode: u32, force: bool) -> CliResult {
    let fail = |e: std::io::Error| {
        CliError::local(format!("cannot write {}: {e}", path.display()))
            .hint("check the directory's permissions, or choose another --out-dir")
    };
    if force {
        // Remove first: the mode of an existing file would survive a truncating open.
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(e)),
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(fail)
}
