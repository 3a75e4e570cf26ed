//! Fuzz entry points for sfjwt-core, shared by the cargo-fuzz targets (`fuzz_targets/*.rs`,
//! nightly) and the corpus-replay test in the main workspace (`benches/tests/fuzz_corpus_replay.rs`,
//! stable), so CI runs every committed corpus file through exactly the code the fuzzer ran.
//!
//! Each entry point takes raw bytes and must never panic: a panic is a bug in sfjwt-core
//! (or an invariant below that does not hold). Structured targets decode the bytes with
//! `arbitrary::Unstructured`, which never fails on short input (it pads with zeros).
//!
//! Invariants checked besides "no panic":
//! - errors never echo a long run of the input (it may be key material);
//! - an endpoint that parses re-parses from its normalised form to the same endpoint;
//! - a token comes only from a 200 response, and round-trips through its cache JSON;
//! - an error message about a response carries no control or format character and stays
//!   under 4 KiB, whatever the body;
//! - a verified token's `nbf` and `iat` are not in the future;
//! - a key that loads has at least [`MIN_RSA_BITS`] bits and its `Debug` shows no key material;
//! - claims that build serialize to canonical JSON holding exactly what was put in;
//! - whatever the builder accepts, our signer signs and our verifier accepts (round trip).
#![forbid(unsafe_code)]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arbitrary::{Arbitrary, Unstructured};
use sfjwt_core::claims::{Audience, Claims, ClaimsError};
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::jws::{self, Verifier, verify_rs256_signature};
use sfjwt_core::key::{Certificate, MIN_RSA_BITS, Passphrase, PrivateKey, PublicKey};
use sfjwt_core::response::{DEFAULT_MAX_BODY, TokenResponse, is_unsafe_char, parse_token_response};

/// The one TEST-ONLY key every signing target uses (loaded once: RSA key checks are slow).
const TEST_KEY_PEM: &str = include_str!("../../testdata/keys/rsa2048.pkcs8.pem");

/// The fixed instant the KAT assertions were made for (their `exp` is 1_700_000_000).
const KAT_NOW: u64 = 1_699_999_940;

fn test_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| match PrivateKey::from_pem(TEST_KEY_PEM) {
        Ok(key) => key,
        Err(e) => unreachable!("testdata/keys/rsa2048.pkcs8.pem must load: {e}"),
    })
}

