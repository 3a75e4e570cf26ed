//! No `Debug`, `Display` or error output of any public type may contain a secret: key
//! material, a passphrase, a signed assertion or an access token. Each case below produces
//! the type (or the failure) with a known secret inside, then searches every rendering.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::convert::Infallible;
use std::sync::Mutex;

use sfjwt_core::claims::Claims;
use sfjwt_core::jws::{self, Verifier};
use sfjwt_core::key::{Passphrase, PrivateKey};
use sfjwt_core::manager::{RetryPolicy, TokenManager};
use sfjwt_core::response::parse_token_response;
use sfjwt_test_support::fake::{self as support, NOW, TOKEN, response, token_json};

const PASSPHRASE: &str = "correct horse battery staple";

/// Collects renderings of values and checks none contains a secret.
struct Leaks {
    secrets: Vec<(String, String)>,
    checked: usize,
}

impl Leaks {
    fn new() -> Self {
        Self {
            secrets: Vec::new(),
            checked: 0,
        }
    }

    fn secret(&mut self, what: &str, value: &str) {
        assert!(value.len() >= 8, "{what}: too short to search for");
        self.secrets.push((what.to_owned(), value.to_owned()));
    }

    fn check(&mut self, label: &str, rendered: &str) {
        for (what, secret) in &self.secrets {
            assert!(
                !rendered.contains(secret.as_str()),
                "{label} leaks the {what}: {rendered}"
            );
        }
        self.checked += 1;
    }

    fn debug(&mut self, label: &str, value: &dyn std::fmt::Debug) {
        self.check(label, &format!("{value:?}"));
        self.check(label, &format!("{value:#?}"));
    }

    /// Display, Debug and the whole `source()` chain.
    fn error(&mut self, label: &str, err: &(dyn std::error::Error + 'static)) {
        self.debug(label, &err);
        let mut current = Some(err);
        while let Some(e) = current {
            self.check(label, &e.to_string());
            current = e.source();
        }
    }
}

fn testdata(path: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata")
            .join(path),
    )
    .unwrap()
}

