//! `Pkcs11Signer` against a real PKCS#11 module: SoftHSM2, one private token per test (see
//! `softhsm/mod.rs`). Keys from `testdata/` imported into the token sign byte-for-byte what
//! the file key signs (the core's known-answer vectors), a key generated inside the token
//! signs and verifies, the whole grant works against the emulator, and every failure named
//! in the crate's docs is reported as such.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::{kat as kat_vectors, org, testdata as common};

use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::Attribute;
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use sfjwt_core::claims::Claims;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::jws::{self, Signer as _, Verifier};
use sfjwt_core::key::{Certificate, CertificateSpec, self_signed_certificate};
use sfjwt_emulator::Emulator;
use sfjwt_pkcs11::{Pin, Pkcs11Error, Pkcs11Signer, Pkcs11Uri, RsaMechanism};
use sfjwt_test_support::softhsm::{self, Hsm, Token, with_token};

const CLIENT_ID: &str = "3MVG9_pkcs11_test_app";
const USERNAME: &str = "etl@acme.com";

fn open(uri: &str) -> Pkcs11Signer {
    Pkcs11Signer::open(&uri.parse().unwrap()).unwrap()
}

fn open_err(uri: &str) -> Pkcs11Error {
    match Pkcs11Signer::open(&uri.parse().unwrap()) {
        Ok(signer) => panic!("expected an error, opened {signer:?}"),
        Err(e) => e,
    }
}

/// The test keys the KAT vectors use, imported under their size as label.
fn import_kat_keys(token: &Token) {
    token.import("keys/rsa2048.pkcs8.pem", "rsa2048", "01");
    token.import("keys/rsa3072.pkcs8.pem", "rsa3072", "02");
    token.import("keys/rsa4096.pkcs8.pem", "rsa4096", "03");
    token.import("keys/rfc7515-a2.pem", "rfc7515-a2", "04");
}

fn label_for(key_file: &str) -> &'static str {
    for label in ["rsa2048", "rsa3072", "rsa4096", "rfc7515-a2"] {
        if key_file.contains(label) {
            return label;
        }
    }
    panic!("no imported key for {key_file}")
}

#[test]
fn imported_keys_sign_the_kat_vectors_byte_for_byte() {
    with_token(
        "imported_keys_sign_the_kat_vectors_byte_for_byte",
        import_kat_keys,
        |hsm| {
            let vectors = kat_vectors::assertion_vectors();
            assert!(vectors.len() > 30);
            let mut signed = 0;
            for mechanism in [RsaMechanism::Sha256RsaPkcs, RsaMechanism::RsaPkcs] {
                for label in ["rsa2048", "rsa3072", "rsa4096", "rfc7515-a2"] {
                    let uri: Pkcs11Uri = hsm.uri(label).parse().unwrap();
                    let signer = Pkcs11Signer::open_with_mechanism(&uri, mechanism).unwrap();
                    assert_eq!(signer.mechanism(), mechanism);
                    for v in vectors.iter().filter(|v| label_for(&v.key) == label) {
                        // Every vector's signature, from its signing input...
                        let (input, signature) = v.jwt.rsplit_once('.').unwrap();
                        let ours = signer.sign_rs256(input.as_bytes()).unwrap();
                        assert_eq!(URL_SAFE_NO_PAD.encode(ours), signature, "{}", v.name);
                        signed += 1;
                        // ...and the whole assertion from the claims, where the builder
                        // accepts them (some vectors are policy refusals).
                        if let Ok(claims) = kat_vectors::build_claims(v) {
                            let jwt = jws::sign(&claims, &signer).unwrap();
                            assert_eq!(jwt.expose_secret(), v.jwt, "{} via {mechanism:?}", v.name);
                            let file = jws::sign(&claims, &common::private_key(&v.key)).unwrap();
                            assert_eq!(jwt.expose_secret(), file.expose_secret());
                        }
                    }
                }
            }
            assert_eq!(
                signed,
                2 * vectors.len(),
                "every vector, with both mechanisms"
            );
        },
    );
}

#[test]
fn the_default_mechanism_is_sha256_rsa_pkcs() {
    with_token(
        "the_default_mechanism_is_sha256_rsa_pkcs",
        |t| t.import("keys/rsa2048.pkcs8.pem", "jwt", "01"),
        |hsm| {
            let signer = open(&hsm.uri("jwt"));
            assert_eq!(signer.mechanism(), RsaMechanism::Sha256RsaPkcs);
            assert_eq!(signer.bits(), 2048);
            assert_eq!(signer.token_label(), softhsm::TOKEN);
            assert_eq!(
                signer.public_key(),
                &common::private_key("keys/rsa2048.pkcs8.pem").public_key()
            );
        },
    );
}

