//! Configuring an emulator in code.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::claims::Audience;

use crate::clock::{Clock, SystemClock};
use crate::directory::{App, User};
use crate::error::EmulatorError;
use crate::fault::{Fault, FaultQueue, Target};
use crate::grant::UserState;
use crate::handle::Emulator;
use crate::ids::{self, ORG_PREFIX, USER_PREFIX};
use crate::rate::LoginRate;
use crate::sessions::Sessions;
use crate::state::{Limits, Shared, State};

/// Salesforce's default login rate: 3,600 logins per user per hour.
pub const DEFAULT_LOGIN_RATE_PER_HOUR: u32 = 3600;
/// Salesforce's default session timeout: 2 hours.
pub const DEFAULT_SESSION_TIMEOUT: Duration = Duration::from_secs(2 * 3600);
/// The default tolerance for an `exp` just past. Salesforce does not document one; a few
/// seconds absorbs the client-server clock drift a healthy host has.
pub const DEFAULT_EXP_SKEW: Duration = Duration::from_secs(5);
/// The default request-body limit: token requests are a few kilobytes.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024;
/// The default number of requests kept in the log (oldest dropped first).
pub const DEFAULT_RECORD_LIMIT: usize = 10_000;
/// How long a client may take to send a request body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Configures and starts an [`Emulator`]; see [`Emulator::builder`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    apps: Vec<App>,
    users: Vec<User>,
    org_id: Option<String>,
    org_active: bool,
    audiences: Vec<String>,
    exp_skew: Duration,
    login_rate_per_hour: u32,
    session_timeout: Duration,
    clock: Arc<dyn Clock>,
    port: u16,
    faults: Vec<(Target, Fault, u32)>,
    max_body: usize,
    record_limit: usize,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            apps: Vec::new(),
            users: Vec::new(),
            org_id: None,
            org_active: true,
            audiences: vec![
                Audience::PRODUCTION_URL.to_owned(),
                Audience::SANDBOX_URL.to_owned(),
            ],
            exp_skew: DEFAULT_EXP_SKEW,
            login_rate_per_hour: DEFAULT_LOGIN_RATE_PER_HOUR,
            session_timeout: DEFAULT_SESSION_TIMEOUT,
            clock: Arc::new(SystemClock),
            port: 0,
            faults: Vec::new(),
            max_body: DEFAULT_MAX_BODY,
            record_limit: DEFAULT_RECORD_LIMIT,
        }
    }
}

impl EmulatorBuilder {
    /// Registers a connected app.
    pub fn app(mut self, app: App) -> Self {
        self.apps.push(app);
        self
    }

    /// Adds a user.
    pub fn user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    /// Fixes the org id (`00D…`, 15 or 18 characters). Default: a random id.
    pub fn org_id(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// Sets whether the org is active (default `true`). Grants to an inactive org get
    /// `inactive organization`.
    pub fn org_active(mut self, active: bool) -> Self {
        self.org_active = active;
        self
    }

    /// Accepts `url` as an audience too (an Experience Cloud site URL such as
    /// `https://acme.my.site.com/partners`). Login and test are always accepted.
    pub fn audience(mut self, url: impl Into<String>) -> Self {
        self.audiences.push(url.into());
        self
    }

    /// How far past `exp` an assertion is still accepted (default [`DEFAULT_EXP_SKEW`]).
    pub fn exp_skew(mut self, skew: Duration) -> Self {
        self.exp_skew = skew;
        self
    }

    /// Successful logins allowed per user per hour (default
    /// [`DEFAULT_LOGIN_RATE_PER_HOUR`]); the next gets `login rate exceeded`.
    pub fn login_rate_per_hour(mut self, logins: u32) -> Self {
        self.login_rate_per_hour = logins;
        self
    }

    /// How long a token stays valid without use (default [`DEFAULT_SESSION_TIMEOUT`]).
    /// Each API call restarts the timeout, as Salesforce's sessions do.
    pub fn session_timeout(mut self, timeout: Duration) -> Self {
        self.session_timeout = timeout;
        self
    }

    /// The clock for `exp`, session timeouts, the rate window and `issued_at`
    /// (default: the system clock). Pass a [`ManualClock`](crate::ManualClock) clone to
    /// move time in tests.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The loopback port to listen on (default 0: an ephemeral port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Arms `fault` for the next `times` requests, whatever their path.
    pub fn fault(self, fault: Fault, times: u32) -> Self {
        self.fault_on(Target::Any, fault, times)
    }

    /// Arms `fault` for the next `times` requests to `target`.
    pub fn fault_on(mut self, target: Target, fault: Fault, times: u32) -> Self {
        self.faults.push((target, fault, times));
        self
    }

    /// The request-body limit (default [`DEFAULT_MAX_BODY`]); larger bodies get 413.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body = max;
        self
    }

