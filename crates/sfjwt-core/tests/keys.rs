//! Key, public-key and certificate loading: one test per format in `testdata/keys/` (see
//! `testdata/README.md` for how each was made) and one per bad input, asserting the exact
//! `KeyError` variant; secrets never in messages; no panic on any input.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::testdata as common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use der::{Decode as _, Encode as _};
use proptest::prelude::*;
use sfjwt_core::key::{Certificate, KeyError, Passphrase, PrivateKey, PublicKey};

const PASS: &str = "correct horse battery staple";

fn pass() -> Passphrase {
    Passphrase::from(PASS)
}

fn text(name: &str) -> String {
    String::from_utf8(common::read(&format!("keys/{name}"))).unwrap()
}

fn bytes(name: &str) -> Vec<u8> {
    common::read(&format!("keys/{name}"))
}

fn path(name: &str) -> std::path::PathBuf {
    common::testdata().join("keys").join(name)
}

/// The base64 body of a PEM file, decoded (DER) — independent of the code under test.
fn pem_body(name: &str) -> Vec<u8> {
    let b64: String = text(name)
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.trim().is_empty())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn rsa2048_public() -> PublicKey {
    PublicKey::from_pem(&text("rsa2048.spki.pem")).unwrap()
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sfjwt-keys-{name}"))
}

// ---------------------------------------------------------------------------------------
// Every good format
// ---------------------------------------------------------------------------------------

#[test]
fn every_plain_form_of_each_size_is_the_same_key_as_its_certificate() {
    for bits in [2048, 3072, 4096] {
        let cert = Certificate::from_pem(&text(&format!("rsa{bits}.crt.pem"))).unwrap();
        let forms = [
            PrivateKey::from_pem(&text(&format!("rsa{bits}.pkcs1.pem"))).unwrap(),
            PrivateKey::from_pem(&text(&format!("rsa{bits}.pkcs8.pem"))).unwrap(),
            PrivateKey::from_der(&bytes(&format!("rsa{bits}.pkcs1.der"))).unwrap(),
            PrivateKey::from_der(&bytes(&format!("rsa{bits}.pkcs8.der"))).unwrap(),
        ];
        for key in &forms {
            assert_eq!(key.bits(), bits);
            assert_eq!(&key.public_key(), cert.public_key(), "rsa{bits}");
            assert!(cert.is_pair_of(key));
        }
    }
}

#[test]
fn from_bytes_detects_pem_and_der() {
    let expected = rsa2048_public();
    for name in [
        "rsa2048.pkcs1.pem",
        "rsa2048.pkcs8.pem",
        "rsa2048.pkcs1.der",
        "rsa2048.pkcs8.der",
    ] {
        let key = PrivateKey::from_bytes(&bytes(name), None).unwrap();
        assert_eq!(key.public_key(), expected, "{name}");
    }
}

#[test]
fn from_file_loads_every_form() {
    let expected = rsa2048_public();
    for name in [
        "rsa2048.pkcs1.pem",
        "rsa2048.pkcs8.der",
        "rsa2048.pkcs8.scrypt-aes256.pem",
        "rsa2048.legacy-des3.pem",
    ] {
        let key = PrivateKey::from_file(path(name), Some(&pass())).unwrap();
        assert_eq!(key.public_key(), expected, "{name}");
    }
}

#[test]
fn pkcs8_pbkdf2_aes256() {
    let key =
        PrivateKey::from_pem_with_passphrase(&text("rsa2048.pkcs8.pbkdf2-aes256.pem"), &pass())
            .unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
}

#[test]
fn pkcs8_pbkdf2_aes128() {
    let key =
        PrivateKey::from_pem_with_passphrase(&text("rsa2048.pkcs8.pbkdf2-aes128.pem"), &pass())
            .unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
}

#[test]
fn pkcs8_pbkdf2_des3() {
    let key = PrivateKey::from_pem_with_passphrase(&text("rsa2048.pkcs8.pbkdf2-des3.pem"), &pass())
        .unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
}

#[test]
fn pkcs8_scrypt_aes256() {
    let key =
        PrivateKey::from_pem_with_passphrase(&text("rsa2048.pkcs8.scrypt-aes256.pem"), &pass())
            .unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
}

#[test]
fn encrypted_pkcs8_der() {
    let der = pem_body("rsa2048.pkcs8.pbkdf2-aes256.pem");
    let key = PrivateKey::from_der_with_passphrase(&der, &pass()).unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
    assert_eq!(
        PrivateKey::from_der(&der).unwrap_err(),
        KeyError::PassphraseRequired
    );
    assert_eq!(
        PrivateKey::from_bytes(&der, Some(&pass()))
            .unwrap()
            .public_key(),
        rsa2048_public()
    );
}

