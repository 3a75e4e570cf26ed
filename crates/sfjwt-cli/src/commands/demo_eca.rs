//! `sfjwt demo --eca`: the Spring '26 chapter. An External Client App org as Salesforce runs it
//! since Spring '26 (`sfjwt_core::manual::spring26`): the login audience that worked for
//! connected apps is refused with `app_not_found`, sfjwt prints the error and the hint exactly
//! as `sfjwt token` does, and the fix the hint names (the My Domain as audience) is granted.
//!
//! The org runs on 127.0.0.1 and plays `https://acme.my.salesforce.com`; with a real org the
//! same fix is `--login-url https://NAME.my.salesforce.com --audience my-domain`.

use std::time::{Duration, Instant};

use sfjwt_core::claims::Audience;
use sfjwt_core::exchange::ExchangeError;
use sfjwt_core::response::OAuthErrorCode;

use super::demo::{demo_client, demo_step_failed, done, section};
use super::emulate::{DEMO_CLIENT_ID, DEMO_USER, DemoApp, demo_org};
use crate::error::{CliError, CliResult};
use crate::output::{Out, redact_token};

/// The My Domain the emulated org plays.
const MY_DOMAIN: &str = "https://acme.my.salesforce.com";

fn step_failed(what: &str, e: impl std::fmt::Display) -> CliError {
    demo_step_failed("demo --eca", what, e)
}

pub(crate) fn run(out: &mut Out) -> CliResult {
    let started = Instant::now();
    out.line(out.heading(
        "sfjwt demo --eca: an External Client App org as Salesforce runs it since Spring '26",
    ))?;
    out.line(out.dim("(nothing leaves 127.0.0.1; every answer below is the emulator's)"))?;

    let (builder, dir, key_path) = demo_org(DemoApp::ExternalClientApp)?;
    let emulator = builder
        .my_domain(MY_DOMAIN)
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

    let client = demo_client(&key_path, &emulator)?;
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

    done(
        out,
        started,
        ": granted. Set up your org's app the first way, as code: `sfjwt eca new NAME --cert server.crt --out DIR` (deploy it with `sf project deploy start`); the second way, the Setup screens, is what `sfjwt keygen` prints. `sfjwt check --audience my-domain` explains the choice.",
    )?;
    drop(emulator);
    drop(dir);
    Ok(())
}
