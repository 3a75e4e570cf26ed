//! Configuration files: TOML and JSON, certificate paths relative to the file, and errors
//! that name the file and the problem.

use sfjwt_test_support::wire as common;

use std::path::{Path, PathBuf};

use common::*;
use sfjwt_emulator::{ConfigError, EmulatorConfig};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn toml_file_configures_the_whole_org() {
    let config = EmulatorConfig::from_file(fixture("emulator.toml")).unwrap();
    assert_eq!(config.port(), 0);
    let sf = config.start().unwrap();
    assert_eq!(sf.org_id(), "00Dxx0000001gPLEAY");
    assert_eq!(sf.user_id(APPROVED).unwrap(), "005xx000001Sv6AAAS");
    assert_eq!(sf.pending_faults(), 2);

    // The armed faults: one 500 on the token endpoint, then 10 ms of latency.
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 500);
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
    assert_eq!(sf.pending_faults(), 0);

    assert_user_refusals(&sf);
    let site = assertion_with(
        CLIENT_ID,
        APPROVED,
        "https://acme.my.site.com/partners",
        unix_now() + 60,
    );
    assert_eq!(grant(&sf, &site).status, 200);
    let other_app = sign_raw(
        r#"{"alg":"RS256"}"#,
        &format!(
            r#"{{"iss":"{OTHER_CLIENT_ID}","sub":"{NOT_APPROVED}","aud":"{PRODUCTION}","exp":{}}}"#,
            unix_now() + 60
        ),
        &other_key(),
    );
    assert_eq!(grant(&sf, &other_app).status, 200);
}

#[test]
fn json_file_works_the_same() {
    let sf = EmulatorConfig::from_file(fixture("emulator.json"))
        .unwrap()
        .start()
        .unwrap();
    assert_eq!(sf.org_id(), "00Dxx0000001gPLEAY");
    let token = token(&sf);
    assert_eq!(
        get(&sf, "/services/oauth2/userinfo", Some(&token)).status,
        200,
        "api faults pass the token endpoint"
    );
    // The first API request consumed one html_page fault; one is left.
    assert_eq!(sf.pending_faults(), 1);
}

#[test]
fn the_builder_from_a_file_can_be_adjusted() {
    let builder = EmulatorConfig::from_file(fixture("emulator.json"))
        .unwrap()
        .into_builder();
    let sf = builder.login_rate_per_hour(0).start().unwrap();
    assert_refused(&grant(&sf, &assertion_for(APPROVED)), refusal::RATE_LIMITED);
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is a failed test"
)]
fn parse_err(toml: &str) -> ConfigError {
    EmulatorConfig::from_toml_str(toml, fixture("")).unwrap_err()
}

#[test]
fn mistakes_are_reported_clearly() {
    let typo = parse_err("login_rate_per_hr = 5");
    assert!(matches!(typo, ConfigError::Parse { .. }));
    assert!(typo.to_string().contains("login_rate_per_hr"), "{typo}");

    let missing_cert = parse_err("[[apps]]\nconsumer_key = \"k\"\ncertificate = \"nope.pem\"\n");
    assert!(
        matches!(missing_cert, ConfigError::Read { .. }),
        "{missing_cert}"
    );
    assert!(missing_cert.to_string().contains("nope.pem"));
    // The cause is in the message, so it is not returned again from source().
    assert!(std::error::Error::source(&missing_cert).is_none());

    let key_not_cert = parse_err(
        "[[apps]]\nconsumer_key = \"k\"\ncertificate = \"../../../../testdata/keys/rsa2048.pkcs8.pem\"\n",
    );
    assert!(
        matches!(key_not_cert, ConfigError::Certificate { .. }),
        "{key_not_cert}"
    );
    assert!(
        !key_not_cert.to_string().contains("PRIVATE KEY-----\nMII"),
        "no key material in messages"
    );

    let approved_without_policy = parse_err(
        "[[apps]]\nconsumer_key = \"k\"\ncertificate = \"../../../../testdata/keys/rsa2048.crt.pem\"\napproved_users = [\"a@b.c\"]\n",
    );
    assert!(
        approved_without_policy
            .to_string()
            .contains("admin_approved"),
        "{approved_without_policy}"
    );

    let bad_fault = parse_err("[[faults]]\nkind = \"meteor_strike\"\n");
    assert!(
        bad_fault.to_string().contains("meteor_strike"),
        "{bad_fault}"
    );

    let unknown_ext = EmulatorConfig::from_file(fixture("emulator.yaml")).unwrap_err();
    assert!(matches!(unknown_ext, ConfigError::UnknownFormat { .. }));

    let bad_json = EmulatorConfig::from_json_str("{\"apps\": 3}", ".").unwrap_err();
    assert!(matches!(bad_json, ConfigError::Parse { .. }));
}

