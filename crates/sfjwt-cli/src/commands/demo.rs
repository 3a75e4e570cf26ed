//! `sfjwt demo`: the README's main command. The whole flow, offline, in a few seconds: a new
//! key pair, an emulated org with a connected app and a pre-authorized user, the claims, the
//! signed assertion taken apart, the token request and response, an API call, a revoked
//! session answered 401 `INVALID_SESSION_ID`, and the token manager's automatic re-grant.
//!
//! Everything shown is what really went over the loopback socket: the assertion is read back
//! from the request the token manager sent, not rebuilt for display.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::key::PrivateKey;
use sfjwt_core::manager::TokenManager;
use sfjwt_core::response::TokenResponse;
use sfjwt_core::transport::SyncTransport as _;

use super::emulate::{DEMO_CLIENT_ID, DEMO_USER, demo_org};
use crate::error::{CliError, CliResult, Exit};
use crate::output::{Out, redact_token};
use crate::transport::{Http, HttpError};

/// The protected resource the emulator serves (a real Salesforce REST path).
const LIMITS_PATH: &str = "/services/data/v62.0/limits";

fn step_failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::new(Exit::Transport, format!("demo: {what}: {e}"))
        .hint("the demo talks only to 127.0.0.1; check that loopback connections are allowed")
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
    let (builder, dir, key_path) = demo_org(2048)?;
    out.line(format!(
        "   {}  2048-bit RSA, PKCS#8, mode 0600",
        key_path.display()
    ))?;
    out.line(format!(
        "   {}  self-signed X.509, sha256WithRSA, CN=sfjwt demo",
        dir.path().join(crate::keygen::CERT_FILE).display()
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

    out.line("")?;
    out.line(format!(
        "{} in {:.1} s. With a real org: `sfjwt keygen`, set up the app as it prints, then `sfjwt token`.",
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

fn decode_segment(segment: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_else(|_| "(not base64url)".to_owned())
}

fn show_assertion(out: &mut Out, (uri, body): &(String, Vec<u8>)) -> CliResult {
    let form: Vec<(String, String)> = form_urlencoded_pairs(body);
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

/// Splits a form body (as sent) for display.
fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    decoded.push(byte);
                    i += 3;
                    continue;
                }
                decoded.push(b);
            }
            b'+' => decoded.push(b' '),
            _ => decoded.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
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
