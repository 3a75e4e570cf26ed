//! The token cache behind `sfjwt token` and `sfjwt api`: scripts and cron jobs call the tool
//! in loops, and every uncached call would be a login — one more row in the org's login
//! history and one more of the user's 3,600 logins per hour. Salesforce states no token
//! lifetime, so a cached token is used until it is invalidated (the API answered 401
//! `INVALID_SESSION_ID`), refreshed, or older than an optional `--max-age`.
//!
//! - [`file_store`]: one file per identity under the user's cache directory ([`dir`]), named
//!   and laid out by [`entry`], with a cross-process grant lock;
//! - `--cache redis://…`: `sfjwt-redis`'s store, shared by a fleet of machines;
//! - [`source`]: the flow — a hit without loading the key, else the core's token manager with
//!   the chosen store, so its single flight and compare-and-invalidate apply.

pub(crate) mod args;
pub(crate) mod dir;
pub(crate) mod entry;
pub(crate) mod file_store;
pub(crate) mod source;
pub(crate) mod trust;
pub(crate) mod wait;

use std::io::Write as _;

use sfjwt_core::claims::Audience;
use sfjwt_core::endpoint::TokenEndpoint;

/// The cache identity of the identity flags: login URL, client id, username, audience.
pub(crate) fn entry_identity(
    identity: &crate::identity::Identity,
    endpoint: &TokenEndpoint,
    audience: &Audience,
) -> entry::Identity {
    entry::Identity {
        login_url: endpoint.base_url().to_owned(),
        client_id: identity.client_id.clone().unwrap_or_default(),
        username: identity.username.clone().unwrap_or_default(),
        audience: audience.as_str().to_owned(),
    }
}

/// No cache directory can be found (no `XDG_CACHE_HOME`, no home directory): the command runs
/// without a cache and says so once.
pub(crate) fn warn_no_cache_dir() {
    let _ = writeln!(
        std::io::stderr(),
        "warning: token cache off: no cache directory (neither XDG_CACHE_HOME nor a home directory is set)\n  hint: set XDG_CACHE_HOME to a private directory, or pass --no-cache to silence this"
    );
}
