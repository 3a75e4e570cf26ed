//! An HTTP proxy that only reaches loopback, so a real client that would try Salesforce's
//! public hosts (the Salesforce CLI tries `login.salesforce.com` and `test.salesforce.com`
//! among its login/audience pairs) stays on the machine.
//!
//! Give a client `HTTPS_PROXY`/`HTTP_PROXY` = [`LoopbackProxy::url`]:
//!
//! - a plain-http request in absolute form (`POST http://127.0.0.1:PORT/… HTTP/1.1`) is
//!   forwarded to that loopback port, one request per connection;
//! - a `CONNECT` (an https host) or a request for any other host is answered
//!   `403 Forbidden` and recorded: [`LoopbackProxy::refused`] says what the client tried to
//!   reach, and nothing left the machine.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The longest request head accepted (request line and headers).
const MAX_HEAD: usize = 64 * 1024;

/// A running loopback-only proxy, stopped on drop.
#[derive(Debug)]
pub struct LoopbackProxy {
    url: String,
    refused: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl LoopbackProxy {
    /// Listens on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let refused = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (refused_log, stopping) = (Arc::clone(&refused), Arc::clone(&stop));
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let refused = Arc::clone(&refused_log);
                std::thread::spawn(move || serve(stream, &refused));
            }
        });
        Self {
            url,
            refused,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY` and `HTTP_PROXY`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The targets refused so far (`test.salesforce.com:443`, `http://example.com/…`).
    pub fn refused(&self) -> Vec<String> {
        self.refused.lock().unwrap().clone()
    }
}

impl Drop for LoopbackProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Handles one client connection: forward one loopback request, or refuse.
fn serve(client: TcpStream, refused: &Mutex<Vec<String>>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(client);
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let end = line == b"\r\n" || line == b"\n";
        head.extend_from_slice(&line);
        if end {
            break;
        }
        if head.len() > MAX_HEAD {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (method, target, version) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or("HTTP/1.1"),
    );
    let loopback = ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .find_map(|prefix| target.strip_prefix(prefix).map(|rest| (prefix, rest)));
    let Some((prefix, rest)) = loopback.filter(|_| method != "CONNECT") else {
        refused.lock().unwrap().push(target.to_owned());
        let mut client = reader.into_inner();
        let _ = client
            .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
    };
    let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let host = prefix.trim_start_matches("http://");
    let Ok(mut upstream) = TcpStream::connect(format!("{host}{port}")) else {
        let mut client = reader.into_inner();
        let _ = client.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        return;
    };
    let mut forwarded = format!("{method} {path} {version}\r\n");
    for header in lines.filter(|l| !l.is_empty()) {
        let name = header.split(':').next().unwrap_or_default().trim();
        if [
            "connection",
            "proxy-connection",
            "keep-alive",
            "proxy-authorization",
        ]
        .iter()
        .any(|skip| name.eq_ignore_ascii_case(skip))
        {
            continue;
        }
        forwarded.push_str(header);
        forwarded.push_str("\r\n");
    }
    // One request per connection: the client reconnects for the next one.
    forwarded.push_str("connection: close\r\n\r\n");
    let buffered = reader.buffer().to_vec();
    let mut client = reader.into_inner();
    if upstream.write_all(forwarded.as_bytes()).is_err() || upstream.write_all(&buffered).is_err() {
        return;
    }
    let (Ok(mut client_in), Ok(mut upstream_out)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    // The rest of the body, as it comes.
    let body = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = client_in.read(&mut buf) {
            if n == 0 || upstream_out.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    let _ = body.join();
}
