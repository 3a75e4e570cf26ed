//! The kinds of org users have: production or sandbox (which login server is the audience,
//! sandbox usernames), connected app or External Client App (the My Domain audience,
//! `app_not_found`), and the audiences no org accepts.

use sfjwt_test_support::wire as common;

use common::*;
use sfjwt_emulator::{App, AppKind, Emulator, EmulatorError, OrgKind, User};

const SANDBOX: &str = "https://test.salesforce.com";
const MY_DOMAIN: &str = "https://acme.my.salesforce.com";
const ECA: &str = "3MVG9_eca_consumer_key";

fn fresh(iss: &str, sub: &str, aud: &str) -> String {
    assertion_with(iss, sub, aud, unix_now() + 120)
}

fn app_not_found(answer: &Answer) {
    assert_refused(answer, refusal::ECA_NOT_INSTALLED);
}

#[test]
fn production_org_refuses_the_sandbox_login_server() {
    let sf = builder().org_kind(OrgKind::Production).start().unwrap();
    assert_eq!(
        grant(&sf, &fresh(CLIENT_ID, APPROVED, PRODUCTION)).status,
        200
    );
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, APPROVED, SANDBOX)),
        refusal::AUDIENCE_INVALID,
    );
    assert_eq!(sf.grant_count(), 1);
}

#[test]
fn sandbox_org_refuses_the_production_login_server() {
    let sf = builder().org_kind(OrgKind::Sandbox).start().unwrap();
    assert_eq!(grant(&sf, &fresh(CLIENT_ID, APPROVED, SANDBOX)).status, 200);
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, APPROVED, PRODUCTION)),
        refusal::AUDIENCE_INVALID,
    );
}

#[test]
fn without_an_org_kind_both_login_servers_are_accepted() {
    let sf = start();
    for aud in [PRODUCTION, SANDBOX, "https://LOGIN.salesforce.com/"] {
        assert_eq!(
            grant(&sf, &fresh(CLIENT_ID, APPROVED, aud)).status,
            200,
            "{aud}"
        );
    }
}

#[test]
fn sandbox_usernames_carry_the_sandbox_name() {
    let sf = builder().sandbox_name("dev").start().unwrap();
    let answer = grant(&sf, &fresh(CLIENT_ID, "etl@acme.com.dev", SANDBOX));
    assert_eq!(answer.status, 200, "{}", answer.body);
    // The production username is not a user of the sandbox.
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, APPROVED, SANDBOX)),
        refusal::NOT_APPROVED,
    );
    // A sandbox name makes the org a sandbox.
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, "etl@acme.com.dev", PRODUCTION)),
        refusal::AUDIENCE_INVALID,
    );
    // The admin-approved list (production names) still applies to the sandbox users.
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, "analyst@acme.com.dev", SANDBOX)),
        refusal::NOT_APPROVED,
    );
    // The handle finds users by either name.
    assert!(sf.user_id("etl@acme.com.dev").is_some());
    assert_eq!(sf.user_id(APPROVED), sf.user_id("ETL@acme.com.DEV"));
    let info = get(
        &sf,
        "/services/oauth2/userinfo",
        Some(&token_with(
            &sf,
            &fresh(CLIENT_ID, "etl@acme.com.dev", SANDBOX),
        )),
    );
    assert_eq!(info.json()["preferred_username"], "etl@acme.com.dev");
}

#[test]
fn sandbox_names_are_checked() {
    for bad in ["", "9lives", "dev.x", "muchtoolongname"] {
        let err = builder().sandbox_name(bad).start().unwrap_err();
        assert!(
            matches!(&err, EmulatorError::InvalidSandboxName { name, .. } if name == bad),
            "{err}"
        );
        assert!(err.to_string().contains("sandbox name"), "{err}");
    }
}

/// An org created after Spring '26: its app is an External Client App.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is a failed test"
)]
fn eca_org() -> Emulator {
    Emulator::builder()
        .org_kind(OrgKind::Production)
        .my_domain(MY_DOMAIN)
        .app(
            App::from_pem(ECA, CERT_PEM)
                .unwrap()
                .external_client_app()
                .admin_approved([APPROVED]),
        )
        .app(App::from_pem(CLIENT_ID, CERT_PEM).unwrap())
        .user(User::new(APPROVED))
        .user(User::new(NOT_APPROVED))
        .start()
        .unwrap()
}

#[test]
fn eca_refuses_login_audiences_with_app_not_found() {
    let sf = eca_org();
    assert_eq!(sf.my_domain(), Some(MY_DOMAIN));
    for aud in [PRODUCTION, SANDBOX, "https://login.salesforce.com/"] {
        app_not_found(&grant(&sf, &fresh(ECA, APPROVED, aud)));
    }
    assert_eq!(sf.grant_count(), 0);
}

