//! Shared by the token-cache and `sfjwt api` tests: an emulated org, the `sfjwt` binary
//! pointed at it with a private cache directory (never the user's), grant counting from the
//! emulator's request record, and a real `redis-server`.
#![allow(dead_code, unreachable_pub)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sfjwt_emulator::{App, Emulator, User};

pub const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/keys");
pub const CLIENT_ID: &str = "3MVG9_cli_cache_test_consumer_key";
pub const USER: &str = "etl@acme.com";
pub const LIMITS: &str = "/services/data/v62.0/limits";

pub fn key(name: &str) -> PathBuf {
    Path::new(KEYS).join(name)
}

/// An emulated org with one pre-authorized user, and a private cache directory.
pub struct Org {
    pub sf: Emulator,
    pub cache_home: tempfile::TempDir,
}

impl Org {
    pub fn new() -> Self {
        let cert = std::fs::read_to_string(key("rsa2048.crt.pem")).unwrap();
        let sf = Emulator::builder()
            .app(
                App::from_pem(CLIENT_ID, &cert)
                    .unwrap()
                    .admin_approved([USER]),
            )
            .user(User::new(USER))
            .start()
            .unwrap();
        Self {
            sf,
            cache_home: tempfile::tempdir().unwrap(),
        }
    }

    /// `sfjwt <words…>` with this org's identity flags, XDG_CACHE_HOME in the temp directory
    /// and no SFJWT_* variable inherited.
    pub fn sfjwt(&self, words: &[&str]) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("sfjwt"));
        for var in [
            "SFJWT_CLIENT_ID",
            "SFJWT_USERNAME",
            "SFJWT_KEY_FILE",
            "SFJWT_KEY",
            "SFJWT_LOGIN_URL",
            "SFJWT_AUDIENCE",
            "SFJWT_CACHE",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("NO_COLOR", "1")
            .env("XDG_CACHE_HOME", self.cache_home.path())
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

/// A `redis-server` on a free loopback port, killed on drop. A missing `redis-server` FAILS
/// the test with the command that installs it: these tests never skip.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    pub fn start() -> Self {
        let installed = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed,
            "redis-server is not installed; run `bash .ci/setup.sh` (it installs it), then rerun"
        );
        for _ in 0..5 {
            let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut server = Self { child, port };
            if server.wait_ready() {
                return server;
            }
        }
        panic!("redis-server did not start on a free loopback port");
    }

    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return false; // exited: the port was taken meanwhile
            }
            if let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) {
                use std::io::{Read as _, Write as _};
                let mut reply = [0u8; 7];
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read_exact(&mut reply).is_ok()
                    && &reply == b"+PONG\r\n"
                {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
