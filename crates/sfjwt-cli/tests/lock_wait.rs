//! Waiting for another process's grant lock is bounded (elapsed time) on every path and said
//! out loud: with the lock held by a stuck process, `token --invalidate`, `token --refresh`
//! and `api` after a 401 give up with exit 4 naming the lock, a plain `token` logs in on its
//! own at the bound, and each says after 2 s what it waits for.
//!
//! With `--timeout 1 --retries 0` the bound is 1.5 × (1 s + 10 s) = 16.5 s; each command must
//! be done within the bound + 5 s.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::fs::File;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[cfg(feature = "redis")]
use sfjwt_test_support::cli::RedisServer;
use sfjwt_test_support::cli::{LIMITS, Org, token_json};

/// 1.5 × (timeout × attempts + 10 s) for `--timeout 1 --retries 0`.
const BOUND: Duration = Duration::from_millis(16_500);
const FAST: [&str; 4] = ["--timeout", "1", "--retries", "0"];

/// Holds the identity's grant lock as a stuck process would (`flock -x X.lock sleep 900`).
fn hold_lock(org: &Org) -> (File, String) {
    let entry = org.entry_files().into_iter().next();
    let lock = match entry {
        Some(entry) => entry.with_extension("lock"),
        None => panic!("no entry yet"),
    };
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock)
        .unwrap();
    file.lock().unwrap();
    (file, lock.display().to_string())
}

fn spawn(mut cmd: Command) -> std::process::Child {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child`; fails the test (after killing it) past `limit` from `start`.
fn finish(child: std::process::Child, start: Instant, limit: Duration, what: &str) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let left = limit.saturating_sub(start.elapsed());
    match rx.recv_timeout(left) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("{what} was still waiting after {:?}", start.elapsed());
        }
    }
}

#[test]
fn with_the_lock_held_every_path_returns_within_the_bound_and_says_what_it_waits_for() {
    let org = Org::new();
    let (stale, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    // The API refuses the cached token: `api` has to invalidate it (under the lock).
    assert!(org.sf.revoke(&stale));
    // Another identity's cache, with no entry: a plain `token` must grant, under the lock.
    let empty = Org::new();
    token_json(&mut empty.sfjwt(&["token", "--json"]));
    let (_held, lock) = hold_lock(&org);
    let (_held_empty, empty_lock) = hold_lock(&empty);
    for entry in empty.entry_files() {
        std::fs::remove_file(entry).unwrap();
    }
    let grants_before = empty.grants();

    let with = |org: &Org, words: &[&str]| {
        let mut all = words.to_vec();
        all.extend_from_slice(&FAST);
        org.sfjwt(&all)
    };
    let start = Instant::now();
    let invalidate = spawn(with(&org, &["token", "--invalidate", &stale]));
    let refresh = spawn(with(&org, &["token", "--refresh"]));
    let api = spawn(with(&org, &["api", LIMITS]));
    let token = spawn(with(&empty, &["token", "--json"]));
    let limit = BOUND + Duration::from_secs(5);

    for (child, what) in [
        (invalidate, "--invalidate"),
        (refresh, "--refresh"),
        (api, "api"),
    ] {
        let out = finish(child, start, limit, what);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{what}: {err}");
        assert!(
            err.contains("sfjwt: waiting for"),
            "{what}: no waiting message: {err}"
        );
        assert!(err.contains(&lock), "{what}: the lock's path: {err}");
        assert_eq!(
            err.matches("sfjwt: waiting for").count(),
            1,
            "{what}: said once: {err}"
        );
    }
    // The plain grant logs in on its own at the bound.
    let out = finish(token, start, limit, "token");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "token: {err}");
    assert!(
        err.contains("sfjwt: waiting for") && err.contains(&empty_lock),
        "{err}"
    );
    assert_eq!(empty.grants(), grants_before + 1);
    // The refused token was not replaced behind the lock's back.
    assert_eq!(org.entry_files().len(), 1);
}

#[test]
fn a_lock_released_in_time_is_taken_without_a_message_or_a_second_login() {
    let org = Org::new();
    let (stale, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    let (held, _) = hold_lock(&org);
    let mut cmd = org.sfjwt(&["token", "--invalidate", &stale, "--json"]);
    cmd.args(FAST);
    let child = spawn(cmd);
    std::thread::sleep(Duration::from_millis(300));
    drop(held);
    let out = finish(child, Instant::now(), BOUND, "--invalidate");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("sfjwt: waiting for"), "{err}");
    assert_eq!(
        org.grants(),
        2,
        "the invalidated token was replaced by one login"
    );
}

#[cfg(feature = "redis")]
#[test]
fn a_redis_lock_held_elsewhere_is_waited_for_out_loud_then_the_grant_goes_ahead() {
    let redis = RedisServer::start();
    let org = Org::new();
    let url = redis.url();
    token_json(&mut org.sfjwt(&["token", "--json", "--cache", &url]));
    let tokens: Vec<String> = redis::cmd("KEYS")
        .arg("sfjwt:token:*")
        .query(&mut redis.raw())
        .unwrap();
    assert_eq!(tokens.len(), 1);
    // The record is gone and another process (never finishing) holds the fleet's lock.
    let lock = tokens[0].replacen("sfjwt:token:", "sfjwt:lock:", 1);
    let _: () = redis::cmd("DEL")
        .arg(&tokens[0])
        .query(&mut redis.raw())
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(&lock)
        .arg("a-stuck-process")
        .arg("PX")
        .arg(600_000)
        .query(&mut redis.raw())
        .unwrap();

    let mut cmd = org.sfjwt(&["token", "--json", "--cache", &url]);
    cmd.args(FAST);
    let start = Instant::now();
    let out = finish(spawn(cmd), start, BOUND + Duration::from_secs(5), "token");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("sfjwt: waiting for").count(), 1, "{err}");
    assert!(err.contains(&lock), "the Redis key: {err}");
    assert_eq!(org.grants(), 2, "at the bound it logged in itself");
}
