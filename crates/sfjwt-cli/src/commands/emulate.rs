//! `sfjwt emulate`: a local Salesforce login server in the foreground, for trying clients
//! by hand without an org. With no `--config`, it registers a demo app whose key it generates
//! into a private temporary directory, and prints lines that work as they are: `sfjwt token`,
//! `sf org login jwt` (the Salesforce CLI) and `curl`. With `-v`, one line per request on
//! stderr: method, path, status and, for a refusal, the rule that refused it.

use std::io::Write as _;
use std::path::PathBuf;

use sfjwt_emulator::{AppKind, Emulator, EmulatorBuilder, EmulatorConfig, User};
use tempfile::TempDir;

use crate::error::{CliError, CliResult};
use crate::key_files;
use crate::output::Out;

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt emulate --port 8080                 # prints ready-to-paste sfjwt token, sf and curl lines
  sfjwt emulate --config org.toml -v        # apps, users and faults from a file; log each request
  sfjwt emulate --eca acme-eca --client-id 3MVG9_local --user etl@acme.com
                                            # the org as `sfjwt eca new`'s folder sets it up
Stop it with Ctrl-C.";

/// `sfjwt emulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct EmulateArgs {
    /// The port on 127.0.0.1 (default: from the config file, else any free port).
    #[arg(long, value_name = "P")]
    pub(crate) port: Option<u16>,

    /// A TOML or JSON file describing apps, users and faults (see sfjwt-emulator's docs).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Print one line per request on stderr: method, path, status and, for a refusal, the
    /// rule that refused it. Assertions, tokens and query strings are never printed.
    #[arg(short, long)]
    pub(crate) verbose: bool,

    /// Play an org where this External Client App folder (`sfjwt eca new`) is deployed: its
    /// certificate, policies, scopes and IP relaxation, with this emulator's URL as My Domain.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "config",
        requires = "client_id"
    )]
    pub(crate) eca: Option<PathBuf>,

    /// With --eca: the consumer key to play (Salesforce generates the real one on deploy).
    #[arg(long, value_name = "KEY", requires = "eca")]
    pub(crate) client_id: Option<String>,

    /// With --eca: a user who holds the app's permission set (repeatable).
    #[arg(long = "user", value_name = "USERNAME", requires = "eca")]
    pub(crate) users: Vec<String>,
}

/// The demo app's consumer key and user (shared with `sfjwt demo`).
pub(crate) const DEMO_CLIENT_ID: &str = "3MVG9_sfjwt_demo_consumer_key";
/// See [`DEMO_CLIENT_ID`].
pub(crate) const DEMO_USER: &str = "demo@example.com";

/// Stands for the key file when the emulator cannot know it (a `--config` org).
const KEY_PLACEHOLDER: &str = "KEY.pem";

pub(crate) fn run(args: &EmulateArgs, out: &mut Out) -> CliResult {
    let (mut builder, key_file, key_dir) = match (&args.config, &args.eca) {
        (_, Some(dir)) => {
            let client_id = args.client_id.as_deref().unwrap_or_default();
            let builder = super::eca::emulator_builder(dir, client_id, &args.users)?;
            (builder, None, None)
        }
        (Some(path), None) => {
            let config = EmulatorConfig::from_file(path).map_err(|e| {
                CliError::local(format!("cannot use the emulator config: {e}"))
                    .hint("see sfjwt-emulator's EmulatorConfig docs for the TOML/JSON format")
            })?;
            (config.into_builder(), None, None)
        }
        (None, None) => {
            let (builder, dir, key_path) = demo_org(DemoApp::ConnectedApp)?;
            (builder, Some(key_path), Some(dir))
        }
    };
    if let Some(port) = args.port {
        builder = builder.port(port);
    }
    if args.verbose {
        // Method, path, status, the refusing rule: never an assertion, a token or a query.
        builder = builder.request_log(|line| {
            let _ = writeln!(std::io::stderr(), "{line}");
        });
    }
    let emulator = builder.start().map_err(|e| {
        CliError::local(format!("cannot start the emulator: {e}"))
            .hint("is the port in use? pass another --port, or none for a free one")
    })?;
    for line in banner(&emulator, key_file.as_ref()) {
        out.line(line)?;
    }
    emulator
        .run_until_signal()
        .map_err(|e| CliError::local(format!("the emulator failed: {e}")).hint("try again"))?;
    drop(key_dir);
    Ok(())
}

