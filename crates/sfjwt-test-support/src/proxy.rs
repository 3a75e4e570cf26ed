//! A would-be HTTP proxy on loopback, for the adapters' "plain-http loopback traffic never
//! goes through a proxy" tests.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

/// A would-be proxy: a listener nobody should connect to for loopback requests, and its URL.
pub fn proxy() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Whether a connection is waiting on `listener`. A client that used the proxy connected
/// before its request finished, so the connection is in the backlog by now: no waiting.
pub fn was_contacted(listener: &TcpListener) -> bool {
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
pub fn answer_one(listener: TcpListener) -> std::thread::JoinHandle<String> {
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

/// Asserts the would-be proxy got no connection: the loopback request went direct.
#[track_caller]
pub fn assert_bypassed(listener: &TcpListener) {
    assert!(
        !was_contacted(listener),
        "the proxy received a connection for a plain-http loopback request"
    );
}

/// The control request: a GET to a host that is not loopback, which must use the proxy.
pub fn probe_request() -> http::Request<Vec<u8>> {
    http::Request::get("http://sfjwt-proxy-probe.invalid/")
        .body(Vec::new())
        .unwrap()
}
