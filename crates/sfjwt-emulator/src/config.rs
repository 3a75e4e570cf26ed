//! Configuring an emulator from a TOML or JSON file (what `sfjwt emulate --config` reads).
//!
//! The file describes the org as an admin would set it up: apps with their certificates,
//! users, accepted audiences, and optionally faults to inject from the start. Certificate
//! paths are relative to the file, so a fixture directory can be moved as a whole.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sfjwt_core::key::Certificate;

use crate::builder::EmulatorBuilder;
use crate::directory::{App, PermittedUsers, User};
use crate::error::ConfigError;
use crate::fault::{
    DEFAULT_OVERSIZED_BYTES, DEFAULT_REDIRECT_LOCATION, DEFAULT_STALL, Fault, Target,
};
use crate::handle::Emulator;

/// An emulator configuration loaded from a file.
///
/// ```toml
/// port = 8443                      # optional; 0 or absent: ephemeral
/// org_id = "00Dxx0000001gPL"       # optional; random otherwise
/// org_active = true                # optional
/// audiences = ["https://acme.my.site.com/partners"]  # accepted besides login/test
/// exp_skew_secs = 5
/// login_rate_per_hour = 3600
/// session_timeout_secs = 7200
///
/// [[apps]]
/// consumer_key = "3MVG9_test_key"
/// certificate = "keys/app.crt.pem" # relative to this file
/// permitted_users = "admin_approved" # or "all_users" (the default)
/// approved_users = ["etl@acme.com"]
/// consumer_secret = "optional"
///
/// [[users]]
/// username = "etl@acme.com"
/// user_id = "005xx000001Sv6A"      # optional
/// active = true                    # optional
///
/// [[faults]]
/// kind = "latency"                 # latency | connection_reset | internal_server_error |
/// ms = 250                         # service_unavailable | html_page | oversized_body |
/// times = 2                        # stall_mid_body | redirect
/// target = "token"                 # any (default) | token | api
/// ```
///
/// The JSON form has the same keys. Unknown keys are refused, so a typo is an error, not a
/// silently ignored setting.
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
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
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
    apps: Vec<FileApp>,
    #[serde(default)]
    users: Vec<FileUser>,
    #[serde(default)]
    faults: Vec<FileFault>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApp {
    consumer_key: String,
    certificate: PathBuf,
    #[serde(default)]
    permitted_users: FilePermitted,
    #[serde(default)]
    approved_users: Vec<String>,
    consumer_secret: Option<String>,
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
            let pem = std::fs::read_to_string(&cert_path).map_err(|source| ConfigError::Read {
                path: cert_path.clone(),
                source,
            })?;
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
            let mut built = App::new(app.consumer_key, certificate).permitted_users(permitted);
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
