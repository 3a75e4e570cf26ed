//! An org played from an External Client App source folder (`EmulatorBuilder::eca_folder`):
//! the folder's certificate, permitted users, scopes and IP relaxation decide, and the
//! emulator's own URL is the My Domain.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::SystemTime;

use sfjwt_test_support::wire as common;

use common::*;
use sfjwt_emulator::sfjwt_eca::{EcaFolder, EcaSpec, IpRelaxation, Scope};
use sfjwt_emulator::{Emulator, EmulatorError};

const KEY: &str = "3MVG9_local_eca_key";
const ETL: &str = "etl@acme.com";

fn cert() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/keys/rsa2048.crt.pem"
    ))
    .unwrap()
}

fn folder(dir: &Path, spec: impl FnOnce(EcaSpec) -> EcaSpec) -> EcaFolder {
    let out = dir.join("acme_etl");
    spec(EcaSpec::new("acme_etl", &cert(), SystemTime::now()).unwrap())
        .write_new(&out)
        .unwrap();
    EcaFolder::load(&out).unwrap()
}

fn org(
    eca: &EcaFolder,
    build: impl FnOnce(sfjwt_emulator::EmulatorBuilder) -> sfjwt_emulator::EmulatorBuilder,
) -> Emulator {
    build(Emulator::builder().eca_folder(eca, KEY, [ETL]).unwrap())
        .start()
        .unwrap()
}

fn at_my_domain(sf: &Emulator, sub: &str) -> String {
    assertion_with(KEY, sub, sf.base_url(), unix_now() + 120)
}

#[test]
fn the_permission_set_holder_is_granted_at_the_own_url_with_the_folders_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let eca = folder(dir.path(), |s| s);
    let sf = org(&eca, |b| b);
    assert_eq!(sf.my_domain(), Some(sf.base_url()));
    let answer = grant(&sf, &at_my_domain(&sf, ETL));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["scope"], "api refresh_token");
    // An ECA: the login servers are not its audience.
    assert_oauth_error(
        &grant(&sf, &assertion_with(KEY, ETL, PRODUCTION, unix_now() + 120)),
        "app_not_found",
        "External client app is not installed in this org",
    );
}

#[test]
fn users_outside_the_permission_set_and_other_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let eca = folder(dir.path(), |s| s);
    let sf = org(&eca, |b| b.user(sfjwt_emulator::User::new("ops@acme.com")));
    assert_oauth_error(
        &grant(&sf, &at_my_domain(&sf, "ops@acme.com")),
        "invalid_grant",
        "user hasn't approved this consumer",
    );
    let other = sfjwt_core::key::PrivateKey::from_pem(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/keys/other2048.pkcs8.pem"
        ))
        .unwrap(),
    )
    .unwrap();
    let claims =
        serde_json::json!({"iss": KEY, "sub": ETL, "aud": sf.base_url(), "exp": unix_now() + 120});
    let forged = sign_raw(r#"{"alg":"RS256"}"#, &claims.to_string(), &other);
    assert_oauth_error(&grant(&sf, &forged), "invalid_grant", "invalid assertion");
    assert_eq!(sf.grant_count(), 0);
}

#[test]
fn ip_relaxation_bypass_lets_logins_through_the_orgs_ip_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let enforce = folder(dir.path(), |s| s);
    let sf = org(&enforce, |b| b.login_ip_ranges(["10.0.0.0/8"]));
    assert_oauth_error(
        &grant(&sf, &at_my_domain(&sf, ETL)),
        "invalid_grant",
        "ip restricted or invalid login hours",
    );
    let dir = tempfile::tempdir().unwrap();
    let bypass = folder(dir.path(), |s| s.ip_relaxation(IpRelaxation::Bypass));
    let sf = org(&bypass, |b| b.login_ip_ranges(["10.0.0.0/8"]));
    assert_eq!(grant(&sf, &at_my_domain(&sf, ETL)).status, 200);
}

#[test]
fn without_the_api_scope_the_rest_api_refuses_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let eca = folder(dir.path(), |s| s.scopes(vec![Scope::Web]).unwrap());
    let sf = org(&eca, |b| b);
    let answer = grant(&sf, &at_my_domain(&sf, ETL));
    assert_eq!(answer.json()["scope"], "web");
    let token = answer.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&sf, "/services/data/v62.0/limits", Some(&token)).status,
        401
    );
}

fn edit(eca_root: &Path, file: &str, from: &str, to: &str) {
    let path = eca_root.join("force-app/main/default").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn all_self_authorized_and_no_certificate_are_played_as_salesforce_would() {
    let dir = tempfile::tempdir().unwrap();
    let eca = folder(dir.path(), |s| s);
    edit(
        eca.root(),
        "extlClntAppOauthPolicies/acme_etl_oauthPlcy.ecaOauthPlcy-meta.xml",
        "AdminApprovedPreAuthorized",
        "AllSelfAuthorized",
    );
    let eca = EcaFolder::load(eca.root()).unwrap();
    let sf = org(&eca, |b| b);
    assert_oauth_error(
        &grant(&sf, &at_my_domain(&sf, ETL)),
        "invalid_grant",
        "user hasn't approved this consumer",
    );

    let global = "extlClntAppGlobalOauthSets/acme_etl_glbloauth.ecaGlblOauth-meta.xml";
    let text =
        std::fs::read_to_string(eca.root().join("force-app/main/default").join(global)).unwrap();
    let start = text.find("    <certificate>").unwrap();
    let end = text.find("</certificate>\n").unwrap() + "</certificate>\n".len();
    let without = format!("{}{}", &text[..start], &text[end..]);
    std::fs::write(
        eca.root().join("force-app/main/default").join(global),
        without,
    )
    .unwrap();
    let eca = EcaFolder::load(eca.root()).unwrap();
    assert!(eca.certificate().is_none());
    let e = Emulator::builder()
        .eca_folder(&eca, KEY, [ETL])
        .unwrap_err();
    assert!(matches!(e, EmulatorError::EcaFolder { .. }), "{e}");
    assert!(e.to_string().contains("no certificate"), "{e}");
}
