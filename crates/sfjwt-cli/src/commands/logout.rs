//! `sfjwt logout`: forget a cached token, so the next `sfjwt token` logs in again — after a
//! key rotation, a permission change on the user, or before handing the machine on.
//!
//! The file cache records each entry's identity (login URL, client id, username, audience) in
//! clear, so this finds the identity's entries without the key, whatever key they were
//! obtained with. A Redis cache is keyed through the token client, so there the key is loaded
//! as for `sfjwt token`. Salesforce is not contacted: the session itself stays valid until it
//! times out or an admin ends it in Setup.

use std::path::Path;

use crate::cache::args::{Backend, CacheArgs};
use crate::error::{CliError, CliResult};
use crate::identity::Identity;
use crate::output::Out;
use sfjwt_file_store::entry::{self, is_entry_file};
use sfjwt_file_store::{read_bounded, remove_if_present};

pub(crate) const EXAMPLE: &str = "\
Example:
  export SFJWT_CLIENT_ID=3MVG9...  SFJWT_USERNAME=etl@acme.com
  sfjwt logout --login-url https://acme.my.salesforce.com
  sfjwt logout --all                    # every token in the file cache
  sfjwt logout --cache rediss://cache.internal:6380 --key-file server.key

Only the cached copy is removed; the session stays valid at Salesforce until it times out.
Exit codes: 0 done (also when nothing was cached), 2 usage or local problem.";

/// `sfjwt logout`.
#[derive(Debug, clap::Args)]
pub(crate) struct LogoutArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// Remove every token in the file cache, whoever it belongs to.
    #[arg(long)]
    pub(crate) all: bool,

    /// The cache to clear: `file` (default) or the `redis://…` / `rediss://…` URL the tokens
    /// were cached in.
    #[arg(long, env = "SFJWT_CACHE", value_name = "URL", hide_env_values = true)]
    pub(crate) cache: Option<String>,
}

pub(crate) fn run(args: &LogoutArgs, out: &mut Out) -> CliResult {
    let cache = CacheArgs {
        no_cache: false,
        cache: args.cache.clone(),
        refresh: false,
        max_age: None,
    };
    match cache.backend()? {
        Backend::Off => out.line("the token cache is off (--cache off): nothing to remove"),
        Backend::File => file_logout(args, out),
        Backend::Redis(url) => redis_logout(args, &url, out),
    }
}

fn file_logout(args: &LogoutArgs, out: &mut Out) -> CliResult {
    let target = if args.all {
        None
    } else {
        Some(identity_of(&args.identity)?)
    };
    let Some(dir) = sfjwt_file_store::default_dir() else {
        return out.line("no cache directory (XDG_CACHE_HOME and HOME unset): nothing to remove");
    };
    let removed = remove_entries(&dir, target.as_ref())?;
    let what = if removed == 1 { "token" } else { "tokens" };
    out.line(format!(
        "removed {removed} cached {what} from {}",
        dir.display()
    ))
}

/// Removes the entry files in `dir` belonging to `target` (all of them for `None`).
fn remove_entries(dir: &Path, target: Option<&entry::Identity>) -> CliResult<usize> {
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(cache_error("cannot list", dir, &e)),
    };
    let mut removed = 0;
    for item in listing {
        let path = item
            .map_err(|e| cache_error("cannot list", dir, &e))?
            .path();
        if !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_entry_file)
        {
            continue;
        }
        let matches = match target {
            None => true,
            // Entries are tiny; an unreadable or foreign one is not this identity's.
            Some(target) => read_bounded(&path)
                .ok()
                .flatten()
                .and_then(|bytes| entry::identity_of(&bytes))
                .is_some_and(|found| &found == target),
        };
        if matches {
            remove_if_present(&path).map_err(|e| cache_error("cannot remove", &path, &e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(not(feature = "redis"))]
fn redis_logout(_args: &LogoutArgs, _url: &str, _out: &mut Out) -> CliResult {
    Err(crate::features::not_built("redis", "--cache redis://…"))
}

#[cfg(feature = "redis")]
fn redis_logout(args: &LogoutArgs, url: &str, out: &mut Out) -> CliResult {
    use sfjwt_core::store::TokenStore as _;

    if args.all {
        return Err(CliError::local(
            "--all clears the file cache only; a Redis cache is shared with other machines",
        )
        .hint("log out one identity at a time with --cache redis://… and its flags, or delete the keys (sfjwt:token:*) in Redis"));
    }
    let login = args.identity.login(None)?;
    let signer = args.identity.load_signing_key()?.into_signer();
    let client = login.client(signer);
    // The same identity `sfjwt token` keyed the record by, key fingerprint included.
    let fingerprint = crate::cache::source::key_fingerprint(&args.identity)?;
    let store = sfjwt_redis::RedisStore::builder(url, &client)
        .key_fingerprint(fingerprint)
        .build()
        .map_err(|e| {
        CliError::local(format!("cannot use the Redis token cache: {}", crate::error::chain(&e)))
            .hint("fix --cache (or SFJWT_CACHE): redis://[user:password@]host[:port][/db], rediss://… for TLS")
    })?;
    let current = store.load().map_err(|e| {
        CliError::local(crate::error::chain(&e)).hint("check that Redis is reachable")
    })?;
    let removed = match current {
        Some(stored) => store.invalidate(stored.token.access_token()).map_err(|e| {
            CliError::local(crate::error::chain(&e)).hint("check that Redis is reachable")
        })?,
        None => false,
    };
    out.line(if removed {
        "removed the cached token from Redis"
    } else {
        "no token cached in Redis for this identity"
    })
}

/// The identity whose entries to remove (client id and username are required).
fn identity_of(identity: &Identity) -> CliResult<entry::Identity> {
    Ok(identity.login(None)?.entry_identity())
}

fn cache_error(what: &str, path: &Path, error: &std::io::Error) -> CliError {
    CliError::local(format!("{what} {}: {error}", path.display()))
        .hint("check that directory's owner and permissions (XDG_CACHE_HOME chooses where it is)")
}
