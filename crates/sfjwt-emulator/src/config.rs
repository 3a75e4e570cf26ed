//! Configuring an emulator from a TOML or JSON file (what `sfjwt emulate --config` reads).
//!
//! The file describes the org as an admin would set it up: apps with their certificates,
//! users, accepted audiences, and optionally faults to inject from the start. Certificate
//! paths are relative to the file, so a fixture directory can be moved as a whole.
//!
//! Files are read with a size cap ([`MAX_CONFIG_BYTES`]): an org description is a few
//! kilobytes, and a path pointing at a device or a huge file must not exhaust memory.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sfjwt_core::key::Certificate;

use crate::builder::EmulatorBuilder;
use crate::directory::{App, AppKind, PermittedUsers, User};
use crate::error::ConfigError;
use crate::fault::{
    DEFAULT_OVERSIZED_BYTES, DEFAULT_REDIRECT_LOCATION, DEFAULT_STALL, Fault, Target,
};
use crate::handle::Emulator;
use crate::org::{IdentityHost, OrgKind};

/// The largest configuration or certificate file the emulator reads: 1 MiB.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// An emulator configuration loaded from a file.
///
/// Every key is optional except each app's `consumer_key` and `certificate` and each user's
/// `username`; the comments give the defaults and the builder method each key sets.
///
/// ```toml
/// port = 8443                      # 0 or absent: ephemeral                  (port)
/// org_id = "00Dxx0000001gPL"       # random otherwise                         (org_id)
/// org_active = true                # false: `inactive organization`           (org_active)
/// audiences = ["https://acme.my.site.com/partners"]  # site URLs, every app   (audience)
/// exp_skew_secs = 5                # tolerance past `exp`                     (exp_skew)
/// login_rate_per_hour = 3600       # per user, rolling hour                   (login_rate_per_hour)
/// session_timeout_secs = 7200      # sliding                                  (session_timeout)
/// max_body_bytes = 65536           # larger requests get 413                  (max_body_bytes)
///
/// [org]
/// kind = "production"              # or "sandbox"; absent: login and test both accepted (org_kind)
/// sandbox_name = "dev"             # implies kind = "sandbox"; usernames get ".dev" (sandbox_name)
/// my_domain = "https://acme.my.salesforce.com"  # the aud External Client Apps accept (my_domain)
/// login_ip_ranges = ["10.0.0.0/8"] # absent: no restriction; else `ip restricted` (login_ip_ranges)
///
/// [assertion]
/// max_lifetime_secs = 300          # opt-in `exp` ceiling, absent: none (as Salesforce) (max_assertion_lifetime)
///
/// [sessions]
/// ip_locked = false                # true: API answers 401 right after grants (ip_locked_sessions)
/// locked_to_origin_ip = false      # true: 401 from another address than the grant's (sessions_locked_to_origin_ip)
/// not_valid_for_rest_api = false   # true: /services/data answers 401 "not valid for use with the REST API"
///
/// [token_response]
/// issued_at_and_signature = false  # (issued_at_and_signature)
/// identity_host = "login_server"   # or "emulator"                            (identity_host)
/// api_instance_url = "https://api.salesforce.com"  # absent: not sent          (api_instance_url)
///
/// [errors]
/// bare_codes = true                # false: the rate limit as invalid_grant   (bare_error_codes)
///
/// [[apps]]
/// consumer_key = "3MVG9_test_key"
/// certificate = "keys/app.crt.pem" # relative to this file
/// kind = "connected_app"           # or "external_client_app"                 (App::kind)
/// installed = true                 # false: app_not_found / invalid_client_id (App::installed)
/// relax_ip_restrictions = false    # true: login_ip_ranges do not apply       (App::relax_ip_restrictions)
/// propagation_delay_secs = 0       # invalid_client_id until then             (App::propagation_delay)
/// permitted_users = "admin_approved" # or "all_users" (the default)
/// approved_users = ["etl@acme.com"]
/// consumer_secret = "optional"
///
/// [[users]]
/// username = "etl@acme.com"
/// user_id = "005xx000001Sv6A"      # random otherwise
/// active = true                    # false: `inactive user`
///
/// [[faults]]
/// kind = "latency"                 # latency | connection_reset | internal_server_error |
/// ms = 250                         # service_unavailable | html_page | oversized_body |
/// times = 2                        # stall_mid_body | redirect
/// target = "token"                 # any (default) | token | api
/// ```
///
/// The JSON form has the same keys. Unknown keys are refused, so a typo is an error, not a
/// silently ignored setting. The crate's `examples/orgs/` directory has one file per kind of
/// org (production, sandbox, External Client App after Spring '26, IP-restricted, …).
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    builder: EmulatorBuilder,
}

