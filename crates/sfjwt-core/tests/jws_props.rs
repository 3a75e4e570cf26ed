//! Property tests of the signing path: what sfjwt signs, it verifies; any single flipped bit
//! anywhere in the token is refused; the verifier never panics on arbitrary input.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::testdata as common;

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use sfjwt_core::claims::{Audience, Claims};
use sfjwt_core::jws::{self, Verifier};
use sfjwt_core::key::PrivateKey;

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| common::private_key("keys/rsa2048.pkcs8.pem"))
}

/// Identifiers the claim rules accept: no control characters, no surrounding white space.
fn identifier() -> impl Strategy<Value = String> {
    "[^\\p{Cc}\\s\"'`“]([^\\p{Cc}]{0,40}[^\\p{Cc}\\s\"'`”])?"
}

fn audience() -> impl Strategy<Value = Audience> {
    prop_oneof![
        Just(Audience::production()),
        Just(Audience::sandbox()),
        "[a-z]{1,12}"
            .prop_map(|s| Audience::parse(&format!("https://{s}.my.site.com/{s}")).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_round_trips(
        iss in identifier().prop_filter("no inner space in iss", |s| !s.chars().any(char::is_whitespace)),
        sub in identifier(),
        aud in audience(),
        now in 0u64..4_000_000_000,
        lifetime in 1u64..=180,
    ) {
        let claims = Claims::builder().client_id(&iss).username(&sub).audience(aud.clone())
            .lifetime(Duration::from_secs(lifetime))
            .build(UNIX_EPOCH + Duration::from_secs(now)).unwrap();
        let token = jws::sign(&claims, key()).unwrap();
        let verified = Verifier::new(key().public_key())
            .expect_issuer(&iss).expect_audience(aud.as_str())
            .verify(token.expose_secret(), UNIX_EPOCH + Duration::from_secs(now)).unwrap();
        prop_assert_eq!(verified.subject(), sub.as_str());
        prop_assert_eq!(verified.expires_at(), now + lifetime);
    }

    #[test]
    fn any_flipped_bit_is_refused(sub in identifier(), position in any::<prop::sample::Index>(), bit in 0u8..8) {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let claims = Claims::builder().client_id("3MVG9x").username(&sub).build(now).unwrap();
        let token = jws::sign(&claims, key()).unwrap();
        let mut bytes = token.expose_secret().as_bytes().to_vec();
        let i = position.index(bytes.len());
        bytes[i] ^= 1 << bit;
        // A flip may produce non-UTF-8; that is refused before the verifier is reached.
        if let Ok(altered) = String::from_utf8(bytes) {
            prop_assert!(Verifier::new(key().public_key()).verify(&altered, now).is_err());
        }
    }

    #[test]
    fn verifier_never_panics(input in any::<String>()) {
        let _ = Verifier::new(key().public_key()).verify(&input, UNIX_EPOCH);
    }

    #[test]
    fn verifier_never_panics_on_jws_shaped_input(a in "[A-Za-z0-9_=+/-]{0,64}", b in "[A-Za-z0-9_=+/-]{0,64}", c in "[A-Za-z0-9_-]{0,400}") {
        let _ = Verifier::new(key().public_key()).verify(&format!("{a}.{b}.{c}"), UNIX_EPOCH);
    }
}