/// Generates an RSA key pair inside the token, unextractable, as an admin would.
fn generate_in_token(hsm: &Hsm, label: &str, bits: u64) {
    let module = Pkcs11::new(softhsm::module_path()).unwrap();
    // Already initialized is fine: the signer may have loaded the module first.
    let _ = module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = module
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| module.get_token_info(*s).unwrap().label() == softhsm::TOKEN)
        .unwrap();
    let session = module.open_rw_session(slot).unwrap();
    session
        .login(
            UserType::User,
            Some(&AuthPin::from(softhsm::PIN.to_owned())),
        )
        .unwrap();
    let id = vec![0x42];
    session
        .generate_key_pair(
            &Mechanism::RsaPkcsKeyPairGen,
            &[
                Attribute::Token(true),
                Attribute::ModulusBits(bits.into()),
                Attribute::PublicExponent(vec![1, 0, 1]),
                Attribute::Verify(true),
                Attribute::Label(label.as_bytes().to_vec()),
                Attribute::Id(id.clone()),
            ],
            &[
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Sign(true),
                Attribute::Label(label.as_bytes().to_vec()),
                Attribute::Id(id),
            ],
        )
        .unwrap();
    let _ = hsm;
}

#[test]
fn a_key_generated_in_the_token_signs_verifies_and_certifies() {
    with_token(
        "a_key_generated_in_the_token_signs_verifies_and_certifies",
        |_| {},
        |hsm| {
            generate_in_token(hsm, "born-here", 2048);
            let signer = open(&hsm.uri("born-here"));
            let now = SystemTime::now();
            let claims = Claims::builder()
                .client_id(CLIENT_ID)
                .username(USERNAME)
                .build(now)
                .unwrap();
            let jwt = jws::sign(&claims, &signer).unwrap();
            let verified = Verifier::new(signer.public_key().clone())
                .verify(jwt.expose_secret(), now)
                .unwrap();
            assert_eq!(verified.subject(), USERNAME);

            // The certificate for the connected app, signed by the token.
            let pem = self_signed_certificate(
                &signer,
                signer.public_key(),
                &CertificateSpec::new("sfjwt pkcs11 test"),
                now,
            )
            .unwrap();
            let cert = Certificate::from_pem(&pem).unwrap();
            assert_eq!(cert.public_key(), signer.public_key());
            assert_eq!(cert.subject(), "CN=sfjwt pkcs11 test");
            assert!(cert.is_valid_at(now));
        },
    );
}

fn emulator_with(cert_pem: &str) -> Emulator {
    org::one_app_org(CLIENT_ID, cert_pem, USERNAME)
}

#[test]
fn grants_against_the_emulator_sync_and_async() {
    with_token(
        "grants_against_the_emulator_sync_and_async",
        |t| t.import("keys/rsa2048.pkcs8.pem", "jwt", "01"),
        |hsm| {
            let sf =
                emulator_with(&String::from_utf8(common::read("keys/rsa2048.crt.pem")).unwrap());
            let endpoint = TokenEndpoint::parse(sf.base_url()).unwrap();
            let signer = Arc::new(open(&hsm.uri("jwt")));

            // Blocking: the signer as a `Signer`.
            let client = JwtBearer::builder()
                .endpoint(endpoint.clone())
                .client_id(CLIENT_ID)
                .username(USERNAME)
                .signer(Arc::clone(&signer) as Arc<dyn jws::Signer + Send + Sync>)
                .build();
            let token = sfjwt_ureq::request_token(&client).unwrap();
            assert!(token.user_id().is_some());

            // Async: the same signer as an `AsyncSigner`, through the async manager.
            let client = JwtBearer::builder()
                .endpoint(endpoint)
                .client_id(CLIENT_ID)
                .username(USERNAME)
                .async_signer(signer)
                .build();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let token = runtime
                .block_on(sfjwt_reqwest::SharedTokenManager::new(client).token())
                .unwrap();
            assert!(token.user_id().is_some());
            assert_eq!(sf.grant_count(), 2);
        },
    );
}

