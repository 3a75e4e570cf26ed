//! Strict verification: one test per refusal, each asserting the specific error.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::testdata as common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use sfjwt_core::jws::{Segment, Signer as _, Verifier, VerifyError};
use sfjwt_core::key::PrivateKey;

const CLAIMS: &str = r#"{"iss":"3MVG9x","sub":"u@example.com","aud":"https://login.salesforce.com","exp":1700000180}"#;

fn key() -> PrivateKey {
    common::private_key("keys/rsa2048.pkcs8.pem")
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// Signs arbitrary header and claims bytes, so tests can craft what sfjwt would never emit.
fn token(key: &PrivateKey, header: &str, claims: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let sig = key.sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn verify(token: &str) -> Result<sfjwt_core::jws::VerifiedClaims, VerifyError> {
    Verifier::new(key().public_key()).verify(token, at(1_700_000_000))
}

#[test]
fn accepts_a_good_token_and_keeps_unknown_fields() {
    let claims = r#"{"iss":"3MVG9x","sub":"u@example.com","aud":["https://a.example","https://login.salesforce.com"],"exp":1700000180,"jti":"x"}"#;
    let t = token(&key(), r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#, claims);
    let v = Verifier::new(key().public_key())
        .expect_issuer("3MVG9x")
        .expect_audience("https://login.salesforce.com")
        .verify(&t, at(1_700_000_000))
        .unwrap();
    assert_eq!(v.audiences().len(), 2);
    assert_eq!(v.all()["jti"], "x");
    assert_eq!(v.header()["kid"], "k1");
}

#[test]
fn size_and_shape() {
    assert_eq!(verify(""), Err(VerifyError::Empty));
    let huge = "a".repeat(2 * 1024 * 1024);
    assert_eq!(
        verify(&huge),
        Err(VerifyError::TooLong {
            len: huge.len(),
            max: 16 * 1024
        })
    );
    assert_eq!(verify("a.b"), Err(VerifyError::SegmentCount { found: 2 }));
    assert_eq!(
        verify("a.b.c.d.e"),
        Err(VerifyError::SegmentCount { found: 5 })
    );
    assert_eq!(verify("abc"), Err(VerifyError::SegmentCount { found: 1 }));
    let t = token(&key(), r#"{"alg":"RS256"}"#, CLAIMS);
    let small = Verifier::new(key().public_key())
        .max_token_len(10)
        .verify(&t, at(0));
    assert!(matches!(small, Err(VerifyError::TooLong { max: 10, .. })));
}

#[test]
fn non_canonical_base64_is_refused_in_every_part() {
    let good = token(&key(), r#"{"alg":"RS256"}"#, CLAIMS);
    let parts: Vec<&str> = good.split('.').collect();
    for (index, segment) in [
        (0, Segment::Header),
        (1, Segment::Claims),
        (2, Segment::Signature),
    ] {
        let raw = URL_SAFE_NO_PAD.decode(parts[index]).unwrap();
        let spellings = [
            URL_SAFE.encode(&raw)
                + if URL_SAFE.encode(&raw).ends_with('=') {
                    ""
                } else {
                    "="
                },
            STANDARD.encode(&raw),
            format!(" {}", parts[index]),
            format!("{}\n", parts[index]),
        ];
        for bad in spellings {
            if bad == parts[index] {
                continue;
            }
            let mut p = parts.clone();
            p[index] = &bad;
            let err = verify(&p.join(".")).unwrap_err();
            assert!(
                err == VerifyError::Base64 { segment } || matches!(err, VerifyError::BadSignature),
                "{segment}: {bad:?} gave {err:?}"
            );
        }
    }
    // Non-zero trailing bits: "eyJ" + 2 chars whose last char carries unused set bits.
    let t = token(&key(), r#"{"alg":"RS256"}"#, CLAIMS);
    let mut p: Vec<String> = t.split('.').map(str::to_owned).collect();
    // The header encodes 15 bytes = 20 chars exactly, so append a padding-like tail instead.
    p[0].push('Q');
    assert_eq!(
        verify(&p.join(".")),
        Err(VerifyError::Base64 {
            segment: Segment::Header
        })
    );
}

#[test]
fn header_rules() {
    let k = key();
    let cases = [
        (
            r#"{"alg":"none"}"#,
            VerifyError::UnsupportedAlgorithm { alg: "none".into() },
        ),
        (
            r#"{"alg":"HS256"}"#,
            VerifyError::UnsupportedAlgorithm {
                alg: "HS256".into(),
            },
        ),
        (
            r#"{"alg":"RS512"}"#,
            VerifyError::UnsupportedAlgorithm {
                alg: "RS512".into(),
            },
        ),
        (
            r#"{"alg":"rs256"}"#,
            VerifyError::UnsupportedAlgorithm {
                alg: "rs256".into(),
            },
        ),
        (
            r#"{"alg":["RS256"]}"#,
            VerifyError::UnsupportedAlgorithm {
                alg: r#"["RS256"]"#.into(),
            },
        ),
        (r#"{"typ":"JWT"}"#, VerifyError::MissingAlgorithm),
        (
            r#"{"alg":"RS256","crit":["exp"]}"#,
            VerifyError::CriticalHeader,
        ),
    ];
    for (header, want) in cases {
        assert_eq!(verify(&token(&k, header, CLAIMS)), Err(want), "{header}");
    }
    for header in [
        r#"["RS256"]"#,
        "not json",
        r#"{"alg":"RS256","alg":"none"}"#,
        r#"{"alg":"RS256"} x"#,
    ] {
        let err = verify(&token(&k, header, CLAIMS)).unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::Json {
                    segment: Segment::Header,
                    ..
                }
            ),
            "{header}: {err:?}"
        );
    }
}

#[test]
fn signature_rules() {
    let t = token(&key(), r#"{"alg":"RS256"}"#, CLAIMS);
    let (input, _) = t.rsplit_once('.').unwrap();
    let short = format!("{input}.{}", URL_SAFE_NO_PAD.encode([1u8; 255]));
    assert_eq!(
        verify(&short),
        Err(VerifyError::SignatureLength {
            expected: 256,
            found: 255
        })
    );
    let long = format!("{input}.{}", URL_SAFE_NO_PAD.encode([1u8; 257]));
    assert_eq!(
        verify(&long),
        Err(VerifyError::SignatureLength {
            expected: 256,
            found: 257
        })
    );
    let other = common::private_key("keys/other2048.pkcs8.pem");
    assert_eq!(
        verify(&token(&other, r#"{"alg":"RS256"}"#, CLAIMS)),
        Err(VerifyError::BadSignature)
    );
    // A 3072-bit key's signature has the wrong length for a 2048-bit verifier.
    let big = common::private_key("keys/rsa3072.pkcs8.pem");
    assert_eq!(
        verify(&token(&big, r#"{"alg":"RS256"}"#, CLAIMS)),
        Err(VerifyError::SignatureLength {
            expected: 256,
            found: 384
        })
    );
}

#[test]
fn claim_rules() {
    let k = key();
    let h = r#"{"alg":"RS256"}"#;
    let check = |claims: &str, want: VerifyError| {
        assert_eq!(verify(&token(&k, h, claims)), Err(want), "{claims}");
    };
    check(
        r#"{"sub":"u","aud":"a","exp":1700000180}"#,
        VerifyError::MissingClaim { claim: "iss" },
    );
    check(
        r#"{"iss":"i","aud":"a","exp":1700000180}"#,
        VerifyError::MissingClaim { claim: "sub" },
    );
    check(
        r#"{"iss":"i","sub":"u","exp":1700000180}"#,
        VerifyError::MissingClaim { claim: "aud" },
    );
    check(
        r#"{"iss":"i","sub":"u","aud":"a"}"#,
        VerifyError::MissingClaim { claim: "exp" },
    );
    check(
        r#"{"iss":1,"sub":"u","aud":"a","exp":1700000180}"#,
        VerifyError::ClaimType { claim: "iss" },
    );
    check(
        r#"{"iss":"i","sub":"u","aud":[1],"exp":1700000180}"#,
        VerifyError::ClaimType { claim: "aud" },
    );
    check(
        r#"{"iss":"i","sub":"u","aud":"a","exp":"1700000180"}"#,
        VerifyError::ClaimType { claim: "exp" },
    );
    check(
        r#"{"iss":"i","sub":"u","aud":"a","exp":1.5e9}"#,
        VerifyError::ClaimType { claim: "exp" },
    );
    check(
        r#"{"iss":"i","sub":"u","aud":"a","exp":-1}"#,
        VerifyError::ClaimType { claim: "exp" },
    );
    let dup = verify(&token(
        &k,
        h,
        r#"{"iss":"i","iss":"j","sub":"u","aud":"a","exp":1700000180}"#,
    ));
    assert!(
        matches!(
            dup,
            Err(VerifyError::Json {
                segment: Segment::Claims,
                ..
            })
        ),
        "{dup:?}"
    );
}

#[test]
fn expectations_and_expiry() {
    let t = token(&key(), r#"{"alg":"RS256"}"#, CLAIMS);
    let v = Verifier::new(key().public_key());
    assert!(matches!(
        v.clone()
            .expect_issuer("other")
            .verify(&t, at(1_700_000_000)),
        Err(VerifyError::IssuerMismatch { .. })
    ));
    assert!(matches!(
        v.clone()
            .expect_audience("https://test.salesforce.com")
            .verify(&t, at(1_700_000_000)),
        Err(VerifyError::AudienceMismatch { .. })
    ));
    // Valid strictly before exp; at exp it has expired (RFC 7519 §4.1.4).
    assert!(v.verify(&t, at(1_700_000_179)).is_ok());
    assert_eq!(
        v.verify(&t, at(1_700_000_180)),
        Err(VerifyError::Expired {
            exp: 1_700_000_180,
            now: 1_700_000_180
        })
    );
    let lenient = v.clone().leeway(Duration::from_secs(30));
    assert!(lenient.verify(&t, at(1_700_000_209)).is_ok());
    assert!(lenient.verify(&t, at(1_700_000_210)).is_err());
    assert_eq!(
        v.verify(&t, UNIX_EPOCH - Duration::from_secs(1)),
        Err(VerifyError::NowBeforeEpoch)
    );
}

#[test]
fn errors_never_quote_the_token() {
    let t = token(&key(), r#"{"alg":"RS256"}"#, CLAIMS);
    let (_, sig) = t.rsplit_once('.').unwrap();
    let err = Verifier::new(common::private_key("keys/other2048.pkcs8.pem").public_key())
        .verify(&t, at(0))
        .unwrap_err();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(sig) && !text.contains(&t[..40]), "{text}");
    }
}

/// RFC 7519 §4.1.5 `nbf` and §4.1.6 `iat`: a token not valid yet, or claiming an issue time
/// in the future (a day ahead here), is refused; within the leeway it passes.
#[test]
fn not_before_and_issued_at_are_honoured_with_leeway() {
    const NOW: u64 = 1_700_000_000;
    const DAY: u64 = 86_400;
    let claims = |extra: &str| {
        format!(
            r#"{{"iss":"3MVG9x","sub":"u@example.com","aud":"https://login.salesforce.com","exp":{}{extra}}}"#,
            NOW + 2 * DAY
        )
    };
    let v = Verifier::new(key().public_key());
    let signed = |extra: &str| token(&key(), r#"{"alg":"RS256"}"#, &claims(extra));

    let nbf_ahead = signed(&format!(r#","nbf":{}"#, NOW + DAY));
    let iat_ahead = signed(&format!(r#","iat":{}"#, NOW + DAY));
    let not_yet_valid = VerifyError::NotYetValid {
        nbf: NOW + DAY,
        now: NOW,
    };
    let issued_in_future = VerifyError::IssuedInFuture {
        iat: NOW + DAY,
        now: NOW,
    };
    assert_eq!(v.verify(&nbf_ahead, at(NOW)), Err(not_yet_valid));
    assert_eq!(v.verify(&iat_ahead, at(NOW)), Err(issued_in_future));
    assert!(
        v.verify(&nbf_ahead, at(NOW + DAY)).is_ok(),
        "valid from nbf on"
    );

    // Leeway covers a little skew, in both directions.
    let skewed = signed(&format!(r#","nbf":{0},"iat":{0}"#, NOW + 30));
    assert!(v.verify(&skewed, at(NOW)).is_err());
    let lenient = v.clone().leeway(Duration::from_secs(30));
    assert!(lenient.verify(&skewed, at(NOW)).is_ok());
    assert!(lenient.verify(&nbf_ahead, at(NOW)).is_err());

    // Past values are fine; wrong types are refused.
    assert!(
        v.verify(
            &signed(&format!(r#","nbf":{0},"iat":{0}"#, NOW - DAY)),
            at(NOW)
        )
        .is_ok()
    );
    for bad in [r#","nbf":"soon""#, r#","iat":-1"#, r#","iat":1.5"#] {
        assert!(
            matches!(
                v.verify(&signed(bad), at(NOW)),
                Err(VerifyError::ClaimType { .. })
            ),
            "{bad}"
        );
    }
    let e = v.verify(&nbf_ahead, at(NOW)).unwrap_err().to_string();
    assert!(
        e.contains("not valid yet") && e.contains(&(NOW + DAY).to_string()),
        "{e}"
    );
}

#[test]
fn maximum_lifetime_is_off_by_default_and_on_for_salesforce() {
    const NOW: u64 = 1_700_000_000;
    let max = sfjwt_core::claims::MAX_LIFETIME.as_secs();
    let with = |claims: String| token(&key(), r#"{"alg":"RS256"}"#, &claims);
    let base = r#""iss":"3MVG9x","sub":"u@example.com","aud":"https://login.salesforce.com""#;
    let day_long = with(format!(r#"{{{base},"exp":{}}}"#, NOW + 86_400));
    let just_right = with(format!(r#"{{{base},"exp":{}}}"#, NOW + max));
    // An `iat` makes the lifetime independent of the verifier's clock.
    let issued_an_hour_ago = with(format!(
        r#"{{{base},"iat":{},"exp":{}}}"#,
        NOW - 3600,
        NOW + 60
    ));
    let long_from_iat = with(format!(
        r#"{{{base},"iat":{},"exp":{}}}"#,
        NOW - 60,
        NOW + max
    ));

    let plain = Verifier::new(key().public_key());
    assert!(plain.verify(&day_long, at(NOW)).is_ok(), "off by default");

    let salesforce = Verifier::salesforce(key().public_key());
    assert_eq!(
        salesforce.verify(&day_long, at(NOW)),
        Err(VerifyError::LifetimeTooLong {
            exp: NOW + 86_400,
            from: NOW,
            max
        })
    );
    assert!(salesforce.verify(&just_right, at(NOW)).is_ok());
    assert!(matches!(
        salesforce.verify(&issued_an_hour_ago, at(NOW)),
        Err(VerifyError::LifetimeTooLong { from, .. }) if from == NOW - 3600
    ));
    assert!(salesforce.verify(&long_from_iat, at(NOW)).is_err());
    // Leeway stretches the clock-based bound only.
    let skewed = with(format!(r#"{{{base},"exp":{}}}"#, NOW + max + 20));
    assert!(salesforce.verify(&skewed, at(NOW)).is_err());
    assert!(
        salesforce
            .clone()
            .leeway(Duration::from_secs(30))
            .verify(&skewed, at(NOW))
            .is_ok()
    );
    let custom = Verifier::new(key().public_key()).max_lifetime(Duration::from_secs(60));
    assert!(custom.verify(&just_right, at(NOW)).is_err());
}