/// `seconds` after the Unix epoch; `None` past what `SystemTime` can hold (about 2^63 s).
fn checked_at(seconds: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

fn at(seconds: u64) -> SystemTime {
    checked_at(seconds).unwrap_or(UNIX_EPOCH)
}

fn check_loaded_key(key: &PrivateKey) {
    assert!(
        key.bits() >= MIN_RSA_BITS,
        "loaded a {}-bit key",
        key.bits()
    );
    let debug = format!("{key:?}");
    assert!(
        !debug.contains("BEGIN") && debug.len() < 200,
        "PrivateKey Debug leaks: {debug}"
    );
    let public = key.public_key();
    assert_eq!(public.bits(), key.bits());
}

/// The passphrase of the encrypted TEST-ONLY keys in `testdata/keys/`.
const TEST_PASSPHRASE: &str = "correct horse battery staple";

/// Private-key loading, every format, with and without passphrase. The first byte selects:
/// bit 0 — the fixed test passphrase is supplied; bit 1 — the bytes go through
/// `from_env_value` (the environment-variable unmangling path) instead of `from_bytes`.
pub fn private_key(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let passphrase = Passphrase::from(TEST_PASSPHRASE);
    let passphrase = (selector & 1 == 1).then_some(&passphrase);
    let loaded = if selector & 2 == 0 {
        PrivateKey::from_bytes(input, passphrase)
    } else {
        match std::str::from_utf8(input) {
            Ok(text) => PrivateKey::from_env_value(text, passphrase),
            Err(_) => return,
        }
    };
    match loaded {
        Ok(key) => check_loaded_key(&key),
        Err(e) => check_error_text(&e.to_string(), input),
    }
}

/// An error message must never echo a run of key material from the input. The probe is 24
/// bytes from the middle of the input, checked only when it looks like key material (base64
/// alphabet with digits): labels such as `BEGIN ENCRYPTED PRIVATE KEY` may be quoted.
fn check_error_text(message: &str, input: &[u8]) {
    let middle = input.len() / 2;
    let Some(window) = input.get(middle..middle.saturating_add(24)) else {
        return;
    };
    // Skip a probe that occurs on any `-----BEGIN LABEL-----` or RFC 1421 header
    // (`DEK-Info: ...`) line of the input: errors quote labels and cipher names on purpose,
    // and key material is only ever on base64 lines, which have neither `-----` nor `:`.
    let quotable = input
        .split(|&b| b == b'\n')
        .filter(|line| line.contains(&b':') || line.windows(5).any(|w| w == b"-----"))
        .any(|line| line.windows(window.len()).any(|w| w == window));
    if quotable {
        return;
    }
    let base64ish = window
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'));
    let has_digit = window.iter().any(u8::is_ascii_digit);
    if let (true, true, Ok(window)) = (base64ish, has_digit, std::str::from_utf8(window)) {
        assert!(
            !message.contains(window),
            "error message echoes key material: {message}"
        );
    }
}

/// Certificate and public-key loading (X.509 PEM/DER, SPKI / PKCS#1 public, detected).
pub fn public_key_cert(data: &[u8]) {
    match Certificate::from_bytes(data) {
        Ok(cert) => {
            let _ = cert.public_key().bits();
            let _ = (cert.not_before(), cert.not_after(), cert.subject());
            let _ = cert.is_valid_at(at(KAT_NOW));
            let _ = cert.is_pair_of(test_key());
        }
        Err(e) => check_error_text(&e.to_string(), data),
    }
    match PublicKey::from_bytes(data) {
        Ok(key) => assert!(key.modulus_len() * 8 >= key.bits()),
        Err(e) => check_error_text(&e.to_string(), data),
    }
}

/// Token-endpoint parsing: a URL, or (first byte odd) a My Domain name.
pub fn endpoint(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let parsed = if selector & 1 == 1 {
        TokenEndpoint::my_domain(text)
    } else {
        TokenEndpoint::parse(text)
    };
    let Ok(endpoint) = parsed else {
        return;
    };
    // Normalisation is idempotent and the token URL is built on the base.
    let again = match TokenEndpoint::parse(endpoint.base_url()) {
        Ok(again) => again,
        Err(e) => unreachable!(
            "normalised endpoint {:?} does not re-parse: {e}",
            endpoint.base_url()
        ),
    };
    assert_eq!(again.base_url(), endpoint.base_url());
    assert_eq!(again.host(), endpoint.host());
    assert_eq!(again.kind(), endpoint.kind());
    assert!(endpoint.token_url().starts_with(endpoint.base_url()));
    assert!(!endpoint.base_url().ends_with('/'));
    let scheme_ok =
        endpoint.base_url().starts_with("https://") || endpoint.base_url().starts_with("http://");
    assert!(scheme_ok, "endpoint scheme: {}", endpoint.base_url());
    let _ = endpoint.default_audience();
}

const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/json;charset=UTF-8"),
    Some("application/json"),
    Some("text/html; charset=utf-8"),
    Some("text/plain"),
    Some("application/x-www-form-urlencoded"),
];

/// Token / error response parsing: status × content type × body. Bytes 0–1: the status
/// (100–999 modulo); byte 2: the content type; the rest: the body.
pub fn response(data: &[u8]) {
    let Some(([hi, lo, ct], body)) = data.split_first_chunk::<3>() else {
        return;
    };
    let status = 100 + (u16::from_be_bytes([*hi, *lo]) % 900);
    let mut builder = http::Response::builder().status(status);
    if let Some(Some(content_type)) = CONTENT_TYPES.get(usize::from(*ct) % CONTENT_TYPES.len()) {
        builder = builder.header(http::header::CONTENT_TYPE, *content_type);
    }
    let Ok(response) = builder.body(body.to_vec()) else {
        return;
    };
    match parse_token_response(&response, DEFAULT_MAX_BODY) {
        Ok(token) => {
            assert_eq!(status, 200, "a token from a non-200 response");
            // The cache format round-trips.
            let json = token.to_json();
            match TokenResponse::from_json(json.as_bytes()) {
                Ok(again) => assert!(again.access_token().same_as(token.access_token())),
                Err(e) => unreachable!("TokenResponse::to_json does not re-parse: {e}"),
            }
            // `Debug` must hide the token. Only checkable when the token's text occurs once in
            // the body: a token that is also a prefix of the `id` URL legitimately shows there.
            let debug = format!("{token:?}");
            let secret = token.access_token().expose_secret().as_bytes();
            let occurrences = body
                .windows(secret.len().max(1))
                .filter(|w| *w == secret)
                .count();
            // Only token-shaped text (Salesforce session ids are `00D...!AQ...`): an arbitrary
            // string may coincide with `Debug`'s own punctuation and field names.
            let token_shaped = secret
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'!' | b'.' | b'_' | b'-'));
            if secret.len() >= 8 && occurrences == 1 && token_shaped {
                assert!(
                    !debug.as_bytes().windows(secret.len()).any(|w| w == secret),
                    "Debug shows the token"
                );
            }
        }
        Err(e) => {
            assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
            let _ = e.is_retryable();
            // Whatever the server sent, the message is one inert, bounded line.
            let shown = e.to_string();
            assert!(
                !shown.chars().any(is_unsafe_char),
                "error message carries a control or format character: {shown:?}"
            );
            assert!(
                shown.len() <= 4096,
                "error message of {} bytes",
                shown.len()
            );
        }
    }
    let _ = TokenResponse::from_json(body);
}