#[test]
fn file_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("sfjwt-emulator-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.toml");
    std::fs::write(&path, "port = \"eighty\"\n").unwrap();
    let err = EmulatorConfig::from_file(&path).unwrap_err();
    assert!(err.to_string().contains("broken.toml"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_ids_and_duplicates_are_refused_at_start() {
    let err = builder().org_id("005xx000001Sv6A").start().unwrap_err();
    assert!(
        matches!(err, sfjwt_emulator::EmulatorError::InvalidId { .. }),
        "{err}"
    );
    let err = builder().org_id("00Dxx0000001gPLAAA").start().unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    let err = builder()
        .user(sfjwt_emulator::User::new("x@y.z").user_id("00Dxx0000001gPL"))
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        sfjwt_emulator::EmulatorError::InvalidId { .. }
    ));
    let err = builder()
        .user(sfjwt_emulator::User::new("ETL@acme.com"))
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        sfjwt_emulator::EmulatorError::DuplicateUser { .. }
    ));
    let err = builder()
        .app(sfjwt_emulator::App::from_pem(CLIENT_ID, CERT_PEM).unwrap())
        .start()
        .unwrap_err();
    assert!(matches!(
        err,
        sfjwt_emulator::EmulatorError::DuplicateApp { .. }
    ));
    let err = sfjwt_emulator::App::from_pem("k", KEY_PEM).unwrap_err();
    assert!(matches!(
        err,
        sfjwt_emulator::EmulatorError::Certificate { .. }
    ));
    assert!(!err.to_string().contains("MII"));
}

#[test]
fn every_fault_kind_can_be_configured() {
    let toml = r#"
        [[apps]]
        consumer_key = "3MVG9_emulator_test_consumer_key"
        certificate = "../../../../testdata/keys/rsa2048.crt.pem"
        [[users]]
        username = "etl@acme.com"
        [[faults]]
        kind = "connection_reset"
        [[faults]]
        kind = "internal_server_error"
        [[faults]]
        kind = "service_unavailable"
        [[faults]]
        kind = "html_page"
        [[faults]]
        kind = "oversized_body"
        bytes = 100000
        [[faults]]
        kind = "stall_mid_body"
        secs = 0
        [[faults]]
        kind = "redirect"
        location = "http://127.0.0.1:9/x"
        [[faults]]
        kind = "latency"
        ms = 1
    "#;
    let sf = EmulatorConfig::from_toml_str(toml, fixture(""))
        .unwrap()
        .start()
        .unwrap();
    assert_eq!(sf.pending_faults(), 8);
    let send = || {
        agent().post(sf.token_url()).send_form([
            ("grant_type", JWT_BEARER),
            ("assertion", &assertion_for(APPROVED)),
        ])
    };
    assert!(send().is_err(), "connection_reset");
    assert_eq!(send().unwrap().status(), 500);
    assert_eq!(send().unwrap().status(), 503);
    let html = send().unwrap();
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let mut big = send().unwrap();
    assert_eq!(big.body_mut().read_to_vec().unwrap().len(), 100_000);
    // A zero-second stall: half the body, then the connection is dropped.
    let mut stalled = send().unwrap();
    assert!(stalled.body_mut().read_to_vec().is_err());
    assert_eq!(
        send().unwrap().headers()["location"],
        "http://127.0.0.1:9/x"
    );
    assert_eq!(
        send().unwrap().status(),
        200,
        "latency, then a normal answer"
    );
    assert_eq!(sf.pending_faults(), 0);
}

