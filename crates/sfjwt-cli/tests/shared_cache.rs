//! The token cache against a second local user: the attacker of a shared cache path
//! (`XDG_CACHE_HOME` on a shared directory, a planted entry, links to system directories or
//! to files elsewhere, a FIFO where an entry belongs). The attacker is a real, separate user
//! (`sfjwt-attacker`, created when missing) and plants files with its own uid through
//! `setpriv`; the victim is the user running the tests. CI runs as root, so the users can be
//! made; a run that cannot make them fails with the command that fixes it.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]
#![cfg(unix)]

use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sfjwt_test_support::cli::{Org, run, token_json};

const ATTACKER: &str = "sfjwt-attacker";

/// The attacker's uid and gid.
#[derive(Debug, Clone, Copy)]
struct Attacker {
    uid: u32,
    gid: u32,
}

fn id(args: &[&str]) -> Option<u32> {
    let out = Command::new("id").args(args).output().ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// The second user, created if missing (needs root, as in CI).
fn attacker() -> Attacker {
    static ONCE: OnceLock<Result<Attacker, String>> = OnceLock::new();
    ONCE.get_or_init(|| {
        let me = id(&["-u"]).ok_or("cannot run `id -u`")?;
        if me != 0 {
            return Err(format!(
                "these tests plant files as a second real user ({ATTACKER}) and need root to do so (uid {me} here; CI runs as root).\nFix: sudo useradd -r {ATTACKER} && sudo -E env \"PATH=$PATH\" cargo test -p sfjwt-cli --test shared_cache"
            ));
        }
        if id(&["-u", ATTACKER]).is_none() {
            let made = Command::new("useradd")
                .args(["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ATTACKER])
                .status();
            // Another test binary may have made it in between: check again either way.
            if id(&["-u", ATTACKER]).is_none() {
                return Err(format!(
                    "cannot create the user {ATTACKER} ({made:?}).\nFix: useradd -r {ATTACKER} (from util-linux/shadow: apt-get install passwd)"
                ));
            }
        }
        Ok(Attacker {
            uid: id(&["-u", ATTACKER]).ok_or("no uid")?,
            gid: id(&["-g", ATTACKER]).ok_or("no gid")?,
        })
    })
    .clone()
    .unwrap_or_else(|fix| panic!("{fix}"))
}

impl Attacker {
    /// Runs `script` in `sh` as the attacker (its own uid, gid and no other groups).
    fn run(&self, script: &str, env: &[(&str, &str)]) {
        let status = Command::new("setpriv")
            .arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .args(["--clear-groups", "--", "sh", "-c", script])
            .envs(env.iter().copied())
            .status()
            .unwrap_or_else(|e| panic!("setpriv: {e}\nFix: apt-get install util-linux"));
        assert!(status.success(), "as {ATTACKER}: {script}");
    }
}

/// A directory everyone may write to (sticky, like /tmp), under a parent the attacker can
/// reach: where a careless `XDG_CACHE_HOME` points.
struct Shared {
    _root: tempfile::TempDir,
    root: PathBuf,
    shared: PathBuf,
}

fn shared_dir() -> Shared {
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let shared = root.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    Shared {
        root: root.path().to_owned(),
        _root: root,
        shared,
    }
}

/// The victim's legitimate entry (name and content), from a first `sfjwt token` in its own
/// private cache: the name is what an attacker predicts (it depends on the identity only).
fn victim_entry(org: &Org) -> (String, serde_json::Value) {
    token_json(&mut org.sfjwt(&["token", "--json"]));
    let files = org.entry_files();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    let json = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    (name, json)
}

/// The victim's entry name, and its entry rewritten to send the token to a [`Trap`]: what an
/// attacker would plant.
fn planted_entry(org: &Org) -> (String, serde_json::Value, Trap) {
    let (name, mut entry) = victim_entry(org);
    let trap = Trap::new();
    entry["token"]["instance_url"] = trap.url().into();
    (name, entry, trap)
}

/// A listener standing for the attacker's server; `connections()` says whether anything
/// reached it.
struct Trap(TcpListener);

impl Trap {
    fn new() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Self(listener)
    }

    fn url(&self) -> String {
        format!("http://{}", self.0.local_addr().unwrap())
    }

    fn reached(&self) -> bool {
        self.0.accept().is_ok()
    }
}

/// Runs `cmd`, killing it and failing the test if it has not returned within `limit`.
fn within(cmd: &mut Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("sfjwt hung: no exit after {:?}", start.elapsed());
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn api_post(org: &Org, cache_home: &Path) -> Command {
    let mut cmd = org.sfjwt(&[
        "api",
        "POST",
        "/services/data/v62.0/sobjects/Account",
        "--data",
        r#"{"Name":"victim secret"}"#,
        "--timeout",
        "3",
    ]);
    cmd.env("XDG_CACHE_HOME", cache_home);
    cmd
}

#[test]
fn an_entry_planted_by_another_user_in_a_shared_cache_is_refused_and_nothing_is_sent() {
    let attacker = attacker();
    let org = Org::new();
    let (name, entry, trap) = planted_entry(&org);
    let planted = entry.to_string();
    let s = shared_dir();
    attacker.run(
        "mkdir -m 777 \"$SHARED/sfjwt\" && printf '%s' \"$ENTRY\" > \"$SHARED/sfjwt/$NAME\" && chmod 666 \"$SHARED/sfjwt/$NAME\"",
        &[
            ("SHARED", s.shared.to_str().unwrap()),
            ("ENTRY", &planted),
            ("NAME", &name),
        ],
    );
    let requests_before = org.sf.requests().len();

    let out = within(&mut api_post(&org, &s.shared), Duration::from_secs(30));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let dir = s.shared.join("sfjwt");
    assert!(err.contains(&dir.display().to_string()), "{err}");
    assert!(
        err.contains(&format!("owned by uid {}", attacker.uid)),
        "{err}"
    );
    assert!(err.contains("XDG_CACHE_HOME"), "the fix: {err}");
    assert!(
        !trap.reached(),
        "the request body went to the planted instance_url"
    );
    assert_eq!(
        org.sf.requests().len(),
        requests_before,
        "no login, no API call"
    );
    // Nothing of the victim's was written there.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn a_cache_directory_of_ours_that_others_may_write_is_refused_with_chmod_700() {
    let org = Org::new();
    let (name, entry, trap) = planted_entry(&org);
    // The victim's own directory, but mode 0777: anyone could have put this entry there.
    let s = shared_dir();
    let dir = s.shared.join("sfjwt");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = dir.join(&name);
    std::fs::write(&file, entry.to_string()).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();

    let out = within(&mut api_post(&org, &s.shared), Duration::from_secs(30));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("chmod 700 {}", dir.display())),
        "{err}"
    );
    assert!(!trap.reached());
    // Refused, not repaired: the mode is the user's to fix.
    assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o777);
}

