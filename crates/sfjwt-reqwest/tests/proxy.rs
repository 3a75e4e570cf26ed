//! A proxy never sees plain-http loopback traffic: the token request to a local emulator
//! carries the signed assertion in clear text, so it must go direct even when the client has
//! a proxy. The same transport does use the proxy for other hosts (the control case), so the
//! proxy is live and the test can fail.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions: a panic there is a failed test"
)]

#[path = "../../sfjwt-ureq/tests/common/mod.rs"]
mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use common::*;
use sfjwt_core::transport::AsyncTransport as _;
use sfjwt_reqwest::ReqwestTransport;

fn proxy() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Whether a connection is waiting on `listener`. A client that used the proxy connected
/// before its request finished, so the connection is in the backlog by now: no waiting.
fn was_contacted(listener: &TcpListener) -> bool {
    listener.set_nonblocking(true).unwrap();
    let contacted = match listener.accept() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(e) => panic!("accept: {e}"),
    };
    listener.set_nonblocking(false).unwrap();
    contacted
}

/// Answers one proxied request with 502 and returns its request line.
fn answer_one(listener: TcpListener) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        let mut stream = reader.into_inner();
        stream
            .write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .unwrap();
        first.trim_end().to_owned()
    })
}

#[tokio::test]
async fn a_client_proxy_gets_nothing_from_a_loopback_token_request() {
    let sf = start();
    let (listener, proxy_url) = proxy();
    let with_proxy = reqwest::Client::builder()
        .proxy(reqwest::Proxy::all(&proxy_url).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let transport = ReqwestTransport::from(with_proxy);

    let token = client(&sf, APPROVED)
        .request_token_async(&transport)
        .await
        .unwrap();
    assert_eq!(token.instance_url(), sf.base_url());
    assert!(
        !was_contacted(&listener),
        "the proxy received a connection for a plain-http loopback request"
    );

    // Control: the same transport sends other hosts through the proxy.
    let seen = answer_one(listener);
    let probe = http::Request::get("http://sfjwt-proxy-probe.invalid/")
        .body(Vec::new())
        .unwrap();
    let response = transport.send(probe).await.unwrap();
    assert_eq!(response.status(), 502);
    let line = tokio::task::spawn_blocking(move || seen.join().unwrap())
        .await
        .unwrap();
    assert_eq!(line, "GET http://sfjwt-proxy-probe.invalid/ HTTP/1.1");
}