impl EmulatorConfig {
    /// Reads `path`: TOML if it ends in `.toml`, JSON if `.json`.
    ///
    /// # Errors
    /// [`ConfigError`] naming the file and what is wrong in it.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("toml" | "json")) {
            return Err(ConfigError::UnknownFormat {
                path: path.to_owned(),
            });
        }
        let text = read_capped(path)?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let with_path = |e: ConfigError| match e {
            ConfigError::Parse { path: None, detail } => ConfigError::Parse {
                path: Some(path.to_owned()),
                detail,
            },
            other => other,
        };
        match ext.as_deref() {
            Some("toml") => Self::from_toml_str(&text, base).map_err(with_path),
            Some("json") => Self::from_json_str(&text, base).map_err(with_path),
            _ => Err(ConfigError::UnknownFormat {
                path: path.to_owned(),
            }),
        }
    }

    /// Parses TOML text; certificate paths are relative to `base_dir`.
    ///
    /// # Errors
    /// [`ConfigError::Parse`], or [`ConfigError::Read`]/[`ConfigError::Certificate`] for
    /// a certificate file.
    pub fn from_toml_str(text: &str, base_dir: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: None,
            detail: e.to_string(),
        })?;
        file.into_config(base_dir.as_ref())
    }

    /// Parses JSON text; certificate paths are relative to `base_dir`.
    ///
    /// # Errors
    /// [`ConfigError::Parse`], or [`ConfigError::Read`]/[`ConfigError::Certificate`] for
    /// a certificate file.
    pub fn from_json_str(text: &str, base_dir: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let file: FileConfig = serde_json::from_str(text).map_err(|e| ConfigError::Parse {
            path: None,
            detail: e.to_string(),
        })?;
        file.into_config(base_dir.as_ref())
    }

    /// The configured port (0: ephemeral).
    pub fn port(&self) -> u16 {
        self.builder.port_value()
    }

    /// The builder this configuration describes, to adjust further (a port from the command
    /// line, a clock) before [`start`](EmulatorBuilder::start).
    pub fn into_builder(self) -> EmulatorBuilder {
        self.builder
    }

    /// Starts the emulator as configured.
    ///
    /// # Errors
    /// As [`EmulatorBuilder::start`].
    pub fn start(self) -> Result<Emulator, crate::EmulatorError> {
        self.builder.start()
    }
}

