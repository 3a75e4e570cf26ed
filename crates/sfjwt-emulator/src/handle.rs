//! The running emulator: its address, and the admin and inspection calls tests make.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;

use crate::builder::EmulatorBuilder;
use crate::directory::App;
use crate::error::EmulatorError;
use crate::fault::{Fault, Target};
use crate::record::RecordedRequest;
use crate::server;
use crate::state::Shared;

/// A running emulator on `127.0.0.1`. Stops when dropped (or on [`shutdown`](Self::shutdown)).
///
/// It runs on a thread with its own tokio runtime, so it works the same from `#[test]` and
/// `#[tokio::test]` functions, and dropping it never blocks an async runtime for long.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
    stop: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts configuring an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    pub(crate) fn spawn(
        listener: std::net::TcpListener,
        addr: SocketAddr,
        shared: Arc<Shared>,
    ) -> Result<Self, EmulatorError> {
        listener
            .set_nonblocking(true)
            .map_err(EmulatorError::Runtime)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sfjwt-emulator")
            .enable_all()
            .build()
            .map_err(EmulatorError::Runtime)?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(EmulatorError::Runtime)?
        };
        let (stop, stopped) = watch::channel(false);
        let handle = runtime.handle().clone();
        let server_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sfjwt-emulator".into())
            .spawn(move || {
                runtime.block_on(server::run(listener, server_shared, stopped));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(EmulatorError::Runtime)?;
        Ok(Self {
            addr,
            shared,
            runtime: handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:{port}`: the login URL to give a client, and the `instance_url` of
    /// the tokens it issues.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// `{base_url}/services/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}/services/oauth2/token", self.shared.base_url)
    }

    /// The socket address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The org id (18 characters).
    pub fn org_id(&self) -> &str {
        &self.shared.org_id
    }

    /// The org's My Domain URL as configured (normalized), if any.
    pub fn my_domain(&self) -> Option<&str> {
        self.shared.policy.my_domain.as_deref()
    }

    /// The org's apps, by consumer key.
    pub fn apps(&self) -> Vec<&App> {
        let mut apps: Vec<&App> = self.shared.apps.values().collect();
        apps.sort_by(|a, b| a.consumer_key().cmp(b.consumer_key()));
        apps
    }

    /// The org's usernames as users log in with them (in a sandbox, with the sandbox
    /// suffix), sorted.
    pub fn usernames(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .shared
            .lock()
            .users
            .values()
            .map(|u| u.username.clone())
            .collect();
        names.sort();
        names
    }

    /// The user id (18 characters) of `username`, if the user exists. In a sandbox, the
    /// sandbox username (`etl@acme.com.dev`) and the configured one both work.
    pub fn user_id(&self, username: &str) -> Option<String> {
        let state = self.shared.lock();
        let key = state.user_key(username)?;
        state.users.get(&key).map(|u| u.user_id.clone())
    }

    /// Revokes one access token (as an admin ending a session). Returns whether it was live.
    pub fn revoke(&self, access_token: &str) -> bool {
        self.shared.lock().sessions.revoke(access_token)
    }

    /// Revokes every access token; returns how many were live.
    pub fn revoke_all(&self) -> usize {
        self.shared.lock().sessions.revoke_all()
    }

    /// How many sessions are live (timed-out ones are counted until next used).
    pub fn session_count(&self) -> usize {
        self.shared.lock().sessions.len()
    }

    /// Activates or deactivates a user; deactivating ends the user's sessions. Returns
    /// whether the user exists.
    pub fn set_user_active(&self, username: &str, active: bool) -> bool {
        let mut state = self.shared.lock();
        let Some(key) = state.user_key(username) else {
            return false;
        };
        let Some(user) = state.users.get_mut(&key) else {
            return false;
        };
        user.active = active;
        let name = user.username.clone();
        if !active {
            state.sessions.revoke_user(&name);
        }
        true
    }

    /// Switches [`EmulatorBuilder::ip_locked_sessions`] at run time: while on, every API call
    /// answers 401 `INVALID_SESSION_ID` (the caller plays one leaving through another egress
    /// IP than its sessions are locked to); off again, the sessions still live work again.
    pub fn set_ip_locked_sessions(&self, locked: bool) {
        self.shared.lock().session_rules.ip_locked = locked;
    }

    /// Activates or deactivates the org.
    pub fn set_org_active(&self, active: bool) {
        self.shared.lock().org_active = active;
    }

    /// Arms `fault` for the next `times` requests, whatever their path.
    pub fn inject_fault(&self, fault: Fault, times: u32) {
        self.inject_fault_on(Target::Any, fault, times);
    }

    /// Arms `fault` for the next `times` requests to `target`.
    pub fn inject_fault_on(&self, target: Target, fault: Fault, times: u32) {
        self.shared.lock().faults.push(target, fault, times);
    }

    /// Disarms every pending fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// How many fault uses are still armed.
    pub fn pending_faults(&self) -> u64 {
        self.shared.lock().faults.pending()
    }

    /// Every request received so far, oldest first (up to the record limit).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().records.iter().cloned().collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().records.clear();
    }

    /// How many tokens were granted.
    pub fn grant_count(&self) -> u64 {
        self.shared.lock().grants
    }

    /// How many API requests were answered with a live session.
    pub fn api_call_count(&self) -> u64 {
        self.shared.lock().api_calls
    }

    /// How many API requests were answered 401 `INVALID_SESSION_ID`: no, an unknown, a
    /// revoked or timed-out token, or a session the [session rules](EmulatorBuilder::ip_locked_sessions)
    /// refuse.
    pub fn refused_api_call_count(&self) -> u64 {
        self.shared.lock().refused_api_calls
    }

    /// Stops the emulator: no new connections, open ones are closed, the runtime thread is
    /// joined. Dropping the emulator does the same.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    /// Serves until the process receives Ctrl-C (SIGINT) or, on Unix, SIGTERM; then shuts
    /// down. For command-line use (`sfjwt emulate`).
    ///
    /// # Errors
    /// [`EmulatorError::Runtime`] if the signal handlers cannot be installed.
    pub fn run_until_signal(mut self) -> Result<(), EmulatorError> {
        let (installed_tx, installed_rx) = std::sync::mpsc::channel();
        let stop = self.stop.clone();
        self.runtime.spawn(async move {
            #[cfg(unix)]
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(term) => term,
                    Err(e) => {
                        let _ = installed_tx.send(Err(e));
                        return;
                    }
                };
            let _ = installed_tx.send(Ok(()));
            #[cfg(unix)]
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            if let Some(stop) = stop {
                let _ = stop.send(true);
            }
        });
        match installed_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(EmulatorError::Runtime(e)),
            Err(_) => {
                return Err(EmulatorError::Runtime(std::io::Error::other(
                    "the emulator stopped before its signal handlers were installed",
                )));
            }
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        Ok(())
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            // The thread only runs the server loop; a panic there has already been reported.
            let _ = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.shared.base_url)
            .field("org_id", &self.shared.org_id)
            .finish_non_exhaustive()
    }
}