#[test]
fn every_org_knob_can_be_configured() {
    let toml = r#"
        [org]
        kind = "sandbox"
        sandbox_name = "uat"
        my_domain = "https://acme--uat.sandbox.my.salesforce.com"
        login_ip_ranges = ["10.0.0.0/8"]

        [assertion]
        max_lifetime_secs = 60

        [sessions]
        ip_locked = true
        locked_to_origin_ip = true
        not_valid_for_rest_api = true

        [token_response]
        issued_at_and_signature = true
        identity_host = "emulator"
        api_instance_url = "https://api.salesforce.com"

        [errors]
        bare_codes = false

        [[apps]]
        consumer_key = "3MVG9_eca"
        certificate = "../../../../testdata/keys/rsa2048.crt.pem"
        kind = "external_client_app"
        relax_ip_restrictions = true

        [[apps]]
        consumer_key = "3MVG9_cold"
        certificate = "../../../../testdata/keys/rsa2048.crt.pem"
        installed = false

        [[users]]
        username = "etl@acme.com"
    "#;
    let sf = EmulatorConfig::from_toml_str(toml, fixture(""))
        .unwrap()
        .start()
        .unwrap();
    let my_domain = "https://acme--uat.sandbox.my.salesforce.com";
    assert_eq!(sf.my_domain(), Some(my_domain));
    let fresh = |iss: &str, aud: &str, lifetime: u64| {
        assertion_with(iss, "etl@acme.com.uat", aud, unix_now() + lifetime)
    };
    // ECA + sandbox name + relaxed IP + identity on the emulator + issued_at/signature.
    let answer = grant(&sf, &fresh("3MVG9_eca", my_domain, 30));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json = answer.json();
    assert!(json["id"].as_str().unwrap().starts_with(sf.base_url()));
    assert!(json["signature"].is_string());
    assert_eq!(json["api_instance_url"], "https://api.salesforce.com");
    // The exp ceiling of 60 s (+5 s skew).
    assert_refused(
        &grant(&sf, &fresh("3MVG9_eca", my_domain, 120)),
        refusal::EXPIRED,
    );
    // IP-locked sessions.
    let token = json["access_token"].as_str().unwrap();
    assert_eq!(
        get(&sf, "/services/data/v62.0/limits", Some(token)).status,
        401
    );
    // A connected app that is not installed.
    assert_refused(
        &grant(&sf, &fresh("3MVG9_cold", "https://test.salesforce.com", 30)),
        refusal::UNKNOWN_CLIENT,
    );

    // The same in JSON.
    let json_config = r#"{
        "org": {"kind": "production", "login_ip_ranges": ["10.0.0.0/8"]},
        "errors": {"bare_codes": true},
        "apps": [{"consumer_key": "k", "certificate": "../../../../testdata/keys/rsa2048.crt.pem",
                  "propagation_delay_secs": 0}],
        "users": [{"username": "etl@acme.com"}]
    }"#;
    let sf = EmulatorConfig::from_json_str(json_config, fixture(""))
        .unwrap()
        .start()
        .unwrap();
    assert_refused(
        &grant(
            &sf,
            &assertion_with("k", APPROVED, PRODUCTION, unix_now() + 60),
        ),
        refusal::IP_RESTRICTED,
    );
}

