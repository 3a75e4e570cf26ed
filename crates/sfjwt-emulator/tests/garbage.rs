//! Garbage requests: each gets a Salesforce-like 4xx, nothing panics or wedges, and the
//! emulator keeps serving afterwards.

use sfjwt_test_support::wire as common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::*;

/// After each garbage request, a real grant must still work.
#[track_caller]
fn still_serving(sf: &sfjwt_emulator::Emulator) {
    assert_eq!(grant(sf, &assertion_for(APPROVED)).status, 200);
}

fn request(method: &str, path: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

const FORM: &str = "Content-Type: application/x-www-form-urlencoded";

#[test]
fn get_on_the_token_endpoint_must_use_post() {
    let sf = start();
    let (status, text) = raw_exchange(&sf, &request("GET", "/services/oauth2/token", &[], b""));
    assert_eq!(status, 400);
    assert!(
        text.ends_with(r#"{"error":"invalid_request","error_description":"must use HTTP POST"}"#),
        "{text}"
    );
    for method in ["PUT", "DELETE", "PATCH"] {
        let (status, _) = raw_exchange(
            &sf,
            &request(method, "/services/oauth2/token", &[FORM], b"grant_type=x"),
        );
        assert_eq!(status, 400, "{method}");
    }
    still_serving(&sf);
}

#[test]
fn unknown_paths_are_404() {
    let sf = start();
    for path in [
        "/",
        "/services/oauth2/authorize",
        "/favicon.ico",
        "/services/oauth2/token/../x",
    ] {
        let (status, text) = raw_exchange(&sf, &request("GET", path, &[], b""));
        assert_eq!(status, 404, "{path}: {text}");
        assert!(text.contains(r#""errorCode":"NOT_FOUND""#));
    }
    still_serving(&sf);
}

#[test]
fn api_rejects_other_methods_after_authentication() {
    let sf = start();
    let token = token(&sf);
    let auth = format!("Authorization: Bearer {token}");
    let (status, text) = raw_exchange(
        &sf,
        &request("POST", "/services/data/v62.0/limits", &[&auth], b"{}"),
    );
    assert_eq!(status, 405, "{text}");
    assert!(text.contains("METHOD_NOT_ALLOWED"));
    let (status, _) = raw_exchange(
        &sf,
        &request("POST", "/services/data/v62.0/limits", &[], b"{}"),
    );
    assert_eq!(status, 401);
    let (status, _) = raw_exchange(
        &sf,
        &request("GET", "/services/data/v62.0/sobjects", &[&auth], b""),
    );
    assert_eq!(status, 404);
}

#[test]
fn empty_body_is_unsupported_grant_type() {
    let sf = start();
    let (status, text) = raw_exchange(
        &sf,
        &request("POST", "/services/oauth2/token", &[FORM], b""),
    );
    assert_eq!(status, 400);
    assert!(
        text.ends_with(
            r#"{"error":"unsupported_grant_type","error_description":"grant type not supported"}"#
        ),
        "{text}"
    );
    still_serving(&sf);
}

#[test]
fn missing_or_other_content_type_is_unsupported_grant_type() {
    let sf = start();
    let body = format!(
        "grant_type={JWT_BEARER}&assertion={}",
        assertion_for(APPROVED)
    );
    for headers in [
        &[][..],
        &["Content-Type: application/json"][..],
        &["Content-Type: text/plain"][..],
    ] {
        let (status, text) = raw_exchange(
            &sf,
            &request("POST", "/services/oauth2/token", headers, body.as_bytes()),
        );
        assert_eq!(status, 400, "{headers:?}");
        assert!(text.contains("unsupported_grant_type"), "{text}");
    }
    let json = format!(r#"{{"grant_type":"{JWT_BEARER}","assertion":"x"}}"#);
    let (status, _) = raw_exchange(
        &sf,
        &request(
            "POST",
            "/services/oauth2/token",
            &["Content-Type: application/json"],
            json.as_bytes(),
        ),
    );
    assert_eq!(status, 400);
    // A charset parameter and odd casing are fine.
    let (status, text) = raw_exchange(
        &sf,
        &request(
            "POST",
            "/services/oauth2/token",
            &["Content-Type: Application/X-WWW-Form-URLEncoded; charset=UTF-8"],
            body.as_bytes(),
        ),
    );
    assert_eq!(status, 200, "{text}");
}

#[test]
fn non_utf8_form_is_a_4xx() {
    let sf = start();
    let mut body = b"grant_type=\xff\xfe\x80&assertion=\xc3\x28".to_vec();
    let (status, text) = raw_exchange(
        &sf,
        &request("POST", "/services/oauth2/token", &[FORM], &body),
    );
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("unsupported_grant_type"));
    body = format!("grant_type={JWT_BEARER}&assertion=%ff%fe.%80.\u{1F600}").into_bytes();
    let (status, text) = raw_exchange(
        &sf,
        &request("POST", "/services/oauth2/token", &[FORM], &body),
    );
    assert_eq!(status, 400);
    assert!(
        text.contains(r#""error_description":"invalid assertion""#),
        "{text}"
    );
    still_serving(&sf);
}

#[test]
fn ten_megabyte_body_gets_413_and_the_client_reads_it() {
    let sf = start();
    let big = vec![b'a'; 10 * 1024 * 1024];
    // Declared up front: refused without reading, then drained so the client can read the 413.
    let (status, text) = raw_exchange(
        &sf,
        &request("POST", "/services/oauth2/token", &[FORM], &big),
    );
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("request body too large"));

    // Chunked, so the size is only known while reading.
    let mut stream = TcpStream::connect(sf.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    for chunk in big.chunks(1024 * 1024) {
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || stream.write_all(chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let (status, _) = read_response(stream);
    assert_eq!(status, 413);

    // With ureq as well.
    let response = agent()
        .post(sf.token_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(&big[..])
        .unwrap();
    assert_eq!(response.status(), 413);
    still_serving(&sf);
}

#[test]
fn protocol_garbage_gets_400_and_silence_gets_dropped() {
    let sf = start();
    let (status, _) = raw_exchange(
        &sf,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
    );
    assert_eq!(status, 400);
    let (status, _) = raw_exchange(
        &sf,
        b"POST /services/oauth2/token HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
    );
    assert_eq!(status, 400);

    // A client that connects and sends half a body is answered 4xx or dropped once the
    // read timeout passes; meanwhile others are served.
    let mut slow = TcpStream::connect(sf.addr()).unwrap();
    slow.write_all(
        b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
    )
    .unwrap();
    still_serving(&sf);
    drop(slow);
    still_serving(&sf);
}

#[test]
fn keep_alive_connections_serve_several_requests() {
    let sf = start();
    let agent = agent();
    for _ in 0..5 {
        let response = post_grant(&agent, &sf);
        assert_eq!(response.status(), 200);
    }
    assert_eq!(sf.grant_count(), 5);
}
