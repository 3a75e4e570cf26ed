//! `sfjwt demo --eca`: the Spring '26 chapter. An External Client App org as Salesforce runs it
//! since Spring '26 (`sfjwt_core::manual::spring26`): the login audience that worked for
//! connected apps is refused with `app_not_found`, sfjwt prints the error and the hint exactly
//! as `sfjwt token` does, and the fix the hint names (the My Domain as audience) is granted.
//!
//! The org runs on 127.0.0.1 and plays `https://acme.my.salesforce.com`; with a real org the
//! same fix is `--login-url https://NAME.my.salesforce.com --audience my-domain`.

use std::time::{Duration, Instant};

use sfjwt_core::claims::Audience;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::key::PrivateKey;
use sfjwt_core::response::OAuthErrorCode;
use sfjwt_emulator::{App, Emulator, User};

use super::emulate::{DEMO_CLIENT_ID, DEMO_USER};
use crate::error::{CliError, CliResult, Exit};
use crate::keygen::{self, Spec};
use crate::output::{Out, redact_token};

/// The My Domain the emulated org plays.
const MY_DOMAIN: &str = "https://acme.my.salesforce.com";

fn step_failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::new(Exit::Transport, format!("demo --eca: {what}: {e}"))
        .hint("the demo talks only to 127.0.0.1; check that loopback connections are allowed")
}

pub(crate) fn run(out: &mut Out) -> CliResult {
    let started = Instant::now();
    out.line(out.heading(
        "sfjwt demo --eca: an External Client App org as Salesforce runs it since Spring '26",
    ))?;
    out.line(out.dim("(nothing leaves 127.0.0.1; every answer below is the emulator's)"))?;

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
    let app = App::from_pem(DEMO_CLIENT_ID, &generated.cert_pem)
        .map_err(|e| CliError::local(format!("cannot register the demo app: {e}")))?
        .external_client_app()
        .admin_approved([DEMO_USER]);
    let emulator = Emulator::builder()
        .my_domain(MY_DOMAIN)
        .app(app)
        .user(User::new(DEMO_USER))
        .start()
        .map_err(|e| step_failed("cannot start the emulator", e))?;

    section(
        out,
        "1. The org",
        "new orgs and sandboxes create External Client Apps, not connected apps",
    )?;
    for (k, v) in [
        (
            "My Domain",
            format!("{MY_DOMAIN} (played by {})", emulator.base_url()),
        ),
        (
            "app",
            format!(
                "External Client App, consumer key {DEMO_CLIENT_ID}, JWT bearer flow, server.crt"
            ),
        ),
        (
            "permitted",
            format!("admin approved users are pre-authorized: {DEMO_USER}"),
        ),
    ] {
        out.line(format!("   {k:<10} {v}"))?;
    }

    let key = PrivateKey::from_file(&key_path, None)
        .map_err(|e| CliError::key(&e, &key_path.display().to_string()))?;
    let endpoint = TokenEndpoint::parse(emulator.base_url()).map_err(|e| CliError::endpoint(&e))?;
    let client = JwtBearer::builder()
        .endpoint(endpoint)
        .client_id(DEMO_CLIENT_ID)
        .username(DEMO_USER)
        .signer(key)
        .build();
    let http = crate::transport::with_timeout(Duration::from_secs(10));

    section(
        out,
        "2. Log in as for a connected app",
        "aud = https://login.salesforce.com (the default)",
    )?;
    out.line(format!(
        "   $ sfjwt token --login-url {} --client-id {DEMO_CLIENT_ID} --username {DEMO_USER} --key-file server.key",
        emulator.base_url()
    ))?;
    let refusal = match client.request_token(&http) {
        Err(e @ ExchangeError::OAuth(_)) => e,
        Err(other) => return Err(CliError::exchange(&other)),
        Ok(_) => {
            return Err(step_failed(
                "the login audience was granted",
                "an ECA org must refuse it",
            ));
        }
    };
    if refusal.oauth().map(|o| o.code()) != Some(&OAuthErrorCode::AppNotFound) {
        return Err(CliError::exchange(&refusal));
    }
    for line in CliError::exchange(&refusal).to_string().lines() {
        out.line(format!("   {line}"))?;
    }
    out.line(out.dim("   (exit code 3: Salesforce refused)"))?;

    section(
        out,
        "3. The fix the hint names",
        "the My Domain as login URL and audience",
    )?;
    out.line("   with a real org:  sfjwt token --login-url https://acme.my.salesforce.com --audience my-domain ...")?;
    out.line(format!(
        "   here:             sfjwt token --login-url {} --audience {MY_DOMAIN} ...",
        emulator.base_url()
    ))?;
    let audience = Audience::parse(MY_DOMAIN).map_err(|e| CliError::claims(&e))?;
    let token = client
        .with_audience(audience)
        .request_token(&http)
        .map_err(|e| CliError::exchange(&e))?;
    for (k, v) in [
        ("aud", MY_DOMAIN.to_owned()),
        ("instance_url", token.instance_url().to_owned()),
        (
            "access_token",
            redact_token(token.access_token().expose_secret()),
        ),
    ] {
        out.line(format!("   {k:<13} {v}"))?;
    }

    out.line("")?;
    out.line(format!(
        "{} in {:.1} s: granted. `sfjwt keygen` prints the External Client App setup; `sfjwt check --audience my-domain` explains the choice.",
        out.ok("Done"),
        started.elapsed().as_secs_f64()
    ))?;
    drop(emulator);
    drop(dir);
    Ok(())
}

fn section(out: &mut Out, title: &str, note: &str) -> CliResult {
    out.line("")?;
    out.line(format!("{}  {}", out.heading(title), out.dim(note)))
}
