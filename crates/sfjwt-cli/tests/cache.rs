//! The token cache of `sfjwt token`, end to end: separate `sfjwt` processes against an
//! in-process emulator, every grant counted in the emulator's request record.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::cli as support;

use std::process::{Child, Stdio};
use std::time::Duration;

use sfjwt_emulator::{Fault, Target};
#[cfg(feature = "redis")]
use support::RedisServer;
use support::{Org, run, token_json};

#[test]
fn fifty_calls_in_a_loop_grant_once_and_no_cache_grants_fifty() {
    let org = Org::new();
    let mut tokens = Vec::new();
    for _ in 0..50 {
        tokens.push(token_json(&mut org.sfjwt(&["token", "--json"])));
    }
    assert_eq!(org.grants(), 1);
    assert!(!tokens[0].1, "the first call logs in");
    assert!(
        tokens[1..]
            .iter()
            .all(|(t, cached)| *cached && *t == tokens[0].0)
    );

    for _ in 0..50 {
        let (_, cached) = token_json(&mut org.sfjwt(&["token", "--json", "--no-cache"]));
        assert!(!cached);
    }
    assert_eq!(org.grants(), 51);
    // --no-cache neither read nor replaced the entry.
    let (token, cached) = token_json(&mut org.sfjwt(&["token", "--json"]));
    assert!(cached);
    assert_eq!(token, tokens[0].0);
}

