//! Shared helpers for both adapters' loopback tests (sfjwt-ureq and sfjwt-reqwest include this
//! file): the emulated org, clients, fault helpers.
#![allow(dead_code, unreachable_pub)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, SystemTime};

use sfjwt_core::clock::Clock;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::{ExchangeError, JwtBearer};
use sfjwt_core::key::PrivateKey;
use sfjwt_core::manager::RetryPolicy;
use sfjwt_core::response::TokenResponse;
use sfjwt_emulator::{App, Emulator, User};

pub const KEY_PEM: &str = include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem");
pub const CERT_PEM: &str = include_str!("../../../../testdata/keys/rsa2048.crt.pem");
pub const OTHER_KEY_PEM: &str = include_str!("../../../../testdata/keys/other2048.pkcs8.pem");
pub const OTHER_CERT_PEM: &str = include_str!("../../../../testdata/keys/other2048.crt.pem");

/// The main app: admin-approved, only `APPROVED` and `INACTIVE` are pre-authorized.
pub const CLIENT_ID: &str = "3MVG9_adapter_test_consumer_key";
/// A second app, registered with the *other* certificate.
pub const OTHER_CLIENT_ID: &str = "3MVG9_other_app";
pub const APPROVED: &str = "etl@acme.com";
pub const NOT_APPROVED: &str = "analyst@acme.com";
pub const INACTIVE: &str = "former@acme.com";

pub fn key() -> PrivateKey {
    PrivateKey::from_pem(KEY_PEM).unwrap()
}

pub fn other_key() -> PrivateKey {
    PrivateKey::from_pem(OTHER_KEY_PEM).unwrap()
}

/// One admin-approved app, an approved, an unapproved and an inactive user.
pub fn start() -> Emulator {
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
        .start()
        .unwrap()
}

/// A client of the main app for `username`, at the emulator.
pub fn client(sf: &Emulator, username: &str) -> JwtBearer {
    JwtBearer::new(endpoint(sf), CLIENT_ID, username, key())
}

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

/// Retries with waits of a few milliseconds, so retry tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(5))
}

/// A clock an hour behind: its assertions have expired by the time they arrive.
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

/// Neither the message nor the debug form of `err` quotes a JWT or a token.
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
