//! Where the token cache lives by default: `$XDG_CACHE_HOME/sfjwt`, else the platform's cache
//! directory (`~/.cache/sfjwt` on Linux and other Unix, `~/Library/Caches/sfjwt` on macOS,
//! `%LOCALAPPDATA%\sfjwt` on Windows).
//!
//! Written by hand rather than with a directory crate: it is four environment lookups, and the
//! rule that matters here — a relative `XDG_CACHE_HOME` is ignored, as the XDG Base Directory
//! specification requires — is easier to see in ten lines than to confirm in a dependency.

use std::ffi::OsString;
use std::path::PathBuf;

/// The cache directory's name under the user's cache directory.
const APP_DIR: &str = "sfjwt";

/// `$XDG_CACHE_HOME/sfjwt`, else the platform default; `None` when neither can be found (no
/// home directory): run without a cache then, or pick a directory yourself.
pub fn default_dir() -> Option<PathBuf> {
    resolve(|name| std::env::var_os(name))
}

fn resolve(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let absolute = |name: &str| {
        var(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    // XDG Base Directory: "If $XDG_CACHE_HOME is either not set or empty, a default equal to
    // $HOME/.cache should be used"; relative paths "are invalid and should be ignored".
    let base = absolute("XDG_CACHE_HOME").or_else(|| {
        if cfg!(windows) {
            absolute("LOCALAPPDATA")
        } else if cfg!(target_os = "macos") {
            absolute("HOME").map(|home| home.join("Library").join("Caches"))
        } else {
            absolute("HOME").map(|home| home.join(".cache"))
        }
    })?;
    Some(base.join(APP_DIR))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Option<PathBuf> {
        resolve(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[cfg(unix)]
    #[test]
    fn xdg_wins_and_relative_values_are_ignored() {
        assert_eq!(
            with(&[("XDG_CACHE_HOME", "/x/cache"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/x/cache/sfjwt"))
        );
        let fallback = with(&[("XDG_CACHE_HOME", "rel/cache"), ("HOME", "/home/u")]);
        assert!(fallback.is_some_and(|p| p.starts_with("/home/u") && p.ends_with("sfjwt")));
        assert_eq!(with(&[("XDG_CACHE_HOME", "")]), None);
        assert_eq!(with(&[]), None);
    }
}