#[test]
fn legacy_openssl_pem_every_cipher() {
    for cipher in ["des3", "aes128", "aes192", "aes256"] {
        let pem = text(&format!("rsa2048.legacy-{cipher}.pem"));
        assert!(pem.contains("Proc-Type: 4,ENCRYPTED"));
        let key = PrivateKey::from_pem_with_passphrase(&pem, &pass()).unwrap();
        assert_eq!(key.public_key(), rsa2048_public(), "{cipher}");
    }
}

#[test]
fn genpkey_aes256_equals_its_plain_form() {
    let encrypted =
        PrivateKey::from_pem_with_passphrase(&text("rsa2048.genpkey-aes256.pem"), &pass()).unwrap();
    let plain = PrivateKey::from_pem(&text("rsa2048.genpkey.plain.pem")).unwrap();
    assert_eq!(encrypted.public_key(), plain.public_key());
    assert_ne!(plain.public_key(), rsa2048_public());
}

#[test]
fn passphrase_is_ignored_for_a_plain_key() {
    let key = PrivateKey::from_pem_with_passphrase(&text("rsa2048.pkcs8.pem"), &pass()).unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
}

#[test]
fn rfc7515_a2_and_other2048_keys_load() {
    let rfc = PrivateKey::from_pem(&text("rfc7515-a2.pem")).unwrap();
    assert_eq!(rfc.bits(), 2048);
    let other = PrivateKey::from_pem(&text("other2048.pkcs8.pem")).unwrap();
    assert_ne!(other.public_key(), rsa2048_public());
    let other_cert = Certificate::from_pem(&text("other2048.crt.pem")).unwrap();
    assert!(other_cert.is_pair_of(&other));
    let rsa2048 = PrivateKey::from_pem(&text("rsa2048.pkcs8.pem")).unwrap();
    assert!(!other_cert.is_pair_of(&rsa2048));
}

#[test]
fn env_value_with_literal_backslash_n_and_quotes() {
    let pem = text("rsa2048.pkcs1.pem");
    let mangled = format!("  \"{}\"  ", pem.trim().replace('\n', "\\n"));
    let key = PrivateKey::from_env_value(&mangled, None).unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
    let single = format!("'{}'", pem.trim().replace('\n', "\\n"));
    assert!(PrivateKey::from_env_value(&single, None).is_ok());
}

#[test]
fn env_value_with_crlf_and_escaped_crlf() {
    let pem = text("rsa2048.pkcs8.pem");
    assert!(PrivateKey::from_env_value(&pem.replace('\n', "\r\n"), None).is_ok());
    assert!(PrivateKey::from_env_value(&pem.replace('\n', "\\r\\n"), None).is_ok());
}

#[test]
fn env_value_with_newlines_flattened_to_spaces() {
    let pem = text("rsa2048.pkcs8.pem");
    let key = PrivateKey::from_env_value(&pem.replace('\n', " "), None).unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
}

#[test]
fn env_value_base64_of_the_whole_file() {
    let file = bytes("rsa2048.legacy-aes256.pem");
    let value = base64::engine::general_purpose::STANDARD.encode(&file);
    let key = PrivateKey::from_env_value(&value, Some(&pass())).unwrap();
    assert_eq!(key.public_key(), rsa2048_public());
}

#[test]
fn env_value_encrypted_needs_passphrase() {
    let pem = text("rsa2048.pkcs8.pbkdf2-aes256.pem").replace('\n', "\\n");
    assert_eq!(
        PrivateKey::from_env_value(&pem, None).unwrap_err(),
        KeyError::PassphraseRequired
    );
    assert!(PrivateKey::from_env_value(&pem, Some(&pass())).is_ok());
}

#[test]
fn leading_explanatory_text_is_ignored() {
    // RFC 7468 §2; `openssl pkcs12 -nodes` writes "Bag Attributes" before the block.
    let pem = format!(
        "Bag Attributes\n    localKeyID: 01 02 03\n{}",
        text("rsa2048.pkcs8.pem")
    );
    assert!(PrivateKey::from_pem(&pem).is_ok());
}

#[test]
fn public_keys_in_every_form_are_equal() {
    let expected = PrivateKey::from_pem(&text("rsa2048.pkcs8.pem"))
        .unwrap()
        .public_key();
    let forms = [
        PublicKey::from_pem(&text("rsa2048.spki.pem")).unwrap(),
        PublicKey::from_pem(&text("rsa2048.pkcs1-public.pem")).unwrap(),
        PublicKey::from_der(&bytes("rsa2048.spki.der")).unwrap(),
        PublicKey::from_der(&bytes("rsa2048.pkcs1-public.der")).unwrap(),
        PublicKey::from_bytes(&bytes("rsa2048.spki.der")).unwrap(),
        PublicKey::from_bytes(&bytes("rsa2048.pkcs1-public.pem")).unwrap(),
    ];
    for key in forms {
        assert_eq!(key, expected);
        assert_eq!(key.bits(), 2048);
        assert_eq!(key.modulus_len(), 256);
    }
}

