//! The token cache behind `sfjwt token` and `sfjwt api`: scripts and cron jobs call the tool
//! in loops, and every uncached call would be a login — one more row in the org's login
//! history and one more of the user's 3,600 logins per hour. Salesforce states no token
//! lifetime, so a cached token is used until it is invalidated (the API answered 401
//! `INVALID_SESSION_ID`), refreshed, or older than an optional `--max-age`.
//!
//! - `--cache file` (the default): `sfjwt-file-store`'s store, one file per identity under the
//!   user's cache directory, with a cross-process grant lock; its refusals end the command
//!   ([`refusal_error`]);
//! - `--cache redis://…`: `sfjwt-redis`'s store, shared by a fleet of machines;
//! - [`source`]: the flow — a hit without loading the key, else the core's token manager with
//!   the chosen store, so its single flight and compare-and-invalidate apply.

pub(crate) mod args;
pub(crate) mod source;
pub(crate) mod wait;

use std::io::Write as _;

use sfjwt_file_store::{FileStoreError, Untrusted};

use crate::error::{CliError, Exit};

/// No cache directory can be found (no `XDG_CACHE_HOME`, no home directory): the command runs
/// without a cache and says so once.
pub(crate) fn warn_no_cache_dir() {
    let _ = writeln!(
        std::io::stderr(),
        "warning: token cache off: no cache directory (neither XDG_CACHE_HOME nor a home directory is set)\n  hint: set XDG_CACHE_HOME to a private directory, or pass --no-cache to silence this"
    );
}

/// A cache path the file store refused: exit 2, the path and the problem, the fix as the hint.
pub(crate) fn untrusted_error(untrusted: &Untrusted) -> CliError {
    CliError::local(format!("refusing the token cache: {untrusted}")).hint(format!(
        "{}; or set XDG_CACHE_HOME to a directory of your own, or pass --no-cache (--cache off)",
        untrusted.fix()
    ))
}

/// What ends the command after the file store refused to go on: a refused path (exit 2), or
/// another process holding the grant lock for the whole bound (exit 4, naming the lock).
pub(crate) fn refusal_error(error: FileStoreError) -> CliError {
    match &error {
        FileStoreError::LockTimeout { lock, .. } => CliError::new(Exit::Transport, error.to_string())
            .hint(format!(
                "a stuck sfjwt process is logging in: find it with `fuser -v {}` (or lsof) and end it, or pass --no-cache",
                lock.display()
            )),
        FileStoreError::Untrusted(untrusted) => untrusted_error(untrusted),
        // A refusal this build does not know: the store's own words, exit 2.
        _ => CliError::local(error.to_string()),
    }
}