#[test]
fn no_public_type_renders_a_secret() {
    let mut leaks = Leaks::new();
    leaks.secret("passphrase", PASSPHRASE);
    leaks.secret("access token", TOKEN);
    // The token's opaque part alone is a secret too.
    leaks.secret("access token tail", TOKEN.split_once('!').unwrap().1);

    // Key material: every base64 line of the PEM bodies (plain and encrypted).
    let plain_pem = testdata("keys/rsa2048.pkcs8.pem");
    let encrypted_pem = testdata("keys/rsa2048.pkcs8.pbkdf2-aes256.pem");
    let legacy_pem = testdata("keys/rsa2048.legacy-des3.pem");
    for pem in [&plain_pem, &encrypted_pem, &legacy_pem] {
        for line in pem
            .lines()
            .filter(|l| l.len() >= 32 && !l.starts_with("-----") && !l.contains(':'))
        {
            leaks.secret("PEM body line", line);
        }
    }

    // Keys and passphrases.
    let key = PrivateKey::from_pem(&plain_pem).unwrap();
    leaks.debug("PrivateKey", &key);
    let passphrase = Passphrase::from(PASSPHRASE);
    leaks.debug("Passphrase", &passphrase);
    let wrong = PrivateKey::from_pem_with_passphrase(
        &encrypted_pem,
        &Passphrase::from("not the passphrase at all"),
    )
    .unwrap_err();
    leaks.error("KeyError (wrong passphrase)", &wrong);
    for (label, input) in [
        ("KeyError (encrypted, no passphrase)", encrypted_pem.clone()),
        ("KeyError (legacy, no passphrase)", legacy_pem.clone()),
        (
            "KeyError (truncated)",
            plain_pem[..plain_pem.len() / 2].to_owned(),
        ),
        ("KeyError (trailing garbage)", format!("{plain_pem}garbage")),
        ("KeyError (mangled base64)", plain_pem.replacen('M', "!", 3)),
        ("KeyError (as public key)", plain_pem.clone()),
    ] {
        let err = if label.contains("public") {
            sfjwt_core::key::PublicKey::from_pem(&input).unwrap_err()
        } else {
            PrivateKey::from_pem(&input).unwrap_err()
        };
        leaks.error(label, &err);
    }
    let env_err = PrivateKey::from_env_value(
        &encrypted_pem.replace('\n', "\\n"),
        Some(&Passphrase::from("nope nope nope")),
    )
    .unwrap_err();
    leaks.error("KeyError (env value)", &env_err);

    // Signed assertions.
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW);
    let claims = Claims::builder()
        .client_id("3MVG9_consumer_key")
        .username("etl@acme.com")
        .build(now)
        .unwrap();
    let assertion = jws::sign(&claims, &key).unwrap();
    let compact = assertion.expose_secret().to_owned();
    leaks.secret("signed assertion", &compact);
    leaks.secret("assertion signature", compact.rsplit('.').next().unwrap());
    leaks.debug("SignedAssertion", &assertion);
    let other = PrivateKey::from_pem(&testdata("keys/other2048.pkcs8.pem")).unwrap();
    let verify_err = Verifier::new(other.public_key())
        .verify(&compact, now)
        .unwrap_err();
    leaks.error("VerifyError", &verify_err);
    let client = support::client();
    leaks.debug("JwtBearer", &client);
    let request = client.prepare_request().unwrap();
    // The request body necessarily carries an assertion; its Debug is the `http` crate's, so
    // sfjwt never logs requests. Check our own types only.
    drop(request);

    // Token responses and every response failure whose body carries a token.
    let ok = parse_token_response(
        &response(200, Some("application/json"), &token_json(TOKEN)),
        1 << 20,
    )
    .unwrap();
    leaks.debug("TokenResponse", &ok);
    leaks.debug("AccessToken", ok.access_token());
    let bodies = [
        (
            200,
            Some("text/html"),
            format!("<html>session {TOKEN}</html>"),
        ),
        (
            200,
            Some("application/json"),
            format!(r#"{{"access_token":"{TOKEN}","instance_url":7}}"#),
        ),
        (
            200,
            Some("application/json"),
            format!(r#"{{"access_token":"{TOKEN}""#),
        ),
        (
            400,
            Some("application/json"),
            format!(r#"{{"error":"invalid_grant","error_description":"bad {TOKEN}"}}"#),
        ),
        (500, Some("text/plain"), format!("upstream said {TOKEN}")),
        (200, Some("text/plain"), TOKEN.to_owned()),
        (
            302,
            None,
            format!("Location: https://evil.example/?t={TOKEN}"),
        ),
    ];
    for (status, content_type, body) in &bodies {
        if let Err(err) = parse_token_response(&response(*status, *content_type, body), 1 << 20) {
            leaks.error(&format!("parse_token_response ({status})"), &err);
        }
    }

    // Exchange and manager errors, through a closure transport that answers with a token in
    // an unexpected place.
    let echo = |_req: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, Infallible> {
        Ok(response(200, Some("text/html"), &format!("<p>{TOKEN}</p>")))
    };
    let exchange_err = client.request_token(&echo).unwrap_err();
    leaks.error("ExchangeError", &exchange_err);
    let manager = TokenManager::new(support::client(), echo).with_retry(RetryPolicy::never());
    let manager_err = manager.token().unwrap_err();
    leaks.error("ManagerError", &manager_err);
    leaks.debug("TokenManager (failed)", &manager);
    let granted = Mutex::new(0);
    let good = move |_req: http::Request<Vec<u8>>| -> Result<http::Response<Vec<u8>>, Infallible> {
        *granted.lock().unwrap() += 1;
        Ok(response(200, Some("application/json"), &token_json(TOKEN)))
    };
    let manager = TokenManager::new(support::client(), good);
    let token = manager.token().unwrap();
    leaks.debug("Arc<TokenResponse> from manager", &token);
    leaks.debug("TokenManager (holding a token)", &manager);

    assert!(
        leaks.checked > 50,
        "only {} renderings checked",
        leaks.checked
    );
    println!(
        "secrets: {} renderings of core types checked against {} known secrets, none leaked",
        leaks.checked,
        leaks.secrets.len()
    );
}