#[test]
fn certificates_pem_and_der() {
    for bits in [2048, 3072, 4096] {
        let pem = Certificate::from_pem(&text(&format!("rsa{bits}.crt.pem"))).unwrap();
        let der = Certificate::from_der(&bytes(&format!("rsa{bits}.crt.der"))).unwrap();
        assert_eq!(pem, der);
        assert_eq!(pem.subject(), format!("CN=sfjwt test {bits}"));
        assert_eq!(pem.public_key().bits(), bits);
        assert!(pem.not_before() < pem.not_after());
        // `-days 36500` from generation time: valid for a century.
        assert!(pem.not_after() > UNIX_EPOCH + Duration::from_secs(4_000_000_000));
    }
    let from_file = Certificate::from_file(path("rsa2048.crt.der")).unwrap();
    assert_eq!(from_file.subject(), "CN=sfjwt test 2048");
}

#[test]
fn certificate_validity_windows() {
    let at = |secs: u64| UNIX_EPOCH + Duration::from_secs(secs);
    // make_certs.py: expired = 2020-01-01..2021-01-01, notyetvalid = 2090-01-01..2099-01-01.
    let expired = Certificate::from_pem(&text("expired.crt.pem")).unwrap();
    assert_eq!(expired.not_before(), at(1_577_836_800));
    assert_eq!(expired.not_after(), at(1_609_459_200));
    assert!(expired.is_valid_at(at(1_590_000_000)));
    assert!(expired.is_valid_at(expired.not_after()));
    assert!(!expired.is_valid_at(at(1_609_459_201)));
    assert!(!expired.is_valid_at(at(1_577_836_799)));

    let future = Certificate::from_pem(&text("notyetvalid.crt.pem")).unwrap();
    assert_eq!(future.not_before(), at(3_786_912_000));
    assert!(!future.is_valid_at(at(1_700_000_000)));
    assert!(future.is_valid_at(at(3_786_912_000)));

    // Both certify the rsa2048 key.
    let key = PrivateKey::from_pem(&text("rsa2048.pkcs8.pem")).unwrap();
    assert!(expired.is_pair_of(&key) && future.is_pair_of(&key));
}

// ---------------------------------------------------------------------------------------
// Every bad input, each with its own variant
// ---------------------------------------------------------------------------------------

#[test]
fn certificate_where_private_key_belongs() {
    let e = PrivateKey::from_pem(&text("rsa2048.crt.pem")).unwrap_err();
    assert!(matches!(e, KeyError::CertificateNotPrivateKey));
    assert!(e.to_string().contains("certificate"));
    let e = PrivateKey::from_bytes(&bytes("rsa2048.crt.der"), None).unwrap_err();
    assert!(matches!(e, KeyError::CertificateNotPrivateKey));
}

#[test]
fn csr_where_private_key_belongs() {
    let e = PrivateKey::from_pem(&text("rsa2048.csr.pem")).unwrap_err();
    assert!(matches!(e, KeyError::CsrNotPrivateKey));
    let e = PrivateKey::from_der(&pem_body("rsa2048.csr.pem")).unwrap_err();
    assert!(matches!(e, KeyError::CsrNotPrivateKey));
}

#[test]
fn public_key_where_private_key_belongs() {
    for name in [
        "rsa2048.spki.pem",
        "rsa2048.pkcs1-public.pem",
        "rsa2048.spki.der",
        "rsa2048.pkcs1-public.der",
        "openssh-rsa2048.pub",
    ] {
        let e = PrivateKey::from_bytes(&bytes(name), None).unwrap_err();
        assert!(
            matches!(e, KeyError::PublicKeyNotPrivateKey),
            "{name}: {e:?}"
        );
    }
}

#[test]
fn openssh_private_key() {
    let e = PrivateKey::from_pem(&text("openssh-rsa2048")).unwrap_err();
    assert!(matches!(e, KeyError::OpensshPrivateKey));
    let message = e.to_string();
    assert!(message.contains("ssh-keygen -p -m PEM -f key"), "{message}");
    assert!(message.contains("openssl pkey"), "{message}");
}

#[test]
fn ec_ed25519_and_dsa_keys_are_not_rsa() {
    for name in ["ec-p256.pkcs8.pem", "ec-p256.sec1.pem", "ed25519.pkcs8.pem"] {
        let e = PrivateKey::from_pem(&text(name)).unwrap_err();
        assert!(matches!(e, KeyError::NotRsa { .. }), "{name}: {e:?}");
        assert!(e.to_string().contains("needs an RSA key"), "{e}");
    }
    let KeyError::NotRsa { algorithm } =
        PrivateKey::from_pem(&text("ed25519.pkcs8.pem")).unwrap_err()
    else {
        panic!()
    };
    assert_eq!(algorithm, "Ed25519");
    // DER forms: PKCS#8 and SEC1.
    for name in ["ec-p256.pkcs8.pem", "ec-p256.sec1.pem"] {
        let e = PrivateKey::from_der(&pem_body(name)).unwrap_err();
        assert!(matches!(e, KeyError::NotRsa { .. }), "{name} DER: {e:?}");
    }
    let dsa = "-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n";
    assert!(matches!(
        PrivateKey::from_pem(dsa),
        Err(KeyError::NotRsa { algorithm }) if algorithm == "DSA"
    ));
}

