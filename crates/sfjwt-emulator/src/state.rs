//! The emulator's state, shared by the server tasks and the test's handle.
//!
//! Configuration that never changes after start sits in [`Shared`] directly; what requests
//! and the handle change (sessions, rate counters, faults, the log, user flags) sits behind
//! one mutex. Critical sections are short and never await, so a std mutex is right here.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::builder::RequestLog;
use crate::clock::SharedClock;
use crate::directory::App;
use crate::fault::FaultQueue;
use crate::grant::UserState;
use crate::org::IdentityHost;
use crate::policy::Policy;
use crate::rate::LoginRate;
use crate::record::RecordedRequest;
use crate::sessions::{SessionRules, Sessions};

/// Immutable settings plus the locked mutable state.
pub(crate) struct Shared {
    pub(crate) base_url: String,
    /// Where one line per request goes, if anywhere.
    pub(crate) request_log: Option<RequestLog>,
    pub(crate) org_id: String,
    pub(crate) apps: HashMap<String, App>,
    pub(crate) policy: Policy,
    pub(crate) clock: SharedClock,
    /// HMAC key for apps without a configured consumer secret.
    pub(crate) default_secret: [u8; 32],
    pub(crate) limits: Limits,
    state: Mutex<State>,
}

/// Bounds that keep a misbehaving client from wedging or bloating the emulator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_body: usize,
    pub(crate) read_timeout: Duration,
    pub(crate) record_limit: usize,
}

/// The mutable part.
pub(crate) struct State {
    pub(crate) users: HashMap<String, UserState>,
    pub(crate) org_active: bool,
    pub(crate) sessions: Sessions,
    /// What live sessions may do.
    pub(crate) session_rules: SessionRules,
    pub(crate) rate: LoginRate,
    pub(crate) faults: FaultQueue,
    pub(crate) records: VecDeque<RecordedRequest>,
    pub(crate) grants: u64,
    pub(crate) api_calls: u64,
    pub(crate) refused_api_calls: u64,
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        base_url: String,
        request_log: Option<RequestLog>,
        org_id: String,
        apps: HashMap<String, App>,
        policy: Policy,
        clock: SharedClock,
        default_secret: [u8; 32],
        limits: Limits,
        state: State,
    ) -> Self {
        Self {
            base_url,
            request_log,
            org_id,
            apps,
            policy,
            clock,
            default_secret,
            limits,
            state: Mutex::new(state),
        }
    }

    /// Locks the state. A panic while holding the lock cannot leave it inconsistent in a
    /// way that matters to an emulator, so poisoning is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The identity URL of a user on the emulator: `{base}/id/{orgId}/{userId}`.
    pub(crate) fn identity_url(&self, user_id: &str) -> String {
        format!("{}/id/{}/{}", self.base_url, self.org_id, user_id)
    }

    /// The `id` of a token granted for `audience`: on that audience's host, as Salesforce
    /// sends it, or on the emulator if so configured.
    pub(crate) fn token_identity_url(&self, audience: &str, user_id: &str) -> String {
        match self.policy.identity_host {
            IdentityHost::Emulator => self.identity_url(user_id),
            _ => format!("{audience}/id/{}/{}", self.org_id, user_id),
        }
    }
}

impl State {
    /// The key of `username` in `users`: its own lower-cased form, or the user configured
    /// under that name (a production username in a sandbox).
    pub(crate) fn user_key(&self, username: &str) -> Option<String> {
        let key = username.to_ascii_lowercase();
        if self.users.contains_key(&key) {
            return Some(key);
        }
        self.users
            .iter()
            .find(|(_, user)| user.configured.eq_ignore_ascii_case(username))
            .map(|(key, _)| key.clone())
    }

    pub(crate) fn record(&mut self, request: RecordedRequest, limit: usize) {
        if limit == 0 {
            return;
        }
        while self.records.len() >= limit {
            self.records.pop_front();
        }
        self.records.push_back(request);
    }
}
