//! The emulator's own base URL plays the org's My Domain: a client that logs in "through the
//! My Domain" on loopback sends `aud = http://127.0.0.1:PORT` and is granted as it would be
//! at `https://NAME.my.salesforce.com`.

use sfjwt_test_support::wire as common;

use common::*;
use sfjwt_emulator::{App, Emulator, OrgKind, User};

const MY_DOMAIN: &str = "https://acme.my.salesforce.com";
const ECA: &str = "3MVG9_eca_consumer_key";

fn fresh(iss: &str, aud: &str) -> String {
    assertion_with(iss, APPROVED, aud, unix_now() + 120)
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is a failed test"
)]
fn org(my_domain: Option<&str>) -> Emulator {
    let mut builder = Emulator::builder()
        .org_kind(OrgKind::Production)
        .app(App::from_pem(CLIENT_ID, CERT_PEM).unwrap())
        .user(User::new(APPROVED));
    if let Some(url) = my_domain {
        builder = builder
            .my_domain(url)
            .app(App::from_pem(ECA, CERT_PEM).unwrap().external_client_app());
    }
    builder.start().unwrap()
}

#[test]
fn an_eca_accepts_the_base_url_as_its_my_domain() {
    let sf = org(Some(MY_DOMAIN));
    let base = sf.base_url().to_owned();
    for aud in [base.clone(), format!("{base}/"), base.to_uppercase()] {
        let answer = grant(&sf, &fresh(ECA, &aud));
        assert_eq!(answer.status, 200, "{aud}: {}", answer.body);
        // Granted for the loopback My Domain, the identity URL is there too.
        let id = answer.json()["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with(&format!("{base}/id/00D")), "{id}");
    }
    // The configured My Domain keeps working, login/test keep answering app_not_found.
    assert_eq!(grant(&sf, &fresh(ECA, MY_DOMAIN)).status, 200);
    assert_refused(
        &grant(&sf, &fresh(ECA, PRODUCTION)),
        refusal::ECA_NOT_INSTALLED,
    );
}

#[test]
fn a_connected_app_refuses_the_base_url_as_it_refuses_a_my_domain() {
    let sf = org(Some(MY_DOMAIN));
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, sf.base_url())),
        refusal::AUDIENCE_INVALID,
    );
    assert_eq!(grant(&sf, &fresh(CLIENT_ID, PRODUCTION)).status, 200);
}

#[test]
fn without_a_my_domain_the_base_url_is_no_audience() {
    let sf = org(None);
    assert_refused(
        &grant(&sf, &fresh(CLIENT_ID, sf.base_url())),
        refusal::AUDIENCE_INVALID,
    );
}

#[test]
fn another_loopback_port_is_not_the_my_domain() {
    let sf = org(Some(MY_DOMAIN));
    let other = format!("http://127.0.0.1:{}", sf.addr().port().wrapping_add(1));
    assert_refused(&grant(&sf, &fresh(ECA, &other)), refusal::AUDIENCE_INVALID);
}
