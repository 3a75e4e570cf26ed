//! Raw HTTP to an emulator, as a client with bugs would speak it: hand-signed assertions,
//! form posts, GETs with a bearer token, bytes on a socket. The emulator's own tests use it
//! to check Salesforce's answers exactly; a blocking ureq transport for tests that need one.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use sfjwt_core::jws::Signer as _;
use sfjwt_core::key::PrivateKey;
use sfjwt_emulator::Emulator;

pub use crate::org::*;

/// The production login host, as an `aud`.
pub const PRODUCTION: &str = "https://login.salesforce.com";
/// RFC 7523 §2.1's `grant_type`.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The wall clock in seconds since the epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs any header and claims JSON with `key` (RS256), bypassing the claims builder's
/// checks so tests can send what a buggy client would.
pub fn sign_raw(header: &str, claims: &str, key: &PrivateKey) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
    let sig = key.sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(&sig))
}

/// An assertion with these claims, signed by the main key.
pub fn assertion_with(iss: &str, sub: &str, aud: &str, exp: u64) -> String {
    let claims = serde_json::json!({"iss": iss, "sub": sub, "aud": aud, "exp": exp}).to_string();
    sign_raw(r#"{"alg":"RS256"}"#, &claims, &key())
}

/// A valid assertion for `sub` with the main app, signed through sfjwt-core's own path.
pub fn assertion_for(sub: &str) -> String {
    let claims = sfjwt_core::claims::Claims::builder()
        .client_id(CLIENT_ID)
        .username(sub)
        .build(SystemTime::now())
        .unwrap();
    sfjwt_core::jws::sign(&claims, &key())
        .unwrap()
        .expose_secret()
        .to_owned()
}

/// A client that reports statuses instead of failing on them and never follows redirects.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The `content-type`, empty when absent.
    pub content_type: String,
    /// The body as text.
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn answer(mut response: http::Response<ureq::Body>) -> Answer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.body_mut().read_to_string().unwrap();
    Answer {
        status,
        content_type,
        body,
    }
}

/// POSTs `form` to the token endpoint.
pub fn post_form(sf: &Emulator, form: &[(&str, &str)]) -> Answer {
    answer(
        agent()
            .post(sf.token_url())
            .send_form(form.iter().copied())
            .unwrap(),
    )
}

/// Grants `assertion` as a caller leaving through `ip` (`X-Forwarded-For`).
pub fn grant_from(sf: &Emulator, ip: &str, assertion: &str) -> Answer {
    answer(
        agent()
            .post(sf.token_url())
            .header("X-Forwarded-For", ip)
            .send_form([("grant_type", JWT_BEARER), ("assertion", assertion)])
            .unwrap(),
    )
}

/// Grants `assertion` (a JWT bearer token request).
pub fn grant(sf: &Emulator, assertion: &str) -> Answer {
    post_form(sf, &[("grant_type", JWT_BEARER), ("assertion", assertion)])
}

/// Sends the grant request for [`APPROVED`] through `agent` (its own settings: timeouts,
/// keep-alive) and returns the raw response, body unread.
pub fn post_grant(agent: &ureq::Agent, sf: &Emulator) -> http::Response<ureq::Body> {
    agent
        .post(sf.token_url())
        .send_form([
            ("grant_type", JWT_BEARER),
            ("assertion", &assertion_for(APPROVED)),
        ])
        .unwrap()
}

/// Grants a token for `APPROVED` and returns it.
pub fn token(sf: &Emulator) -> String {
    token_with(sf, &assertion_for(APPROVED))
}

/// Grants a token with `assertion` and returns it.
pub fn token_with(sf: &Emulator, assertion: &str) -> String {
    let answer = grant(sf, assertion);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["access_token"].as_str().unwrap().to_owned()
}

