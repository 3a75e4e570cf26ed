//! `sfjwt emulate`: a local Salesforce login server in the foreground, for trying clients
//! by hand without an org. With no `--config`, it registers a demo app whose key it generates
//! into a private temporary directory, and prints a `sfjwt token` line that works as is.

use sfjwt_emulator::{App, EmulatorBuilder, EmulatorConfig, User};
use tempfile::TempDir;

use crate::cli::EmulateArgs;
use crate::error::{CliError, CliResult};
use crate::keygen::{self, Spec};
use crate::output::Out;

/// The demo app's consumer key and user (shared with `sfjwt demo`).
pub(crate) const DEMO_CLIENT_ID: &str = "3MVG9_sfjwt_demo_consumer_key";
/// See [`DEMO_CLIENT_ID`].
pub(crate) const DEMO_USER: &str = "demo@example.com";

pub(crate) fn run(args: &EmulateArgs, out: &mut Out) -> CliResult {
    let (mut builder, token_line, key_dir) = match &args.config {
        Some(path) => {
            let config = EmulatorConfig::from_file(path).map_err(|e| {
                CliError::local(format!("cannot use the emulator config: {e}"))
                    .hint("see sfjwt-emulator's EmulatorConfig docs for the TOML/JSON format")
            })?;
            let line = "--client-id <consumer_key> --username <username> --key-file <key of that app's certificate>".to_owned();
            (config.into_builder(), line, None)
        }
        None => {
            let (builder, dir, key_path) = demo_org(DemoApp::ConnectedApp)?;
            let line = format!(
                "--client-id {DEMO_CLIENT_ID} --username {DEMO_USER} --key-file {}",
                key_path.display()
            );
            (builder, line, Some(dir))
        }
    };
    if let Some(port) = args.port {
        builder = builder.port(port);
    }
    let emulator = builder.start().map_err(|e| {
        CliError::local(format!("cannot start the emulator: {e}"))
            .hint("is the port in use? pass another --port, or none for a free one")
    })?;
    out.line(format!(
        "Salesforce emulator listening on {}",
        emulator.base_url()
    ))?;
    out.line(format!("token endpoint: {}", emulator.token_url()))?;
    out.line(format!("org id: {}", emulator.org_id()))?;
    out.line("get a token with:")?;
    out.line(format!(
        "  sfjwt token --login-url {} {token_line}",
        emulator.base_url()
    ))?;
    if let Some(my_domain) = emulator.my_domain() {
        // External Client Apps refuse the login servers as audience (`app_not_found`).
        out.line(format!(
            "  (for an External Client App of this org add: --audience {my_domain})"
        ))?;
    }
    out.line("press Ctrl-C to stop")?;
    emulator
        .run_until_signal()
        .map_err(|e| CliError::local(format!("the emulator failed: {e}")).hint("try again"))?;
    drop(key_dir);
    Ok(())
}

/// The kind of app the demo org registers.
#[derive(Clone, Copy)]
pub(crate) enum DemoApp {
    /// A connected app: the login servers are its audience.
    ConnectedApp,
    /// An External Client App (Spring '26): only the My Domain is its audience.
    ExternalClientApp,
}

/// An org with the demo app (a fresh 2048-bit key pair in a private temporary directory) and
/// its pre-authorized user: the setup `sfjwt emulate`, `sfjwt demo` and `sfjwt demo --eca`
/// share. Returns the builder, the directory (deleted on drop) and the key path.
pub(crate) fn demo_org(kind: DemoApp) -> CliResult<(EmulatorBuilder, TempDir, std::path::PathBuf)> {
    let dir = tempfile::Builder::new()
        .prefix("sfjwt-demo-")
        .tempdir()
        .map_err(|e| {
            CliError::local(format!("cannot create a temporary directory: {e}"))
                .hint("check TMPDIR and free space")
        })?;
    let generated = keygen::generate(&Spec {
        bits: 2048,
        days: 1,
        common_name: "sfjwt demo",
        passphrase: None,
    })?;
    let (key_path, _) = keygen::write(dir.path(), &generated, false)?;
    let mut app = App::from_pem(DEMO_CLIENT_ID, &generated.cert_pem)
        .map_err(|e| CliError::local(format!("cannot register the demo app: {e}")))?;
    if let DemoApp::ExternalClientApp = kind {
        app = app.external_client_app();
    }
    let builder = sfjwt_emulator::Emulator::builder()
        .app(app.admin_approved([DEMO_USER]))
        .user(User::new(DEMO_USER));
    Ok((builder, dir, key_path))
}