#[test]
fn encrypted_keys_without_passphrase() {
    for name in [
        "rsa2048.pkcs8.pbkdf2-aes256.pem",
        "rsa2048.pkcs8.scrypt-aes256.pem",
        "rsa2048.legacy-des3.pem",
        "rsa2048.legacy-aes128.pem",
        "rsa2048.genpkey-aes256.pem",
    ] {
        assert_eq!(
            PrivateKey::from_pem(&text(name)).unwrap_err(),
            KeyError::PassphraseRequired,
            "{name}"
        );
        assert_eq!(
            PrivateKey::from_file(path(name), None).unwrap_err(),
            KeyError::PassphraseRequired
        );
    }
}

#[test]
fn wrong_passphrase_for_every_encrypted_form() {
    let wrong = Passphrase::from("correct horse battery stapler");
    for name in [
        "rsa2048.pkcs8.pbkdf2-aes256.pem",
        "rsa2048.pkcs8.pbkdf2-aes128.pem",
        "rsa2048.pkcs8.pbkdf2-des3.pem",
        "rsa2048.pkcs8.scrypt-aes256.pem",
        "rsa2048.genpkey-aes256.pem",
        "rsa2048.legacy-des3.pem",
        "rsa2048.legacy-aes128.pem",
        "rsa2048.legacy-aes192.pem",
        "rsa2048.legacy-aes256.pem",
    ] {
        assert_eq!(
            PrivateKey::from_pem_with_passphrase(&text(name), &wrong).unwrap_err(),
            KeyError::WrongPassphrase,
            "{name}"
        );
    }
    // Many wrong passphrases: the ~1/256 that pass the CBC padding check must still be
    // reported as a wrong passphrase, not as a damaged key.
    let pem = text("rsa2048.legacy-aes128.pem");
    for i in 0..600 {
        let e = PrivateKey::from_pem_with_passphrase(&pem, &Passphrase::from(format!("wrong {i}")))
            .unwrap_err();
        assert_eq!(e, KeyError::WrongPassphrase, "passphrase #{i}");
    }
}

#[test]
fn unsupported_legacy_cipher() {
    let pem = text("rsa2048.legacy-aes128.pem").replace("AES-128-CBC", "BF-CBC");
    let e = PrivateKey::from_pem_with_passphrase(&pem, &pass()).unwrap_err();
    assert!(
        matches!(&e, KeyError::UnsupportedEncryption { scheme } if scheme.contains("BF-CBC")),
        "{e:?}"
    );
}

/// An `EncryptedPrivateKeyInfo` with a PKCS#12 PBE scheme (`pbeWithSHAAnd3-KeyTripleDES-CBC`,
/// RFC 7292 Appendix C), as OpenSSL 1.0's `pkcs8 -topk8` wrote by default. Hand-assembled DER.
fn pkcs12_pbe_der() -> Vec<u8> {
    let mut der = vec![0x30, 0x30, 0x30, 0x1c, 0x06, 0x0a];
    der.extend([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03]);
    der.extend([
        0x30, 0x0e, 0x04, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x02, 0x08, 0x00,
    ]);
    der.extend([0x04, 0x10]);
    der.extend([0u8; 16]);
    der
}

#[test]
fn unsupported_pkcs8_scheme_pkcs12_pbe() {
    let der = pkcs12_pbe_der();
    let e = PrivateKey::from_der_with_passphrase(&der, &pass()).unwrap_err();
    assert!(
        matches!(&e, KeyError::UnsupportedEncryption { scheme } if scheme.contains("PKCS#12")),
        "{e:?}"
    );
    let e = PrivateKey::from_pem(&pem("ENCRYPTED PRIVATE KEY", &der)).unwrap_err();
    assert!(matches!(e, KeyError::UnsupportedEncryption { .. }), "{e:?}");
}

/// Rewrites the KDF parameters of the scrypt/PBKDF2 fixtures.
fn with_kdf(name: &str, edit: impl FnOnce(&mut pkcs8::pkcs5::pbes2::Kdf)) -> Vec<u8> {
    let der = pem_body(name);
    let mut info = pkcs8::EncryptedPrivateKeyInfoOwned::from_der(&der).unwrap();
    let pkcs8::pkcs5::EncryptionScheme::Pbes2(params) = &mut info.encryption_algorithm else {
        panic!("fixture is PBES2")
    };
    edit(&mut params.kdf);
    info.to_der().unwrap()
}

