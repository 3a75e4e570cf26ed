//! The `sfjwt` binary against an emulated org with a private cache directory (never the
//! user's), grant counting from the emulator's request record, and a real `redis-server`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sfjwt_emulator::Emulator;

pub use crate::redis::RedisServer;

/// `testdata/keys`.
pub const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys");
/// The app of [`Org`].
pub const CLIENT_ID: &str = "3MVG9_cli_cache_test_consumer_key";
/// The pre-authorized user of [`Org`].
pub const USER: &str = "etl@acme.com";
/// A REST API path the emulator serves.
pub const LIMITS: &str = "/services/data/v62.0/limits";

/// A file under `testdata/keys`.
pub fn key(name: &str) -> PathBuf {
    Path::new(KEYS).join(name)
}

/// A file under `testdata/keys`, as text.
pub fn read_key(name: &str) -> String {
    std::fs::read_to_string(key(name)).unwrap()
}

/// The variables through which a developer's shell would leak into a test run: sfjwt's own
/// identity, key and cache settings, and proxies.
pub const INHERITED: &[&str] = &[
    "SFJWT_CLIENT_ID",
    "SFJWT_USERNAME",
    "SFJWT_KEY_FILE",
    "SFJWT_KEY",
    "SFJWT_KEY_URI",
    "SFJWT_LOGIN_URL",
    "SFJWT_AUDIENCE",
    "SFJWT_CACHE",
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The `sfjwt` binary with none of [`INHERITED`], no colours, and a token cache of its own:
/// never the user's, and never another command's (emulators reuse ports, so a shared cache
/// could serve one test a token another test's org granted). A test that shares a cache
/// between commands sets `XDG_CACHE_HOME` itself, which replaces this one.
pub fn sfjwt() -> assert_cmd::Command {
    assert_cmd::Command::from_std(sfjwt_std())
}

/// `sfjwt token` against `login_url` for `client_id` and [`USER`], signed with `key_file`.
pub fn token_cmd(
    login_url: &str,
    client_id: &str,
    key_file: impl AsRef<std::ffi::OsStr>,
) -> assert_cmd::Command {
    let mut cmd = sfjwt();
    cmd.args(["token", "--login-url", login_url, "--client-id", client_id])
        .args(["--username", USER, "--key-file"])
        .arg(key_file);
    cmd
}

/// The arguments of `sfjwt assertion` for `client_id` and [`USER`]; the key flag follows.
pub fn assertion_args(client_id: &str) -> [&str; 5] {
    ["assertion", "--client-id", client_id, "--username", USER]
}

/// What `sfjwt keygen` prints (it succeeded; the pair went to a directory of its own).
pub fn keygen_stdout() -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = sfjwt()
        .args(["keygen", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    crate::process::succeeded(&output, "sfjwt keygen")
}

/// Spawns `cmd` (an `sfjwt emulate …`; stdin closed, stdout piped, stderr as given) and
/// reads its start lines, up to the "Ctrl-C" line that ends them: the server is listening
/// once they are read.
pub fn spawn_emulate(cmd: &mut Command, stderr: Stdio) -> (std::process::Child, Vec<String>) {
    use std::io::BufRead as _;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut banner = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let last = line.contains("Ctrl-C");
        banner.push(line);
        if last {
            break;
        }
    }
    (child, banner)
}

/// Stops a spawned `sfjwt emulate` with SIGTERM (so it removes its temporary key directory,
/// as on Ctrl-C) and waits for it; its exit status.
///
/// # Errors
///
/// Waiting for the child failed (see [`std::process::Child::wait`]).
pub fn terminate(child: &mut std::process::Child) -> std::io::Result<std::process::ExitStatus> {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait()
}

/// The arguments of `sfjwt token` with the vault key `uri`, for `client_id` and [`USER`].
pub fn vault_token_args<'a>(uri: &'a str, client_id: &'a str) -> [&'a str; 7] {
    [
        "token",
        "--key",
        uri,
        "--client-id",
        client_id,
        "--username",
        USER,
    ]
}

/// [`sfjwt`] as a `std::process::Command`, for tests that spawn it themselves.
pub fn sfjwt_std() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("sfjwt"));
    for var in INHERITED {
        cmd.env_remove(var);
    }
    // Kept (not deleted on drop): the command runs after this function returns.
    let cache = tempfile::Builder::new()
        .prefix("sfjwt-test-cache-")
        .tempdir()
        .unwrap()
        .keep();
    cmd.env("NO_COLOR", "1").env("XDG_CACHE_HOME", cache);
    cmd
}

/// An org whose app `client_id` holds `cert_pem`, with [`USER`] pre-authorized.
pub fn org_with(client_id: &str, cert_pem: &str) -> Emulator {
    crate::org::one_app_org(client_id, cert_pem, USER)
}

/// An emulated org with one pre-authorized user, and a private cache directory.
#[derive(Debug)]
pub struct Org {
    /// The emulated org.
    pub sf: Emulator,
    /// `XDG_CACHE_HOME` for the binary: the file cache lives under it.
    pub cache_home: tempfile::TempDir,
}

impl Org {
    /// Starts the org.
    #[allow(
        clippy::new_without_default,
        reason = "it starts a server: not a default"
    )]
    pub fn new() -> Self {
        Self {
            sf: org_with(CLIENT_ID, &read_key("rsa2048.crt.pem")),
            cache_home: tempfile::tempdir().unwrap(),
        }
    }

    /// `sfjwt <words…>` with this org's identity flags, XDG_CACHE_HOME in the temp directory
    /// and no SFJWT_* variable inherited.
    pub fn sfjwt(&self, words: &[&str]) -> Command {
        let mut cmd = sfjwt_std();
        cmd.env("XDG_CACHE_HOME", self.cache_home.path())
            .args(words)
            .args(["--login-url", self.sf.base_url(), "--client-id", CLIENT_ID])
            .args(["--username", USER, "--key-file"])
            .arg(key("rsa2048.pkcs8.pem"))
            .stdin(Stdio::null());
        cmd
    }

    /// The token POSTs the emulator received (its request record), successful or not.
    pub fn token_requests(&self) -> usize {
        self.sf
            .requests()
            .iter()
            .filter(|r| r.path() == "/services/oauth2/token")
            .count()
    }

    /// `token_requests`, checked against the emulator's own grant counter.
    pub fn grants(&self) -> usize {
        let recorded = self.token_requests();
        assert_eq!(
            recorded as u64,
            self.sf.grant_count(),
            "every token request here succeeds"
        );
        recorded
    }

    /// `$XDG_CACHE_HOME/sfjwt`.
    pub fn cache_dir(&self) -> PathBuf {
        self.cache_home.path().join("sfjwt")
    }

    /// The cache's entry files (`<64 hex>.json`).
    pub fn entry_files(&self) -> Vec<PathBuf> {
        let Ok(listing) = std::fs::read_dir(self.cache_dir()) else {
            return Vec::new();
        };
        listing
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect()
    }
}

/// Runs `cmd`, asserts exit `code`, returns (stdout, stderr).
pub fn run(cmd: &mut Command, code: i32) -> (String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// `sfjwt token --json` → (access token, from_cache).
pub fn token_json(cmd: &mut Command) -> (String, bool) {
    let (out, _) = run(cmd, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    (
        json["access_token"].as_str().unwrap().to_owned(),
        json["from_cache"].as_bool().unwrap(),
    )
}
