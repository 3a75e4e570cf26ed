//! Shared by the sfjwt-redis tests: a real `redis-server` on a free loopback port (killed on
//! drop), the emulator with one approved user, clients and a ureq transport.
#![allow(dead_code, unreachable_pub)]
// Test helpers: a panic here is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::key::PrivateKey;
use sfjwt_emulator::{App, Emulator, User};

pub const KEY_PEM: &str = include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem");
pub const CERT_PEM: &str = include_str!("../../../../testdata/keys/rsa2048.crt.pem");
pub const CLIENT_ID: &str = "3MVG9_fleet_test_consumer_key";
pub const USERNAME: &str = "etl@acme.com";

/// A `redis-server` child process on a free loopback port, killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    /// Starts one. Fails the test when `redis-server` is not installed, naming the command
    /// that installs it: a test that cannot run must not pass.
    pub fn start() -> Self {
        let installed = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed,
            "redis-server is not installed; these tests need a real Redis. Fix: bash .ci/setup.sh"
        );
        // A port the OS just handed out is free; the tiny race with another process is
        // covered by the retry below.
        for _ in 0..5 {
            let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = Command::new("redis-server")
                .args(["--port", &port.to_string()])
                .args(["--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .args(["--protected-mode", "yes"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn redis-server");
            let mut server = Self {
                child: Some(child),
                port,
            };
            if server.wait_ready() {
                return server;
            }
            server.stop();
        }
        panic!("redis-server did not start on a free port");
    }

    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if child.try_wait().unwrap().is_some() {
                    return false; // exited: port taken
                }
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok() {
                if let Ok(mut c) = redis::Client::open(self.url()).and_then(|c| c.get_connection())
                {
                    if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                        return true;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A raw connection, for poking at keys the way an operator (or a dead process) would.
    pub fn raw(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }

    /// Kills the server (mid-run outage).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn key() -> PrivateKey {
    PrivateKey::from_pem(KEY_PEM).unwrap()
}

/// The emulator: one admin-approved app and user.
pub fn emulator() -> Emulator {
    Emulator::builder()
        .app(
            App::from_pem(CLIENT_ID, CERT_PEM)
                .unwrap()
                .admin_approved([USERNAME]),
        )
        .user(User::new(USERNAME))
        .start()
        .unwrap()
}

pub fn client(sf: &Emulator) -> JwtBearer {
    JwtBearer::new(
        TokenEndpoint::parse(sf.base_url()).unwrap(),
        CLIENT_ID,
        USERNAME,
        key(),
    )
}

/// A blocking transport over ureq: statuses are answers, not errors; no redirects; bounded.
pub fn transport()
-> impl Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error>
+ Send
+ Sync
+ Clone {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    move |request| send(&agent, request)
}

pub fn send(
    agent: &ureq::Agent,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, std::io::Error> {
    let response = agent.run(request).map_err(std::io::Error::other)?;
    let (parts, mut body) = response.into_parts();
    let bytes = body
        .with_config()
        .limit(1 << 20)
        .read_to_vec()
        .map_err(std::io::Error::other)?;
    Ok(http::Response::from_parts(parts, bytes))
}
