//! `sfjwt demo`: the README's main command. The whole flow, offline, in a few seconds: a new
//! key pair, an emulated org with a connected app and a pre-authorized user, the claims, the
//! signed assertion taken apart, the token request and response, an API call, a revoked
//! session answered 401 `INVALID_SESSION_ID`, and the token manager's automatic re-grant.
//!
//! Everything shown is what really went over the loopback socket: the assertion is read back
//! from the request the token manager sent, not rebuilt for display.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::key::PrivateKey;
use sfjwt_core::manager::TokenManager;
use sfjwt_core::response::TokenResponse;
use sfjwt_core::transport::SyncTransport as _;
use sfjwt_emulator::Emulator;

use super::emulate::{DEMO_CLIENT_ID, DEMO_USER, DemoApp, demo_org};
use crate::error::{CliError, CliResult, Exit};
use crate::output::{Out, redact_token};
use crate::transport::{Http, HttpError};

/// The worked example of `--help`.
pub(crate) const EXAMPLE: &str = "\
Example:
  sfjwt demo            # or, from a checkout: cargo run -p sfjwt-cli -- demo
  sfjwt demo --eca      # an External Client App org since Spring '26: app_not_found, the fix
Nothing leaves the machine: the login server is an emulator on 127.0.0.1.";

/// `sfjwt demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// The Spring '26 chapter: an External Client App org refusing the login audience with
    /// app_not_found, the hint, and the My Domain fix working.
    #[arg(long)]
    pub(crate) eca: bool,
}

/// The protected resource the emulator serves (a real Salesforce REST path).
const LIMITS_PATH: &str = "/services/data/v62.0/limits";

fn step_failed(what: &str, e: impl std::fmt::Display) -> CliError {
    demo_step_failed("demo", what, e)
}

/// A demo step that failed: only the loopback connection can make it fail.
pub(super) fn demo_step_failed(command: &str, what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::new(Exit::Transport, format!("{command}: {what}: {e}"))
        .hint("the demo talks only to 127.0.0.1; check that loopback connections are allowed")
}

/// The client of the demo app's user, logging in at the emulator with the generated key.
pub(super) fn demo_client(key_path: &Path, emulator: &Emulator) -> CliResult<JwtBearer> {
    let key = PrivateKey::from_file(key_path, None)
        .map_err(|e| CliError::key(&e, &key_path.display().to_string()))?;
    let endpoint = TokenEndpoint::parse(emulator.base_url()).map_err(|e| CliError::endpoint(&e))?;
    Ok(JwtBearer::builder()
        .endpoint(endpoint)
        .client_id(DEMO_CLIENT_ID)
        .username(DEMO_USER)
        .signer(key)
        .build())
}

pub(crate) fn run(out: &mut Out) -> CliResult {
    let started = Instant::now();
    out.line(out.heading(
        "sfjwt demo: the Salesforce JWT bearer flow end to end, against a local emulator",
    ))?;
    out.line(out.dim("(nothing leaves 127.0.0.1; every value below is really sent or received)"))?;

    // 1. Key pair.
    section(
        out,
        "1. Key pair",
        "what `sfjwt keygen` does (replaces openssl genrsa/req/x509)",
    )?;
    let (builder, dir, key_path) = demo_org(DemoApp::ConnectedApp)?;
    out.line(format!(
        "   {}  2048-bit RSA, PKCS#8, mode 0600",
        key_path.display()
    ))?;
    out.line(format!(
        "   {}  self-signed X.509, sha256WithRSA, CN=sfjwt demo",
        dir.path().join(crate::key_files::CERT_FILE).display()
    ))?;

    // 2. The org.
    section(
        out,
        "2. Salesforce side (emulated)",
        "connected app + pre-authorized user",
    )?;
    let emulator = builder
        .start()
        .map_err(|e| step_failed("cannot start the emulator", e))?;
    let rows = [
        ("login URL", emulator.base_url().to_owned()),
        (
            "consumer key",
            format!("{DEMO_CLIENT_ID} (Use digital signatures: server.crt)"),
        ),
        (
            "permitted",
            format!("admin approved users are pre-authorized: {DEMO_USER}"),
        ),
    ];
    for (k, v) in rows {
        out.line(format!("   {k:<13} {v}"))?;
    }

    // 3–5. Claims, assertion, token request: one grant through the token manager, recorded.
    let client = demo_client(&key_path, &emulator)?;
    let http = crate::transport::with_timeout(Duration::from_secs(10));
    let sent: Mutex<Vec<(String, Vec<u8>)>> = Mutex::new(Vec::new());
    let recording =
        |request: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, HttpError> {
            sent.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((request.uri().to_string(), request.body().clone()));
            http.send(request)
        };
    let manager = TokenManager::new(client, recording);
    let token = manager.token().map_err(|e| CliError::manager(&e))?;
    let first = sent
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .first()
        .cloned()
        .ok_or_else(|| step_failed("no token request was recorded", "internal"))?;
    show_assertion(out, &first)?;
    show_token(out, &token)?;

    // 6. API call.
    section(
        out,
        "6. API call with the token",
        "what the integration does next",
    )?;
    let (status, body) = api_call(&http, &token)?;
    show_api(out, &token, status, &body)?;

    // 7. Session ends.
    section(
        out,
        "7. The session ends",
        "revoked by an admin, or 2 h without use (no expires_in, no refresh token in this flow)",
    )?;
    let revoked = emulator.revoke_all();
    out.line(format!("   emulator: revoked {revoked} session(s)"))?;
    let (status, body) = api_call(&http, &token)?;
    show_api(out, &token, status, &body)?;
    if status != 401 {
        return Err(step_failed("expected 401 INVALID_SESSION_ID", status));
    }

    // 8. Re-grant.
    section(
        out,
        "8. Automatic re-grant",
        "TokenManager: invalidate(stale token), then token() grants once and shares it",
    )?;
    let stale = manager
        .invalidate(token.access_token())
        .map_err(|e| CliError::manager(&e))?;
    out.line(format!(
        "   invalidate(stale) -> {stale} (the stale token was the current one)"
    ))?;
    let fresh = manager.token().map_err(|e| CliError::manager(&e))?;
    out.line(format!(
        "   token() -> {} (a new session; grants so far: {})",
        redact_token(fresh.access_token().expose_secret()),
        emulator.grant_count()
    ))?;
    let (status, body) = api_call(&http, &fresh)?;
    show_api(out, &fresh, status, &body)?;
    if status != 200 {
        return Err(step_failed("the retried API call failed", status));
    }

    done(
        out,
        started,
        ". With a real org: `sfjwt keygen`, set up the app as it prints, then `sfjwt token`.",
    )?;
    drop(emulator);
    drop(dir);
    Ok(())
}