#[test]
fn unsupported_pkcs8_kdf_parameters_are_refused_before_work() {
    use pkcs8::pkcs5::pbes2::{Kdf, Pbkdf2Prf};
    let cases = [
        // pkcs5 0.8 panics on N = 0 (log2 underflow); we must refuse it first.
        with_kdf("rsa2048.pkcs8.scrypt-aes256.pem", |k| {
            if let Kdf::Scrypt(p) = k {
                p.cost_parameter = 0;
            }
        }),
        // 2^40 · 128 · 8 bytes of memory.
        with_kdf("rsa2048.pkcs8.scrypt-aes256.pem", |k| {
            if let Kdf::Scrypt(p) = k {
                p.cost_parameter = 1 << 40;
            }
        }),
        // Four billion PBKDF2 rounds would take hours.
        with_kdf("rsa2048.pkcs8.pbkdf2-aes256.pem", |k| {
            if let Kdf::Pbkdf2(p) = k {
                p.iteration_count = u32::MAX;
            }
        }),
        with_kdf("rsa2048.pkcs8.pbkdf2-aes256.pem", |k| {
            if let Kdf::Pbkdf2(p) = k {
                p.prf = Pbkdf2Prf::HmacWithSha1;
            }
        }),
    ];
    for (i, der) in cases.iter().enumerate() {
        let e = PrivateKey::from_der_with_passphrase(der, &pass()).unwrap_err();
        assert!(
            matches!(e, KeyError::UnsupportedEncryption { .. }),
            "case {i}: {e:?}"
        );
    }
}

/// The hostile fixtures (`testdata/make_hostile.py`): a 2 KB file must not cost gigabytes or
/// hours. Refused before any derivation (a derivation here would need 8 GiB or four billion
/// rounds, so this test would not finish), with the parameters named.
#[test]
fn hostile_kdf_parameters_are_refused_before_deriving_with_the_parameters_named() {
    for (name, named) in [
        (
            "hostile.scrypt-n20-r64.pem",
            ["N=1048576", "r=64", "p=1", "8 GiB", "256 MiB"],
        ),
        (
            "hostile.scrypt-n18-r64.pem",
            ["N=262144", "r=64", "p=1", "2 GiB", "256 MiB"],
        ),
        (
            "hostile.pbkdf2-4g.pem",
            [
                "4294967295 iterations",
                "5000000",
                "2048",
                "600000",
                "PBKDF2",
            ],
        ),
    ] {
        for passphrase in [Some(pass()), None] {
            let e = PrivateKey::from_bytes(text(name).as_bytes(), passphrase.as_ref()).unwrap_err();
            let message = e.to_string();
            assert!(
                matches!(e, KeyError::UnsupportedEncryption { .. }),
                "{name}: {e:?}"
            );
            for part in named {
                assert!(message.contains(part), "{name}: {part:?} not in {message}");
            }
        }
    }
}

#[test]
fn kdf_limits_hold_at_their_boundaries() {
    use pkcs8::pkcs5::pbes2::Kdf;
    let scrypt = |n: u64, r: u16, p: u16| {
        with_kdf("rsa2048.pkcs8.scrypt-aes256.pem", |k| {
            if let Kdf::Scrypt(s) = k {
                s.cost_parameter = n;
                s.block_size = r;
                s.parallelization = p;
            }
        })
    };
    let refused = [
        // 512 MiB of memory (the scrypt paper's "interactive" r with N = 2^19).
        scrypt(1 << 19, 8, 1),
        // 256 MiB, but N·r·p = 3·2^21 > 2^22.
        scrypt(1 << 18, 8, 3),
        // Little memory, endless work: 2^14·8·65535.
        scrypt(1 << 14, 8, u16::MAX),
        // Not a power of two; r or p zero.
        scrypt(3 << 10, 8, 1),
        scrypt(1 << 14, 0, 1),
        scrypt(1 << 14, 8, 0),
        with_kdf("rsa2048.pkcs8.pbkdf2-aes256.pem", |k| {
            if let Kdf::Pbkdf2(p) = k {
                p.iteration_count = 5_000_001;
            }
        }),
    ];
    for (i, der) in refused.iter().enumerate() {
        let e = PrivateKey::from_der_with_passphrase(der, &pass()).unwrap_err();
        assert!(
            matches!(e, KeyError::UnsupportedEncryption { .. }),
            "case {i}: {e:?}"
        );
    }
    // What OpenSSL writes (N = 2^14, r = 8, p = 1) is within the limits: the fixture loads.
    PrivateKey::from_der_with_passphrase(&scrypt(1 << 14, 8, 1), &pass()).unwrap();
}

#[test]
fn key_under_2048_bits_is_refused_with_its_size() {
    let e = PrivateKey::from_pem(&text("rsa1024.pkcs8.pem")).unwrap_err();
    assert_eq!(e, KeyError::TooSmall { bits: 1024 });
    assert!(e.to_string().contains("1024 bits"));
    assert!(e.to_string().contains("2048"));

    // Its public key, through the `rsa` crate (independent of the code under test).
    use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
    let small = rsa::PrivateKey::from_pkcs8_pem(&text("rsa1024.pkcs8.pem")).unwrap();
    let spki = small.to_public_key().to_public_key_der().unwrap();
    assert_eq!(
        PublicKey::from_der(spki.as_bytes()).unwrap_err(),
        KeyError::TooSmall { bits: 1024 }
    );
}