/// Compact-JWS parsing and strict verification against the test key's public half.
pub fn jws_verify(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let public = test_key().public_key();
    let verifier = Verifier::new(public.clone())
        .expect_issuer(
            "3MVG9Mr0NcAoghDKVHej_0PsPTo8o7161zVJ_iqrtWWvW8VvAmVG3upTH1tTwVWZ5EKFWIP.M4ahvhUqSkDWf",
        )
        .expect_audience(Audience::PRODUCTION_URL);
    if let Ok(verified) = verifier.verify(token, at(KAT_NOW)) {
        // Accepted: then the claims checks held and the signature verifies on its own.
        assert!(verified.expires_at() > KAT_NOW);
        assert!(verified.not_before().is_none_or(|nbf| nbf <= KAT_NOW));
        assert!(verified.issued_at().is_none_or(|iat| iat <= KAT_NOW));
        let accepted = token
            .rsplit_once('.')
            .is_some_and(|(input, _)| input.matches('.').count() == 1);
        assert!(
            accepted,
            "verifier accepted a token that is not three segments"
        );
    }
    // Unconfigured verifier and the bare signature layer on an arbitrary split.
    let _ = Verifier::new(public.clone()).verify(token, at(0));
    if let Some((input, signature)) = data.split_at_checked(data.len() / 2) {
        let _ = verify_rs256_signature(&public, input, signature);
    }
}

/// Arbitrary builder input: every setter with arbitrary strings and numbers.
#[derive(Arbitrary, Debug)]
struct ClaimsInput {
    client_id: Option<String>,
    username: Option<String>,
    audience: AudienceInput,
    lifetime_ms: Option<u64>,
    expires_at: Option<u64>,
    allow_long_lifetime: bool,
    now: u64,
}

#[derive(Arbitrary, Debug)]
enum AudienceInput {
    Default,
    Production,
    Sandbox,
    Parse(String),
}

fn build_claims(input: &ClaimsInput) -> Result<Claims, ClaimsError> {
    let mut builder = Claims::builder();
    if let Some(id) = &input.client_id {
        builder = builder.client_id(id.as_str());
    }
    if let Some(user) = &input.username {
        builder = builder.username(user.as_str());
    }
    builder = match &input.audience {
        AudienceInput::Default => builder,
        AudienceInput::Production => builder.audience(Audience::production()),
        AudienceInput::Sandbox => builder.audience(Audience::sandbox()),
        AudienceInput::Parse(url) => builder.audience(Audience::parse(url)?),
    };
    if let Some(ms) = input.lifetime_ms {
        builder = builder.lifetime(Duration::from_millis(ms));
    }
    if let Some(exp) = input.expires_at {
        builder = builder.expires_at(exp);
    }
    if input.allow_long_lifetime {
        builder = builder.allow_long_lifetime();
    }
    // A `now` that `SystemTime` cannot hold is not a time the builder can be given.
    let Some(now) = checked_at(input.now) else {
        return Err(ClaimsError::NowBeforeEpoch);
    };
    builder.build(now)
}

/// Checks that built claims hold exactly what went in, in canonical JSON (`sfjwt_core::claims::Claims::to_json`).
fn check_claims(input: &ClaimsInput, claims: &Claims) {
    assert_eq!(Some(claims.issuer()), input.client_id.as_deref());
    assert_eq!(Some(claims.subject()), input.username.as_deref());
    assert!(claims.expires_at() > input.now, "exp not after now");
    if let AudienceInput::Parse(url) = &input.audience {
        let _ = Audience::parse(claims.audience().as_str()).map(|again| {
            assert_eq!(
                again.as_str(),
                claims.audience().as_str(),
                "audience from {url:?}"
            );
        });
    }
    let json = claims.to_json();
    let parsed: serde_json::Value = match serde_json::from_slice(&json) {
        Ok(value) => value,
        Err(e) => unreachable!("claims JSON does not parse: {e}"),
    };
    assert_eq!(
        parsed.get("iss").and_then(serde_json::Value::as_str),
        Some(claims.issuer())
    );
    assert_eq!(
        parsed.get("sub").and_then(serde_json::Value::as_str),
        Some(claims.subject())
    );
    assert_eq!(
        parsed.get("aud").and_then(serde_json::Value::as_str),
        Some(claims.audience().as_str())
    );
    assert_eq!(
        parsed.get("exp").and_then(serde_json::Value::as_u64),
        Some(claims.expires_at())
    );
    assert_eq!(parsed.as_object().map(serde_json::Map::len), Some(4));
    assert!(json.starts_with(b"{\"iss\":\"") && json.ends_with(b"}"));
    let exp_tail = format!(",\"exp\":{}}}", claims.expires_at());
    assert!(
        json.ends_with(exp_tail.as_bytes()),
        "exp not last or not an integer"
    );
    let input = jws::signing_input(claims);
    assert!(input.starts_with("eyJhbGciOiJSUzI1NiJ9."));
}

