//! Configuring an emulator in code.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use sfjwt_core::claims::Audience;

use crate::clock::SharedClock;
use crate::directory::{App, AppKind, User};
use crate::error::EmulatorError;
use crate::fault::{Fault, FaultQueue, Target};
use crate::grant::UserState;
use crate::handle::Emulator;
use crate::ids::{self, ORG_PREFIX, USER_PREFIX};
use crate::ip::IpRange;
use crate::org::{self, IdentityHost, OrgKind};
use crate::policy::Policy;
use crate::rate::LoginRate;
use crate::sessions::{SessionRules, Sessions};
use crate::state::{Limits, Shared, State};
use sfjwt_core::clock::{Clock, SystemClock};

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

/// The request log's sink; see [`EmulatorBuilder::request_log`].
#[derive(Clone)]
pub(crate) struct RequestLog(pub(crate) Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[request log]")
    }
}

/// Configures and starts an [`Emulator`]; see [`Emulator::builder`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    apps: Vec<App>,
    users: Vec<User>,
    org_id: Option<String>,
    org_active: bool,
    org_kind: Option<OrgKind>,
    sandbox_name: Option<String>,
    my_domain: Option<String>,
    my_domain_is_base_url: bool,
    audiences: Vec<String>,
    ip_ranges: Vec<String>,
    exp_skew: Duration,
    max_lifetime: Option<Duration>,
    api_instance_url: Option<String>,
    request_log: Option<RequestLog>,
    session_rules: SessionRules,
    issued_at_and_signature: bool,
    identity_host: IdentityHost,
    bare_error_codes: bool,
    login_rate_per_hour: u32,
    session_timeout: Duration,
    clock: SharedClock,
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
            org_kind: None,
            sandbox_name: None,
            my_domain: None,
            my_domain_is_base_url: false,
            audiences: Vec::new(),
            ip_ranges: Vec::new(),
            exp_skew: DEFAULT_EXP_SKEW,
            max_lifetime: None,
            api_instance_url: None,
            request_log: None,
            session_rules: SessionRules::default(),
            issued_at_and_signature: false,
            identity_host: IdentityHost::LoginServer,
            bare_error_codes: true,
            login_rate_per_hour: DEFAULT_LOGIN_RATE_PER_HOUR,
            session_timeout: DEFAULT_SESSION_TIMEOUT,
            clock: SharedClock::new(SystemClock),
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

    /// The kind of org: which login server its connected apps accept as `aud`; the other
    /// one gets `audience is invalid`. Unset (the default), both are accepted.
    pub fn org_kind(mut self, kind: OrgKind) -> Self {
        self.org_kind = Some(kind);
        self
    }

    /// Makes the org the sandbox `name` (implies [`OrgKind::Sandbox`]): every user's
    /// username gets `.{name}` appended, as Salesforce does when it copies production into a
    /// sandbox (`etl@acme.com` logs in as `etl@acme.com.dev`); the production username gets
    /// `user hasn't approved this consumer`. Admin-approved lists may name users either way.
    pub fn sandbox_name(mut self, name: impl Into<String>) -> Self {
        self.sandbox_name = Some(name.into());
        self.org_kind = Some(OrgKind::Sandbox);
        self
    }

    /// The org's My Domain URL (`https://acme.my.salesforce.com`,
    /// `https://acme--dev.sandbox.my.salesforce.com`): the `aud` its External Client Apps
    /// accept. Connected apps keep refusing it with `audience is invalid`.
    ///
    /// The emulator's own base URL (`http://127.0.0.1:PORT`, with or without a trailing `/`)
    /// then plays that My Domain too: a client that logs in "through the My Domain" on
    /// loopback — the Salesforce CLI's first login/audience pair, `sfjwt token --audience
    /// my-domain` — sends it as `aud` and is answered as the My Domain would be.
    pub fn my_domain(mut self, url: impl Into<String>) -> Self {
        self.my_domain = Some(url.into());
        self.my_domain_is_base_url = false;
        self
    }

    /// Makes the emulator's own base URL (`http://127.0.0.1:PORT`) the org's My Domain, for an
    /// org played at its own address: [`Emulator::my_domain`] returns it, and External Client
    /// Apps accept it as `aud`. Overrides [`my_domain`](Self::my_domain).
    pub fn my_domain_at_own_url(mut self) -> Self {
        self.my_domain = None;
        self.my_domain_is_base_url = true;
        self
    }

    /// Accepts `url` as an audience too, for every app (an Experience Cloud site URL such as
    /// `https://acme.my.site.com/partners`). The login servers are accepted as the
    /// [org kind](Self::org_kind) says. Lightning and instance URLs are refused by
    /// [`start`](Self::start): they are never audiences.
    pub fn audience(mut self, url: impl Into<String>) -> Self {
        self.audiences.push(url.into());
        self
    }

    /// Adds the profile's Login IP Ranges: a login from outside every range gets
    /// `invalid_grant` / `ip restricted` (unless the app
    /// [relaxes IP restrictions](App::relax_ip_restrictions)). Each range is a CIDR block
    /// (`10.0.0.0/8`), an address, or `start-end`, IPv4 or IPv6. None (the default): no
    /// restriction. The caller's address is the TCP peer — `127.0.0.1` — or the first address
    /// of the request's `X-Forwarded-For` header, so a test can play another egress IP.
    pub fn login_ip_ranges<I, S>(mut self, ranges: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ip_ranges.extend(ranges.into_iter().map(Into::into));
        self
    }

    /// How far past `exp` an assertion is still accepted (default [`DEFAULT_EXP_SKEW`]).
    pub fn exp_skew(mut self, skew: Duration) -> Self {
        self.exp_skew = skew;
        self
    }

    /// Turns on a stricter check of the emulator's own: an assertion whose `exp` is more than
    /// `lifetime` (plus the skew) ahead is answered `expired authorization code`.
    ///
    /// Off by default, because Salesforce sets no upper bound: the Salesforce CLI (sfdx-core)
    /// has signed `exp: Date.now() + 300` — milliseconds, centuries ahead — since 2017 and
    /// real orgs grant it. Turn it on to catch a client that signs lifetimes of hours or
    /// milliseconds before it meets a stricter server. sfjwt's own clients never sign more
    /// than 300 s (their policy, see `sfjwt_core::manual::lifetimes`).
    pub fn max_assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = Some(lifetime);
        self
    }

    /// Sends `api_instance_url` (the API host Salesforce returns with the `sfap_api` scope,
    /// e.g. `https://api.salesforce.com`) in token responses. Default: not sent.
    pub fn api_instance_url(mut self, url: impl Into<String>) -> Self {
        self.api_instance_url = Some(url.into());
        self
    }

    /// Calls `log` with one line per request, after it is answered: method, path (no query),
    /// status and, for a refusal, the rule that refused it (`exp in the past`,
    /// `audience not accepted by this app kind and org`). Assertions, tokens and headers
    /// never appear. `sfjwt emulate -v` prints these lines.
    pub fn request_log(mut self, log: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.request_log = Some(RequestLog(Arc::new(log)));
        self
    }

    /// Locks sessions to an IP address the caller no longer leaves from: tokens are granted
    /// as usual, but every API resource answers them 401 `INVALID_SESSION_ID` ("Session
    /// expired or invalid"), as Salesforce does with "Lock sessions to the IP address from
    /// which they originated" when a fleet leaves through several egress IPs. A new login
    /// does not help: a client must bound its re-grants. See also
    /// [`Emulator::set_ip_locked_sessions`].
    pub fn ip_locked_sessions(mut self, locked: bool) -> Self {
        self.session_rules.ip_locked = locked;
        self
    }

    /// Locks each session to the address it was granted to: an API call from another
    /// address (the TCP peer, or the request's `X-Forwarded-For`) answers 401
    /// `INVALID_SESSION_ID`, one from the same address is served. This plays a fleet whose
    /// processes leave through different egress IPs and share one token.
    pub fn sessions_locked_to_origin_ip(mut self, locked: bool) -> Self {
        self.session_rules.locked_to_origin_ip = locked;
        self
    }

    /// Makes sessions unusable for the REST API: `/services/data/…` answers 401
    /// `INVALID_SESSION_ID` with "This session is not valid for use with the REST API" (an
    /// app without the `api` scope, a profile without "API Enabled"); `userinfo` and the
    /// identity URL still work. A new login does not help.
    pub fn sessions_not_valid_for_rest_api(mut self, invalid: bool) -> Self {
        self.session_rules.not_for_rest_api = invalid;
        self
    }

    /// Sends `issued_at` (milliseconds, a string) and `signature` (base64 HMAC-SHA256 of
    /// `id` + `issued_at`, keyed with the consumer secret) in the token response. Default
    /// off: Salesforce's JWT bearer responses carry neither.
    pub fn issued_at_and_signature(mut self, send: bool) -> Self {
        self.issued_at_and_signature = send;
        self
    }

    /// Where the token response's `id` points (default [`IdentityHost::LoginServer`]).
    pub fn identity_host(mut self, host: IdentityHost) -> Self {
        self.identity_host = host;
        self
    }

    /// Answers the login rate limit with the bare code `rate_limit_exceeded` (`true`, the
    /// default: the code Salesforce's OAuth error list documents) or with `invalid_grant`
    /// (`false`: the form also reported from real orgs); the description is
    /// `login rate exceeded` either way. Clients must handle both. An inactive user or org is
    /// always answered with the documented bare codes `inactive_user` / `inactive_org`.
    /// Sources: `sfjwt_core::manual::errors`.
    pub fn bare_error_codes(mut self, bare: bool) -> Self {
        self.bare_error_codes = bare;
        self
    }

    /// Successful logins allowed per user per rolling hour (default
    /// [`DEFAULT_LOGIN_RATE_PER_HOUR`]); the next gets `login rate exceeded` until the
    /// oldest of them is an hour old.
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
        self.clock = SharedClock::new(clock);
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
    /// [`EmulatorError::InvalidId`], [`EmulatorError::DuplicateApp`],
    /// [`EmulatorError::DuplicateUser`], [`EmulatorError::InvalidAudience`],
    /// [`EmulatorError::EcaWithoutMyDomain`], [`EmulatorError::InvalidIpRange`] and
    /// [`EmulatorError::InvalidSandboxName`] for configuration mistakes,
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
        if let Some(name) = &self.sandbox_name {
            if let Some(reason) = org::sandbox_name_problem(name) {
                return Err(EmulatorError::InvalidSandboxName {
                    name: name.clone(),
                    reason,
                });
            }
        }
        let my_domain = match &self.my_domain {
            Some(url) => {
                if let Some(reason) = org::audience_problem(url, true) {
                    return Err(EmulatorError::InvalidAudience {
                        url: url.clone(),
                        reason,
                    });
                }
                Some(org::normalize(url))
            }
            None => None,
        };
        let mut apps = HashMap::new();
        for app in self.apps {
            if app.app_kind() == AppKind::ExternalClientApp
                && my_domain.is_none()
                && !self.my_domain_is_base_url
            {
                return Err(EmulatorError::EcaWithoutMyDomain {
                    consumer_key: app.consumer_key().to_owned(),
                });
            }
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
        let users = users(&self.users, self.sandbox_name.as_deref())?;
        let mut sites = Vec::new();
        for aud in &self.audiences {
            if let Some(reason) = org::audience_problem(aud, false) {
                return Err(EmulatorError::InvalidAudience {
                    url: aud.clone(),
                    reason,
                });
            }
            let aud = org::normalize(aud);
            if !sites.contains(&aud) {
                sites.push(aud);
            }
        }
        let login_servers = match self.org_kind {
            Some(kind) => vec![kind.login_url().to_owned()],
            None => vec![
                Audience::PRODUCTION_URL.to_owned(),
                Audience::SANDBOX_URL.to_owned(),
            ],
        };
        let ip_ranges = self
            .ip_ranges
            .iter()
            .map(|range| {
                IpRange::parse(range).map_err(|reason| EmulatorError::InvalidIpRange {
                    range: range.clone(),
                    reason,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
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
        let my_domain = my_domain.or_else(|| {
            self.my_domain_is_base_url
                .then(|| org::normalize(&base_url))
        });

        let policy = Policy {
            login_servers,
            sites,
            my_domain_at_base_url: my_domain.is_some(),
            my_domain,
            base_url: org::normalize(&base_url),
            exp_skew: self.exp_skew,
            max_lifetime: self.max_lifetime,
            ip_ranges,
            started_at: self.clock.now(),
            bare_codes: self.bare_error_codes,
            api_instance_url: self.api_instance_url,
            issued_at_and_signature: self.issued_at_and_signature,
            identity_host: self.identity_host,
        };
        let state = State {
            users,
            org_active: self.org_active,
            sessions: Sessions::new(self.session_timeout),
            session_rules: self.session_rules,
            rate: LoginRate::new(self.login_rate_per_hour),
            faults,
            records: Default::default(),
            grants: 0,
            api_calls: 0,
            refused_api_calls: 0,
        };
        let shared = Arc::new(Shared::new(
            base_url,
            self.request_log,
            org_id,
            apps,
            policy,
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

/// The org's users by lower-cased username (in a sandbox, with the sandbox suffix).
fn users(
    configured: &[User],
    sandbox_name: Option<&str>,
) -> Result<HashMap<String, UserState>, EmulatorError> {
    let mut users = HashMap::new();
    for user in configured {
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
        let username = match sandbox_name {
            Some(name) => org::sandbox_username(user.username(), name),
            None => user.username().to_owned(),
        };
        let state = UserState {
            username: username.clone(),
            configured: user.username().to_owned(),
            user_id,
            active: user.is_active(),
        };
        if users.insert(username.to_ascii_lowercase(), state).is_some() {
            return Err(EmulatorError::DuplicateUser { username });
        }
    }
    Ok(users)
}