#[test]
fn eca_grants_its_my_domain_audience() {
    let sf = eca_org();
    for aud in [MY_DOMAIN, "https://ACME.my.salesforce.com/"] {
        let answer = grant(&sf, &fresh(ECA, APPROVED, aud));
        assert_eq!(answer.status, 200, "{aud}: {}", answer.body);
        let json = answer.json();
        assert!(
            json["id"]
                .as_str()
                .unwrap()
                .starts_with("https://acme.my.salesforce.com/id/00D"),
            "{json}"
        );
        let token = json["access_token"].as_str().unwrap();
        assert_eq!(
            get(&sf, "/services/data/v62.0/limits", Some(token)).status,
            200
        );
    }
    // The ECA's policies still apply.
    assert_refused(
        &grant(&sf, &fresh(ECA, NOT_APPROVED, MY_DOMAIN)),
        refusal::NOT_APPROVED,
    );
    // Other audiences are simply invalid, not app_not_found.
    for aud in [
        "https://other.my.salesforce.com",
        "https://acme.lightning.force.com",
        "https://na123.salesforce.com",
    ] {
        assert_refused(
            &grant(&sf, &fresh(ECA, APPROVED, aud)),
            refusal::AUDIENCE_INVALID,
        );
    }
}

#[test]
fn connected_app_in_the_same_org_keeps_the_classic_rules() {
    let sf = eca_org();
    assert_eq!(
        grant(&sf, &fresh(CLIENT_ID, APPROVED, PRODUCTION)).status,
        200
    );
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, APPROVED, MY_DOMAIN)),
        refusal::AUDIENCE_INVALID,
    );
}

#[test]
fn aud_array_is_granted_when_one_entry_is_accepted() {
    let sf = eca_org();
    let claims = serde_json::json!({
        "iss": ECA, "sub": APPROVED, "aud": [PRODUCTION, MY_DOMAIN], "exp": unix_now() + 120
    })
    .to_string();
    let token = sign_raw(r#"{"alg":"RS256"}"#, &claims, &key());
    assert_eq!(grant(&sf, &token).status, 200);
}

#[test]
fn eca_not_installed_answers_app_not_found_for_every_audience() {
    let sf = Emulator::builder()
        .my_domain(MY_DOMAIN)
        .app(
            App::from_pem(ECA, CERT_PEM)
                .unwrap()
                .kind(AppKind::ExternalClientApp)
                .installed(false),
        )
        .user(User::new(APPROVED))
        .start()
        .unwrap();
    for aud in [MY_DOMAIN, PRODUCTION, SANDBOX, "https://elsewhere.example"] {
        app_not_found(&grant(&sf, &fresh(ECA, APPROVED, aud)));
    }
    // Not installed is decided before the signature: any assertion naming it gets the same.
    let forged = sign_raw(
        r#"{"alg":"RS256"}"#,
        &format!(r#"{{"iss":"{ECA}","sub":"{APPROVED}","aud":"{MY_DOMAIN}","exp":1}}"#),
        &other_key(),
    );
    app_not_found(&grant(&sf, &forged));
}

#[test]
fn connected_app_not_installed_is_an_unknown_client() {
    let sf = Emulator::builder()
        .app(App::from_pem(CLIENT_ID, CERT_PEM).unwrap().installed(false))
        .user(User::new(APPROVED))
        .start()
        .unwrap();
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, APPROVED, PRODUCTION)),
        refusal::UNKNOWN_CLIENT,
    );
}

#[test]
fn an_eca_needs_a_my_domain() {
    let err = Emulator::builder()
        .app(App::from_pem(ECA, CERT_PEM).unwrap().external_client_app())
        .start()
        .unwrap_err();
    assert!(
        matches!(&err, EmulatorError::EcaWithoutMyDomain { consumer_key } if consumer_key == ECA),
        "{err}"
    );
    assert!(err.to_string().contains(".my_domain("), "{err}");
}

#[test]
fn lightning_and_instance_urls_cannot_be_configured_as_audiences() {
    for url in [
        "https://acme.lightning.force.com",
        "https://na123.salesforce.com",
        "http://acme.my.salesforce.com",
        "https://acme.my.salesforce.com/path",
    ] {
        let err = builder().my_domain(url).start().unwrap_err();
        assert!(
            matches!(&err, EmulatorError::InvalidAudience { url: u, .. } if u == url),
            "{url}: {err}"
        );
    }
    for url in [
        "https://acme.lightning.force.com/lightning",
        "https://cs42.salesforce.com",
    ] {
        let err = builder().audience(url).start().unwrap_err();
        assert!(err.to_string().contains("never an audience"), "{err}");
    }
    // Site URLs and sandbox My Domains are fine.
    builder()
        .audience("https://acme.my.site.com/partners")
        .my_domain("https://acme--dev.sandbox.my.salesforce.com")
        .start()
        .unwrap();
}

#[test]
fn site_audience_is_accepted_for_every_app_kind() {
    let site = "https://acme.my.site.com/partners";
    let sf = Emulator::builder()
        .my_domain(MY_DOMAIN)
        .audience(site)
        .app(App::from_pem(ECA, CERT_PEM).unwrap().external_client_app())
        .app(App::from_pem(CLIENT_ID, CERT_PEM).unwrap())
        .user(User::new(APPROVED))
        .start()
        .unwrap();
    for iss in [ECA, CLIENT_ID] {
        let answer = grant(&sf, &fresh(iss, APPROVED, site));
        assert_eq!(answer.status, 200, "{iss}: {}", answer.body);
        assert!(
            answer.json()["id"]
                .as_str()
                .unwrap()
                .starts_with("https://acme.my.site.com/partners/id/")
        );
    }
}