/// Claim validation: the builder with arbitrary strings and numbers.
pub fn claims(data: &[u8]) {
    let Ok(input) = ClaimsInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    match build_claims(&input) {
        Ok(claims) => check_claims(&input, &claims),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// Structured round trip: build arbitrary claims, sign them with the test key, verify strictly.
pub fn sign_verify(data: &[u8]) {
    let Ok(input) = ClaimsInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let Ok(claims) = build_claims(&input) else {
        return;
    };
    let key = test_key();
    let assertion = match jws::sign(&claims, key) {
        Ok(assertion) => assertion,
        Err(e) => unreachable!("signing with a valid key failed: {e}"),
    };
    let token = assertion.expose_secret();
    let verified = Verifier::new(key.public_key())
        .expect_issuer(claims.issuer())
        .expect_audience(claims.audience().as_str())
        .verify(token, at(input.now));
    match verified {
        Ok(v) => {
            assert_eq!(v.issuer(), claims.issuer());
            assert_eq!(v.subject(), claims.subject());
            assert_eq!(v.expires_at(), claims.expires_at());
            assert_eq!(v.audiences(), [claims.audience().as_str().to_owned()]);
        }
        Err(e) => unreachable!("our verifier rejected our own assertion: {e:?}"),
    }
}

/// The JKS writer (`sfjwt_keys::jks::encode`) against the independent reader of
/// `sfjwt_test_support::jks`. The bytes are decoded as: alias length (1 byte) and alias
/// (lossy UTF-8), password length (1 byte) and password (lossy UTF-8), chain length (1 byte,
/// taken mod 4) and each certificate (2-byte big-endian length, bytes), creation date (8 bytes,
/// signed milliseconds, mod 10^15), salt (20 bytes), and the rest as the "PKCS#8" key. Missing
/// bytes read as zeros.
///
/// Invariants: the writer never panics; it refuses exactly an empty or non-lower-case alias
/// ([`JksError::Alias`]), an empty chain ([`JksError::EmptyChain`]) and strings over 65 535
/// modified-UTF-8 bytes; whatever it writes, the reader gets back exactly, with the password
/// and not without it.
pub fn jks_writer(data: &[u8]) {
    use sfjwt_keys::jks::{self, JksError, KeyEntry};
    use sfjwt_test_support::jks::{Entry, read};

    let mut input = Bytes(data);
    let alias = input.text();
    let password = input.text();
    let chain: Vec<Vec<u8>> = (0..input.byte() % 4)
        .map(|_| {
            let len = u16::from_be_bytes([input.byte(), input.byte()]);
            input.take(usize::from(len)).to_vec()
        })
        .collect();
    let millis = i64::from_be_bytes(std::array::from_fn(|_| input.byte())) % 1_000_000_000_000_000;
    let salt: [u8; jks::SALT_LEN] = std::array::from_fn(|_| input.byte());
    let pkcs8 = input.0;
    let offset = Duration::from_millis(millis.unsigned_abs());
    let created = if millis < 0 {
        UNIX_EPOCH.checked_sub(offset)
    } else {
        UNIX_EPOCH.checked_add(offset)
    };
    let Some(created) = created else {
        return;
    };
    let entry = KeyEntry {
        alias: &alias,
        created,
        pkcs8,
        chain: &chain,
    };
    match jks::encode(&entry, &password, &salt) {
        Ok(bytes) => {
            let expected = Entry::PrivateKey {
                alias: alias.clone(),
                created_millis: millis,
                pkcs8: pkcs8.to_vec(),
                chain: chain
                    .iter()
                    .map(|der| ("X.509".to_owned(), der.clone()))
                    .collect(),
            };
            assert_eq!(read(&bytes, &password), Ok(vec![expected]));
            assert!(read(&bytes, &format!("{password}!")).is_err());
        }
        Err(JksError::Alias) => assert!(alias.is_empty() || alias.to_lowercase() != alias),
        Err(JksError::EmptyChain) => assert!(chain.is_empty()),
        // Unreachable with one-byte lengths, but a typed refusal is never a bug.
        Err(JksError::StringTooLong | JksError::TooLarge { .. }) => {}
        Err(other) => unreachable!("unexpected JKS error {other:?}"),
    }
}

/// The JKS target's input, read front to back; zeros once it runs out.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    /// A length byte, then that many bytes as lossy UTF-8.
    fn text(&mut self) -> String {
        let len = usize::from(self.byte());
        String::from_utf8_lossy(self.take(len)).into_owned()
    }
}
