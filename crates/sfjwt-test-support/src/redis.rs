//! A real `redis-server` on a free loopback port (killed on drop), and the fleet the
//! sfjwt-redis tests share a token across: one emulated org, clients, a ureq transport.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sfjwt_core::{JwtBearer, TokenEndpoint};
use sfjwt_emulator::Emulator;

pub use crate::testdata::{CERT_PEM, KEY_PEM, key};
pub use crate::wire::{send, transport};

/// The fleet's app.
pub const CLIENT_ID: &str = "3MVG9_fleet_test_consumer_key";
/// The user every process of the fleet logs in as.
pub const USERNAME: &str = "etl@acme.com";

/// A `redis-server` child process on a free loopback port, killed on drop.
#[derive(Debug)]
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

    /// `redis://127.0.0.1:PORT/`.
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

/// The emulator: one admin-approved app and user.
pub fn emulator() -> Emulator {
    crate::org::one_app_org(CLIENT_ID, CERT_PEM, USERNAME)
}

/// A client of the fleet's app at the emulator.
pub fn client(sf: &Emulator) -> JwtBearer {
    JwtBearer::builder()
        .endpoint(TokenEndpoint::parse(sf.base_url()).unwrap())
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .signer(key())
        .build()
}
