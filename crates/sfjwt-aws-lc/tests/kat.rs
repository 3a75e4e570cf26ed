//! The same known-answer tests the core passes (`crates/sfjwt-core/tests/kat.rs`), signed by
//! aws-lc: byte-for-byte equal to OpenSSL / `cryptography` / PyJWT, and RFC 7515 A.2.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

// The core's test helpers and vectors: every signer is held to exactly the same KATs.
use sfjwt_test_support::{kat as kat_vectors, testdata as common};

use kat_vectors::{assertion_vectors, build_claims, now_for};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sfjwt_aws_lc::{AwsLcKeyError, AwsLcSigner, Signer as _};
use sfjwt_core::jws::{self, Verifier, verify_rs256_signature};
use sfjwt_core::key::PrivateKey;

fn read(relative: &str) -> Vec<u8> {
    common::read(relative)
}

fn signer(relative: &str) -> AwsLcSigner {
    let bytes = read(relative);
    if relative.ends_with(".der") {
        AwsLcSigner::from_der(&bytes).unwrap()
    } else {
        AwsLcSigner::from_pem(std::str::from_utf8(&bytes).unwrap()).unwrap()
    }
}

/// The core's loader, used only for the public half (to verify).
fn core_key(relative: &str) -> PrivateKey {
    common::private_key(relative)
}

#[test]
fn rfc7515_appendix_a2_signature() {
    let vector = kat_vectors::rfc7515_a2();
    let signer = signer(&vector.key);
    let expected = URL_SAFE_NO_PAD.decode(&vector.signature_b64url).unwrap();
    let signature = signer.sign_rs256(vector.signing_input.as_bytes()).unwrap();
    assert_eq!(signature, expected, "RFC 7515 A.2 signature differs");
    verify_rs256_signature(
        &core_key(&vector.key).public_key(),
        vector.signing_input.as_bytes(),
        &signature,
    )
    .unwrap();
    println!("KAT (aws-lc): RFC 7515 Appendix A.2 RS256 signature matched");
}

#[test]
fn assertions_match_independent_tools() {
    let vectors = assertion_vectors();
    let mut signed = 0;
    let mut skipped = Vec::new();
    let mut key_sizes = std::collections::BTreeSet::new();
    for v in &vectors {
        // Vectors the builder refuses (policy) are the core's business, not the signer's.
        let Ok(claims) = build_claims(v) else {
            skipped.push(v.name.as_str());
            continue;
        };
        let signer = signer(&v.key);
        let jwt = jws::sign(&claims, &signer).unwrap();
        assert_eq!(
            jwt.expose_secret(),
            v.jwt,
            "{} ({}): compact JWS signed by aws-lc differs",
            v.name,
            v.made_with
        );
        let now = now_for(v);
        Verifier::new(core_key(&v.key).public_key())
            .expect_issuer(&v.iss)
            .expect_audience(&v.aud)
            .verify(jwt.expose_secret(), now)
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        key_sizes.insert(signer.bits());
        signed += 1;
    }
    assert!(
        signed >= 24,
        "need at least 24 signing vectors, have {signed}"
    );
    assert!(
        key_sizes.len() >= 3,
        "signing vectors must cover 2048/3072/4096: {key_sizes:?}"
    );
    println!(
        "KAT (aws-lc): {signed} assertions byte-for-byte equal to openssl/cryptography/PyJWT \
         (key sizes {key_sizes:?}); {} policy-refused vectors left out: {skipped:?}",
        skipped.len()
    );
}

#[test]
fn same_signature_as_the_default_signer_for_every_key_form() {
    let input = b"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0";
    let reference = core_key("keys/rsa2048.pkcs8.pem")
        .sign_rs256(input)
        .unwrap();
    for form in [
        "keys/rsa2048.pkcs8.pem",
        "keys/rsa2048.pkcs1.pem",
        "keys/rsa2048.pkcs8.der",
        "keys/rsa2048.pkcs1.der",
    ] {
        assert_eq!(signer(form).sign_rs256(input).unwrap(), reference, "{form}");
    }
}

#[test]
fn refuses_what_it_cannot_sign_with_typed_errors() {
    let pem = |p: &str| String::from_utf8(read(p)).unwrap();
    assert!(matches!(
        AwsLcSigner::from_pem(&pem("keys/rsa1024.pkcs8.pem")),
        Err(AwsLcKeyError::TooSmall { .. })
    ));
    assert!(matches!(
        AwsLcSigner::from_pem(&pem("keys/rsa2048.pkcs8.pbkdf2-aes256.pem")),
        Err(AwsLcKeyError::Encrypted)
    ));
    assert!(matches!(
        AwsLcSigner::from_pem(&pem("keys/rsa2048.legacy-aes256.pem")),
        Err(AwsLcKeyError::Encrypted)
    ));
    assert!(matches!(
        AwsLcSigner::from_pem(&pem("keys/ec-p256.pkcs8.pem")),
        Err(AwsLcKeyError::Rejected { .. })
    ));
    assert_eq!(
        AwsLcSigner::from_pem(&pem("keys/rsa2048.crt.pem")).unwrap_err(),
        AwsLcKeyError::UnsupportedPemLabel {
            label: "CERTIFICATE".into()
        }
    );
    assert_eq!(
        AwsLcSigner::from_pem("not a key").unwrap_err(),
        AwsLcKeyError::NotPem
    );
    assert!(matches!(
        AwsLcSigner::from_der(b"\x30\x03\x02\x01\x00"),
        Err(AwsLcKeyError::Rejected { .. })
    ));
    let e = AwsLcSigner::from_pem(&pem("keys/rsa1024.pkcs8.pem")).unwrap_err();
    assert!(e.to_string().contains("2048"), "{e}");
}

#[test]
fn debug_and_errors_never_show_key_material() {
    let text = String::from_utf8(read("keys/rsa2048.pkcs8.pem")).unwrap();
    let body_line = text.lines().nth(1).unwrap();
    let signer = AwsLcSigner::from_pem(&text).unwrap();
    let debug = format!("{signer:?}");
    assert_eq!(debug, "AwsLcSigner { bits: 2048, .. }");
    // A corrupted key: the error must not echo any of its base64.
    let broken = text.replacen(body_line, &body_line[..40], 1);
    let err = AwsLcSigner::from_pem(&broken).unwrap_err();
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(&body_line[..16]), "{shown}");
    }
}
