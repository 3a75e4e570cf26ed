//! The JKS writer against an independent reader (`sfjwt_test_support::jks`, written from the
//! format's description): whatever the writer accepts, the reader gets back exactly, and only
//! with the right password. The CLI's keystore tests hold the same files to the JDK's keytool.

use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use sfjwt_keys::jks::{self, JksError, KeyEntry};
use sfjwt_test_support::jks::{Entry, read};

/// Lower-case aliases of any script (the writer refuses others), ASCII ones often.
fn alias() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z][a-z0-9_]{0,30}", "\\PC{1,24}"]
        .prop_map(|a| a.to_lowercase())
        .prop_filter("lower case and non-empty", |a| {
            !a.is_empty() && a.to_lowercase() == *a
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_reader_gets_back_what_was_written(
        alias in alias(),
        password in "\\PC{0,24}",
        millis in 0u64..4_102_444_800_000,
        pkcs8 in proptest::collection::vec(any::<u8>(), 0..1300),
        chain in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..700), 1..4),
        salt in any::<[u8; jks::SALT_LEN]>(),
    ) {
        let entry = KeyEntry {
            alias: &alias,
            created: UNIX_EPOCH + Duration::from_millis(millis),
            pkcs8: &pkcs8,
            chain: &chain,
        };
        let bytes = jks::encode(&entry, &password, &salt).unwrap();
        let read_back = read(&bytes, &password).unwrap();
        let expected = Entry::PrivateKey {
            alias: alias.clone(),
            created_millis: i64::try_from(millis).unwrap(),
            pkcs8: pkcs8.clone(),
            chain: chain.iter().map(|der| ("X.509".to_owned(), der.clone())).collect(),
        };
        prop_assert_eq!(read_back, vec![expected]);
        let wrong = format!("{password}x");
        prop_assert!(read(&bytes, &wrong).is_err());
    }

    #[test]
    fn upper_case_aliases_are_refused_never_written(alias in "[a-z]{0,5}[A-Z][a-zA-Z]{0,5}") {
        let chain = vec![vec![0x30, 0x00]];
        let entry = KeyEntry { alias: &alias, created: UNIX_EPOCH, pkcs8: b"k", chain: &chain };
        prop_assert_eq!(jks::encode(&entry, "changeit", &[0; 20]), Err(JksError::Alias));
    }
}

#[test]
fn a_real_key_and_certificate_round_trip() {
    let key = sfjwt_test_support::testdata::key();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let chain =
        sfjwt_keys::keystore::parse_chain(sfjwt_test_support::testdata::CERT_PEM.as_bytes())
            .unwrap();
    let entry = KeyEntry {
        alias: "org_to_org",
        created: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
        pkcs8: &pkcs8,
        chain: &chain,
    };
    let bytes = jks::encode(&entry, "changeit", &[7; 20]).unwrap();
    let entries: [Entry; 1] = read(&bytes, "changeit").unwrap().try_into().unwrap();
    let [
        Entry::PrivateKey {
            pkcs8: back,
            chain: back_chain,
            ..
        },
    ] = entries
    else {
        panic!("not one private-key entry");
    };
    let loaded = sfjwt_core::key::PrivateKey::from_der(&back).unwrap();
    assert_eq!(loaded.public_key(), key.public_key());
    assert_eq!(back_chain, vec![("X.509".to_owned(), chain[0].clone())]);
}
