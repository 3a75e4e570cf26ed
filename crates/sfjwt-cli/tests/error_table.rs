//! Every row of the error table (`sfjwt_core::manual::errors`) through the `sfjwt` binary:
//! exit 3, the error and its description, a `hint:` line with the row's fix, and exactly one
//! request, since none of these refusals is worth a retry (`--retries 3` notwithstanding).
//!
//! The token endpoint here is a canned loopback server that answers every request with one
//! fixed response and counts the requests, so each row is tested exactly as Salesforce words
//! it, independently of the emulator's own rules.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use sfjwt_test_support::cli::sfjwt;

const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/keys/rsa2048.pkcs8.pem"
);

/// A loopback server answering every request with `status` and `body`, counting requests.
/// It stops by itself after 60 s, or when dropped.
struct Canned {
    port: u16,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Canned {
    fn start(status: u16, body: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let response = format!(
            "HTTP/1.1 {status} Canned\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let (count, halt) = (Arc::clone(&requests), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !halt.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, response.as_bytes(), &count),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Canned {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request (headers, then `content-length` bytes of body), counts it, and writes
/// the response. The count comes first: once the client has the answer it may exit, and the
/// test reads the count at once.
fn answer(stream: TcpStream, response: &[u8], count: &AtomicUsize) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    count.fetch_add(1, Ordering::SeqCst);
    let mut stream = reader.into_inner();
    let _ = stream.write_all(response);
    let _ = stream.flush();
}

fn token_at(url: &str) -> Command {
    let mut cmd = sfjwt();
    // No token cache: each run must reach the server (and never touch the user's cache).
    cmd.args([
        "token",
        "--no-cache",
        "--login-url",
        url,
        "--client-id",
        "3MVG9_error_table",
        "--username",
        "etl@acme.com",
        "--key-file",
        KEY,
        "--retries",
        "3",
        "--timeout",
        "10",
    ]);
    cmd
}

fn body(error: &str, description: Option<&str>) -> String {
    match description {
        Some(d) => serde_json::json!({ "error": error, "error_description": d }).to_string(),
        None => serde_json::json!({ "error": error }).to_string(),
    }
}

/// Runs `sfjwt token` against a server answering `status`/`error`/`description` and checks
/// exit 3, the error line, the hint line (with every `hint_parts`) and the request count.
fn refused(status: u16, error: &str, description: Option<&str>, hint_parts: &[&str]) {
    let server = Canned::start(status, &body(error, description));
    let output = token_at(&server.url()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{error}: {stderr}");
    assert!(output.stdout.is_empty(), "{error}: no token on stdout");
    // The testdata key is mode 644 in a checkout: `token` warns about it on a line of its own.
    let mut lines = stderr.lines().filter(|l| !l.starts_with("warning: "));
    let first = lines.next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{stderr}");
    assert!(first.contains(error), "{error}: {stderr}");
    if let Some(d) = description {
        assert!(first.contains(d), "{error}: {stderr}");
    }
    let hint = lines
        .find_map(|l| l.trim_start().strip_prefix("hint: "))
        .unwrap_or_else(|| panic!("{error}: no hint line in {stderr}"));
    for part in hint_parts {
        assert!(hint.contains(part), "{error}: hint lacks {part:?}: {hint}");
    }
    assert_eq!(
        server.requests(),
        1,
        "{error} / {description:?}: refusals are never retried"
    );
}

#[test]
fn app_not_found_names_the_my_domain_fix_with_the_flags() {
    refused(
        400,
        "app_not_found",
        Some("External client app is not installed in this org"),
        &[
            "--login-url https://NAME.my.salesforce.com --audience my-domain",
            "installed",
            "Permitted Users",
            "permission set",
        ],
    );
}

#[test]
fn ip_restricted_names_the_ip_policies() {
    refused(
        400,
        "invalid_grant",
        Some("ip restricted"),
        &["IP Relaxation", "Login IP Ranges"],
    );
}

#[test]
fn login_rate_exceeded_with_retries_3_sends_exactly_one_request() {
    refused(
        400,
        "invalid_grant",
        Some("login rate exceeded"),
        &["rolling", "reuse tokens", "fleet store"],
    );
}

#[test]
fn rate_limit_exceeded_is_not_retried_even_as_429() {
    refused(
        429,
        "rate_limit_exceeded",
        Some("too many logins"),
        &["rolling", "reuse tokens"],
    );
}

#[test]
fn invalid_client_id_mentions_propagation() {
    refused(
        400,
        "invalid_client_id",
        Some("client identifier invalid"),
        &["consumer key", "minutes to propagate"],
    );
}

#[test]
fn user_not_approved_covers_sandbox_usernames_gov_cloud_and_approval_modes() {
    refused(
        400,
        "invalid_grant",
        Some("user hasn't approved this consumer"),
        &[
            "Admin approved users are pre-authorized",
            "self-authorize",
            "user@acme.com.dev",
            "Government Cloud",
            "My Domain URL as the token endpoint",
        ],
    );
}

#[test]
fn bare_inactive_codes_classify_like_their_descriptions() {
    refused(400, "inactive_user", None, &["deactivated"]);
    refused(
        400,
        "inactive_org",
        None,
        &["org is deactivated or expired"],
    );
    refused(
        400,
        "invalid_grant",
        Some("inactive user"),
        &["deactivated"],
    );
    refused(
        400,
        "invalid_grant",
        Some("inactive organization"),
        &["org is deactivated or expired"],
    );
}

#[test]
fn the_other_rows() {
    refused(
        400,
        "invalid_grant",
        Some("audience is invalid"),
        &["https://login.salesforce.com", "My Domain"],
    );
    refused(
        400,
        "invalid_grant",
        Some("expired authorization code"),
        &["clock"],
    );
    refused(
        400,
        "invalid_grant",
        Some("invalid assertion"),
        &["certificate"],
    );
    refused(
        400,
        "unsupported_grant_type",
        Some("grant type not supported"),
        &["form-encoded"],
    );
    refused(
        400,
        "invalid_app_access",
        Some("user is not admin approved to access this app"),
        &["profile or permission set"],
    );
    refused(
        400,
        "invalid_grant",
        Some("authentication failure"),
        &["check client id"],
    );
}

#[test]
fn unknown_codes_stay_verbatim() {
    refused(
        400,
        "brand_new_error",
        Some("Something New"),
        &["does not know"],
    );
}

#[test]
fn a_retryable_answer_is_retried_the_counted_number_of_times() {
    // The counterpart of the rows above: 503 is retryable, so `--retries 3` sends 4 requests
    // before it reports the last answer (exit 3: the server's OAuth error). Without this test
    // the "exactly one request" checks above could not fail.
    let server = Canned::start(503, &body("server_error", Some("try later")));
    let output = token_at(&server.url()).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.requests(), 4);
}