#[test]
fn an_entry_owned_by_another_user_in_a_private_directory_is_refused() {
    let attacker = attacker();
    let org = Org::new();
    let (name, entry, trap) = planted_entry(&org);
    let file = org.cache_dir().join(&name);
    std::fs::write(&file, entry.to_string()).unwrap();
    std::os::unix::fs::chown(&file, Some(attacker.uid), Some(attacker.gid)).unwrap();

    let out = within(
        &mut api_post(&org, org.cache_home.path()),
        Duration::from_secs(30),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(
        err.contains(&format!("owned by uid {}", attacker.uid)),
        "{err}"
    );
    assert!(!trap.reached());
}

#[test]
fn a_symlinked_cache_directory_is_refused_and_its_target_left_untouched() {
    let attacker = attacker();
    let org = Org::new();
    let s = shared_dir();
    // A system directory stand-in: root's, mode 0755, empty.
    let system = s.root.join("system");
    std::fs::create_dir(&system).unwrap();
    std::fs::set_permissions(&system, std::fs::Permissions::from_mode(0o755)).unwrap();
    attacker.run(
        "ln -s \"$TARGET\" \"$SHARED/sfjwt\"",
        &[
            ("SHARED", s.shared.to_str().unwrap()),
            ("TARGET", system.to_str().unwrap()),
        ],
    );

    let mut cmd = org.sfjwt(&["token"]);
    cmd.env("XDG_CACHE_HOME", &s.shared);
    let out = within(&mut cmd, Duration::from_secs(30));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    let meta = std::fs::metadata(&system).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o755, "the target was chmodded");
    assert_eq!(meta.uid(), 0);
    assert_eq!(
        std::fs::read_dir(&system).unwrap().count(),
        0,
        "files were written into it"
    );
    assert_eq!(org.sf.requests().len(), 0);
}