/// Reads a UTF-8 file of at most [`MAX_CONFIG_BYTES`].
pub(crate) fn read_capped(path: &Path) -> Result<String, ConfigError> {
    let read_error = |source| ConfigError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    // One byte more than the cap tells "exactly at the cap" from "over it".
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_owned(),
            limit: MAX_CONFIG_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|_| ConfigError::Parse {
        path: Some(path.to_owned()),
        detail: "the file is not UTF-8 text".to_owned(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    port: u16,
    org_id: Option<String>,
    org_active: Option<bool>,
    #[serde(default)]
    audiences: Vec<String>,
    exp_skew_secs: Option<u64>,
    login_rate_per_hour: Option<u32>,
    session_timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    #[serde(default)]
    org: FileOrg,
    #[serde(default)]
    assertion: FileAssertion,
    #[serde(default)]
    sessions: FileSessions,
    #[serde(default)]
    token_response: FileTokenResponse,
    #[serde(default)]
    errors: FileErrors,
    #[serde(default)]
    apps: Vec<FileApp>,
    #[serde(default)]
    users: Vec<FileUser>,
    #[serde(default)]
    faults: Vec<FileFault>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileOrg {
    kind: Option<FileOrgKind>,
    sandbox_name: Option<String>,
    my_domain: Option<String>,
    #[serde(default)]
    login_ip_ranges: Vec<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum FileOrgKind {
    Production,
    Sandbox,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileAssertion {
    max_lifetime_secs: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSessions {
    #[serde(default)]
    ip_locked: bool,
    #[serde(default)]
    locked_to_origin_ip: bool,
    #[serde(default)]
    not_valid_for_rest_api: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileTokenResponse {
    #[serde(default)]
    issued_at_and_signature: bool,
    #[serde(default)]
    identity_host: FileIdentityHost,
    api_instance_url: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum FileIdentityHost {
    #[default]
    LoginServer,
    Emulator,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileErrors {
    #[serde(default = "yes")]
    bare_codes: bool,
}

impl Default for FileErrors {
    fn default() -> Self {
        Self { bare_codes: true }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApp {
    consumer_key: String,
    certificate: PathBuf,
    #[serde(default)]
    kind: FileAppKind,
    #[serde(default = "yes")]
    installed: bool,
    #[serde(default)]
    relax_ip_restrictions: bool,
    #[serde(default)]
    propagation_delay_secs: u64,
    #[serde(default)]
    permitted_users: FilePermitted,
    #[serde(default)]
    approved_users: Vec<String>,
    consumer_secret: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum FileAppKind {
    #[default]
    ConnectedApp,
    ExternalClientApp,
}

#[derive(Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum FilePermitted {
    #[default]
    AllUsers,
    AdminApproved,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileUser {
    username: String,
    #[serde(default = "yes")]
    active: bool,
    user_id: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct FileFault {
    #[serde(flatten)]
    kind: FaultKind,
    #[serde(default = "one")]
    times: u32,
    #[serde(default)]
    target: Target,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum FaultKind {
    Latency { ms: u64 },
    ConnectionReset,
    InternalServerError,
    ServiceUnavailable,
    HtmlPage,
    OversizedBody { bytes: Option<u64> },
    StallMidBody { secs: Option<u64> },
    Redirect { location: Option<String> },
}

impl From<FaultKind> for Fault {
    fn from(kind: FaultKind) -> Self {
        match kind {
            FaultKind::Latency { ms } => Fault::Latency(Duration::from_millis(ms)),
            FaultKind::ConnectionReset => Fault::ConnectionReset,
            FaultKind::InternalServerError => Fault::InternalServerError,
            FaultKind::ServiceUnavailable => Fault::ServiceUnavailable,
            FaultKind::HtmlPage => Fault::HtmlPage,
            FaultKind::OversizedBody { bytes } => Fault::OversizedBody {
                bytes: bytes.unwrap_or(DEFAULT_OVERSIZED_BYTES),
            },
            FaultKind::StallMidBody { secs } => Fault::StallMidBody {
                stall: secs.map_or(DEFAULT_STALL, Duration::from_secs),
            },
            FaultKind::Redirect { location } => Fault::Redirect {
                location: location.unwrap_or_else(|| DEFAULT_REDIRECT_LOCATION.to_owned()),
            },
        }
    }
}

impl FileOrg {
    fn apply(self, mut builder: EmulatorBuilder) -> Result<EmulatorBuilder, ConfigError> {
        if let Some(kind) = self.kind {
            builder = builder.org_kind(match kind {
                FileOrgKind::Production => OrgKind::Production,
                FileOrgKind::Sandbox => OrgKind::Sandbox,
            });
        }
        if let Some(name) = self.sandbox_name {
            if self.kind == Some(FileOrgKind::Production) {
                return Err(ConfigError::Parse {
                    path: None,
                    detail: format!(
                        "[org] has sandbox_name = {name:?} but kind = \"production\": a sandbox name implies kind = \"sandbox\""
                    ),
                });
            }
            builder = builder.sandbox_name(name);
        }
        if let Some(url) = self.my_domain {
            builder = builder.my_domain(url);
        }
        Ok(builder.login_ip_ranges(self.login_ip_ranges))
    }
}

impl FileConfig {
    fn into_config(self, base_dir: &Path) -> Result<EmulatorConfig, ConfigError> {
        let mut builder = Emulator::builder().port(self.port);
        if let Some(org_id) = self.org_id {
            builder = builder.org_id(org_id);
        }
        if let Some(active) = self.org_active {
            builder = builder.org_active(active);
        }
        for aud in self.audiences {
            builder = builder.audience(aud);
        }
        if let Some(secs) = self.exp_skew_secs {
            builder = builder.exp_skew(Duration::from_secs(secs));
        }
        if let Some(rate) = self.login_rate_per_hour {
            builder = builder.login_rate_per_hour(rate);
        }
        if let Some(secs) = self.session_timeout_secs {
            builder = builder.session_timeout(Duration::from_secs(secs));
        }
        if let Some(max) = self.max_body_bytes {
            builder = builder.max_body_bytes(max);
        }
        builder = self.org.apply(builder)?;
        if let Some(secs) = self.assertion.max_lifetime_secs {
            builder = builder.max_assertion_lifetime(Duration::from_secs(secs));
        }
        builder = builder
            .ip_locked_sessions(self.sessions.ip_locked)
            .sessions_locked_to_origin_ip(self.sessions.locked_to_origin_ip)
            .sessions_not_valid_for_rest_api(self.sessions.not_valid_for_rest_api)
            .issued_at_and_signature(self.token_response.issued_at_and_signature)
            .identity_host(match self.token_response.identity_host {
                FileIdentityHost::LoginServer => IdentityHost::LoginServer,
                FileIdentityHost::Emulator => IdentityHost::Emulator,
            })
            .bare_error_codes(self.errors.bare_codes);
        if let Some(url) = self.token_response.api_instance_url {
            builder = builder.api_instance_url(url);
        }
        for app in self.apps {
            if app.permitted_users == FilePermitted::AllUsers && !app.approved_users.is_empty() {
                return Err(ConfigError::Parse {
                    path: None,
                    detail: format!(
                        "app {:?} lists approved_users but permitted_users is \"all_users\": set permitted_users = \"admin_approved\"",
                        app.consumer_key
                    ),
                });
            }
            let cert_path = base_dir.join(&app.certificate);
            let pem = read_capped(&cert_path)?;
            let certificate =
                Certificate::from_pem(&pem).map_err(|source| ConfigError::Certificate {
                    path: cert_path.clone(),
                    source,
                })?;
            let permitted = match app.permitted_users {
                FilePermitted::AllUsers => PermittedUsers::AllUsers,
                FilePermitted::AdminApproved => {
                    PermittedUsers::AdminApproved(app.approved_users.into_iter().collect())
                }
            };
            let kind = match app.kind {
                FileAppKind::ConnectedApp => AppKind::ConnectedApp,
                FileAppKind::ExternalClientApp => AppKind::ExternalClientApp,
            };
            let mut built = App::new(app.consumer_key, certificate)
                .permitted_users(permitted)
                .kind(kind)
                .installed(app.installed)
                .relax_ip_restrictions(app.relax_ip_restrictions)
                .propagation_delay(Duration::from_secs(app.propagation_delay_secs));
            if let Some(secret) = app.consumer_secret {
                built = built.consumer_secret(secret);
            }
            builder = builder.app(built);
        }
        for user in self.users {
            let mut built = User::new(user.username).active(user.active);
            if let Some(id) = user.user_id {
                built = built.user_id(id);
            }
            builder = builder.user(built);
        }
        for fault in self.faults {
            builder = builder.fault_on(fault.target, fault.kind.into(), fault.times);
        }
        Ok(EmulatorConfig { builder })
    }
}
