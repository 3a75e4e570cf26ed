//! The emulator from async tests: starting, using and dropping it inside a tokio runtime
//! must neither panic ("cannot drop a runtime in an async context") nor block the runtime.

use sfjwt_test_support::wire as common;

use std::io::{Read, Write};

use common::*;

#[tokio::test]
async fn start_use_and_drop_inside_a_current_thread_runtime() {
    let sf = start();
    let url = sf.token_url();
    let assertion = assertion_for(APPROVED);
    // A plain async request over tokio's TcpStream.
    let body = format!("grant_type={JWT_BEARER}&assertion={assertion}");
    let request = format!(
        "POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(sf.addr()).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .unwrap();
    let mut response = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response)
        .await
        .unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(url.ends_with("/services/oauth2/token"));
    assert_eq!(sf.grant_count(), 1);
    drop(sf);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_client_in_spawn_blocking() {
    let sf = start();
    let url = sf.base_url().to_owned();
    let assertion = assertion_for(APPROVED);
    let status = tokio::task::spawn_blocking(move || {
        agent()
            .post(format!("{url}/services/oauth2/token"))
            .send_form([("grant_type", JWT_BEARER), ("assertion", &assertion)])
            .unwrap()
            .status()
            .as_u16()
    })
    .await
    .unwrap();
    assert_eq!(status, 200);
    sf.shutdown();
}

#[test]
fn shutdown_closes_idle_connections_instead_of_waiting_for_them() {
    let sf = start();
    // An idle keep-alive connection must not hold shutdown up.
    let mut idle = std::net::TcpStream::connect(sf.addr()).unwrap();
    idle.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    idle.write_all(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 4096];
    assert!(idle.read(&mut buf).unwrap() > 0);
    sf.shutdown();
    // The server side is gone: end of stream or a reset, not a read timeout.
    match idle.read(&mut buf) {
        Ok(n) => assert_eq!(n, 0),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
}

#[test]
fn a_fixed_port_can_be_reused_after_shutdown_and_a_taken_port_is_an_error() {
    let first = start();
    let port = first.addr().port();
    let taken = builder().port(port).start();
    assert!(
        matches!(taken, Err(sfjwt_emulator::EmulatorError::Bind { .. })),
        "{taken:?}"
    );
    let message = taken.unwrap_err().to_string();
    assert!(message.contains("port 0"), "{message}");
    drop(first);
    let again = builder().port(port).start().unwrap();
    assert_eq!(again.addr().port(), port);
}
