//! The standard emulated org the adapters' and the emulator's loopback tests log in to, and
//! helpers around it: clients, fault helpers, secret-leak checks.

use std::time::{Duration, SystemTime};

use sfjwt_core::clock::Clock;
use sfjwt_core::manager::RetryPolicy;
use sfjwt_core::response::OAuthErrorCode;
use sfjwt_core::{ExchangeError, JwtBearer, TokenEndpoint, TokenResponse};
use sfjwt_emulator::{App, Emulator, EmulatorBuilder, User};

pub use crate::testdata::{CERT_PEM, KEY_PEM, OTHER_CERT_PEM, OTHER_KEY_PEM, key, other_key};

/// The main app: admin-approved, only [`APPROVED`] and [`INACTIVE`] are pre-authorized.
pub const CLIENT_ID: &str = "3MVG9_emulator_test_consumer_key";
/// A second app, registered with the *other* certificate.
pub const OTHER_CLIENT_ID: &str = "3MVG9_other_app";
/// A user pre-authorized for the main app.
pub const APPROVED: &str = "etl@acme.com";
/// An active user the main app is not approved for.
pub const NOT_APPROVED: &str = "analyst@acme.com";
/// A pre-authorized but deactivated user.
pub const INACTIVE: &str = "former@acme.com";

/// An org with one admin-approved app `client_id` holding `cert_pem`, and `username`
/// pre-authorized: what a signer's or a store's end-to-end test logs in to.
pub fn one_app_org(client_id: &str, cert_pem: &str, username: &str) -> Emulator {
    Emulator::builder()
        .app(
            App::from_pem(client_id, cert_pem)
                .unwrap()
                .admin_approved([username]),
        )
        .user(User::new(username))
        .start()
        .unwrap()
}

/// The standard org, to configure further: one admin-approved app ([`CLIENT_ID`]), a second
/// app ([`OTHER_CLIENT_ID`]), an approved, an unapproved and an inactive user.
pub fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .app(
            App::from_pem(CLIENT_ID, CERT_PEM)
                .unwrap()
                .admin_approved([APPROVED, INACTIVE]),
        )
        .app(App::from_pem(OTHER_CLIENT_ID, OTHER_CERT_PEM).unwrap())
        .user(User::new(APPROVED))
        .user(User::new(NOT_APPROVED))
        .user(User::new(INACTIVE).inactive())
}

/// The standard org, started.
pub fn start() -> Emulator {
    builder().start().unwrap()
}

/// A client of the main app for `username`, at the emulator.
pub fn client(sf: &Emulator, username: &str) -> JwtBearer {
    client_as(sf, CLIENT_ID, username, key())
}

/// A client for `sf` as `client_id` and `username`, signing with `signer`: the refusal tests'
/// wrong app or wrong key.
pub fn client_as(
    sf: &Emulator,
    client_id: &str,
    username: &str,
    signer: sfjwt_core::key::PrivateKey,
) -> JwtBearer {
    JwtBearer::builder()
        .endpoint(endpoint(sf))
        .client_id(client_id)
        .username(username)
        .signer(signer)
        .build()
}

/// The emulator's token endpoint.
pub fn endpoint(sf: &Emulator) -> TokenEndpoint {
    TokenEndpoint::parse(sf.base_url()).unwrap()
}

/// `http://127.0.0.1:{port}` where nothing listens: bind an ephemeral port, then drop it.
pub fn closed_endpoint() -> TokenEndpoint {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    TokenEndpoint::parse(&format!("http://127.0.0.1:{port}")).unwrap()
}

/// The standard identity's client for a [`closed_endpoint`]: every request is refused.
pub fn client_of_closed_endpoint() -> JwtBearer {
    JwtBearer::builder()
        .endpoint(closed_endpoint())
        .client_id(CLIENT_ID)
        .username(APPROVED)
        .signer(key())
        .build()
}

/// Retries with waits of a few milliseconds, so retry tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(5))
}

/// A clock an hour behind: its assertions have expired by the time they arrive.
#[derive(Debug, Clone, Copy)]
pub struct HourAgo;

impl Clock for HourAgo {
    fn now(&self) -> SystemTime {
        SystemTime::now() - Duration::from_secs(3600)
    }
}