#[test]
fn a_symlinked_lock_file_creates_nothing_at_its_target() {
    let attacker = attacker();
    let org = Org::new();
    let (name, _) = victim_entry(&org);
    let lock = org.cache_dir().join(name.replace(".json", ".lock"));
    let s = shared_dir();
    let target = s.shared.join("created-by-sfjwt");
    let _ = std::fs::remove_file(&lock);
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    std::os::unix::fs::lchown(&lock, Some(attacker.uid), Some(attacker.gid)).unwrap();

    for words in [
        &["token", "--refresh"][..],
        &["token", "--no-cache"][..],
        &["token"][..],
    ] {
        let out = within(&mut org.sfjwt(words), Duration::from_secs(30));
        let err = stderr(&out);
        if words.contains(&"--no-cache") {
            // The cache is not touched at all.
            assert_eq!(out.status.code(), Some(0), "{words:?}: {err}");
        } else {
            assert_eq!(out.status.code(), Some(2), "{words:?}: {err}");
            assert!(err.contains(&lock.display().to_string()), "{err}");
            assert!(err.contains("symbolic link"), "{err}");
        }
        assert!(
            std::fs::symlink_metadata(&target).is_err(),
            "{words:?} created a file at the link's target"
        );
    }
}

#[test]
fn a_fifo_at_the_entry_path_is_refused_without_hanging() {
    let org = Org::new();
    let (name, _) = victim_entry(&org);
    let entry = org.cache_dir().join(&name);
    std::fs::remove_file(&entry).unwrap();
    let made = Command::new("mkfifo").arg(&entry).status().unwrap();
    assert!(made.success(), "mkfifo (coreutils)");

    for words in [
        &["token"][..],
        &["token", "--refresh"][..],
        &["api", "/services/data"][..],
    ] {
        let out = within(&mut org.sfjwt(words), Duration::from_secs(20));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{words:?}: {err}");
        assert!(err.contains("FIFO"), "{err}");
        assert!(
            err.contains(&format!("rm {}", entry.display())),
            "the fix: {err}"
        );
    }
    // A device where an entry belongs is refused the same way (never opened).
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &entry).unwrap();
    let out = within(&mut org.sfjwt(&["token"]), Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_private_cache_still_works_and_entries_stay_private() {
    // The control: the checks refuse what they must and nothing else.
    let org = Org::new();
    let (first, _) = token_json(&mut org.sfjwt(&["token", "--json"]));
    let (again, cached) = token_json(&mut org.sfjwt(&["token", "--json"]));
    assert!(cached);
    assert_eq!(first, again);
    let (out, _) = run(&mut org.sfjwt(&["token", "--refresh", "--json"]), 0);
    assert!(out.contains("access_token"));
    for file in std::fs::read_dir(org.cache_dir()).unwrap() {
        let meta = file.unwrap().metadata().unwrap();
        assert_eq!(meta.mode() & 0o077, 0, "group/others have no access");
    }
}
