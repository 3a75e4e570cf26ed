//! Clients nobody here wrote, for the emulator's real-client tests: the Salesforce CLI (`sf`,
//! npm `@salesforce/cli` on its own Node 22) and simple-salesforce (PyPI, in `.ci/venv`).
//!
//! `.ci/setup-clients.sh` installs both (pinned) into the checkout; these helpers find them
//! from the workspace root and fail with the fixing command when they are missing, never
//! skip. Each `sf` runs hermetically: a private `HOME`, telemetry and auto-update off, the
//! generic keychain (a file under that `HOME`), and a [`LoopbackProxy`] as its HTTP proxy so
//! the public hosts it tries never leave the machine.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::loopback_proxy::LoopbackProxy;

/// What a test prints when a client is missing.
pub const FIX: &str = "Fix: bash .ci/setup.sh";

/// The workspace root (the checkout).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `.ci/clients/bin/sf`, the pinned Salesforce CLI; panics with [`FIX`] if missing.
pub fn sf_path() -> PathBuf {
    let path = workspace_root().join(".ci/clients/bin/sf");
    let node = workspace_root().join(".ci/clients/bin/node");
    assert!(
        path.is_file() && node.exists(),
        "the Salesforce CLI (npm @salesforce/cli on Node 22) is not installed at {}. {FIX}",
        path.display()
    );
    path
}

/// `.ci/venv/bin/python` with simple-salesforce importable; panics with [`FIX`] if not.
pub fn python_with_simple_salesforce() -> PathBuf {
    let python = workspace_root().join(".ci/venv/bin/python");
    let importable = python.is_file()
        && Command::new(&python)
            .args(["-c", "import simple_salesforce"])
            .output()
            .is_ok_and(|out| out.status.success());
    assert!(
        importable,
        "simple-salesforce is not installed in {}. {FIX}",
        python.display()
    );
    python
}

/// A hermetic Salesforce CLI: its own `HOME` (auth files, config, logs), and a loopback-only
/// proxy for every request it sends.
#[derive(Debug)]
pub struct SfCli {
    home: tempfile::TempDir,
    proxy: LoopbackProxy,
    sf: PathBuf,
}

impl SfCli {
    /// A fresh CLI state; panics with [`FIX`] if `sf` is not installed.
    pub fn new() -> Self {
        Self {
            sf: sf_path(),
            home: tempfile::Builder::new()
                .prefix("sfjwt-sf-home-")
                .tempdir()
                .unwrap(),
            proxy: LoopbackProxy::start(),
        }
    }

    /// `sf ARGS` with the hermetic environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let home = self.home.path();
        let mut command = Command::new(&self.sf);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("TMPDIR", std::env::temp_dir())
            .env("SF_DISABLE_TELEMETRY", "true")
            .env("SFDX_DISABLE_TELEMETRY", "true")
            .env("SF_AUTOUPDATE_DISABLE", "true")
            .env("SFDX_AUTOUPDATE_DISABLE", "true")
            .env("SF_USE_GENERIC_UNIX_KEYCHAIN", "true")
            .env("SFDX_USE_GENERIC_UNIX_KEYCHAIN", "true")
            .env("SF_SKIP_NEW_VERSION_CHECK", "true")
            .env("SF_DISABLE_AUTOUPDATE", "true")
            .env("SF_HIDE_RELEASE_NOTES", "true")
            .env("SF_HIDE_RELEASE_NOTES_FOOTER", "true")
            .env("SF_DOMAIN_RETRY", "0")
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .env("HTTPS_PROXY", self.proxy.url())
            .env("HTTP_PROXY", self.proxy.url())
            .env("https_proxy", self.proxy.url())
            .env("http_proxy", self.proxy.url());
        command
    }

    /// Runs `sf ARGS`; returns exit success, stdout and stderr.
    pub fn run(&self, args: &[&str]) -> SfOutput {
        let output = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} ({e}). {FIX}", self.sf.display()));
        SfOutput::from(output)
    }

    /// What the CLI tried to reach off the machine (refused by the proxy).
    pub fn refused_hosts(&self) -> Vec<String> {
        self.proxy.refused()
    }
}

impl Default for SfCli {
    fn default() -> Self {
        Self::new()
    }
}

/// One `sf` run.
#[derive(Debug)]
pub struct SfOutput {
    /// Whether it exited 0.
    pub success: bool,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl From<Output> for SfOutput {
    fn from(output: Output) -> Self {
        Self {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl SfOutput {
    /// stdout parsed as JSON (`--json` runs); panics with both streams if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "sf printed no JSON ({e}):\nstdout:\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}
