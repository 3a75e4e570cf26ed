//! The cache flags of `sfjwt token` and `sfjwt api`.

use std::time::Duration;

use crate::error::{CliError, CliResult};

/// How a command finds and keeps its token between invocations.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CacheArgs {
    /// Log in now without reading or writing the token cache.
    #[arg(long)]
    pub(crate) no_cache: bool,

    /// Where tokens are cached: `file` (default: $XDG_CACHE_HOME/sfjwt, else the platform's
    /// cache directory), `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS) to
    /// share one token across machines, or `off`.
    #[arg(long, env = "SFJWT_CACHE", value_name = "URL", hide_env_values = true)]
    pub(crate) cache: Option<String>,

    /// Ignore the cached token and log in again (the new token replaces it).
    #[arg(long)]
    pub(crate) refresh: bool,

    /// Re-grant cached tokens older than this many seconds. Without it a cached token is used
    /// until it is invalidated (Salesforce states no lifetime; sessions slide with use).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_age: Option<u64>,
}

/// The cache flags of `sfjwt token` alone.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct TokenCacheArgs {
    #[command(flatten)]
    pub(crate) cache: CacheArgs,

    /// The API refused this token (401 INVALID_SESSION_ID): drop it from the cache if it is
    /// still the cached one (a newer token is kept), then print the current token, logging
    /// in if needed. `-` reads the token from standard input.
    #[arg(long, value_name = "TOKEN")]
    pub(crate) invalidate: Option<String>,
}

/// Where the token is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Backend {
    Off,
    File,
    /// A `redis://` or `rediss://` URL (may contain a password: never printed).
    Redis(String),
}

impl CacheArgs {
    /// The backend chosen by `--no-cache`, `--cache` and `SFJWT_CACHE` (`--no-cache` wins).
    pub(crate) fn backend(&self) -> CliResult<Backend> {
        if self.no_cache {
            return Ok(Backend::Off);
        }
        let Some(value) = self.cache.as_deref().map(str::trim) else {
            return Ok(Backend::File);
        };
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("redis://") || lower.starts_with("rediss://") {
            if !cfg!(feature = "redis") {
                return Err(crate::features::not_built("redis", "--cache redis://…"));
            }
            return Ok(Backend::Redis(value.to_owned()));
        }
        match lower.as_str() {
            "" | "file" => Ok(Backend::File),
            "off" | "none" => Ok(Backend::Off),
            _ => Err(CliError::local(
                "unknown token cache in --cache (or SFJWT_CACHE); the value is not repeated here, it may hold a password",
            )
            .hint("use `file` (the default), `off`, redis://[user:password@]host[:port][/db], or rediss://… for TLS")),
        }
    }

    pub(crate) fn max_age(&self) -> Option<Duration> {
        self.max_age.map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(cache: Option<&str>, no_cache: bool) -> CacheArgs {
        CacheArgs {
            no_cache,
            cache: cache.map(str::to_owned),
            refresh: false,
            max_age: None,
        }
    }

    #[test]
    fn chooses_the_backend() {
        assert_eq!(args(None, false).backend().unwrap(), Backend::File);
        assert_eq!(args(Some("off"), false).backend().unwrap(), Backend::Off);
        assert_eq!(
            args(Some("redis://127.0.0.1:6379/0"), true)
                .backend()
                .unwrap(),
            Backend::Off
        );
        let redis = args(Some("rediss://u:p@h:6380"), false).backend();
        if cfg!(feature = "redis") {
            assert_eq!(redis.unwrap(), Backend::Redis("rediss://u:p@h:6380".into()));
        } else {
            let err = redis.unwrap_err().to_string();
            assert!(err.contains("--features redis"), "{err}");
            assert!(!err.contains("u:p"), "{err}");
        }
        let err = args(Some("memcache://u:secret@h"), false)
            .backend()
            .unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }
}