/// The closing line: how long the demo took, then what to do with a real org.
pub(super) fn done(out: &mut Out, started: Instant, next: &str) -> CliResult {
    out.line("")?;
    out.line(format!(
        "{} in {:.1} s{next}",
        out.ok("Done"),
        started.elapsed().as_secs_f64()
    ))
}

pub(super) fn section(out: &mut Out, title: &str, note: &str) -> CliResult {
    out.line("")?;
    out.line(format!("{}  {}", out.heading(title), out.dim(note)))
}

fn decode_segment(segment: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_else(|_| "(not base64url)".to_owned())
}

fn show_assertion(out: &mut Out, (uri, body): &(String, Vec<u8>)) -> CliResult {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let assertion = form
        .iter()
        .find(|(k, _)| k == "assertion")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let grant_type = form
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let mut parts = assertion.split('.');
    let (header, claims, signature) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    section(
        out,
        "3. Claims",
        "what the tutorial typed into jwt.io: lower-case names, exp in UTC seconds, ≤ 3 minutes",
    )?;
    out.line(format!("   {}", decode_segment(claims)))?;
    out.line(out.dim(
        "   iss = consumer key, sub = username, aud = login server (not the My Domain), exp = now + 180 s",
    ))?;
    section(
        out,
        "4. Signed assertion",
        "RS256 (RSASSA-PKCS1-v1_5 with SHA-256), compact JWS",
    )?;
    let sig_head: String = signature.chars().take(16).collect();
    out.line(format!(
        "   header     {header}  = {}",
        decode_segment(header)
    ))?;
    out.line(format!(
        "   claims     {}…  = the claims above",
        claims.chars().take(24).collect::<String>()
    ))?;
    out.line(format!(
        "   signature  {sig_head}…  ({} characters, truncated)",
        signature.len()
    ))?;
    section(
        out,
        "5. Token request",
        "what Postman did: a form POST (grant_type, not grand_type)",
    )?;
    out.line(format!("   POST {uri}"))?;
    out.line("   Content-Type: application/x-www-form-urlencoded")?;
    out.line(format!(
        "   grant_type={grant_type}&assertion={header}.{}….{sig_head}…",
        claims.chars().take(12).collect::<String>()
    ))
}

fn show_token(out: &mut Out, token: &Arc<TokenResponse>) -> CliResult {
    out.line(format!("   {} 200 OK", out.ok("->")))?;
    let rows = [
        ("instance_url", token.instance_url().to_owned()),
        ("id", token.id().to_owned()),
        ("token_type", token.token_type().to_owned()),
        ("scope", token.scopes().join(" ")),
        (
            "access_token",
            redact_token(token.access_token().expose_secret()),
        ),
    ];
    for (k, v) in rows {
        out.line(format!("      {k:<13} {v}"))?;
    }
    Ok(())
}

fn api_call(http: &Http, token: &TokenResponse) -> CliResult<(u16, String)> {
    let url = format!("{}{LIMITS_PATH}", token.instance_url());
    let request = http::Request::get(&url)
        .header(
            http::header::AUTHORIZATION,
            format!("Bearer {}", token.access_token().expose_secret()),
        )
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|e| step_failed("cannot build the API request", e))?;
    let response = http
        .send(request)
        .map_err(|e| step_failed("the API call failed", crate::error::chain(&e)))?;
    Ok((
        response.status().as_u16(),
        String::from_utf8_lossy(response.body()).into_owned(),
    ))
}

fn show_api(out: &mut Out, token: &TokenResponse, status: u16, body: &str) -> CliResult {
    out.line(format!(
        "   GET {LIMITS_PATH}  Authorization: Bearer {}",
        redact_token(token.access_token().expose_secret())
    ))?;
    let excerpt: String = body.chars().take(110).collect();
    let more = if body.chars().count() > 110 {
        "…"
    } else {
        ""
    };
    let arrow = if status == 200 {
        out.ok("->")
    } else {
        out.bad("->")
    };
    out.line(format!("   {arrow} {status} {excerpt}{more}"))
}