    /// How many requests [`Emulator::requests`] keeps (default [`DEFAULT_RECORD_LIMIT`]).
    pub fn record_limit(mut self, limit: usize) -> Self {
        self.record_limit = limit;
        self
    }

    pub(crate) fn port_value(&self) -> u16 {
        self.port
    }

    /// Checks the configuration, binds `127.0.0.1:port` and starts serving on a runtime
    /// thread of its own. Works from synchronous and asynchronous code alike.
    ///
    /// # Errors
    /// [`EmulatorError::InvalidId`], [`EmulatorError::DuplicateApp`] and
    /// [`EmulatorError::DuplicateUser`] for configuration mistakes,
    /// [`EmulatorError::Bind`] if the port is taken, [`EmulatorError::Runtime`] and
    /// [`EmulatorError::Random`] if the system is out of resources.
    pub fn start(self) -> Result<Emulator, EmulatorError> {
        let org_id = match &self.org_id {
            Some(id) => {
                ids::parse_id(id, ORG_PREFIX).map_err(|reason| EmulatorError::InvalidId {
                    id: id.clone(),
                    expected: "org id (00D…)",
                    reason,
                })?
            }
            None => ids::random_id(ORG_PREFIX).map_err(|_| EmulatorError::Random)?,
        };
        let mut apps = HashMap::new();
        for app in self.apps {
            match apps.entry(app.consumer_key().to_owned()) {
                Entry::Occupied(_) => {
                    return Err(EmulatorError::DuplicateApp {
                        consumer_key: app.consumer_key().to_owned(),
                    });
                }
                Entry::Vacant(slot) => {
                    slot.insert(app);
                }
            }
        }
        let mut users = HashMap::new();
        for user in &self.users {
            let user_id = match user.configured_id() {
                Some(id) => {
                    ids::parse_id(id, USER_PREFIX).map_err(|reason| EmulatorError::InvalidId {
                        id: id.to_owned(),
                        expected: "user id (005…)",
                        reason,
                    })?
                }
                None => ids::random_id(USER_PREFIX).map_err(|_| EmulatorError::Random)?,
            };
            let state = UserState {
                username: user.username().to_owned(),
                user_id,
                active: user.is_active(),
            };
            if users
                .insert(user.username().to_ascii_lowercase(), state)
                .is_some()
            {
                return Err(EmulatorError::DuplicateUser {
                    username: user.username().to_owned(),
                });
            }
        }
        let mut audiences = Vec::new();
        for aud in self.audiences {
            if !audiences.contains(&aud) {
                audiences.push(aud);
            }
        }
        let mut default_secret = [0u8; 32];
        ids::fill_random(&mut default_secret).map_err(|_| EmulatorError::Random)?;
        let mut faults = FaultQueue::default();
        for (target, fault, times) in self.faults {
            faults.push(target, fault, times);
        }

        let listener =
            std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)))
                .map_err(|source| EmulatorError::Bind {
                    port: self.port,
                    source,
                })?;
        let addr = listener.local_addr().map_err(EmulatorError::Runtime)?;
        let base_url = format!("http://{addr}");

        let state = State {
            users,
            org_active: self.org_active,
            sessions: Sessions::new(self.session_timeout),
            rate: LoginRate::new(self.login_rate_per_hour),
            faults,
            records: Default::default(),
            grants: 0,
            api_calls: 0,
        };
        let shared = Arc::new(Shared::new(
            base_url,
            org_id,
            apps,
            audiences,
            self.exp_skew,
            self.clock,
            default_secret,
            Limits {
                max_body: self.max_body,
                read_timeout: BODY_READ_TIMEOUT,
                record_limit: self.record_limit,
            },
            state,
        ));
        Emulator::spawn(listener, addr, shared)
    }
}
