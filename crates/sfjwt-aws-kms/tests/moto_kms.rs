//! `KmsSigner` and `BlockingKmsSigner` against a local AWS KMS (moto in server mode, one per
//! test, on loopback): signatures verify with the key's public half from `GetPublicKey`, a
//! certificate signed through KMS lets the emulator accept grants (async and blocking), and
//! KMS failures map to clear, retry-aware errors.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use sfjwt_test_support::{moto, org};

use std::time::SystemTime;

use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use sfjwt_aws_kms::{BlockingKmsSigner, KmsError, KmsSigner};
use sfjwt_core::claims::Claims;
use sfjwt_core::endpoint::TokenEndpoint;
use sfjwt_core::exchange::JwtBearer;
use sfjwt_core::jws::{self, Signer as _, Verifier, verify_rs256_signature};
use sfjwt_core::key::{Certificate, CertificateSpec, PublicKey};
use sfjwt_emulator::Emulator;

const ALIAS: &str = "alias/sfjwt-test";
const CLIENT_ID: &str = "3MVG9_kms_test_app";
const USERNAME: &str = "etl@acme.com";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn claims(now: SystemTime) -> Claims {
    Claims::builder()
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .build(now)
        .unwrap()
}

#[test]
fn signs_and_verifies_with_the_public_half_by_alias_arn_and_id() {
    let moto = moto::Moto::start();
    runtime().block_on(async {
        let client = moto.client(sfjwt_aws_kms::https_client()).await;
        let arn = moto::create_rsa_key(&client, ALIAS).await;
        let key_id = arn.rsplit('/').next().unwrap().to_owned();
        // The public half, asked for independently of the signer.
        let spki = client.get_public_key().key_id(&arn).send().await.unwrap();
        let public = PublicKey::from_der(spki.public_key().unwrap().as_ref()).unwrap();

        for name in [ALIAS.to_owned(), arn.clone(), key_id] {
            let signer = KmsSigner::new(client.clone(), &name).await.unwrap();
            assert_eq!(signer.public_key(), &public);
            // AWS answers with the ARN, moto with the key id: either names this key.
            assert!(arn.ends_with(signer.key_arn()), "{}", signer.key_arn());
            let now = SystemTime::now();
            let jwt = jws::sign_async(&claims(now), &signer).await.unwrap();
            let verified = Verifier::new(public.clone())
                .verify(jwt.expose_secret(), now)
                .unwrap();
            assert_eq!(verified.subject(), USERNAME);
        }

        // Deterministic (RSASSA-PKCS1-v1_5): the same input gives the same bytes; the largest
        // input KMS takes as a RAW message verifies too. (Larger inputs go as a DIGEST, which
        // moto does not implement: it would sign the digest as a message.)
        let signer = KmsSigner::new(client.clone(), ALIAS).await.unwrap();
        assert_eq!(
            signer.sign(b"abc").await.unwrap(),
            signer.sign(b"abc").await.unwrap()
        );
        let largest_raw = vec![b'x'; 4096];
        let signature = signer.sign(&largest_raw).await.unwrap();
        verify_rs256_signature(&public, &largest_raw, &signature).unwrap();
    });
}

fn emulator_with(cert_pem: &str) -> Emulator {
    org::one_app_org(CLIENT_ID, cert_pem, USERNAME)
}

