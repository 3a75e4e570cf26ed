//! Each fault mode, seen from a real client over a real socket.

use sfjwt_test_support::wire as common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use sfjwt_emulator::{Fault, Target};

fn token_request(sf: &sfjwt_emulator::Emulator) -> Result<http::Response<ureq::Body>, ureq::Error> {
    agent().post(sf.token_url()).send_form([
        ("grant_type", JWT_BEARER),
        ("assertion", &assertion_for(APPROVED)),
    ])
}

#[test]
fn latency_delays_then_answers_normally() {
    let sf = start();
    sf.inject_fault(Fault::Latency(Duration::from_millis(150)), 1);
    assert_eq!(sf.pending_faults(), 1);
    let answer = grant(&sf, &assertion_for(APPROVED));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(sf.pending_faults(), 0);
    assert_eq!(sf.grant_count(), 1);
}

#[test]
fn connection_reset_is_a_real_reset_before_any_byte() {
    let sf = start();
    sf.inject_fault(Fault::ConnectionReset, 1);
    let body = format!(
        "grant_type={JWT_BEARER}&assertion={}",
        assertion_for(APPROVED)
    );
    let request = format!(
        "POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(sf.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut buf = [0u8; 1024];
    let read = stream.read(&mut buf);
    match read {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
        Ok(n) => panic!(
            "expected a reset, read {n} bytes: {:?}",
            String::from_utf8_lossy(&buf[..n])
        ),
    }
    assert_eq!(sf.grant_count(), 0, "a reset request is not processed");
    assert_eq!(sf.requests().len(), 1, "but it is recorded");

    // A client library sees an I/O error; the emulator keeps serving.
    sf.inject_fault(Fault::ConnectionReset, 1);
    assert!(token_request(&sf).is_err());
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
}

#[test]
fn internal_server_error() {
    let sf = start();
    sf.inject_fault(Fault::InternalServerError, 2);
    for _ in 0..2 {
        let answer = grant(&sf, &assertion_for(APPROVED));
        assert_eq!(answer.status, 500);
        assert_eq!(answer.json()[0]["errorCode"], "UNKNOWN_EXCEPTION");
    }
    assert_eq!(
        grant(&sf, &assertion_for(APPROVED)).status,
        200,
        "only the next 2 requests"
    );
}

#[test]
fn service_unavailable_is_html_with_retry_after() {
    let sf = start();
    sf.inject_fault(Fault::ServiceUnavailable, 1);
    let mut response = token_request(&sf).unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("Service Unavailable")
    );
}

#[test]
fn html_page_with_status_200() {
    let sf = start();
    sf.inject_fault(Fault::HtmlPage, 1);
    let answer = grant(&sf, &assertion_for(APPROVED));
    assert_eq!(answer.status, 200);
    assert!(
        answer.content_type.starts_with("text/html"),
        "{}",
        answer.content_type
    );
    assert!(answer.body.starts_with("<!DOCTYPE html>"));
    assert!(serde_json::from_str::<serde_json::Value>(&answer.body).is_err());
    assert_eq!(sf.grant_count(), 0);
}

#[test]
fn oversized_body_streams_past_any_sane_limit() {
    let sf = start();
    sf.inject_fault(Fault::oversized_body(), 2);

    // A client with a 1 MiB limit gives up...
    let mut response = token_request(&sf).unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("content-length").is_none(),
        "chunked: no length to pre-check"
    );
    let limited = response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_vec();
    assert!(limited.is_err());

    // ...and one without a limit reads all 8 MiB.
    let mut response = token_request(&sf).unwrap();
    let all = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    assert_eq!(all.len() as u64, sfjwt_emulator::DEFAULT_OVERSIZED_BYTES);
    assert!(all.starts_with(br#"{"access_token":""#));
}

#[test]
fn stall_mid_body_needs_a_client_timeout_and_does_not_block_shutdown() {
    let sf = start();
    sf.inject_fault(Fault::stall_mid_body(), 1);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_per_read(Some(Duration::from_millis(300)))
        .build()
        .into();
    let mut response = post_grant(&agent, &sf);
    assert_eq!(response.status(), 200);
    let declared: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut reader = response.body_mut().as_reader();
    let mut received = Vec::new();
    let mut buf = [0u8; 512];
    let error = loop {
        match reader.read(&mut buf) {
            Ok(0) => panic!("the body ended after {} bytes", received.len()),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) => break e,
        }
    };
    assert!(
        !received.is_empty() && received.len() < declared,
        "{} of {declared}",
        received.len()
    );
    assert!(
        matches!(
            error.kind(),
            ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Other
        ),
        "{error:?}"
    );

    // Meanwhile the emulator serves other clients, and dropping it does not wait an hour.
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
    sf.shutdown();
}

#[test]
fn redirect_to_another_host() {
    let sf = start();
    sf.inject_fault(Fault::redirect(), 1);
    let response = token_request(&sf).unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"],
        sfjwt_emulator::DEFAULT_REDIRECT_LOCATION
    );
    assert_eq!(sf.grant_count(), 0);

    sf.inject_fault(
        Fault::Redirect {
            location: "http://127.0.0.1:9/elsewhere".into(),
        },
        1,
    );
    let response = token_request(&sf).unwrap();
    assert_eq!(
        response.headers()["location"],
        "http://127.0.0.1:9/elsewhere"
    );
}

#[test]
fn faults_can_target_the_token_endpoint_or_the_api() {
    let sf = start();
    let token = token(&sf);
    sf.inject_fault_on(Target::Token, Fault::InternalServerError, 1);
    assert_eq!(
        get(&sf, "/services/oauth2/userinfo", Some(&token)).status,
        200
    );
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 500);

    sf.inject_fault_on(Target::Api, Fault::ServiceUnavailable, 1);
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
    assert_eq!(
        get(&sf, "/services/data/v62.0/limits", Some(&token)).status,
        503
    );

    sf.inject_fault(Fault::HtmlPage, 5);
    sf.clear_faults();
    assert_eq!(sf.pending_faults(), 0);
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
}

#[test]
fn faults_can_be_armed_from_the_builder() {
    let sf = builder()
        .fault(Fault::InternalServerError, 1)
        .start()
        .unwrap();
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 500);
    assert_eq!(grant(&sf, &assertion_for(APPROVED)).status, 200);
}