#[test]
fn key_over_8192_bits_is_refused_before_validation() {
    let big = [0xffu8; 1200]; // a 9600-bit "modulus"
    let one = pkcs1::UintRef::new(&[1]).unwrap();
    let key = pkcs1::RsaPrivateKey {
        modulus: pkcs1::UintRef::new(&big).unwrap(),
        public_exponent: one,
        private_exponent: one,
        prime1: one,
        prime2: one,
        exponent1: one,
        exponent2: one,
        coefficient: one,
        other_prime_infos: None,
    };
    let der = key.to_der().unwrap();
    assert_eq!(
        PrivateKey::from_der(&der).unwrap_err(),
        KeyError::TooLarge { bits: 9600 }
    );
}

#[test]
fn empty_input() {
    assert_eq!(PrivateKey::from_pem("").unwrap_err(), KeyError::Empty);
    assert_eq!(PrivateKey::from_pem(" \n\t").unwrap_err(), KeyError::Empty);
    assert_eq!(
        PrivateKey::from_bytes(b"", None).unwrap_err(),
        KeyError::Empty
    );
    assert_eq!(PrivateKey::from_der(b"").unwrap_err(), KeyError::Empty);
    assert_eq!(
        PrivateKey::from_env_value("  \"\" ", None).unwrap_err(),
        KeyError::Empty
    );
    assert_eq!(PublicKey::from_pem("").unwrap_err(), KeyError::Empty);
    assert_eq!(Certificate::from_bytes(b"\n").unwrap_err(), KeyError::Empty);
}

#[test]
fn truncated_pem() {
    let pem = text("rsa2048.pkcs8.pem");
    let cut = pem.get(..pem.len() / 2).unwrap();
    assert_eq!(
        PrivateKey::from_pem(cut).unwrap_err(),
        KeyError::TruncatedPem {
            label: "PRIVATE KEY".into()
        }
    );
    // An env var cut at the first newline.
    let first_line = pem.lines().next().unwrap();
    assert!(matches!(
        PrivateKey::from_env_value(first_line, None),
        Err(KeyError::TruncatedPem { .. })
    ));
}

#[test]
fn bad_base64_names_the_line() {
    let pem = text("rsa2048.pkcs8.pem");
    let mut lines: Vec<String> = pem.lines().map(str::to_owned).collect();
    lines[4].replace_range(10..11, "*");
    let damaged = lines.join("\n");
    assert_eq!(
        PrivateKey::from_pem(&damaged).unwrap_err(),
        KeyError::BadBase64 { line: Some(5) }
    );
    // A deleted character: valid alphabet, wrong length.
    let mut lines: Vec<String> = pem.lines().map(str::to_owned).collect();
    lines[3].remove(0);
    let damaged = lines.join("\n");
    assert_eq!(
        PrivateKey::from_pem(&damaged).unwrap_err(),
        KeyError::BadBase64 { line: None }
    );
}

#[test]
fn trailing_garbage_after_the_end_line() {
    let pem = text("rsa2048.pkcs8.pem");
    let e = PrivateKey::from_pem(&format!("{pem}garbage\n")).unwrap_err();
    assert!(matches!(
        e,
        KeyError::TrailingPemData {
            another_block: false,
            ..
        }
    ));
    let two = format!("{pem}{}", text("rsa2048.crt.pem"));
    let lines = pem.lines().count();
    assert_eq!(
        PrivateKey::from_pem(&two).unwrap_err(),
        KeyError::TrailingPemData {
            line: lines + 1,
            another_block: true
        }
    );
}

#[test]
fn trailing_garbage_after_the_der() {
    let mut der = bytes("rsa2048.pkcs8.der");
    der.extend([0, 0, 0]);
    assert_eq!(
        PrivateKey::from_der(&der).unwrap_err(),
        KeyError::TrailingDerData { extra: 3 }
    );
    let mut cert = bytes("rsa2048.crt.der");
    cert.push(b'\n');
    assert_eq!(
        Certificate::from_der(&cert).unwrap_err(),
        KeyError::TrailingDerData { extra: 1 }
    );
}

#[test]
fn malformed_body_under_a_good_label() {
    // `MAA=` is an empty SEQUENCE: valid base64, valid DER, not a key.
    let pem = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
    assert!(matches!(
        PrivateKey::from_pem(pem),
        Err(KeyError::Malformed { .. })
    ));
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n";
    assert!(matches!(
        PrivateKey::from_pem(pem),
        Err(KeyError::Malformed { .. })
    ));
}