/// `GET {instance_url}/services/data/v62.0/limits` with the token: the protected resource.
pub fn limits_request(token: &TokenResponse) -> http::Request<Vec<u8>> {
    http::Request::get(format!(
        "{}/services/data/v62.0/limits",
        token.instance_url()
    ))
    .header(
        http::header::AUTHORIZATION,
        format!("Bearer {}", token.access_token().expose_secret()),
    )
    .body(Vec::new())
    .unwrap()
}

/// The transport error inside an exchange error, downcast to the adapter's type.
pub fn transport_error<E: std::error::Error + 'static>(err: &ExchangeError) -> &E {
    match err {
        ExchangeError::Transport { source, .. } => source
            .downcast_ref::<E>()
            .unwrap_or_else(|| panic!("not this adapter's error: {source:?}")),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Neither the message nor the debug form of `err` (or its sources) quotes a JWT or, when
/// given, the token.
pub fn assert_no_secrets(err: &dyn std::error::Error, token_hint: Option<&str>) {
    let mut text = String::new();
    let mut next = Some(err);
    while let Some(e) = next {
        text.push_str(&format!("{e} {e:?}\n"));
        next = e.source();
    }
    assert!(!text.contains("eyJ"), "a JWT leaked: {text}");
    if let Some(token) = token_hint {
        assert!(!text.contains(token), "a token leaked: {text}");
    }
}

/// The standard org whose next token answer stalls mid-body for 20 s (a timeout test's org).
pub fn start_stalling_mid_body() -> Emulator {
    let sf = start();
    sf.inject_fault(
        sfjwt_emulator::Fault::StallMidBody {
            stall: Duration::from_secs(20),
        },
        1,
    );
    sf
}

/// A refused connection, wrapped in a `ManagerError` and printed as most applications print
/// a chain (`{:#}` of an `anyhow::Error`), says each fact once (the error convention) and
/// still says why.
pub fn assert_connection_refused_once(err: ExchangeError) {
    let manager = sfjwt_core::manager::ManagerError::from(err);
    let text = format!("{:#}", anyhow::Error::new(manager));
    let segments: Vec<&str> = text.split(": ").collect();
    for (i, segment) in segments.iter().enumerate() {
        assert!(
            !segments[i + 1..].contains(segment),
            "{segment:?} is said twice: {text}"
        );
    }
    assert!(
        text.starts_with(
            "the token request did not get a response: could not connect to the token endpoint: "
        ),
        "{text}"
    );
    assert_eq!(
        text.to_lowercase().matches("connection refused").count(),
        1,
        "{text}"
    );
}

/// Asserts `err` is Salesforce's OAuth refusal `code` with `description`, as a 400 whose
/// message names it and carries the code's remediation hint.
#[track_caller]
pub fn assert_oauth(err: &ExchangeError, code: OAuthErrorCode, description: &str) {
    let oauth = err
        .oauth()
        .unwrap_or_else(|| panic!("expected an OAuth error, got {err:?}"));
    assert_eq!(oauth.code(), &code, "{err}");
    assert_eq!(oauth.description(), Some(description));
    assert_eq!(oauth.hint(), code.hint());
    assert!(!oauth.hint().is_empty());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains(description), "{err}");
}

/// After 20 token calls against IP-locked sessions, each reporting the token the API refused:
/// two grants, two refused API calls, and the other 18 calls blocked (the bounded re-grant).
#[track_caller]
pub fn assert_bounded_regrants(sf: &Emulator, blocked: usize) {
    assert_eq!(sf.grant_count(), 2, "one grant and one re-grant");
    assert_eq!(sf.refused_api_call_count(), 2);
    assert_eq!(blocked, 18, "every later call is blocked");
}

/// 1 for [`ManagerError::RegrantBlocked`](sfjwt_core::manager::ManagerError::RegrantBlocked)
/// after two refusals; any other error fails the test.
#[track_caller]
pub fn expect_regrant_blocked(e: &sfjwt_core::manager::ManagerError) -> usize {
    match e {
        sfjwt_core::manager::ManagerError::RegrantBlocked { refusals, .. } => {
            assert_eq!(*refusals, 2);
            1
        }
        other => panic!("expected RegrantBlocked, got {other}"),
    }
}