#[test]
fn grants_against_the_emulator_with_a_certificate_made_in_kms() {
    let moto = moto::Moto::start();
    let rt = runtime();
    let (signer, cert_pem) = rt.block_on(async {
        let client = moto.client(sfjwt_aws_kms::https_client()).await;
        moto::create_rsa_key(&client, ALIAS).await;
        let signer = KmsSigner::new(client, ALIAS).await.unwrap();
        let now = SystemTime::now();
        let pem = signer
            .self_signed_certificate(&CertificateSpec::new("sfjwt kms test"), now)
            .await
            .unwrap();
        (signer, pem)
    });
    let cert = Certificate::from_pem(&cert_pem).unwrap();
    assert_eq!(cert.public_key(), signer.public_key());
    let sf = emulator_with(&cert_pem);
    let endpoint = TokenEndpoint::parse(sf.base_url()).unwrap();

    // Async: the async manager awaits KMS.
    let client = JwtBearer::builder()
        .endpoint(endpoint.clone())
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .async_signer(signer.clone())
        .build();
    let token = rt
        .block_on(sfjwt_reqwest::SharedTokenManager::new(client).token())
        .unwrap();
    assert!(token.user_id().is_some());

    // Blocking: the wrapper is a `Signer`, for the blocking exchange (outside any runtime).
    let blocking = BlockingKmsSigner::new(signer).unwrap();
    let client = JwtBearer::builder()
        .endpoint(endpoint)
        .client_id(CLIENT_ID)
        .username(USERNAME)
        .signer(blocking)
        .build();
    let token = sfjwt_ureq::request_token(&client).unwrap();
    assert!(token.user_id().is_some());
    assert_eq!(sf.grant_count(), 2);
}

#[test]
fn unsuitable_and_missing_keys_are_named() {
    let moto = moto::Moto::start();
    runtime().block_on(async {
        let client = moto.client(sfjwt_aws_kms::https_client()).await;

        let e = KmsSigner::new(client.clone(), "alias/no-such-key")
            .await
            .unwrap_err();
        assert!(matches!(e, KmsError::KeyNotFound { .. }), "{e:?}");
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("alias/no-such-key"), "{e}");

        // A symmetric key cannot sign.
        let symmetric = client.create_key().send().await.unwrap();
        let id = symmetric.key_metadata().unwrap().key_id().to_owned();
        let e = KmsSigner::new(client.clone(), &id).await.unwrap_err();
        assert!(matches!(e, KmsError::UnsuitableKey { .. }), "{e:?}");

        // Nor can an EC key sign RS256.
        let ec = client
            .create_key()
            .key_spec(KeySpec::EccNistP256)
            .key_usage(KeyUsageType::SignVerify)
            .send()
            .await
            .unwrap();
        let id = ec.key_metadata().unwrap().key_id().to_owned();
        let e = KmsSigner::new(client.clone(), &id).await.unwrap_err();
        assert!(matches!(e, KmsError::UnsuitableKey { .. }), "{e:?}");
        assert!(e.to_string().contains("RSA"), "{e}");

        let e = KmsSigner::new(client, "").await.unwrap_err();
        assert!(matches!(e, KmsError::InvalidKeyId { .. }), "{e:?}");
    });
}

#[test]
fn an_unreachable_kms_is_a_retryable_transport_error() {
    // A port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    runtime().block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(sfjwt_aws_kms::https_client())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .credentials_provider(aws_sdk_kms::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load()
            .await;
        let e = KmsSigner::new(aws_sdk_kms::Client::new(&config), ALIAS)
            .await
            .unwrap_err();
        assert!(matches!(e, KmsError::Transport { .. }), "{e:?}");
        assert!(e.is_retryable());
    });
}

#[test]
fn the_blocking_signer_refuses_to_block_an_executor() {
    let moto = moto::Moto::start();
    let rt = runtime();
    let signer = rt.block_on(async {
        let client = moto.client(sfjwt_aws_kms::https_client()).await;
        moto::create_rsa_key(&client, ALIAS).await;
        KmsSigner::new(client, ALIAS).await.unwrap()
    });
    let blocking = BlockingKmsSigner::new(signer).unwrap();
    assert_eq!(blocking.sign_rs256(b"abc").unwrap().len(), 256);
    rt.block_on(async {
        let e = blocking.sign(b"abc").unwrap_err();
        assert!(matches!(e, KmsError::BlockingInAsyncContext), "{e:?}");
    });
}