#[test]
fn unrecognized_inputs() {
    for (input, hint) in [
        ("hello world", "BEGIN"),
        ("/etc/keys/server.pem", "file path"),
        (
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n-----END PGP PRIVATE KEY BLOCK-----",
            "PGP",
        ),
        (
            "-----BEGIN SOMETHING ELSE-----\nMAA=\n-----END SOMETHING ELSE-----",
            "SOMETHING ELSE",
        ),
        ("PuTTY-User-Key-File-3: ssh-rsa\n", "puttygen"),
    ] {
        let e = PrivateKey::from_env_value(input, None).unwrap_err();
        assert!(matches!(e, KeyError::Unrecognized { .. }), "{input}: {e:?}");
        assert!(e.to_string().contains(hint), "{e}");
    }
    assert!(matches!(
        PrivateKey::from_bytes(&[0x01, 0xff, 0xfe, 0x80], None),
        Err(KeyError::Unrecognized { .. })
    ));
    assert!(matches!(
        PrivateKey::from_der(&bytes("rsa2048.pkcs8.pem")),
        Err(KeyError::Unrecognized { .. })
    ));
}

#[test]
fn missing_file_names_the_path() {
    let missing = path("does-not-exist.pem");
    let e = PrivateKey::from_file(&missing, None).unwrap_err();
    assert_eq!(
        e,
        KeyError::FileNotFound {
            path: missing.clone()
        }
    );
    assert!(e.to_string().contains(&missing.display().to_string()));
}

#[test]
fn unreadable_file_names_the_path() {
    // A directory: opening works on Unix, reading fails (tests may run as root, so file
    // permissions would not stop the read).
    let dir = common::testdata().join("keys");
    let e = PrivateKey::from_file(&dir, None).unwrap_err();
    assert!(
        matches!(&e, KeyError::FileUnreadable { path, .. } if *path == dir),
        "{e:?}"
    );
    assert!(e.to_string().contains(&dir.display().to_string()));
}

#[test]
fn empty_file_names_the_path() {
    let empty = tmp("empty.pem");
    std::fs::write(&empty, "\n\n").unwrap();
    let e = PrivateKey::from_file(&empty, None).unwrap_err();
    assert_eq!(
        e,
        KeyError::FileEmpty {
            path: empty.clone()
        }
    );
    assert!(e.to_string().contains(&empty.display().to_string()));
    assert!(matches!(
        Certificate::from_file(&empty),
        Err(KeyError::FileEmpty { .. })
    ));
}

#[test]
fn private_key_where_public_key_or_certificate_belongs() {
    for name in [
        "rsa2048.pkcs8.pem",
        "rsa2048.pkcs1.pem",
        "rsa2048.pkcs8.der",
        "rsa2048.legacy-des3.pem",
        "ed25519.pkcs8.pem",
    ] {
        assert_eq!(
            PublicKey::from_bytes(&bytes(name)).unwrap_err(),
            KeyError::PrivateKeyNotPublic,
            "{name}"
        );
        assert_eq!(
            Certificate::from_bytes(&bytes(name)).unwrap_err(),
            KeyError::PrivateKeyNotPublic,
            "{name}"
        );
    }
}

#[test]
fn wrong_inputs_to_the_public_loaders() {
    assert!(matches!(
        Certificate::from_pem(&text("rsa2048.spki.pem")),
        Err(KeyError::NotACertificate { .. })
    ));
    assert!(matches!(
        Certificate::from_pem(&text("rsa2048.csr.pem")),
        Err(KeyError::NotACertificate { .. })
    ));
    assert!(matches!(
        PublicKey::from_pem(&text("rsa2048.crt.pem")),
        Err(KeyError::NotAPublicKey { .. })
    ));
    assert!(matches!(
        PublicKey::from_bytes(&bytes("openssh-rsa2048.pub")),
        Err(KeyError::NotAPublicKey { .. })
    ));
}

/// Replaces the `rsaEncryption` OID with `id-RSASSA-PSS` (same length).
fn rsa_oid_to_pss(der: &[u8]) -> Vec<u8> {
    let rsa = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    let at = der.windows(rsa.len()).position(|w| w == rsa).unwrap();
    let mut out = der.to_vec();
    out[at + rsa.len() - 1] = 0x0a;
    out
}

