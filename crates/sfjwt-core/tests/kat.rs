//! Known-answer tests: sfjwt's output must equal, byte for byte, what independent tools
//! (OpenSSL, Python `cryptography`, PyJWT) produced for the same key and claims, and the
//! RS256 example of RFC 7515 Appendix A.2. How each vector was made: `testdata/README.md`.

use sfjwt_test_support::{kat as kat_vectors, testdata as common};

use kat_vectors::{assertion_vectors, build_claims, now_for};

use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sfjwt_core::claims::ClaimsError;
use sfjwt_core::jws::{self, Signer as _, Verifier, VerifyError, verify_rs256_signature};

#[test]
fn rfc7515_appendix_a2_signature() {
    let vector = kat_vectors::rfc7515_a2();
    let key = common::private_key(&vector.key);
    let expected = URL_SAFE_NO_PAD.decode(&vector.signature_b64url).unwrap();

    let signature = key.sign_rs256(vector.signing_input.as_bytes()).unwrap();
    assert_eq!(signature, expected, "RFC 7515 A.2 signature differs");
    verify_rs256_signature(
        &key.public_key(),
        vector.signing_input.as_bytes(),
        &expected,
    )
    .unwrap();
    println!("KAT: RFC 7515 Appendix A.2 RS256 signature matched");
}

/// Vectors whose claims Salesforce would refuse: sfjwt must refuse to *build* them (with the
/// named error) yet still *verify* them, since they are validly signed.
fn expected_refusal(name: &str) -> Option<fn(&ClaimsError) -> bool> {
    let rule: fn(&ClaimsError) -> bool = match name {
        "rsa2048-custom-https-aud-port-path-query" => {
            |e| matches!(e, ClaimsError::AudienceMalformed { .. })
        }
        "rsa2048-exp-253402300799-year-9999" => {
            |e| matches!(e, ClaimsError::ExpiryLooksLikeMilliseconds { .. })
        }
        "rsa2048-sub-u2028-and-del-raw" | "rsa2048-sub-control-chars-escaped" => {
            |e| matches!(e, ClaimsError::InvalidCharacter { .. })
        }
        _ => return None,
    };
    Some(rule)
}

#[test]
fn assertions_match_independent_tools() {
    let vectors = assertion_vectors();
    let mut signed = 0;
    let mut refused = 0;
    let mut key_sizes = std::collections::BTreeSet::new();
    for v in &vectors {
        let key = common::private_key(&v.key);
        let now = now_for(v);
        let verified = Verifier::new(key.public_key())
            .expect_issuer(&v.iss)
            .expect_audience(&v.aud)
            .verify(&v.jwt, now)
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(verified.subject(), v.sub, "{}", v.name);
        assert_eq!(verified.expires_at(), v.exp, "{}", v.name);

        if let Some(is_expected) = expected_refusal(&v.name) {
            let err = build_claims(v).expect_err(&v.name);
            assert!(
                is_expected(&err),
                "{}: refused with the wrong error: {err:?}",
                v.name
            );
            refused += 1;
            continue;
        }
        let claims = build_claims(v).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(
            claims.audience().as_str(),
            v.aud,
            "{}: audience must round-trip",
            v.name
        );
        let (expected_input, _) = v.jwt.rsplit_once('.').unwrap();
        assert_eq!(
            jws::signing_input(&claims),
            expected_input,
            "{}: signing input differs",
            v.name
        );
        let jwt = jws::sign(&claims, &key).unwrap();
        assert_eq!(
            jwt.expose_secret(),
            v.jwt,
            "{} ({}): compact JWS differs",
            v.name,
            v.made_with
        );
        key_sizes.insert(key.bits());
        signed += 1;
    }
    assert!(
        signed >= 24,
        "need at least 24 signing vectors, have {signed}"
    );
    // My Domain audiences (External Client Apps since Spring '26) sign byte-exactly like any
    // other: production, sandbox, Developer Edition and Government Cloud Plus.
    let my_domain: Vec<&str> = vectors
        .iter()
        .filter(|v| v.aud.contains(".my.salesforce."))
        .map(|v| v.name.as_str())
        .collect();
    assert!(
        my_domain.len() >= 5 && my_domain.iter().all(|n| expected_refusal(n).is_none()),
        "My Domain vectors must all sign: {my_domain:?}"
    );
    assert!(
        key_sizes.len() >= 3,
        "signing vectors must cover 2048/3072/4096: {key_sizes:?}"
    );
    println!(
        "KAT: {signed} assertions signed byte-for-byte equal to openssl/cryptography/PyJWT \
         (key sizes {key_sizes:?}); {refused} policy-refused vectors verified and refused with \
         the expected error; with RFC 7515 A.2: {} signing known answers",
        signed + 1
    );
}

#[derive(Deserialize)]
struct WrongSignature {
    name: String,
    key: String,
    jwt: String,
}

#[test]
fn independently_altered_tokens_are_rejected() {
    let vectors: Vec<WrongSignature> =
        serde_json::from_slice(&common::read("kat/wrong-signatures.json")).unwrap();
    assert!(!vectors.is_empty());
    let now = UNIX_EPOCH + Duration::from_secs(1);
    for v in &vectors {
        let key = common::private_key(&v.key);
        let err = Verifier::new(key.public_key())
            .verify(&v.jwt, now)
            .expect_err(&v.name);
        assert_eq!(err, VerifyError::BadSignature, "{}", v.name);
    }
    println!(
        "KAT: {} independently altered tokens rejected as BadSignature",
        vectors.len()
    );
}

#[test]
fn altered_vectors_are_rejected() {
    for v in assertion_vectors().iter().take(6) {
        let key = common::private_key(&v.key);
        let now = now_for(v);
        let verifier = Verifier::new(key.public_key());
        let (input, signature) = v.jwt.rsplit_once('.').unwrap();
        let mut sig = URL_SAFE_NO_PAD.decode(signature).unwrap();
        sig[7] ^= 0x10;
        let forged = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig));
        assert!(verifier.verify(&forged, now).is_err(), "{}", v.name);
    }
}