/// Starts `n` `sfjwt token --json` processes at once.
fn spawn_many(org: &Org, n: usize, extra: &[&str]) -> Vec<Child> {
    (0..n)
        .map(|_| {
            let mut words = vec!["token", "--json"];
            words.extend_from_slice(extra);
            org.sfjwt(&words)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect()
}

fn tokens_of(children: Vec<Child>) -> Vec<String> {
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert!(
                out.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            json["access_token"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn eight_concurrent_calls_with_an_empty_cache_grant_once() {
    let org = Org::new();
    // A slow login server keeps all eight processes overlapping: the control run below shows
    // that without the cache they do all log in.
    org.sf
        .inject_fault_on(Target::Token, Fault::Latency(Duration::from_millis(400)), 8);
    let uncached = tokens_of(spawn_many(&org, 8, &["--no-cache"]));
    assert_eq!(org.grants(), 8, "control: eight overlapping logins");
    assert_eq!(uncached.len(), 8);

    org.sf
        .inject_fault_on(Target::Token, Fault::Latency(Duration::from_millis(400)), 8);
    let tokens = tokens_of(spawn_many(&org, 8, &[]));
    assert_eq!(org.grants(), 9, "one login for eight concurrent processes");
    assert!(tokens.iter().all(|t| *t == tokens[0]));
}

#[cfg(feature = "redis")]
#[test]
fn eight_concurrent_calls_sharing_redis_grant_once() {
    let redis = RedisServer::start();
    let org = Org::new();
    org.sf
        .inject_fault_on(Target::Token, Fault::Latency(Duration::from_millis(400)), 8);
    let url = redis.url();
    let tokens = tokens_of(spawn_many(&org, 8, &["--cache", &url]));
    assert_eq!(org.grants(), 1, "one login for the fleet");
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    // Through SFJWT_CACHE, from another "machine" (an empty file cache): still cached.
    let (token, cached) = token_json(
        org.sfjwt(&["token", "--json"])
            .env("SFJWT_CACHE", &url)
            .env("XDG_CACHE_HOME", tempfile::tempdir().unwrap().path()),
    );
    assert!(cached);
    assert_eq!(token, tokens[0]);
    assert_eq!(org.grants(), 1);
    // Nothing was written to the file cache.
    assert!(org.entry_files().is_empty());
}

#[test]
fn invalidate_drops_only_the_stale_token() {
    let org = Org::new();
    let (first, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    let (second, cached) = token_json(&mut org.sfjwt(&["token", "--json", "--refresh"]));
    assert!(!cached);
    assert_ne!(first, second);
    assert_eq!(org.grants(), 2);

    // A script still holding the first token saw a 401: the newer token is kept.
    let (current, cached) =
        token_json(&mut org.sfjwt(&["token", "--json", "--invalidate", &first]));
    assert_eq!(current, second);
    assert!(cached);
    assert_eq!(org.grants(), 2);

    // Reporting the current token drops it, and the same call logs in again.
    let mut cmd = org.sfjwt(&["token", "--json", "--invalidate", "-"]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(second.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(json["access_token"], second.as_str());
    assert_eq!(json["from_cache"], false);
    assert_eq!(org.grants(), 3);
}

#[cfg(unix)]
#[test]
fn the_cache_file_is_0600_in_a_0700_directory() {
    use std::os::unix::fs::PermissionsExt as _;
    let org = Org::new();
    // A pre-existing directory of ours that others can read is tightened (through its own
    // descriptor: never through a link; see tests/shared_cache.rs for the refusals).
    std::fs::create_dir(org.cache_dir()).unwrap();
    std::fs::set_permissions(org.cache_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    run(&mut org.sfjwt(&["token"]), 0);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&org.cache_dir()), 0o700);
    let files = org.entry_files();
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600);
    let name = files[0].file_stem().unwrap().to_str().unwrap();
    assert!(name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()));
    // Neither the key nor the key's path is in the file.
    let content = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!content.contains("PRIVATE KEY") && !content.contains("rsa2048"));
}

#[test]
fn a_corrupt_or_foreign_cache_file_is_replaced() {
    let org = Org::new();
    let (first, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    let file = org.entry_files().pop().unwrap();
    let valid = std::fs::read(&file).unwrap();
    for garbage in [
        b"\x00\xffnot json at all".to_vec(),
        valid[..valid.len() / 2].to_vec(),
        br#"{"format":"sfjwt-token-cache/1","entry":"another entry","token":{}}"#.to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&file, &garbage).unwrap();
        let grants = org.grants();
        let (token, cached) = token_json(&mut org.sfjwt(&["token", "--json"]));
        assert!(!cached);
        assert_ne!(token, first);
        assert_eq!(org.grants(), grants + 1);
        // Replaced by a good entry: the next call is a hit.
        assert!(token_json(&mut org.sfjwt(&["token", "--json"])).1);
    }
}

#[test]
fn an_unusable_cache_directory_is_a_warning_not_a_failure() {
    let org = Org::new();
    // XDG_CACHE_HOME is a regular file: the cache directory cannot be created under it.
    let blocker = org.cache_home.path().join("not-a-directory");
    std::fs::write(&blocker, b"").unwrap();
    let (out, err) = run(
        org.sfjwt(&["token", "--json"])
            .env("XDG_CACHE_HOME", &blocker),
        0,
    );
    assert!(out.contains("access_token"));
    assert!(err.contains("warning: token cache"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn max_age_regrants_old_tokens() {
    let org = Org::new();
    run(&mut org.sfjwt(&["token", "--max-age", "1"]), 0);
    assert!(token_json(&mut org.sfjwt(&["token", "--json", "--max-age", "60"])).1);
    std::thread::sleep(Duration::from_millis(1100));
    assert!(!token_json(&mut org.sfjwt(&["token", "--json", "--max-age", "1"])).1);
    assert_eq!(org.grants(), 2);
}

#[test]
fn logout_removes_this_identity_and_all_removes_everything() {
    let org = Org::new();
    run(&mut org.sfjwt(&["token"]), 0);
    let other = Org::new();
    // Another org (login URL) sharing the cache directory.
    run(
        other
            .sfjwt(&["token"])
            .env("XDG_CACHE_HOME", org.cache_home.path()),
        0,
    );
    assert_eq!(org.entry_files().len(), 2);
    let (out, _) = run(&mut org.sfjwt(&["logout"]), 0);
    assert!(out.contains("removed 1 cached token"), "{out}");
    assert_eq!(org.entry_files().len(), 1);
    assert!(!token_json(&mut org.sfjwt(&["token", "--json"])).1);
    let (out, _) = run(&mut org.sfjwt(&["logout", "--all"]), 0);
    assert!(out.contains("removed 2 cached tokens"), "{out}");
    assert!(org.entry_files().is_empty());
}

#[test]
fn the_summary_says_where_the_token_came_from_and_hides_it() {
    let org = Org::new();
    let (out, _) = run(&mut org.sfjwt(&["token"]), 0);
    assert!(out.contains("(new login)"), "{out}");
    let (out, _) = run(&mut org.sfjwt(&["token"]), 0);
    assert!(out.contains("(from the token cache:"), "{out}");
    let (token, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    assert!(!out.contains(&token));
}

#[test]
fn an_unknown_cache_is_a_usage_error_that_does_not_echo_it() {
    let org = Org::new();
    let (_, err) = run(
        &mut org.sfjwt(&["token", "--cache", "memcached://user:s3cret@host"]),
        2,
    );
    assert!(!err.contains("s3cret"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[cfg(feature = "redis")]
#[test]
fn two_login_ports_in_redis_are_two_entries_and_a_wrong_type_key_is_reported() {
    let redis = RedisServer::start();
    // Two login servers on one host, different ports: two orgs, two tokens.
    let a = Org::new();
    let b = Org::new();
    let url = redis.url();
    let (ta, a_cached) = token_json(&mut a.sfjwt(&["token", "--json", "--cache", &url]));
    let (tb, b_cached) = token_json(&mut b.sfjwt(&["token", "--json", "--cache", &url]));
    assert!(!a_cached && !b_cached, "each port logs in once");
    assert_ne!(ta, tb);
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("sfjwt:token:*")
        .query(&mut redis.raw())
        .unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    let (again, cached) = token_json(&mut a.sfjwt(&["token", "--json", "--cache", &url]));
    assert!(cached);
    assert_eq!(again, ta);
    // `sfjwt logout` finds the record `sfjwt token` keyed (same identity, key included).
    let (out, _) = run(&mut b.sfjwt(&["logout", "--cache", &url]), 0);
    assert!(out.contains("removed the cached token"), "{out}");
    let (_, cached) = token_json(&mut b.sfjwt(&["token", "--json", "--cache", &url]));
    assert!(!cached, "logged out: a new login");

    // Someone writes a string over one of them: reported (once), not silently granted around.
    keys.sort();
    for key in &keys {
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg("not an sfjwt record")
            .query(&mut redis.raw())
            .unwrap();
    }
    let (out, err) = run(&mut a.sfjwt(&["token", "--json", "--cache", &url]), 0);
    assert!(out.contains("access_token"));
    assert_eq!(
        err.matches("holds a value of another type").count(),
        1,
        "{err}"
    );
    assert!(keys.iter().any(|k| err.contains(k.as_str())), "{err}");
}