#[test]
fn sessions_are_shared_safely_across_threads() {
    with_token(
        "sessions_are_shared_safely_across_threads",
        |t| t.import("keys/rsa2048.pkcs8.pem", "jwt", "01"),
        |hsm| {
            let signer = Arc::new(open(&hsm.uri("jwt")));
            let expected = common::private_key("keys/rsa2048.pkcs8.pem")
                .sign_rs256(b"same input")
                .unwrap();
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let signer = Arc::clone(&signer);
                    std::thread::spawn(move || {
                        (0..10)
                            .map(|_| signer.sign_rs256(b"same input").unwrap())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for thread in threads {
                for signature in thread.join().unwrap() {
                    assert_eq!(signature, expected);
                }
            }
        },
    );
}

// --- every failure, named ---

#[test]
fn missing_module() {
    let e = open_err("pkcs11:token=x;object=y?module-path=/nonexistent/libnothing.so&pin-value=1");
    assert!(matches!(e, Pkcs11Error::ModuleNotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/libnothing.so"), "{e}");

    let e = open_err("pkcs11:token=x;object=y?pin-value=1");
    assert!(matches!(e, Pkcs11Error::NoModulePath), "{e:?}");

    // A file that is not a PKCS#11 module.
    let not_a_module = softhsm::testdata("keys/rsa2048.pkcs8.pem");
    let e = open_err(&format!(
        "pkcs11:token=x?module-path={}",
        not_a_module.display()
    ));
    assert!(matches!(e, Pkcs11Error::ModuleLoad { .. }), "{e:?}");
}

#[test]
fn missing_token() {
    with_token(
        "missing_token",
        |_| {},
        |hsm| {
            let uri = hsm
                .uri("jwt")
                .replace("token=sfjwt-test", "token=no-such-token");
            let e = open_err(&uri);
            assert!(matches!(e, Pkcs11Error::TokenNotFound { .. }), "{e:?}");
            let message = e.to_string();
            assert!(message.contains("no-such-token"), "{message}");
            assert!(
                message.contains("sfjwt-test"),
                "lists the tokens present: {message}"
            );
        },
    );
}

#[test]
fn missing_key() {
    with_token(
        "missing_key",
        |t| t.import("keys/rsa2048.pkcs8.pem", "jwt", "01"),
        |hsm| {
            let e = open_err(&hsm.uri("no-such-key"));
            assert!(
                matches!(
                    e,
                    Pkcs11Error::KeyNotFound {
                        logged_in: true,
                        ..
                    }
                ),
                "{e:?}"
            );
            assert!(
                e.to_string().contains("\"jwt (id 01)\""),
                "lists the keys: {e}"
            );

            // Without a PIN the private key is invisible: the message says to add one.
            let e = open_err(&hsm.uri_without_pin("jwt"));
            assert!(
                matches!(
                    e,
                    Pkcs11Error::KeyNotFound {
                        logged_in: false,
                        ..
                    }
                ),
                "{e:?}"
            );
            assert!(e.to_string().contains("pin-source"), "{e}");
        },
    );
}

#[test]
fn wrong_pin() {
    with_token(
        "wrong_pin",
        |t| t.import("keys/rsa2048.pkcs8.pem", "jwt", "01"),
        |hsm| {
            let uri = hsm.uri_without_pin("jwt") + "&pin-value=0000";
            let e = open_err(&uri);
            assert!(matches!(e, Pkcs11Error::WrongPin), "{e:?}");
            // Neither the PIN tried nor the right one appears anywhere.
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains("0000") && !shown.contains(softhsm::PIN),
                "{shown}"
            );

            let missing_file = hsm.uri("jwt").replace("/pin", "/no-pin-file");
            let e = open_err(&missing_file);
            assert!(matches!(e, Pkcs11Error::PinFile { .. }), "{e:?}");
        },
    );
}

#[test]
fn non_rsa_key() {
    with_token(
        "non_rsa_key",
        |t| t.import("keys/ec-p256.pkcs8.pem", "ec", "07"),
        |hsm| {
            let e = open_err(&hsm.uri("ec"));
            assert!(matches!(e, Pkcs11Error::NotRsa { .. }), "{e:?}");
            assert!(e.to_string().contains("not RSA"), "{e}");
        },
    );
}

#[test]
fn key_under_2048_bits() {
    with_token(
        "key_under_2048_bits",
        |t| t.import("keys/rsa1024.pkcs8.pem", "small", "08"),
        |hsm| {
            let e = open_err(&hsm.uri("small"));
            assert!(
                matches!(e, Pkcs11Error::KeyTooSmall { bits: 1024 }),
                "{e:?}"
            );
            assert!(e.to_string().contains("2048"), "{e}");
        },
    );
}

#[test]
fn ambiguous_key() {
    with_token(
        "ambiguous_key",
        |t| {
            t.import("keys/rsa2048.pkcs8.pem", "twin", "01");
            t.import("keys/other2048.pkcs8.pem", "twin", "02");
        },
        |hsm| {
            let e = open_err(&hsm.uri("twin"));
            assert!(
                matches!(e, Pkcs11Error::KeyAmbiguous { count: 2, .. }),
                "{e:?}"
            );
            // id= settles it.
            let uri = hsm.uri("twin").replace("object=twin", "object=twin;id=%02");
            let signer = open(&uri);
            assert_eq!(
                signer.public_key(),
                &common::private_key("keys/other2048.pkcs8.pem").public_key()
            );
        },
    );
}

#[test]
fn the_pin_never_shows() {
    let uri: Pkcs11Uri = "pkcs11:token=t;object=k?module-path=/x.so&pin-value=7355608"
        .parse()
        .unwrap();
    assert!(!format!("{uri:?}").contains("7355608"));
    let uri = uri.with_pin(Pin::new("7355608"));
    assert!(!format!("{uri:?}").contains("7355608"));
    assert_eq!(format!("{:?}", Pin::new("7355608")), "Pin([redacted])");
}