/// What `sfjwt emulate` prints on start: where it listens, and ready-to-paste commands for
/// one app and user of the org.
fn banner(emulator: &Emulator, key_file: Option<&PathBuf>) -> Vec<String> {
    let base = emulator.base_url();
    let mut lines = vec![
        format!("Salesforce emulator listening on {base}"),
        format!("token endpoint: {}", emulator.token_url()),
        format!("org id: {}", emulator.org_id()),
    ];
    let key = key_file.map_or_else(|| KEY_PLACEHOLDER.to_owned(), |p| p.display().to_string());
    match pick_login(emulator) {
        Some((client_id, username, kind)) => {
            // An External Client App wants the My Domain as audience; the emulator's own URL
            // plays it.
            let audience = if kind == AppKind::ExternalClientApp {
                " --audience my-domain"
            } else {
                ""
            };
            let identity =
                format!("--client-id {client_id} --username {username} --key-file {key}");
            lines.push("get a token with:".to_owned());
            lines.push(format!(
                "  sfjwt token --login-url {base} {identity}{audience}"
            ));
            lines.push("log the Salesforce CLI in with:".to_owned());
            lines.push(format!(
                "  sf org login jwt --instance-url {base} --client-id {client_id} --username {username} --jwt-key-file {key}"
            ));
            lines.push("call the API with curl:".to_owned());
            lines.push(format!("  curl -s {base}/services/data"));
            lines.push(format!(
                "  curl -s -H \"Authorization: Bearer $(sfjwt token --login-url {base} {identity}{audience} --json | jq -r .access_token)\" {base}/services/data/v62.0/limits"
            ));
            if key_file.is_none() {
                lines.push(format!(
                    "  ({KEY_PLACEHOLDER}: the private key of the certificate configured for {client_id})"
                ));
            }
        }
        None => lines.push("the org has no app and user to log in with".to_owned()),
    }
    lines.push("add -v to see one line per request; press Ctrl-C to stop".to_owned());
    lines
}

/// The first installed app (by consumer key) and the first user it permits.
fn pick_login(emulator: &Emulator) -> Option<(String, String, AppKind)> {
    let usernames = emulator.usernames();
    emulator
        .apps()
        .into_iter()
        .filter(|app| app.is_installed())
        .find_map(|app| {
            let user = usernames.iter().find(|u| app.permitted().permits(u))?;
            Some((app.consumer_key().to_owned(), user.clone(), app.app_kind()))
        })
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
pub(crate) fn demo_org(kind: DemoApp) -> CliResult<(EmulatorBuilder, TempDir, PathBuf)> {
    let dir = tempfile::Builder::new()
        .prefix("sfjwt-demo-")
        .tempdir()
        .map_err(|e| {
            CliError::local(format!("cannot create a temporary directory: {e}"))
                .hint("check TMPDIR and free space")
        })?;
    let spec = sfjwt_keys::KeyPairSpec::new("sfjwt demo").valid_for_days(1);
    let generated = sfjwt_keys::generate(&spec, std::time::SystemTime::now())
        .map_err(|e| CliError::generate(&e))?;
    let (key_path, _) = key_files::write(dir.path(), &generated, false)?;
    let mut app = sfjwt_emulator::App::from_pem(DEMO_CLIENT_ID, generated.certificate_pem())
        .map_err(|e| CliError::local(format!("cannot register the demo app: {e}")))?;
    if let DemoApp::ExternalClientApp = kind {
        app = app.external_client_app();
    }
    let builder = Emulator::builder()
        .app(app.admin_approved([DEMO_USER]))
        .user(User::new(DEMO_USER));
    Ok((builder, dir, key_path))
}