#[test]
fn org_knob_mistakes_are_reported_clearly() {
    let err = parse_err("[org]\nkind = \"production\"\nsandbox_name = \"dev\"\n");
    assert!(err.to_string().contains("sandbox_name"), "{err}");
    let err = parse_err("[org]\nkind = \"scratch\"\n");
    assert!(err.to_string().contains("scratch"), "{err}");
    let err = parse_err("[sessions]\nip_lock = true\n");
    assert!(err.to_string().contains("ip_lock"), "{err}");
    let err = parse_err(
        "[[apps]]\nconsumer_key = \"k\"\ncertificate = \"../../../../testdata/keys/rsa2048.crt.pem\"\nkind = \"eca\"\n",
    );
    assert!(err.to_string().contains("eca"), "{err}");
    // Start-time checks apply to file configurations too.
    let config = EmulatorConfig::from_toml_str(
        "[org]\nmy_domain = \"https://acme.lightning.force.com\"\n",
        fixture(""),
    )
    .unwrap();
    let err = config.start().unwrap_err();
    assert!(err.to_string().contains("Lightning"), "{err}");
}

#[test]
fn files_over_one_mib_are_refused_before_parsing() {
    let dir = std::env::temp_dir().join(format!("sfjwt-emulator-cap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.toml");
    // Valid TOML all the way: only the size is wrong.
    let mut text = String::from("# padding\n");
    while text.len() <= 1024 * 1024 {
        text.push_str("# ........................................................\n");
    }
    std::fs::write(&path, &text).unwrap();
    let err = EmulatorConfig::from_file(&path).unwrap_err();
    assert!(
        matches!(&err, ConfigError::TooLarge { limit, .. } if *limit == sfjwt_emulator::MAX_CONFIG_BYTES),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("huge.toml"), "{message}");
    assert!(message.contains("1 MiB"), "{message}");

    // Exactly at the cap is fine.
    text.truncate(1024 * 1024);
    let cut = text.rfind('\n').unwrap() + 1;
    text.truncate(cut);
    while text.len() < 1024 * 1024 {
        text.push('#');
    }
    std::fs::write(&path, &text).unwrap();
    assert!(EmulatorConfig::from_file(&path).is_ok());

    // A certificate path pointing at a huge file is capped too.
    let cert = dir.join("huge.crt.pem");
    std::fs::write(&cert, vec![b'A'; 2 * 1024 * 1024]).unwrap();
    let err = EmulatorConfig::from_toml_str(
        "[[apps]]\nconsumer_key = \"k\"\ncertificate = \"huge.crt.pem\"\n",
        &dir,
    )
    .unwrap_err();
    assert!(matches!(err, ConfigError::TooLarge { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn each_session_rule_can_be_configured() {
    let org = |sessions: &str| {
        let toml = format!(
            "[sessions]\n{sessions}\n\n[[apps]]\nconsumer_key = \"{CLIENT_ID}\"\ncertificate = \"../../../../testdata/keys/rsa2048.crt.pem\"\n\n[[users]]\nusername = \"{APPROVED}\"\n"
        );
        EmulatorConfig::from_toml_str(&toml, fixture(""))
            .unwrap()
            .start()
            .unwrap()
    };
    let limits = "/services/data/v62.0/limits";

    let sf = org("locked_to_origin_ip = true");
    let access = token(&sf);
    assert_eq!(get(&sf, limits, Some(&access)).status, 200);
    assert_eq!(get_from(&sf, "198.51.100.1", limits, &access).status, 401);

    let sf = org("not_valid_for_rest_api = true");
    let access = token(&sf);
    let answer = get(&sf, limits, Some(&access));
    assert_eq!(answer.status, 401);
    assert!(
        answer.body.contains("not valid for use with the REST API"),
        "{}",
        answer.body
    );

    let sf = org("ip_locked = false");
    let access = token(&sf);
    assert_eq!(get(&sf, limits, Some(&access)).status, 200);
}