#[test]
fn non_rsa_certificate_and_public_key() {
    let cert = rsa_oid_to_pss(&bytes("rsa2048.crt.der"));
    let e = Certificate::from_der(&cert).unwrap_err();
    assert!(
        matches!(&e, KeyError::NotRsa { algorithm } if algorithm.contains("RSA-PSS") && algorithm.contains("certificate")),
        "{e:?}"
    );
    let spki = rsa_oid_to_pss(&bytes("rsa2048.spki.der"));
    assert!(matches!(
        PublicKey::from_der(&spki),
        Err(KeyError::NotRsa { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Secrets stay out of messages
// ---------------------------------------------------------------------------------------

#[test]
fn debug_and_display_never_contain_secrets() {
    let keys_dir = common::testdata().join("keys");
    let mut body_lines = Vec::new();
    for entry in std::fs::read_dir(&keys_dir).unwrap() {
        let Ok(content) = std::fs::read_to_string(entry.unwrap().path()) else {
            continue;
        };
        body_lines.extend(
            content
                .lines()
                .map(str::trim)
                .filter(|l| l.len() >= 16 && !l.starts_with("-----") && !l.contains(':'))
                .map(str::to_owned),
        );
    }
    assert!(body_lines.len() > 100);

    let wrong = Passphrase::from("hunter2-very-secret-passphrase");
    let mut outputs = vec![
        format!(
            "{:?}",
            PrivateKey::from_pem(&text("rsa2048.pkcs8.pem")).unwrap()
        ),
        format!("{:?}", pass()),
        format!("{wrong:?}"),
        format!("{:?}", rsa2048_public()),
        format!(
            "{:?}",
            Certificate::from_pem(&text("rsa2048.crt.pem")).unwrap()
        ),
    ];
    let mut errors = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&keys_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in &names {
        let b = bytes(name);
        for passphrase in [None, Some(&wrong)] {
            errors.extend(PrivateKey::from_bytes(&b, passphrase).err());
        }
        errors.extend(PublicKey::from_bytes(&b).err());
        errors.extend(Certificate::from_bytes(&b).err());
        if let Ok(t) = std::str::from_utf8(&b) {
            let cut = t.get(..t.len() / 2).unwrap_or(t);
            errors.extend(PrivateKey::from_env_value(cut, Some(&wrong)).err());
            errors.extend(PrivateKey::from_pem(&t.replace('M', "*")).err());
            errors.extend(PrivateKey::from_pem(&format!("{t}{t}")).err());
        }
    }
    assert!(errors.len() > 100);
    for e in &errors {
        outputs.push(format!("{e:?}"));
        outputs.push(e.to_string());
    }
    for out in &outputs {
        assert!(!out.contains(PASS), "passphrase in {out}");
        assert!(!out.contains("hunter2"), "passphrase in {out}");
        for line in &body_lines {
            assert!(!out.contains(line.as_str()), "PEM body line in {out}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// No panic on any input
// ---------------------------------------------------------------------------------------

const FIXTURES: &[&str] = &[
    "rsa2048.pkcs1.pem",
    "rsa2048.pkcs8.der",
    "rsa2048.pkcs1.der",
    "rsa2048.pkcs8.pbkdf2-aes128.pem",
    "rsa2048.pkcs8.scrypt-aes256.pem",
    "rsa2048.legacy-des3.pem",
    "rsa2048.legacy-aes256.pem",
    "rsa2048.spki.der",
    "rsa2048.pkcs1-public.pem",
    "rsa2048.crt.der",
    "rsa2048.crt.pem",
    "rsa2048.csr.pem",
    "ec-p256.sec1.pem",
];

fn exercise(input: &[u8]) {
    let p = pass();
    let _ = PrivateKey::from_bytes(input, None);
    let _ = PrivateKey::from_bytes(input, Some(&p));
    let _ = PrivateKey::from_der_with_passphrase(input, &p);
    let _ = PublicKey::from_bytes(input);
    let _ = Certificate::from_bytes(input);
    if let Ok(text) = std::str::from_utf8(input) {
        let _ = PrivateKey::from_env_value(text, Some(&p));
        let _ = PublicKey::from_pem(text);
        let _ = Certificate::from_pem(text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic(
        input in prop::collection::vec(any::<u8>(), 0..2048),
        text in ".{0,512}",
    ) {
        exercise(&input);
        let _ = PrivateKey::from_env_value(&text, None);
        let _ = PrivateKey::from_pem(&text);
        let _ = PublicKey::from_pem(&text);
        let _ = Certificate::from_pem(&text);
        let pem_like = format!("-----BEGIN PRIVATE KEY-----\n{text}\n-----END PRIVATE KEY-----");
        exercise(pem_like.as_bytes());
    }

    /// Random bytes rarely get past the first check; damaged real files reach every layer.
    #[test]
    fn parsers_never_panic_on_damaged_fixtures(
        fixture in prop::sample::select(FIXTURES),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut input = bytes(fixture);
        for (at, byte) in edits {
            let i = at.index(input.len());
            input[i] = byte;
        }
        if truncate {
            input.truncate(cut.index(input.len()));
        }
        exercise(&input);
    }
}

#[test]
fn debug_output_of_a_loaded_key_is_only_its_size() {
    let key = PrivateKey::from_pem(&text("rsa4096.pkcs8.pem")).unwrap();
    assert_eq!(format!("{key:?}"), "PrivateKey { bits: 4096, .. }");
    assert_eq!(format!("{:?}", pass()), "Passphrase([redacted])");
}

#[test]
fn certificate_times_are_system_times() {
    let cert = Certificate::from_pem(&text("rsa2048.crt.pem")).unwrap();
    let _: SystemTime = cert.not_before();
    assert!(cert.is_valid_at(cert.not_before()));
}