/// A manual clock's time in seconds since the epoch.
pub fn clock_secs(clock: &sfjwt_core::clock::ManualClock) -> u64 {
    use sfjwt_core::clock::Clock as _;
    clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A GET as a caller leaving through `ip` (`X-Forwarded-For`).
pub fn get_from(sf: &Emulator, ip: &str, path: &str, token: &str) -> Answer {
    answer(
        agent()
            .get(format!("{}{path}", sf.base_url()))
            .header("Authorization", format!("Bearer {token}"))
            .header("X-Forwarded-For", ip)
            .call()
            .unwrap(),
    )
}

/// A GET of `path`, with a bearer `token` when given.
pub fn get(sf: &Emulator, path: &str, token: Option<&str>) -> Answer {
    match token {
        Some(token) => get_authorized(sf, path, &format!("Bearer {token}")),
        None => answer(
            agent()
                .get(format!("{}{path}", sf.base_url()))
                .call()
                .unwrap(),
        ),
    }
}

/// A GET of `path` with this `Authorization` header, whatever its scheme.
pub fn get_authorized(sf: &Emulator, path: &str, authorization: &str) -> Answer {
    answer(
        agent()
            .get(format!("{}{path}", sf.base_url()))
            .header("Authorization", authorization)
            .call()
            .unwrap(),
    )
}

/// Asserts Salesforce's exact OAuth error body and status 400.
#[track_caller]
pub fn assert_oauth_error(answer: &Answer, error: &str, description: &str) {
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(
        answer.body,
        format!(r#"{{"error":"{error}","error_description":"{description}"}}"#)
    );
    assert!(
        answer.content_type.starts_with("application/json"),
        "{}",
        answer.content_type
    );
}

/// Asserts that `answer` is Salesforce's refusal `expected`: status 400 and its exact JSON body.
#[track_caller]
pub fn assert_refused(answer: &Answer, expected: refusal::Refusal) {
    assert_oauth_error(answer, expected.error, expected.description);
}

/// Asserts the standard org's user checks: [`NOT_APPROVED`] is
/// not pre-authorized and [`INACTIVE`] is deactivated.
#[track_caller]
pub fn assert_user_refusals(sf: &Emulator) {
    assert_refused(
        &grant(sf, &assertion_for(NOT_APPROVED)),
        refusal::NOT_APPROVED,
    );
    assert_refused(&grant(sf, &assertion_for(INACTIVE)), refusal::INACTIVE_USER);
}

/// Salesforce's token-endpoint refusals the tests expect, each written once, transcribed from
/// the error table in the core's manual (`manual/errors.md`), not taken from the emulator's
/// own code, so a test compares the emulator against the documented texts.
pub mod refusal {
    /// One refusal: the `error` code and the `error_description` text.
    #[derive(Debug, Clone, Copy)]
    pub struct Refusal {
        /// The `error` field.
        pub error: &'static str,
        /// The `error_description` field.
        pub description: &'static str,
    }

    const fn refusal(error: &'static str, description: &'static str) -> Refusal {
        Refusal { error, description }
    }

    /// The `aud` claim names the wrong authorization server.
    pub const AUDIENCE_INVALID: Refusal = refusal("invalid_grant", "audience is invalid");
    /// The user is not pre-authorized for the app.
    pub const NOT_APPROVED: Refusal =
        refusal("invalid_grant", "user hasn't approved this consumer");
    /// The assertion's `exp` is in the past.
    pub const EXPIRED: Refusal = refusal("invalid_grant", "expired authorization code");
    /// The signature does not verify, or the assertion is malformed.
    pub const INVALID_ASSERTION: Refusal = refusal("invalid_grant", "invalid assertion");
    /// The login IP ranges or hours refuse the request.
    pub const IP_RESTRICTED: Refusal =
        refusal("invalid_grant", "ip restricted or invalid login hours");
    /// Too many logins for the user in the rolling hour (the documented bare code).
    pub const RATE_LIMITED: Refusal = refusal("rate_limit_exceeded", "login rate exceeded");
    /// The same limit in the `invalid_grant` form reported from real orgs.
    pub const RATE_LIMITED_AS_INVALID_GRANT: Refusal =
        refusal("invalid_grant", "login rate exceeded");
    /// No app with this consumer key.
    pub const UNKNOWN_CLIENT: Refusal = refusal("invalid_client_id", "client identifier invalid");
    /// The user is deactivated.
    pub const INACTIVE_USER: Refusal = refusal("inactive_user", "inactive user");
    /// The org is inactive.
    pub const INACTIVE_ORG: Refusal = refusal("inactive_org", "inactive organization");
    /// An External Client App that is not installed in the org the audience names.
    pub const ECA_NOT_INSTALLED: Refusal = refusal(
        "app_not_found",
        "External client app is not installed in this org",
    );
    /// A `grant_type` other than the JWT bearer one (RFC 6749 section 5.2's code; the text
    /// the emulator plays is not in the manual's table).
    pub const UNSUPPORTED_GRANT_TYPE: Refusal =
        refusal("unsupported_grant_type", "grant type not supported");
}

/// The REST API's 401 body for a session it does not accept.
pub const INVALID_SESSION: &str =
    r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;

/// Sends raw bytes on a fresh connection and reads until the server closes it (or 10 s).
/// Returns the status code of the first response and the whole text received.
pub fn raw_exchange(sf: &Emulator, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(sf.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    read_response(stream)
}

/// Reads `stream` to its end: the status code of the first response and the whole text.
pub fn read_response(mut stream: TcpStream) -> (u16, String) {
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP response in {text:?}"));
    (status, text)
}

/// A blocking transport over ureq: statuses are answers, not errors; no redirects; bounded.
pub fn transport()
-> impl Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error>
+ Send
+ Sync
+ Clone {
    let agent = agent();
    move |request| send(&agent, request)
}

/// Sends `request` with `agent`, reading at most 1 MiB of the body.
///
/// # Errors
/// The connection or the read failed.
pub fn send(
    agent: &ureq::Agent,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, std::io::Error> {
    let response = agent.run(request).map_err(std::io::Error::other)?;
    let (parts, mut body) = response.into_parts();
    let bytes = body
        .with_config()
        .limit(1 << 20)
        .read_to_vec()
        .map_err(std::io::Error::other)?;
    Ok(http::Response::from_parts(parts, bytes))
}
